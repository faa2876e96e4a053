"""Use cases shared by the CLI and the web app.

Each function takes what it needs (an open :class:`Case`, paths, options) and returns plain
results; nothing here prints or prompts. Errors are :class:`UnsharedError` subclasses.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any, BinaryIO
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

    def __init__(self, case: Case, exhibit: ExhibitInfo, name: str) -> None:
        self._case = case
        self._exhibit = exhibit
        self.name = name
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
        raise InputFileError("this is a folder; add the files inside it", path=spath)
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
) -> tuple[Importer, int]:
    source = ExhibitSource(case, exhibit, name)
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
        importer, count = _import(case, result.exhibit, name, options, fmt)
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
