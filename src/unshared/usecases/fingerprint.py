"""Fingerprint media: private hashes of pictures and videos, read in place, never copied.

One path for every shell: files and folders on this machine (:func:`fingerprint_paths`) and
files chosen in the app, held in memory only (:func:`fingerprint_upload`). In a case, what is
recorded is the file's name, never its full path (unless asked), and every batch is logged as one
``fingerprints_added`` event (its one shape is the case file's catalogue).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from unshared.casefile import Case
from unshared.errors import InputFileError, UnsharedError
from unshared.model import Fingerprint

if TYPE_CHECKING:  # the fingerprinting stack (numpy, Pillow, PyAV) loads only when used
    from unshared.fingerprints.media import Options, Outcome

__all__ = [
    "FingerprintRun",
    "Names",
    "Options",
    "Outcome",
    "fingerprint_options",
    "fingerprint_paths",
    "fingerprint_upload",
    "media_files",
    "stored_fingerprints",
]

Names = Literal["full", "file", "none"]


@dataclass
class FingerprintRun:
    """The fingerprints made, and the files that could not be fingerprinted."""

    prints: list[Fingerprint] = field(default_factory=list)
    errors: list[UnsharedError] = field(default_factory=list)
    files: int = 0

    @property
    def failed(self) -> int:
        return len(self.errors)


def fingerprint_options(
    *,
    exact: bool = False,
    crops: bool = True,
    keep_low_quality: bool = False,
    names: str | None = None,
    in_case: bool = False,
) -> Options:
    """The fingerprinting options; names default to the file name in a case, else the path."""
    from unshared.fingerprints.media import Options

    chosen: Names
    if names is None:
        chosen = "file" if in_case else "full"
    elif names in ("full", "file", "none"):
        chosen = cast(Names, names)
    else:
        raise InputFileError(f"names must be full, file or none, not {names!r}")
    return Options(exact=exact, crops=crops, keep_low_quality=keep_low_quality, names=chosen)


def media_files(targets: Iterable[Path], *, strict: bool = False) -> list[Path]:
    """The files to fingerprint: files as given, and the pictures and videos inside folders."""
    from unshared.fingerprints.media import iter_media

    return list(iter_media(targets, strict=strict))


def fingerprint_paths(
    targets: Sequence[Path],
    options: Options | None = None,
    *,
    case: Case | None = None,
    files: Sequence[Path] | None = None,
    on_file: Callable[[Outcome], None] | None = None,
) -> FingerprintRun:
    """Fingerprint files and folders in place; with ``case``, store the fingerprints in it.

    One bad file stops nothing: its error is in the result (and told to ``on_file``). ``files``
    may pass the list from :func:`media_files` when the caller needed it first (for a count).
    """
    from unshared.fingerprints.media import fingerprint_many

    if options is None:
        options = fingerprint_options(in_case=case is not None)
    run = FingerprintRun()
    todo = list(files) if files is not None else media_files(targets)
    run.files = len(todo)

    def each(outcome: Outcome) -> None:
        if outcome.error is not None:
            run.errors.append(outcome.error)
        elif outcome.fingerprint is not None:
            run.prints.append(outcome.fingerprint)
        if on_file is not None:
            on_file(outcome)

    fingerprint_many(todo, options, on_file=each)
    if case is not None and run.prints:
        case.add_fingerprints(run.prints, method=_method(options), failed=run.failed)
    return run


def fingerprint_upload(data: bytes, name: str, *, case: Case | None = None) -> Fingerprint:
    """Fingerprint a file chosen in the app, held in memory only; store it in ``case`` if open.

    Only the file's name (without any folder) is recorded.
    """
    from unshared.fingerprints.media import fingerprint_bytes

    options = fingerprint_options(in_case=True)
    fp = fingerprint_bytes(data, Path(name).name, options)
    if case is not None:
        case.add_fingerprints([fp], method=_method(options))
    return fp


def stored_fingerprints(case: Case) -> list[dict[str, Any]]:
    """The fingerprints kept in the case, oldest first."""
    return case.fingerprints()


def _method(options: Options) -> str:
    """How the PDQ was computed, as ``fingerprints_added`` records it."""
    return "reference" if options.exact else "fast"
