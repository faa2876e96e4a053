"""Fingerprint media files in place (called by :mod:`unshared.usecases.fingerprint`).

:func:`fingerprint_file` reads one file where it lies and returns a
:class:`~unshared.model.Fingerprint`; :func:`iter_media` expands folders. Nothing here writes a
file, copies media or logs pixel data; the caller decides where the fingerprints go.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from unshared.errors import InputFileError, LowQualityMedia, UnsharedError, UnsupportedMedia
from unshared.fingerprints.crops import crop_hashes
from unshared.fingerprints.digests import Digests, digest_file, digest_stream
from unshared.fingerprints.images import IMAGE_SUFFIXES, read_luma, read_rgb
from unshared.fingerprints.pdq import (
    FastPdqHasher,
    PdqResult,
    ReferencePdqHasher,
    luma_from_rgb,
    require_quality,
)
from unshared.fingerprints.video import VIDEO_SUFFIXES, hash_video
from unshared.model import Fingerprint

__all__ = [
    "Options",
    "Outcome",
    "fingerprint_bytes",
    "fingerprint_file",
    "fingerprint_many",
    "iter_media",
    "media_kind",
]

Names = Literal["full", "file", "none"]


@dataclass(frozen=True, slots=True)
class Options:
    """``exact``: hash every pixel with the reference (slower). ``crops``: add ``pdq_crops``.
    ``keep_low_quality``: keep the PDQ of a low-quality picture (flagged) instead of leaving it out.
    ``names``: what to record as the path (the path as given, the file name, or nothing)."""

    exact: bool = False
    crops: bool = True
    keep_low_quality: bool = False
    names: Names = "full"
    seconds_per_hash: float = 1.0


def media_kind(path: Path) -> Literal["image", "video"] | None:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return None


def iter_media(paths: Iterable[Path], *, strict: bool = True) -> Iterator[Path]:
    """Files as given, and the image and video files inside folders (recursively, sorted)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and media_kind(child) is not None
                    and not child.name.startswith(".")
                ):
                    yield child
        elif path.exists() or not strict:
            yield path
        else:
            raise InputFileError("no such file or folder", path=str(path))


def _shown(path: Path, names: Names) -> str:
    if names == "file":
        return path.name
    if names == "none":
        return ""
    return str(path)


def _image_pdq(path: Path, options: Options) -> tuple[PdqResult, tuple[str, ...], str]:
    if options.exact:
        rgb, fmt = read_rgb(path)
        result = ReferencePdqHasher().hash_rgb(rgb)
        crops = crop_hashes(luma_from_rgb(rgb)) if options.crops else ()
        return result, crops, fmt
    img = read_luma(path)
    result = FastPdqHasher().hash_luma(img.luma, img.full_size)
    crops = crop_hashes(img.luma) if options.crops else ()
    return result, crops, img.format


def fingerprint_file(
    path: Path, options: Options | None = None, *, progress: Callable[[int], None] | None = None
) -> Fingerprint:
    """Fingerprints of one image or video, read in place.

    Raises :class:`UnsupportedMedia` (not media, damaged) or :class:`InputFileError`. A picture too
    flat for PDQ does not raise: its SHA-256/MD5 are kept, its PDQ is left out (or kept with
    ``keep_low_quality``) and ``warnings`` says why.
    """
    options = options or Options()
    if not path.is_file():
        raise InputFileError("not a file" if path.exists() else "no such file", path=str(path))
    digests = digest_file(path)
    if digests.size == 0:
        raise UnsupportedMedia("the file is empty", path=str(path))
    return _fingerprint(
        path, _shown(path, options.names), media_kind(path), digests, options, progress
    )


