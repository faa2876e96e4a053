"""The evidence bundle: one zip an officer can check without the passphrase.

Layout::

    originals/<sha256>/<original name>   every exhibit not set aside, byte for byte as added
    report/report.html, report.pdf, case.jsonld
    log.jsonl                            every event of the case log, canonical JSON per line
    manifest.json                        derived from the log: SHA-256 and size of every file

The zip is written deterministically (members stored uncompressed, fixed times and attributes,
log order), so :func:`verify_bundle` can check every byte of it against hashes chained before the
bundle was made (:mod:`unshared.report.bundle_verify`).

Nothing is written outside the output file: the report is rendered into unnamed files in the
output's folder (never whole in memory), and the zip is built in an unnamed file there too (Linux
``O_TMPFILE``) that gets its name only when complete, so a killed command, even by SIGKILL, leaves
no trace. Where unnamed files are not
available a hidden ``.part`` file is used and removed on every exit path, SIGTERM included.
"""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

from unshared import __version__
from unshared.casefile.store import Case
from unshared.errors import CaseFileError, InputFileError
from unshared.report.bundle_format import (
    BUNDLE_FORMAT,
    LOG,
    MANIFEST,
    expected_manifest,
    log_line,
    manifest_bytes,
    plan_from_log,
    zinfo,
)
from unshared.report.bundle_verify import BundleCheck, verify_bundle
from unshared.report.pack import file_sha256, make_pack

__all__ = ["BundleResult", "BundleCheck", "make_bundle", "verify_bundle", "BUNDLE_FORMAT"]

_BLOCK = 1 << 20


@dataclass(frozen=True)
class BundleResult:
    path: Path
    sha256: str
    files: int
    log_head: str
    seal: str = ""
    set_aside: int = 0


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived while a bundle was being written."""


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Interrupted` so clean-up code runs (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signal.Signals(signum).name)

    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s]
    old = {s: signal.signal(s, handler) for s in wanted}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextmanager
def _output(out: Path) -> Iterator[IO[bytes]]:
    """A new file that appears as ``out`` only when the block ends without an error."""
    part: Path | None = None
    try:
        fd = os.open(out.parent, os.O_TMPFILE | os.O_RDWR, 0o600)
    except (AttributeError, OSError):
        part = out.with_name(f".{out.name}.part")
        fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        with os.fdopen(fd, "w+b") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
            try:
                if part is None:
                    part = _name_unnamed(fh, out)
                if part is not None:
                    os.link(part, out)  # never replaces a file that appeared meanwhile
            except FileExistsError:
                raise CaseFileError(
                    "a file with this name already exists; choose another", path=str(out)
                ) from None
    finally:
        if part is not None:
            part.unlink(missing_ok=True)


def _name_unnamed(fh: IO[bytes], out: Path) -> Path | None:
    """Give the unnamed file the name ``out``; else copy it to a ``.part`` file to be linked."""
    folder = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        # With a directory descriptor os.link calls linkat(), which follows /proc's link.
        os.link(f"/proc/self/fd/{fh.fileno()}", out.name, dst_dir_fd=folder, follow_symlinks=True)
        return None
    except FileExistsError:
        raise
    except OSError:
        part = out.with_name(f".{out.name}.part")
        with open(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as dst:
            fh.seek(0)
            for block in iter(lambda: fh.read(_BLOCK), b""):
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        return part
    finally:
        os.close(folder)


def _put(zf: Any, name: str, stream: IO[bytes], size: int) -> tuple[str, int]:
    """Copy ``stream`` into the zip as ``name``; returns its SHA-256 and length."""
    digest = hashlib.sha256()
    n = 0
    with zf.open(zinfo(name, size), "w") as dst:
        for block in iter(lambda: stream.read(_BLOCK), b""):
            digest.update(block)
            dst.write(block)
            n += len(block)
    return digest.hexdigest(), n


def _put_bytes(zf: Any, name: str, data: bytes) -> None:
    with zf.open(zinfo(name, len(data)), "w") as dst:
        dst.write(data)


def make_bundle(
    case: Case, out: Path, *, pdf: bool = True, step: Callable[[str], None] | None = None
) -> BundleResult:
    """Write the bundle zip for ``case``; logs ``report_made`` and ``bundle_made``."""
    import zipfile

    out = Path(out)
    if out.exists():
        raise CaseFileError("a file with this name already exists; choose another", path=str(out))
    if not out.parent.is_dir():
        raise InputFileError("the folder does not exist", path=str(out.parent))

    def note(what: str) -> None:
        if step is not None:
            step(what)

    with _signals_interrupt(), _output(out) as fh, ExitStack() as spools:

        def spool(name: str) -> IO[bytes]:
            """An unnamed file beside the output (gone with the process, whatever ends it)."""
            return spools.enter_context(tempfile.TemporaryFile(dir=out.parent))

        pack = make_pack(case, spool, pdf=pdf, step=step)
        plan = plan_from_log(list(case.events()), pack.seal_seq)
        entries: list[dict[str, Any]] = []
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
            for ex in plan.exhibits:
                note(f"copying exhibit {ex.number} ({ex.original_name})")
                with case.open_exhibit(ex.sha256) as src:
                    sha, size = _put(zf, ex.path, src, ex.size)
                if sha != ex.sha256:
                    raise CaseFileError(
                        f"exhibit {ex.sha256} reads back with another SHA-256; "
                        "run 'unshared verify' on the case",
                        path=str(case.path),
                    )
                entries.append({"path": ex.path, "sha256": sha, "size": size})
            for fname, report_file in pack.files.items():
                length = report_file.seek(0, os.SEEK_END)
                report_file.seek(0)
                sha, size = _put(zf, f"report/{fname}", report_file, length)
                entries.append({"path": f"report/{fname}", "sha256": sha, "size": size})
            note("writing the log")
            case.log(
                "bundle_made",
                {
                    "name": out.name,
                    "files": {e["path"]: e["sha256"] for e in entries},
                    "report_event": pack.seal_seq,
                    "set_aside": [ex.sha256 for ex in plan.set_aside],
                    "tool_version": __version__,
                },
            )
            events = list(case.events())
            log_bytes = b"".join(log_line(ev) for ev in events)
            _put_bytes(zf, LOG, log_bytes)
            entries.append(
                {
                    "path": LOG,
                    "sha256": hashlib.sha256(log_bytes).hexdigest(),
                    "size": len(log_bytes),
                }
            )
            _put_bytes(zf, MANIFEST, manifest_bytes(expected_manifest(events, plan, entries)))
        sha256 = file_sha256(fh)
    return BundleResult(
        out, sha256, len(entries) + 1, events[-1].hash, pack.seal, len(plan.set_aside)
    )
