"""Reading still images in place with Pillow (and pillow-heif for HEIC/HEIF).

Nothing is written anywhere: Pillow reads from the open file. JPEG photos are decoded already
scaled down in the DCT domain (``Image.draft``), which skips most of the decoding work; other
formats are decoded in full and reduced by whole blocks (``Image.reduce``, or a box resize for
16-bit pictures) before any conversion, so a picture is never widened to float at full size. Either
way the result is a luma array plus the original size, which
:class:`~unshared.fingerprints.pdq.FastPdqHasher` turns into the hash the full-size reference would
give.

Decoded pixels are capped per image: :data:`MAX_DECODED_PIXELS` for the fast path (after the JPEG
draft), :data:`MAX_EXACT_PIXELS` for the exact path, which needs every pixel as RGB. A 171 KB
16-bit PNG of 9400 x 9400 once took 2.2 GB (3.7 GB exact); it now reads in a few hundred MB, and
the exact path refuses it with a one-line error.

The pixel orientation is the stored one (EXIF rotation is not applied), as in python-threatexchange;
a rotated copy still matches through the dihedral variants.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from unshared.errors import UnsupportedMedia
from unshared.fingerprints.pdq import luma_from_rgb

__all__ = [
    "IMAGE_SUFFIXES",
    "MAX_DECODED_PIXELS",
    "MAX_EXACT_PIXELS",
    "LumaImage",
    "read_luma",
    "read_rgb",
    "register_openers",
]

IMAGE_SUFFIXES = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".webp",
        ".gif",
        ".heic",
        ".heif",
        ".avif",
        ".bmp",
        ".tif",
        ".tiff",
    }
)
#: Reduce so the short side stays at least this long: the PDQ filter window is then 4+ blocks wide.
MIN_REDUCED_SIDE = 350
#: Pixels one image may decode to in the fast path (Pillow's own bomb warning is at 89.5 million).
MAX_DECODED_PIXELS = 90_000_000
#: Pixels the exact path may decode: it holds every pixel as RGB, then as float64 luma.
MAX_EXACT_PIXELS = 24_000_000
_SIXTEEN = ("I;16", "I;16B", "I;16L", "I")

_registered = False


def register_openers() -> None:
    """Let Pillow open HEIC/HEIF (pillow-heif). AVIF is built into Pillow 11+."""
    global _registered
    if not _registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _registered = True


@dataclass(frozen=True, slots=True)
class LumaImage:
    """Luma (0-255 floats or bytes), reduced by ``scale`` from ``full_size`` (width, height)."""

    luma: npt.NDArray[Any]
    full_size: tuple[int, int]
    scale: int
    format: str


def _scale_for(width: int, height: int) -> int:
    for scale in (8, 4, 2):
        if min(width, height) // scale >= MIN_REDUCED_SIDE:
            return scale
    return 1


def _open(path: Path) -> Image.Image:
    register_openers()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(path)
    except UnidentifiedImageError:
        raise UnsupportedMedia("not an image this tool can read", path=str(path)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnsupportedMedia("the image is too large to decode safely", path=str(path)) from None
    except OSError as exc:
        raise UnsupportedMedia(f"cannot read the image ({exc})", path=str(path)) from None


def _load(im: Image.Image, path: Path) -> None:
    try:
        im.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise UnsupportedMedia(
            f"the image is damaged or truncated ({exc})", path=str(path)
        ) from None


def _cap(im: Image.Image, path: Path, limit: int, what: str) -> None:
    width, height = im.size
    if width * height > limit:
        raise UnsupportedMedia(
            f"the image is too large for the {what} ({width * height / 1e6:.0f} megapixels; "
            f"at most {limit / 1e6:.0f})",
            path=str(path),
        )


def _peak(im: Image.Image) -> float:
    """The white level of a 16-bit picture: 65535, or 255 for 8-bit values stored wide."""
    extrema = im.getextrema()
    high = extrema[1] if isinstance(extrema[1], int | float) else 255
    return 65535.0 if high > 255 else 255.0


def _to_8bit(im: Image.Image) -> Image.Image:
    """A 16-bit greyscale picture as 8-bit L, scaled (not clipped), one byte per pixel."""
    arr = np.asarray(im)
    out = np.empty(arr.shape, dtype=np.uint8)
    if _peak(im) > 255:
        np.right_shift(arr, 8, out=out, casting="unsafe")
    else:
        np.clip(arr, 0, 255, out=out, casting="unsafe")
    return Image.fromarray(out)


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in _SIXTEEN:
        im = _to_8bit(im)
    return im.convert("RGB")


def _reduced_luma(im: Image.Image, scale: int) -> npt.NDArray[Any]:
    """Luma of ``im`` reduced by ``scale`` (whole blocks), converting only the reduced picture."""
    if scale == 1:
        return luma_from_rgb(np.asarray(_to_rgb(im)))
    width, height = im.size
    if im.mode in _SIXTEEN:
        peak = _peak(im)
        cols, rows = width // scale, height // scale
        small = im.resize(
            (cols, rows), Image.Resampling.BOX, box=(0, 0, cols * scale, rows * scale)
        )
        luma: npt.NDArray[Any] = np.asarray(small, dtype=np.float64) * (255.0 / peak)
        np.clip(luma, 0.0, 255.0, out=luma)
        return luma
    try:
        small = im.reduce(scale)
    except ValueError:  # a mode reduce does not take (palette, CMYK): convert, then reduce
        small = im.convert("RGB").reduce(scale)
    return luma_from_rgb(np.asarray(_to_rgb(small)))


def read_luma(path: Path) -> LumaImage:
    """The picture's luma, reduced by whole blocks when it is large (fast path)."""
    with _open(path) as im:
        fmt = im.format or "unknown"
        width, height = im.size
        scale = _scale_for(width, height)
        if fmt == "JPEG" and scale > 1:
            im.draft("L", (width // scale, height // scale))
            _cap(im, path, MAX_DECODED_PIXELS, "fingerprint")
            _load(im, path)
            got = im.size
            scale = -(-width // got[0])
            if im.mode == "L":
                return LumaImage(np.asarray(im), (width, height), scale, fmt)
            rgb = _to_rgb(im)
            return LumaImage(luma_from_rgb(np.asarray(rgb)), (width, height), scale, fmt)
        _cap(im, path, MAX_DECODED_PIXELS, "fingerprint")
        _load(im, path)
        return LumaImage(_reduced_luma(im, scale), (width, height), scale, fmt)


def read_rgb(path: Path) -> tuple[npt.NDArray[np.uint8], str]:
    """Every pixel as RGB (the common, slow path the reference hasher needs)."""
    with _open(path) as im:
        fmt = im.format or "unknown"
        _cap(im, path, MAX_EXACT_PIXELS, "exact fingerprint (the default one reads it reduced)")
        _load(im, path)
        return np.asarray(_to_rgb(im)), fmt