class _NamedBuffer(io.BytesIO):
    """In-memory media that reads like a file and names itself in error messages."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.label: str = name
        self.name = name

    def __str__(self) -> str:
        return self.label


def fingerprint_bytes(
    data: bytes,
    name: str,
    options: Options | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> Fingerprint:
    """Fingerprints of media held only in memory (files chosen in the local app).

    Nothing is written anywhere: Pillow and PyAV decode straight from the buffer, and the caller
    drops the bytes afterwards.
    """
    options = options or Options()
    if not data:
        raise UnsupportedMedia("the file is empty", path=name)
    digests = digest_stream(io.BytesIO(data))
    source = cast(Path, _NamedBuffer(data, name))
    return _fingerprint(
        source,
        _shown(Path(name), options.names),
        media_kind(Path(name)),
        digests,
        options,
        progress,
    )


def _fingerprint(
    path: Path,
    shown: str,
    kind: Literal["image", "video"] | None,
    digests: Digests,
    options: Options,
    progress: Callable[[int], None] | None,
) -> Fingerprint:
    if kind == "video":
        return _video(path, options, digests, progress, shown)
    try:
        result, crops, fmt = _image_pdq(path, options)
    except UnsupportedMedia:
        if kind == "image":
            raise
        try:  # unknown suffix: perhaps a video after all
            return _video(path, options, digests, progress, shown)
        except UnsupportedMedia:
            raise UnsupportedMedia(
                "not an image or video this tool can read", path=str(path)
            ) from None
    warnings: list[str] = []
    pdq: str | None = result.hex
    dihedral = result.dihedral
    try:
        require_quality(result, path=str(path))
    except LowQualityMedia as exc:
        warnings.append(exc.message)
        if not options.keep_low_quality:
            pdq, dihedral, crops = None, (), ()
    return Fingerprint(
        path=shown,
        kind="image",
        sha256=digests.sha256,
        md5=digests.md5,
        pdq=pdq,
        quality=result.quality,
        pdq_dihedral=dihedral,
        size=digests.size,
        pdq_crops=crops,
        warnings=tuple(warnings),
        extra=(("format", fmt.lower()), ("pdq_method", "reference" if options.exact else "fast")),
    )


def _video(
    path: Path,
    options: Options,
    digests: Digests,
    progress: Callable[[int], None] | None,
    shown: str,
) -> Fingerprint:
    hasher = ReferencePdqHasher() if options.exact else FastPdqHasher()
    vp = hash_video(
        path, hasher=hasher, seconds_per_hash=options.seconds_per_hash, progress=progress
    )
    warnings = [vp.warning] if vp.warning else []
    usable = [f for f in vp.frames if f.quality >= 50]
    best = vp.best
    pdq: str | None = best.hex
    dihedral = best.dihedral
    if not usable:
        warnings.append(
            f"every sampled frame is too flat for a reliable fingerprint (best PDQ quality "
            f"{best.quality} < 50)"
        )
        if not options.keep_low_quality:
            pdq, dihedral = None, ()
    return Fingerprint(
        path=shown,
        kind="video",
        sha256=digests.sha256,
        md5=digests.md5,
        pdq=pdq,
        quality=best.quality,
        pdq_dihedral=dihedral,
        vpdq=tuple((f.frame, f.pdq, f.quality, round(f.timestamp, 6)) for f in vp.frames),
        size=digests.size,
        warnings=tuple(warnings),
        extra=(("fps", f"{vp.fps:g}"), ("frames_decoded", str(vp.decoded))),
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """One file's result: a fingerprint, or the error that stopped it."""

    path: Path
    fingerprint: Fingerprint | None = None
    error: UnsharedError | None = None


def fingerprint_many(
    paths: Iterable[Path], options: Options | None = None, *, on_file: Callable[[Outcome], None]
) -> None:
    """Fingerprint each file in this process, reporting each outcome; one bad file stops nothing."""
    for path in paths:
        try:
            fp = fingerprint_file(path, options)
        except UnsharedError as exc:
            on_file(Outcome(path, error=exc))
        else:
            on_file(Outcome(path, fingerprint=fp))
