"""Add evidence: files and folders become exhibits, then their messages are read.

``unshared add`` and the app's upload both end here (the app streams one upload through
:func:`add_upload`); each file is kept whole before anything reads it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from unshared.casefile import Case
from unshared.errors import InputFileError, UnsharedError
from unshared.importers import ImportOptions
from unshared.usecases.folders import add_folder
from unshared.usecases.stream import (
    AddResult,
    add_stream,
    check_input_file,
    local_timezone,
    resolve_timezone,
)

__all__ = [
    "AddResult",
    "ImportOptions",
    "add_evidence",
    "add_files",
    "add_upload",
    "media_inside",
    "media_kind",
    "remember_me",
    "resolve_timezone",
]


def add_files(
    case: Case,
    paths: Iterable[Path],
    options: ImportOptions,
    *,
    fmt: str | None = None,
    progress: Callable[[int], Any] | None = None,
    keep_path: bool = False,
) -> list[AddResult]:
    """Store each file as an exhibit, then import it.

    The acquisition record keeps the file's name; its full path on this computer (which can show
    the person's user name) only with ``keep_path``.

    Two transactions per file: the exhibit (bytes + acquisition + log event) first, then the
    import (every message + its log event). A failed import keeps the exhibit and appends an
    ``import_failed`` event naming the error; nothing of the failed import remains.
    """
    results: list[AddResult] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            results.append(
                add_folder(case, path, options, fmt=fmt, progress=progress, keep_path=keep_path)
            )
            continue
        try:
            check_input_file(path)
            with path.open("rb") as fh:
                result = add_stream(
                    case,
                    fh,
                    name=path.name,
                    source_path=str(path.resolve()) if keep_path else path.name,
                    origin=str(path.resolve()),
                    options=options,
                    fmt=fmt,
                    progress=progress,
                )
            result.path = str(path)
            if result.error is not None and result.error.path in (str(path.resolve()), path.name):
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


def remember_me(case: Case, names: Iterable[str]) -> None:
    """Keep the victim's own names or ids in the case, so every later step tells the sides apart."""
    chosen = [name.strip() for name in names if name.strip()]
    if chosen and tuple(chosen) != case.victims().names:
        case.name_victims(chosen)


def add_evidence(
    case: Case,
    paths: Iterable[Path],
    *,
    timezone: str | None = None,
    me: Sequence[str] = (),
    region: str = "GB",
    fmt: str | None = None,
    progress: Callable[[int], Any] | None = None,
    keep_path: bool = False,
) -> list[AddResult]:
    """``unshared add``: remember who the victim is, then store and read each file or folder.

    ``timezone`` is an IANA name for exports without offsets (default: this machine's);
    ``keep_path`` records each file's full path, not only its name.
    """
    names = frozenset(name.strip() for name in me if name.strip())
    options = ImportOptions(
        timezone=resolve_timezone(timezone), me=names, region=region.strip().upper() or "GB"
    )
    remember_me(case, me)
    return add_files(case, paths, options, fmt=fmt, progress=progress, keep_path=keep_path)


#: First bytes of pictures and videos (a chat export is never one of these).
_MEDIA_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "photo"),
    (b"\x89PNG", 0, "picture"),
    (b"GIF8", 0, "picture"),
    (b"WEBP", 8, "picture"),
    (b"ftyp", 4, "photo or video"),  # MP4, MOV, HEIC, 3GP
    (b"\x1aE\xdf\xa3", 0, "video"),  # WebM, MKV
    (b"BM", 0, "picture"),
)
MEDIA_NAME = re.compile(
    r"\.(jpe?g|png|gif|webp|heic|heif|bmp|tiff?|mp4|mov|m4v|3gp|webm|avi|mkv)$", re.I
)


def media_kind(head: bytes) -> str | None:
    """ "photo", "picture", "video"... when these first bytes are a picture or a video."""
    for magic, offset, kind in _MEDIA_MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    return None


def media_inside(case: Case, sha256: str) -> list[str]:
    """The pictures and videos a zip exhibit holds, by name (empty for anything else)."""
    with case.open_exhibit(sha256) as fh:
        if fh.read(4) != b"PK\x03\x04":
            return []
        fh.seek(0)
        try:
            with zipfile.ZipFile(fh) as zf:
                return [n for n in zf.namelist() if MEDIA_NAME.search(n)]
        except zipfile.BadZipFile:
            return []


def add_upload(
    case: Case, stream: BinaryIO, *, name: str, region: str, media_confirmed: bool = False
) -> AddResult:
    """The app's upload: one file streamed from the browser into the case, then read.

    The app refuses a picture or video chosen as a chat before anything is stored, and asks
    before an export holding pictures is added (``media_confirmed``). An export holding pictures
    that arrives unconfirmed is set aside at once (kept, logged, left out of every export).
    """
    options = ImportOptions(timezone=local_timezone(), region=region)
    result = add_stream(
        case, stream, name=name, source_path=f"uploaded in the app: {name}", options=options
    )
    if (
        result.exhibit is not None
        and not media_confirmed
        and media_inside(case, result.exhibit.sha256)
    ):
        case.set_aside(result.exhibit.sha256, "holds pictures or videos; not confirmed")
        result.notes.append("set aside: it holds pictures or videos and was not confirmed")
    return result
