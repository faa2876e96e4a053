"""Reading still images in place with Pillow (and pillow-heif for HEIC/HEIF).

Nothing is written anywhere: Pillow reads from the open file. JPEG photos are decoded already
scaled down in the DCT domain (``Image.draft``), which skips most of the decoding work; other
formats are decoded in full and reduced by whole blocks (``Image.reduce``). Either way the result
is a luma array plus the original size, which :class:`~unshared.fingerprints.pdq.FastPdqHasher`
turns into the hash the full-size reference would give.

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

__all__ = ["IMAGE_SUFFIXES", "LumaImage", "read_luma", "read_rgb", "register_openers"]

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


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits before dropping precision.
        arr = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if arr.max() > 255 else 255.0
        im = Image.fromarray(np.clip(arr * (255.0 / peak), 0, 255).astype(np.uint8))
    return im.convert("RGB")


def read_luma(path: Path) -> LumaImage:
    """The picture's luma, reduced by whole blocks when it is large (fast path)."""
    with _open(path) as im:
        fmt = im.format or "unknown"
        width, height = im.size
        scale = _scale_for(width, height)
        if fmt == "JPEG" and scale > 1:
            im.draft("L", (width // scale, height // scale))
            _load(im, path)
            got = im.size
            scale = -(-width // got[0])
            if im.mode == "L":
                return LumaImage(np.asarray(im), (width, height), scale, fmt)
            rgb = _to_rgb(im)
            return LumaImage(luma_from_rgb(np.asarray(rgb)), (width, height), scale, fmt)
        _load(im, path)
        rgb = _to_rgb(im)
        if scale > 1:
            rgb = rgb.reduce(scale)
        return LumaImage(luma_from_rgb(np.asarray(rgb)), (width, height), scale, fmt)


def read_rgb(path: Path) -> tuple[npt.NDArray[np.uint8], str]:
    """Every pixel as RGB (the common, slow path the reference hasher needs)."""
    with _open(path) as im:
        fmt = im.format or "unknown"
        _load(im, path)
        return np.asarray(_to_rgb(im)), fmt
