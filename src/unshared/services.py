"""Use cases shared by the CLI and the web app.

Each function takes what it needs (an open :class:`Case`, paths, options) and returns plain
results; nothing here prints or prompts. Errors are :class:`UnsharedError` subclasses.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any, BinaryIO, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from unshared.casefile import Case, ExhibitInfo
from unshared.errors import InputFileError, UnsharedError, WrongFormat
from unshared.importers import ImportOptions, detect, get
from unshared.importers.base import Importer

__all__ = [
    "ACTION_KINDS",
    "AddResult",
    "ExhibitSource",
    "add_action",
    "add_files",
    "add_stream",
    "add_note",
    "check_input_file",
    "local_timezone",
    "resolve_timezone",
]

ACTION_KINDS = (
    "reported-to-police",
    "reported-to-platform",
    "account-suspended",
    "account-deactivated",
    "payment-cancelled",
    "payment-checked",
    "blocked-offender",
    "told-trusted-adult",
    "contacted-support",
    "report-remove",
    "take-it-down",
    "stopncii",
    "step-done",
    "other",
)


class ExhibitSource:
    """An importer :class:`~unshared.importers.Source` reading the bytes stored in the case.

    Importers parse the stored exhibit, never the file on disk, so every message provably comes
    from bytes that are in the case and covered by its hash.
    """

    def __init__(self, case: Case, exhibit: ExhibitInfo, name: str, origin: str = "") -> None:
        self._case = case
        self._exhibit = exhibit
        self.name = name
        #: Where the file came from (its path on disk), a hint for formats that look alike.
        self.origin = origin
        self._head: bytes | None = None

    def open(self) -> BinaryIO:
        return self._case.open_exhibit(self._exhibit.sha256)

    def head(self, size: int = 65536) -> bytes:
        if self._head is None or len(self._head) < size:
            with self.open() as fh:
                self._head = fh.read(max(size, 65536))
        return self._head[:size]

    @property
    def size(self) -> int:
        return self._exhibit.size


@dataclass
class AddResult:
    path: str
    exhibit: ExhibitInfo | None = None
    format: str | None = None
    messages: int = 0
    error: UnsharedError | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def local_timezone() -> tzinfo:
    """The machine's time zone as an IANA zone when it can be found, else its current offset."""
    name = os.environ.get("TZ")
    candidates = [name] if name else []
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())
    except OSError:
        pass
    for candidate in candidates:
        try:
            return ZoneInfo(candidate.lstrip(":"))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    from datetime import datetime

    found = datetime.now().astimezone().tzinfo
    assert found is not None
    return found


def resolve_timezone(name: str | None) -> tzinfo:
    if not name:
        return local_timezone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputFileError(
            f"unknown time zone {name!r}; use a name like Europe/London or America/New_York"
        ) from None


def check_input_file(path: Path) -> None:
    """Refuse, with one clear line, what cannot be evidence: missing, folder, unreadable, empty."""
    spath = str(path)
    if not path.exists():
        raise InputFileError("no such file", path=spath)
    if path.is_dir():
        raise InputFileError("this is a folder; add it with add_files", path=spath)
    if not path.is_file():
        raise InputFileError("not a regular file (a device, socket or pipe)", path=spath)
    if not os.access(path, os.R_OK):
        raise InputFileError("cannot read this file (permission denied)", path=spath)
    if path.stat().st_size == 0:
        raise InputFileError("the file is empty", path=spath)


def _import(
    case: Case,
    exhibit: ExhibitInfo,
    name: str,
    options: ImportOptions,
    fmt: str | None,
    origin: str = "",
) -> tuple[Importer, int]:
    source = ExhibitSource(case, exhibit, name, origin)
    importer = get(fmt) if fmt else detect(source)
    if fmt:
        importer.sniff(source)
    count = case.record_import(
        exhibit,
        importer.name,
        importer.parse(source, options),
        extra={
            "original_name": name,
            "timezone": str(options.timezone) if options.timezone else None,
        },
    )
    return importer, count


