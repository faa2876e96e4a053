"""The evidence bundle: one zip an officer can check without the passphrase.

Layout::

    originals/<sha256>/<original name>   every exhibit, byte for byte as added to the case
    report/report.html, report.pdf, case.jsonld
    log.jsonl                            every event of the case log, with prev_hash and hash
    manifest.json                        SHA-256 and size of every file above, and the log head

The zip is written deterministically (members stored uncompressed, fixed times and attributes,
manifest order), so :func:`verify_bundle` can check every byte of it: each member against the
manifest, the manifest against the ``bundle_made`` event in the log, the log's hash chain, that
every exhibit in the log is present, and finally the zip's own structure against the canonical
layout. Any changed byte fails, and the problem names the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from unshared import __version__
from unshared.casefile.log import Event, check_chain
from unshared.casefile.store import Case, utcnow
from unshared.errors import CaseFileError, InputFileError
from unshared.model import canonical_json
from unshared.report.pack import write_report

__all__ = ["BundleResult", "BundleCheck", "make_bundle", "verify_bundle", "BUNDLE_FORMAT"]

BUNDLE_FORMAT = "unshared-bundle"
MANIFEST = "manifest.json"
LOG = "log.jsonl"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_BLOCK = 1 << 20
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class BundleResult:
    path: Path
    sha256: str
    files: int
    log_head: str


@dataclass
class BundleCheck:
    path: str
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0
    exhibits: int = 0
    log_events: int = 0
    log_head: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _zinfo(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    info.file_size = size
    return info


def _put(zf: zipfile.ZipFile, name: str, stream: IO[bytes], size: int) -> tuple[str, int]:
    """Copy ``stream`` into the zip as ``name``; returns its SHA-256 and length."""
    digest = hashlib.sha256()
    n = 0
    with zf.open(_zinfo(name, size), "w") as dst:
        for block in iter(lambda: stream.read(_BLOCK), b""):
            digest.update(block)
            dst.write(block)
            n += len(block)
    return digest.hexdigest(), n


def _safe(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE.sub("_", base).strip(" .") or "exhibit"


def _log_lines(events: list[Event]) -> bytes:
    return b"".join(
        (json.dumps(ev.to_dict(), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        for ev in events
    )


def make_bundle(
    case: Case, out: Path, *, pdf: bool = True, step: Callable[[str], None] | None = None
) -> BundleResult:
    """Write the bundle zip for ``case``; logs ``report_made`` and ``bundle_made``."""
    out = Path(out)
    if out.exists():
        raise CaseFileError("a file with this name already exists; choose another", path=str(out))
    if not out.parent.is_dir():
        raise InputFileError("the folder does not exist", path=str(out.parent))

    def note(what: str) -> None:
        if step is not None:
            step(what)

    part = out.with_name(out.name + ".part")
    entries: list[dict[str, Any]] = []
    exhibits: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="unshared-report-") as tmp:
            report = write_report(case, Path(tmp), pdf=pdf, step=step)
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as zf:
                for n, info in enumerate(case.exhibits(), 1):
                    note(f"copying exhibit E{n} ({info.name})")
                    name = f"originals/{info.sha256}/{_safe(info.name)}"
                    with case.open_exhibit(info.sha256) as src:
                        sha, size = _put(zf, name, src, info.size)
                    if sha != info.sha256:
                        raise CaseFileError(
                            f"exhibit {info.sha256} reads back with another SHA-256; "
                            "run 'unshared verify' on the case",
                            path=str(case.path),
                        )
                    entries.append({"path": name, "sha256": sha, "size": size})
                    first = info.acquisitions[0] if info.acquisitions else None
                    exhibits.append(
                        {
                            "number": f"E{n}",
                            "sha256": info.sha256,
                            "size": info.size,
                            "original_name": info.name,
                            "acquired_at": first.acquired_at if first else None,
                            "path": name,
                        }
                    )
                for fname in report.files:
                    path = report.path(fname)
                    with path.open("rb") as src:
                        sha, size = _put(zf, f"report/{fname}", src, path.stat().st_size)
                    entries.append({"path": f"report/{fname}", "sha256": sha, "size": size})
                note("writing the log")
                case.log(
                    "bundle_made",
                    {
                        "name": out.name,
                        "files": {e["path"]: e["sha256"] for e in entries},
                        "tool_version": __version__,
                    },
                )
                events = list(case.events())
                log_bytes = _log_lines(events)
                _put_bytes(zf, LOG, log_bytes)
                entries.append(
                    {
                        "path": LOG,
                        "sha256": hashlib.sha256(log_bytes).hexdigest(),
                        "size": len(log_bytes),
                    }
                )
                manifest = {
                    "format": BUNDLE_FORMAT,
                    "format_version": 1,
                    "created_at": utcnow(),
                    "created_by": f"unshared {__version__}",
                    "case": case.path.name,
                    "log_head": events[-1].hash,
                    "log_events": len(events),
                    "files": entries,
                    "exhibits": exhibits,
                    "check": "unshared verify THIS.zip (no passphrase needed)",
                }
                _put_bytes(zf, MANIFEST, _manifest_bytes(manifest))
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return BundleResult(out, _file_sha256(out), len(entries) + 1, events[-1].hash)


def _manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _put_bytes(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    with zf.open(_zinfo(name, len(data)), "w") as dst:
        dst.write(data)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------------- verify
def verify_bundle(path: Path | str) -> BundleCheck:
    """Check a bundle zip without the case or its passphrase; collect every problem found."""
    path = Path(path)
    result = BundleCheck(str(path))
    if not path.is_file():
        raise InputFileError("no such bundle file", path=str(path))
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # a damaged zip fails in many ways; each is "not readable"
        result.problems.append(f"{path.name}: not a readable zip ({exc})")
        return result
    with zf:
        manifest = _read_manifest(zf, result)
        if manifest is None:
            return result
        listed = [str(e.get("path")) for e in manifest.get("files", [])]
        hashes = _check_members(zf, manifest, result)
        for name in zf.namelist():
            if name != MANIFEST and name not in listed:
                result.problems.append(f"{name}: in the zip but not listed in the manifest")
        events = _check_log(zf, manifest, hashes, result)
        _check_exhibits(events, manifest, hashes, result)
        if not result.problems:
            _check_structure(path, zf, [*listed, MANIFEST], result)
    return result


def _read_manifest(zf: zipfile.ZipFile, result: BundleCheck) -> dict[str, Any] | None:
    try:
        raw = zf.read(MANIFEST)
    except KeyError:
        result.problems.append(f"{MANIFEST}: missing from the bundle")
        return None
    except Exception as exc:
        result.problems.append(f"{MANIFEST}: changed or damaged ({exc})")
        return None
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        result.problems.append(f"{MANIFEST}: not valid JSON ({exc})")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        result.problems.append(f"{MANIFEST}: not an unshared bundle manifest")
        return None
    if _manifest_bytes(manifest) != raw:
        result.problems.append(f"{MANIFEST}: changed (not as unshared writes it)")
    return manifest


def _check_members(
    zf: zipfile.ZipFile, manifest: dict[str, Any], result: BundleCheck
) -> dict[str, str]:
    """SHA-256 of every listed member that reads back intact; problems for the rest."""
    good: dict[str, str] = {}
    for entry in manifest.get("files", []):
        name = str(entry.get("path"))
        try:
            info = zf.getinfo(name)
        except KeyError:
            result.problems.append(f"{name}: missing from the bundle")
            continue
        digest = hashlib.sha256()
        try:
            with zf.open(info) as fh:
                for block in iter(lambda fh=fh: fh.read(_BLOCK), b""):  # type: ignore[misc]
                    digest.update(block)
        except Exception as exc:  # any way a changed member fails to read names that member
            result.problems.append(f"{name}: changed or damaged ({exc})")
            continue
        result.files_checked += 1
        if digest.hexdigest() != entry.get("sha256"):
            result.problems.append(f"{name}: SHA-256 differs from the manifest (the file changed)")
        elif info.file_size != entry.get("size"):
            result.problems.append(f"{name}: size differs from the manifest")
        else:
            good[name] = digest.hexdigest()
    return good


def _events(raw: bytes, result: BundleCheck) -> Iterator[Event]:
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        try:
            d = json.loads(line)
            yield Event(
                int(d["seq"]),
                str(d["at"]),
                str(d["type"]),
                canonical_json(d["payload"]),
                str(d["prev_hash"]),
                str(d["hash"]),
            )
        except (ValueError, KeyError, TypeError):
            result.problems.append(f"{LOG} (line {number}): not a readable event")


def _check_log(
    zf: zipfile.ZipFile, manifest: dict[str, Any], hashes: dict[str, str], result: BundleCheck
) -> list[Event]:
    if LOG not in hashes:
        if not any(p.startswith(f"{LOG}:") for p in result.problems):
            result.problems.append(f"{LOG}: missing from the bundle")
        return []
    events = list(_events(zf.read(LOG), result))
    result.log_events = len(events)
    result.problems.extend(f"{LOG}: {p}" for p in check_chain(events))
    if not events:
        result.problems.append(f"{LOG}: the log is empty")
        return events
    result.log_head = events[-1].hash
    if manifest.get("log_head") != events[-1].hash:
        result.problems.append(f"{MANIFEST}: its log head does not match the last event of {LOG}")
    made = [ev for ev in events if ev.type == "bundle_made"]
    if not made:
        result.problems.append(f"{LOG}: no bundle_made event records these files")
        return events
    recorded = json.loads(made[-1].payload).get("files", {})
    for entry in manifest.get("files", []):
        name = str(entry.get("path"))
        if name == LOG:
            continue
        if recorded.get(name) != entry.get("sha256"):
            result.problems.append(
                f"{name}: differs from the hash recorded in the log (event {made[-1].seq})"
            )
    return events


def _check_exhibits(
    events: list[Event], manifest: dict[str, Any], hashes: dict[str, str], result: BundleCheck
) -> None:
    present = {sha for name, sha in hashes.items() if name.startswith("originals/")}
    seen: set[str] = set()
    for ev in events:
        if ev.type != "exhibit_added":
            continue
        data = json.loads(ev.payload)
        sha = str(data.get("sha256"))
        if sha in seen:
            continue
        seen.add(sha)
        if sha not in present:
            result.problems.append(
                f"exhibit {sha} ({data.get('original_name')}): in the log but missing from "
                "the bundle"
            )
    result.exhibits = len(seen & present)


def _check_structure(
    path: Path, zf: zipfile.ZipFile, order: list[str], result: BundleCheck
) -> None:
    """Rebuild the canonical zip from the members and compare it with the file, byte by byte."""
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as out:
            for name in order:
                info = zf.getinfo(name)
                with zf.open(info) as src:
                    _put(out, name, src, info.file_size)
        tmp.seek(0)
        offset = 0
        with path.open("rb") as fh:
            while True:
                a, b = fh.read(_BLOCK), tmp.read(_BLOCK)
                if a != b:
                    at = offset + next(
                        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                        min(len(a), len(b)),
                    )
                    result.problems.append(
                        f"{_member_at(zf, at)}: zip headers changed at byte {at} (the bundle "
                        "is not as unshared wrote it)"
                    )
                    return
                if not a:
                    return
                offset += len(a)


def _member_at(zf: zipfile.ZipFile, offset: int) -> str:
    """Name the part of the zip that holds ``offset``: a member, or its directory entry."""
    infos = zf.infolist()
    start_dir = int(getattr(zf, "start_dir", 0) or 0)
    if start_dir and offset >= start_dir:
        pos = start_dir
        for info in infos:
            pos += 46 + len(info.filename.encode()) + len(info.extra) + len(info.comment)
            if offset < pos:
                return f"{info.filename} (its zip directory entry)"
        return "the zip's end record"
    before = [i for i in infos if i.header_offset <= offset]
    if not before:
        return "the zip's first header"
    return max(before, key=lambda i: i.header_offset).filename
