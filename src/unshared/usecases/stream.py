"""Store one stream as an exhibit, then read its messages: the step every way of adding shares.

The bytes become an exhibit (stored once, hashed, with an acquisition record) before any importer
reads them; the importer then parses the stored copy, never the file on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from unshared.casefile import Case, ExhibitInfo, ExhibitSource
from unshared.casefile.events import ImportFailed
from unshared.errors import InputFileError, UnsharedError, WrongFormat
from unshared.importers import ImportOptions, detect, get
from unshared.importers.base import Importer

__all__ = [
    "AddResult",
    "ExhibitSource",
    "add_stream",
    "check_input_file",
    "local_timezone",
    "resolve_timezone",
]


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
    """The machine's time zone, as the importers read it (one place decides)."""
    from unshared.importers.readers import times  # not at start-up: the CLI loads it lazily

    return times.local_zone()


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
    from unshared.importers.readers.times import timezone_name  # not loaded at start-up

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
            "timezone": timezone_name(options.timezone),
            "me": sorted(options.me),
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
    origin: str | None = None,
) -> AddResult:
    """Store one stream as an exhibit, then import it (see :func:`add_files`).

    ``source_path`` is what the acquisition record keeps; ``origin`` (default: the same) is where
    the file really is, which some exports need to be told apart (a Meta ``message_1.json`` under
    ``your_instagram_activity/``): it is used to read the file, not recorded."""
    if options.timezone is None:
        options = ImportOptions(timezone=local_timezone(), me=options.me, region=options.region)
    result = AddResult(source_path)
    result.exhibit = case.add_exhibit(stream, name=name, source_path=source_path, progress=progress)
    if result.exhibit.size == 0:
        result.error = InputFileError("the file is empty", path=source_path)
        return result
    if not result.exhibit.new and case.is_imported(result.exhibit):
        result.notes.append(
            "this file is already in the case (the same SHA-256): it is kept once and its "
            "messages are not read again"
        )
        return result
    try:
        importer, count = _import(case, result.exhibit, name, options, fmt, origin or source_path)
        result.format = importer.name
        result.messages = count
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM: the import's transaction is rolled back; the exhibit stays and the
        # log says why it has no messages. Adding the file again reads it.
        case.record(
            ImportFailed(
                result.exhibit.sha256,
                name,
                "interrupted before every message was read; add the file again to read it",
                "Interrupted",
            )
        )
        raise
    except UnsharedError as exc:
        if not exc.path:
            exc.path = source_path
        result.error = exc
        case.record(ImportFailed(result.exhibit.sha256, name, exc.describe(), type(exc).__name__))
        if isinstance(exc, WrongFormat):
            result.notes.append(
                "the file is kept as an exhibit, but no messages could be read from it"
            )
    return result