def add_stream(
    case: Case,
    stream: BinaryIO,
    *,
    name: str,
    source_path: str,
    options: ImportOptions,
    fmt: str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> AddResult:
    """Store one stream as an exhibit, then import it (see :func:`add_files`)."""
    if options.timezone is None:
        options = ImportOptions(timezone=local_timezone(), me=options.me, region=options.region)
    result = AddResult(source_path)
    result.exhibit = case.add_exhibit(stream, name=name, source_path=source_path, progress=progress)
    if result.exhibit.size == 0:
        result.error = InputFileError("the file is empty", path=source_path)
        return result
    try:
        importer, count = _import(case, result.exhibit, name, options, fmt, source_path)
        result.format = importer.name
        result.messages = count
    except UnsharedError as exc:
        if not exc.path:
            exc.path = source_path
        result.error = exc
        case.log(
            "import_failed",
            {
                "exhibit": result.exhibit.sha256,
                "original_name": name,
                "error": exc.describe(),
                "error_type": type(exc).__name__,
                "kept": "exhibit only",
            },
        )
        if isinstance(exc, WrongFormat):
            result.notes.append(
                "the file is kept as an exhibit, but no messages could be read from it"
            )
    return result


def add_files(
    case: Case,
    paths: Iterable[Path],
    options: ImportOptions,
    *,
    fmt: str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> list[AddResult]:
    """Store each file as an exhibit, then import it.

    Two transactions per file: the exhibit (bytes + acquisition + log event) first, then the
    import (every message + its log event). A failed import keeps the exhibit and appends an
    ``import_failed`` event naming the error; nothing of the failed import remains.
    """
    results: list[AddResult] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            results.append(add_folder(case, path, options, fmt=fmt, progress=progress))
            continue
        try:
            check_input_file(path)
            with path.open("rb") as fh:
                result = add_stream(
                    case,
                    fh,
                    name=path.name,
                    source_path=str(path.resolve()),
                    options=options,
                    fmt=fmt,
                    progress=progress,
                )
            result.path = str(path)
            if result.error is not None and result.error.path == str(path.resolve()):
                result.error.path = str(path)
        except UnsharedError as exc:
            result = AddResult(str(path), error=exc)
        except OSError as exc:
            result = AddResult(
                str(path),
                error=InputFileError(f"cannot read this file ({exc.strerror})", path=str(path)),
            )
        results.append(result)
    return results


ZIP_CONTEXT_LEVELS = 3


def folder_files(folder: Path) -> list[Path]:
    """Every regular file under ``folder``, in a stable order (symbolic links are not followed:
    they may point outside the export)."""
    out = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                out.append(path)
    return out


def add_folder(
    case: Case,
    folder: Path,
    options: ImportOptions,
    *,
    fmt: str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> AddResult:
    """Store an export folder as one exhibit, then import it.

    Many exports are folders once unzipped (Telegram Desktop, Google Takeout, Meta and Discord
    packages). The folder's files are streamed, byte for byte and uncompressed, into one zip
    exhibit named after the folder; nothing is written to disk on the way. A ``folder_manifest``
    event then lists every original file with its size and SHA-256, so each can be checked
    against the exhibit and against the folder itself.
    """
    spath = str(folder)
    files = folder_files(folder)
    if not files:
        return AddResult(spath, error=InputFileError("the folder has no files in it", path=spath))
    manifest: list[dict[str, Any]] = []
    failure: list[BaseException] = []
    # Names inside the zip keep the folder's last few ancestors: formats are often recognised by
    # where a file sits ("Google Chat/Groups/<group>/messages.json", "your_instagram_activity/").
    base = folder.resolve()
    for _ in range(ZIP_CONTEXT_LEVELS + 1):
        if base.parent == base:
            break
        base = base.parent
    read_fd, write_fd = os.pipe()

    def write_zip() -> None:
        out = os.fdopen(write_fd, "wb")
        try:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                for path in files:
                    arcname = path.resolve().relative_to(base).as_posix()
                    info = zipfile.ZipInfo.from_file(path, arcname)
                    info.compress_type = zipfile.ZIP_STORED
                    digest = hashlib.sha256()
                    size = 0
                    with path.open("rb") as src, archive.open(info, "w", force_zip64=True) as dst:
                        while chunk := src.read(1 << 20):
                            digest.update(chunk)
                            size += len(chunk)
                            dst.write(chunk)
                    manifest.append({"path": arcname, "size": size, "sha256": digest.hexdigest()})
        except BaseException as exc:  # reported by the reading side, before it sees the end
            failure.append(exc)
        finally:
            try:
                out.close()
            except OSError:  # the reader has gone: the failure is already known
                pass

    writer = threading.Thread(target=write_zip, name="folder-zip", daemon=True)
    writer.start()
    try:
        with os.fdopen(read_fd, "rb") as stream:
            result = add_stream(
                case,
                cast(BinaryIO, io.BufferedReader(_Checked(stream, failure, spath), 1 << 20)),
                name=folder.name + ".zip",
                source_path=str(folder.resolve()),
                options=options,
                fmt=fmt,
                progress=progress,
            )
    except UnsharedError as exc:
        result = AddResult(spath, error=exc)
    finally:
        writer.join()
    result.path = spath
    if failure and result.error is None:  # a failed writer makes the reading side raise first
        result.error = InputFileError(f"cannot read the folder ({_reason(failure[0])})", path=spath)
    if result.error is not None:
        # Keep the first error: when the reading side stops first (the case refused the bytes),
        # the writer only meets a broken pipe, which would hide why.
        return result
    if result.exhibit is not None:
        case.log(
            "folder_manifest",
            {"exhibit": result.exhibit.sha256, "folder": str(folder.resolve()), "files": manifest},
        )
    return result


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


class _Checked(io.RawIOBase):
    """The zip being written, as a stream that fails if the writer failed (an unreadable file
    must not leave a silently shortened exhibit)."""

    def __init__(self, stream: BinaryIO, failure: list[BaseException], folder: str) -> None:
        self._stream = stream
        self._failure = failure
        self._folder = folder

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        if not data and self._failure:
            raise InputFileError(
                f"cannot read the folder ({_reason(self._failure[0])})", path=self._folder
            )
        buffer[: len(data)] = data
        return len(data)


def add_note(case: Case, text: str) -> int:
    if not text.strip():
        raise InputFileError("the note is empty")
    return case.log("note", {"text": text}).seq


def add_action(case: Case, kind: str, ref: str | None = None, detail: str | None = None) -> int:
    """Record something done (reported to police with a crime reference, account suspended...)."""
    kind = kind.strip().lower()
    if not kind:
        raise InputFileError("the action needs a kind, for example reported-to-police")
    payload: dict[str, Any] = {"kind": kind}
    if ref:
        payload["ref"] = ref
    if detail:
        payload["detail"] = detail
    return case.log("action", payload).seq
