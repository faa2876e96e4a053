"""Check an evidence bundle without the case or its passphrase, byte by byte.

What is checked (docs/security.md, "What verify covers"):

1. ``log.jsonl``: every line is one event in canonical JSON (one form only: no duplicate or extra
   keys, no other spacing), and the events form an unbroken hash chain ending in ``bundle_made``.
2. Every member against hashes chained *before* the bundle was made: each original against the
   ``exhibit_added`` event that recorded it, report.html and case.jsonld against the
   ``report_made`` event whose hash they print as their seal, report.pdf against the
   ``report_pdf_made`` event that names that seal.
3. ``manifest.json`` is rebuilt from the log and the members and must match byte for byte.
4. The zip itself is rebuilt in canonical layout while the members stream through, and must match
   the file byte for byte.

Input is bounded before it is read: members must be stored (not compressed) at exactly the size
the log records, so the verifier never inflates anything and reads each byte of the file about
once; the manifest and the log are read whole only below :data:`MAX_JSON` bytes. Nothing is
written anywhere.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from unshared.casefile.log import Event, check_chain
from unshared.errors import InputFileError
from unshared.report.bundle_format import (
    BUNDLE_FORMAT,
    FORMAT_VERSION,
    LOG,
    MANIFEST,
    BundlePlan,
    event_from_line,
    expected_manifest,
    manifest_bytes,
    plan_from_log,
    strict_json,
    zinfo,
)
from unshared.report.pack import SEAL_ZERO

__all__ = ["BundleCheck", "verify_bundle", "MAX_JSON"]

MAX_JSON = 256 << 20
"""Largest manifest.json or log.jsonl read into memory (bytes)."""
_BLOCK = 1 << 20


@dataclass
class BundleCheck:
    path: str
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0
    exhibits: int = 0
    set_aside: int = 0
    log_events: int = 0
    log_head: str | None = None
    seal: str | None = None
    """Hash of the ``report_made`` event that the report prints as its seal."""

    @property
    def ok(self) -> bool:
        return not self.problems


class _Canonical(io.RawIOBase):
    """A write-only, seekable sink that compares what a zip writer writes with the real file.

    Regions may be written twice (the zip writer rewrites each local header once the member's
    CRC is known), so the first difference is settled only at the end.
    """

    def __init__(self, fh: IO[bytes], size: int) -> None:
        super().__init__()
        self._fh = fh
        self._size = size
        self._pos = 0
        self._end = 0
        self._bad: dict[int, tuple[int, int]] = {}

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._end}[whence]
        self._pos = base + pos
        return self._pos

    def write(self, b: Any) -> int:
        data = bytes(b)
        start, end = self._pos, self._pos + len(data)
        for s in [s for s, (e, _) in self._bad.items() if s >= start and e <= end]:
            del self._bad[s]
        self._fh.seek(start)
        got = self._fh.read(len(data))
        if got != data:
            first = next(
                (i for i, (x, y) in enumerate(zip(got, data, strict=False)) if x != y),
                min(len(got), len(data)),
            )
            self._bad[start] = (end, start + first)
        self._pos = end
        self._end = max(self._end, end)
        return len(data)

    def first_difference(self) -> int | None:
        firsts = [first for _, first in self._bad.values()]
        if self._end != self._size:
            firsts.append(min(self._end, self._size))
        return min(firsts) if firsts else None


def verify_bundle(path: Path | str) -> BundleCheck:
    """Check a bundle zip without the case or its passphrase; collect every problem found."""
    path = Path(path)
    result = BundleCheck(str(path))
    if not path.is_file():
        raise InputFileError("no such bundle file", path=str(path))
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # a damaged zip fails in many ways; each is "not readable"
        result.problems.append(f"{path.name}: damaged or truncated, not a readable zip ({exc})")
        return result
    with zf, path.open("rb") as raw:
        _Verifier(zf, raw, path.stat().st_size, result).run()
    return result


class _Verifier:
    def __init__(self, zf: zipfile.ZipFile, raw: IO[bytes], size: int, result: BundleCheck):
        self.zf = zf
        self.raw = raw
        self.size = size
        self.result = result
        self.problems = result.problems
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            if info.filename in self.infos:
                self.problems.append(f"{info.filename}: in the zip twice")
            self.infos[info.filename] = info

    # ------------------------------------------------------------------ bounded reading
    def _stored(self, name: str, size: int | None) -> zipfile.ZipInfo | None:
        """The member's entry if it is stored as unshared stores it, at ``size`` bytes."""
        info = self.infos.get(name)
        if info is None:
            self.problems.append(f"{name}: missing from the bundle")
            return None
        if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
            self.problems.append(
                f"{name}: compressed in the zip (unshared stores every file as it is); not read"
            )
            return None
        if size is not None and info.file_size != size:
            more = "larger" if info.file_size > size else "smaller"
            self.problems.append(
                f"{name}: {more} than recorded in the log ({info.file_size} bytes, not {size}); "
                "not read"
            )
            return None
        return info

    def _small(self, name: str) -> bytes | None:
        info = self._stored(name, None)
        if info is None:
            return None
        if info.file_size > MAX_JSON:
            self.problems.append(f"{name}: {info.file_size} bytes, over the {MAX_JSON} limit")
            return None
        try:
            return self.zf.read(info)
        except Exception as exc:  # any way a damaged member fails to read names that member
            self.problems.append(f"{name}: changed or damaged ({exc})")
            return None

    # ------------------------------------------------------------------ the steps
    def run(self) -> None:
        manifest_raw = self._small(MANIFEST)
        if manifest_raw is None:
            return
        manifest = self._manifest(manifest_raw)
        if manifest is None:
            return
        log_raw = self._small(LOG)
        if log_raw is None:
            return
        events = self._events(log_raw)
        if not events or any(p.startswith(LOG) for p in self.problems):
            return
        made = events[-1]
        if made.type != "bundle_made":
            self.problems.append(f"{LOG}: the last event is not bundle_made")
            return
        report_seq = made.data().get("report_event")
        plan = plan_from_log(events, report_seq if isinstance(report_seq, int) else None)
        self.problems.extend(plan.problems)
        if plan.problems:
            return
        assert plan.report is not None
        self.result.seal = plan.report.hash
        self.result.set_aside = len(plan.set_aside)
        entries = self._members(plan, log_raw)
        for name in self.infos:
            if name != MANIFEST and name not in {e["path"] for e in entries} | self._expected:
                self.problems.append(f"{name}: in the zip but not listed in the manifest")
        recorded = made.data().get("files")
        if entries is not None and recorded != {
            e["path"]: e["sha256"] for e in entries if e["path"] != LOG
        }:
            self.problems.append(
                f"{LOG}: event {made.seq} (bundle_made) does not list the files in the bundle"
            )
        want = manifest_bytes(expected_manifest(events, plan, entries))
        if want != manifest_raw:
            self._manifest_differences(manifest, json.loads(want))
        if not self.problems:
            self._structure(manifest_raw)

    def _manifest(self, raw: bytes) -> dict[str, Any] | None:
        try:
            manifest = strict_json(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            self.problems.append(f"{MANIFEST}: not valid JSON as unshared writes it ({exc})")
            return None
        if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
            self.problems.append(f"{MANIFEST}: not an unshared bundle manifest")
            return None
        if manifest.get("format_version") != FORMAT_VERSION:
            self.problems.append(
                f"{MANIFEST}: bundle format {manifest.get('format_version')!r}, made by an older "
                "unshared that did not seal the report; make a new bundle from the case"
            )
            return None
        return manifest

    def _events(self, raw: bytes) -> list[Event]:
        events: list[Event] = []
        if not raw.endswith(b"\n"):
            self.problems.append(f"{LOG}: does not end with a newline (cut off or changed)")
            return events
        for number, line in enumerate(raw[:-1].split(b"\n"), 1):
            where = f"{LOG} (line {number})"
            try:
                events.append(event_from_line(line))
            except ValueError as exc:  # UnicodeDecodeError is one
                self.problems.append(f"{where}: not an event as unshared writes it ({exc})")
        if self.problems:
            return events
        self.result.log_events = len(events)
        self.problems.extend(f"{LOG}: {p}" for p in check_chain(events))
        if not events:
            self.problems.append(f"{LOG}: the log is empty")
        else:
            self.result.log_head = events[-1].hash
        return events

    def _members(self, plan: BundlePlan, log_raw: bytes) -> list[dict[str, Any]]:
        """Stream every member once: hash it, check it against the log, lay out the zip."""
        expected: list[tuple[str, str, int]] = [
            (ex.path, ex.sha256, ex.size) for ex in plan.exhibits
        ]
        expected += [(name, sha, size) for name, (sha, size) in plan.report_members().items()]
        expected.append((LOG, hashlib.sha256(log_raw).hexdigest(), len(log_raw)))
        self._expected = {name for name, _, _ in expected}
        self._sink = _Canonical(self.raw, self.size)
        self._writer: zipfile.ZipFile | None = zipfile.ZipFile(self._sink, "w")
        seal = plan.report.hash.encode() if plan.report else b""
        entries: list[dict[str, Any]] = []
        for name, sha, size in expected:
            info = self._stored(name, size)
            if info is None:
                self._writer = None  # the layout cannot be rebuilt without every member
                continue
            digest, zeroed, got_seal = self._stream(info, plan.seal_at(name))
            if digest is None:
                continue
            self.result.files_checked += 1
            entries.append({"path": name, "sha256": digest, "size": size})
            at = plan.seal_at(name)
            if at is not None:
                if got_seal != seal:
                    self.problems.append(f"{name}: does not print the report seal {seal.decode()}")
                elif zeroed != sha:
                    self.problems.append(
                        f"{name}: differs from the hash recorded in the log (event "
                        f"{plan.report.seq if plan.report else '?'}, the report seal)"
                    )
            elif digest != sha:
                kind = "exhibit" if name.startswith("originals/") else "file"
                self.problems.append(
                    f"{name}: SHA-256 differs from the hash recorded in the log (the {kind} changed)"
                )
            elif name.startswith("originals/"):
                self.result.exhibits += 1
        for ex in plan.exhibits:
            if ex.path not in self.infos:
                self.problems.append(
                    f"exhibit {ex.sha256} ({ex.original_name}): in the log but missing from "
                    "the bundle"
                )
        return entries

    def _stream(
        self, info: zipfile.ZipInfo, seal_at: int | None
    ) -> tuple[str | None, str | None, bytes]:
        """SHA-256 of the member, SHA-256 with the seal's place zeroed, and the seal's bytes."""
        digest = hashlib.sha256()
        zeroed = hashlib.sha256() if seal_at is not None else None
        seal = b""
        pos = 0
        dst: IO[bytes] | None = None
        try:
            if self._writer is not None:
                dst = self._writer.open(zinfo(info.filename, info.file_size), "w")
            with self.zf.open(info) as fh:
                while pos < info.file_size:
                    block = fh.read(min(_BLOCK, info.file_size - pos))
                    if not block:
                        break
                    digest.update(block)
                    if dst is not None:
                        dst.write(block)
                    if zeroed is not None and seal_at is not None:
                        lo, hi = max(seal_at - pos, 0), min(seal_at + 64 - pos, len(block))
                        if lo < hi:
                            seal += block[lo:hi]
                            block = block[:lo] + SEAL_ZERO[: hi - lo] + block[hi:]
                        zeroed.update(block)
                    pos += len(block)
            if dst is not None:
                dst.close()
        except Exception as exc:  # any way a changed member fails to read names that member
            self.problems.append(f"{info.filename}: changed or damaged ({exc})")
            self._writer = None
            return None, None, b""
        if pos != info.file_size:
            self.problems.append(f"{info.filename}: shorter than its zip entry says")
            return None, None, b""
        return digest.hexdigest(), zeroed.hexdigest() if zeroed else None, seal

    def _manifest_differences(self, have: dict[str, Any], want: dict[str, Any]) -> None:
        named = False
        for key in sorted(set(have) | set(want)):
            if key not in want:
                self.problems.append(f"{MANIFEST}: field {key!r} is not part of the format")
            elif key not in have:
                self.problems.append(f"{MANIFEST}: field {key!r} is missing")
            elif key == "exhibits" and isinstance(have[key], list):
                for n, (a, b) in enumerate(zip(have[key], want[key], strict=False)):
                    a = a if isinstance(a, dict) else {}
                    for f in sorted(set(a) | set(b)):
                        if a.get(f) != b.get(f) or f not in a or f not in b:
                            self.problems.append(
                                f"{MANIFEST}: exhibit {n + 1} field {f!r} differs from the log"
                            )
                            named = True
                if len(have[key]) != len(want[key]):
                    self.problems.append(f"{MANIFEST}: field 'exhibits' differs from the log")
                continue
            elif have[key] != want[key]:
                self.problems.append(f"{MANIFEST}: field {key!r} differs from the log")
            else:
                continue
            named = True
        if not named:
            self.problems.append(f"{MANIFEST}: not in the one form unshared writes")

    def _structure(self, manifest_raw: bytes) -> None:
        """Finish the canonical zip (the manifest last) and compare it with the file."""
        if self._writer is None:
            return
        with self._writer.open(zinfo(MANIFEST, len(manifest_raw)), "w") as dst:
            dst.write(manifest_raw)
        self._writer.close()
        at = self._sink.first_difference()
        if at is not None:
            self.problems.append(
                f"{_member_at(self.zf, at)}: zip headers changed at byte {at} (the bundle "
                "is not as unshared wrote it)"
            )


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
