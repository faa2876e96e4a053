"""A crop-tolerant signal beside plain PDQ: PDQ over a fixed family of registered crops.

Plain PDQ stays for interop (StopNCII, HMA), but it fails when a copy is cropped by 10% or gets a
caption banner. Here both sides (the stored original and a copy being checked) hash the same
family of crops, defined as fractions of the picture, so the crops line up ("registered") whatever
the resolution:

* the whole picture;
* each side trimmed by 5, 10, 15, 20 and 25% (a banner or a cut edge falls away);
* 90% x 90% windows on a 9 x 9 grid of offsets (0 to 10% in steps of 1.25%) and the centred
  80% window.

Two pictures match when any crop of one is within :data:`CROP_MATCH_DISTANCE` of any crop of the
other. ``docs/fingerprints.md`` shows the match rates and the false-match count on unrelated pairs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.fingerprints.pdq import FastPdqHasher, bits_from_hex

__all__ = ["CROPS", "CROP_MATCH_DISTANCE", "crop_boxes", "crop_distance", "crop_hashes"]

Box = tuple[float, float, float, float]  # left, top, right, bottom as fractions


def _family() -> tuple[Box, ...]:
    boxes: list[Box] = [(0.0, 0.0, 1.0, 1.0)]
    for t in (0.05, 0.1, 0.15, 0.2, 0.25):
        boxes += [(0.0, t, 1.0, 1.0), (0.0, 0.0, 1.0, 1.0 - t)]
        boxes += [(t, 0.0, 1.0, 1.0), (0.0, 0.0, 1.0 - t, 1.0)]
    steps = tuple(i * 0.0125 for i in range(9))
    for oy in steps:
        for ox in steps:
            boxes.append((ox, oy, ox + 0.9, oy + 0.9))
    boxes.append((0.1, 0.1, 0.9, 0.9))
    return tuple(boxes)


#: The crop family, in a fixed order that is part of the stored format (``pdq_crops``).
CROPS = _family()
#: Crop hashes match at this distance or less (the plain PDQ threshold).
CROP_MATCH_DISTANCE = 31

_HASHER = FastPdqHasher()


def crop_boxes(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """The family as pixel boxes (left, top, right, bottom) for a ``width`` x ``height`` array."""
    out = []
    for left, top, right, bottom in CROPS:
        out.append(
            (round(left * width), round(top * height), round(right * width), round(bottom * height))
        )
    return out


def crop_hashes(luma: npt.NDArray[Any]) -> tuple[str, ...]:
    """PDQ hex of the crops of ``luma`` (any resolution), in :data:`CROPS` order.

    Crops too flat for PDQ (quality < 50) and repeated hashes are left out, so the result is a
    set of hashes to compare, not a list aligned with :data:`CROPS`.
    """
    arr = _shrink(np.asarray(luma, dtype=np.float64))
    rows, cols = arr.shape
    out: list[str] = []
    for left, top, right, bottom in crop_boxes(cols, rows):
        result = _HASHER.hash_luma(arr[top:bottom, left:right])
        if not result.low_quality and result.hex not in out:
            out.append(result.hex)
    return tuple(out)


def _shrink(arr: npt.NDArray[np.float64], side: int = 350) -> npt.NDArray[np.float64]:
    """Block-average a large array down so its short side stays at least ``side``."""
    factor = min(arr.shape) // side
    if factor < 2:
        return arr
    rows, cols = (arr.shape[0] // factor) * factor, (arr.shape[1] // factor) * factor
    out: npt.NDArray[np.float64] = (
        arr[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor).mean(axis=(1, 3))
    )
    return out


def _as_words(hashes: tuple[str, ...] | list[str]) -> npt.NDArray[np.uint64]:
    words = np.zeros((len(hashes), 4), dtype=np.uint64)
    for i, h in enumerate(hashes):
        value = bits_from_hex(h)
        for w in range(4):
            words[i, w] = (value >> (64 * w)) & 0xFFFFFFFFFFFFFFFF
    return words


def crop_distance(a: tuple[str, ...] | list[str], b: tuple[str, ...] | list[str]) -> int:
    """The smallest Hamming distance between any crop hash of ``a`` and any of ``b``."""
    if not a or not b:
        return 256
    x = _as_words(a)[:, None, :]
    y = _as_words(b)[None, :, :]
    return int(np.bitwise_count(x ^ y).sum(axis=2).min())
