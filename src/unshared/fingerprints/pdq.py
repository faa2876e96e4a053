"""PDQ, Meta's 256-bit perceptual image hash, as plain numpy over a luma (brightness) array.

No I/O here. Two hashers share the :class:`~unshared.fingerprints.base.PixelHasher` shape:

* :class:`ReferencePdqHasher` calls the ``pdqhash`` package (Meta's C++ code) on full RGB pixels.
* :class:`FastPdqHasher` takes a luma array that was already *reduced by whole blocks* (JPEG DCT
  scaling, or a box reduction) together with the original size, and reproduces what the reference
  computes on the full image: PDQ's two-pass Jarosz box filter and its 64x64 decimation are linear,
  so their weights can be summed per block once and applied to the small array. Only the pixel
  variation inside one block is lost, which the tent filter (63 px wide on a 12 MP photo) barely
  sees. ``docs/fingerprints.md`` shows the measured agreement.

Hex strings are written as python-threatexchange writes them: 64 lower-case hex digits, bit ``k``
of the hash (``k = 16 * row + column`` of the 16x16 DCT block) is bit ``k`` of the 256-bit number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.errors import LowQualityMedia

__all__ = [
    "DIHEDRAL_NAMES",
    "MATCH_DISTANCE",
    "MIN_QUALITY",
    "FastPdqHasher",
    "PdqHash",
    "PdqResult",
    "ReferencePdqHasher",
    "bits_from_hex",
    "hamming",
    "hash_luma64",
    "hex_from_bits",
    "reduced_weights",
    "require_quality",
]

#: The order of :attr:`PdqResult.dihedral`, the same as ``pdqhash.compute_dihedral``.
DIHEDRAL_NAMES = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flip_x",
    "flip_y",
    "flip_plus1",
    "flip_minus1",
)
#: Below this PDQ quality the hash is not trustworthy (Meta's and HMA's threshold).
MIN_QUALITY = 50
#: Two PDQ hashes within this Hamming distance are the same picture (Meta's recommendation).
MATCH_DISTANCE = 31
_MIN_DIM = 5

FloatArray = npt.NDArray[np.float64]


def hex_from_bits(bits: int) -> str:
    """The 64-digit lower-case hex python-threatexchange writes for a 256-bit PDQ hash."""
    return format(bits, "064x")


def bits_from_hex(value: str) -> int:
    """Parse a 64-digit PDQ hex string (either case)."""
    text = value.strip()
    if len(text) != 64:
        raise ValueError(f"a PDQ hash has 64 hex digits, this has {len(text)}")
    return int(text, 16)


def hamming(a: str | int, b: str | int) -> int:
    """Number of differing bits between two PDQ hashes (hex strings or integers)."""
    x = bits_from_hex(a) if isinstance(a, str) else a
    y = bits_from_hex(b) if isinstance(b, str) else b
    return (x ^ y).bit_count()


@dataclass(frozen=True, slots=True)
class PdqHash:
    bits: int
    quality: int

    @property
    def hex(self) -> str:
        return hex_from_bits(self.bits)


@dataclass(frozen=True, slots=True)
class PdqResult:
    """The PDQ hash of one picture, its quality (0-100) and its 8 dihedral variants."""

    hex: str
    quality: int
    dihedral: tuple[str, ...]

    @property
    def low_quality(self) -> bool:
        return self.quality < MIN_QUALITY


def require_quality(result: PdqResult, *, path: str | None = None) -> PdqResult:
    """``result`` when its quality is usable, else :class:`LowQualityMedia`; never an empty hash."""
    if result.low_quality:
        exc = LowQualityMedia(
            f"the picture is too flat or small for a reliable fingerprint "
            f"(PDQ quality {result.quality} < {MIN_QUALITY})",
            path=path,
        )
        exc.result = result  # type: ignore[attr-defined]
        raise exc
    return result


# ---------------------------------------------------------------------------- DCT and bits
@lru_cache(maxsize=1)
def _dct_matrix() -> FloatArray:
    i = np.arange(1, 17, dtype=np.float64)[:, None]
    j = np.arange(64, dtype=np.float64)[None, :]
    out: FloatArray = np.sqrt(2.0 / 64.0) * np.cos((np.pi / 2.0 / 64.0) * i * (2.0 * j + 1.0))
    return out


_BIT_WEIGHTS = [1 << k for k in range(256)]


def _bits(dct16: FloatArray) -> int:
    flat = dct16.reshape(-1)
    median = np.partition(flat, 127)[127]  # Torben's median of 256 values: the 128th smallest
    on = np.flatnonzero(flat > median)
    return sum(_BIT_WEIGHTS[k] for k in on.tolist())


def _quality(buf: FloatArray) -> int:
    # int((u - v) * 100 / 255) truncates toward zero, as in the C++ code.
    dv = np.trunc((buf[:-1, :] - buf[1:, :]) * 100.0 / 255.0)
    dh = np.trunc((buf[:, :-1] - buf[:, 1:]) * 100.0 / 255.0)
    total = int(np.abs(dv).sum() + np.abs(dh).sum())
    return min(total // 90, 100)


def _dihedral(b: FloatArray) -> list[FloatArray]:
    i = np.arange(16)[:, None]
    j = np.arange(16)[None, :]
    odd_i = (i & 1).astype(bool)
    odd_j = (j & 1).astype(bool)
    odd_ij = ((i + j) & 1).astype(bool)
    return [
        b,
        np.where(odd_j, b, -b).T,  # rotate 90
        np.where(odd_ij, -b, b),  # rotate 180
        np.where(odd_i, b, -b).T,  # rotate 270
        np.where(odd_i, b, -b),  # flip x
        np.where(odd_j, b, -b),  # flip y
        b.T,  # flip +1 (transpose)
        np.where(odd_ij, -b, b).T,  # flip -1
    ]


def hash_luma64(buf: FloatArray) -> PdqResult:
    """PDQ of a 64x64 luma buffer (the step after PDQ's downscaling)."""
    d = _dct_matrix()
    dct16 = d @ buf @ d.T
    quality = _quality(buf)
    hexes = tuple(hex_from_bits(_bits(v)) for v in _dihedral(dct16))
    return PdqResult(hexes[0], quality, hexes)


# ---------------------------------------------------------------------------- downscaling
def _box_transposed(v: FloatArray, window: int) -> FloatArray:
    """``v @ B`` for PDQ's 1-D box filter ``B`` (rows of ``v`` are row vectors over positions)."""
    n = v.shape[1]
    half = (window + 2) // 2
    left = window - half  # output o averages inputs [o - left, o + half - 1]
    right = half - 1
    o = np.arange(n)
    count = np.minimum(o + right, n - 1) - np.maximum(o - left, 0) + 1
    u = v / count
    # (v @ B)[x] = sum of u[o] for o in [x - right, x + left]
    c = np.concatenate([np.zeros((v.shape[0], 1)), np.cumsum(u, axis=1)], axis=1)
    hi = np.minimum(o + left, n - 1) + 1
    lo = np.maximum(o - right, 0)
    out: FloatArray = c[:, hi] - c[:, lo]
    return out


@lru_cache(maxsize=64)
def _full_weights(n: int) -> FloatArray:
    """64 x n: PDQ's Jarosz filter (two box passes) followed by its decimation, along one axis."""
    window = (n + 2 * 64 - 1) // (2 * 64)
    rows = np.zeros((64, n))
    pos = (((np.arange(64) + 0.5) * n) / 64).astype(np.int64)
    rows[np.arange(64), pos] = 1.0
    for _ in range(2):
        rows = _box_transposed(rows, window)
    return rows


@lru_cache(maxsize=64)
def reduced_weights(full: int, reduced: int) -> FloatArray:
    """64 x reduced: :func:`_full_weights` summed per block of a ``full``-long axis cut in blocks.

    Block ``m`` covers full positions ``[m * s, (m + 1) * s)`` with ``s = ceil(full / reduced)``,
    which is how JPEG DCT scaling and :meth:`PIL.Image.Image.reduce` cut an axis.
    """
    w = _full_weights(full)
    if reduced == full:
        return w
    step = -(-full // reduced)
    edges = np.minimum(np.arange(reduced + 1) * step, full)
    c = np.concatenate([np.zeros((64, 1)), np.cumsum(w, axis=1)], axis=1)
    out: FloatArray = c[:, edges[1:]] - c[:, edges[:-1]]
    return out


@lru_cache(maxsize=64)
def _band(full: int, reduced: int) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """:func:`reduced_weights` as a band: 64 x K gather indices and their weights."""
    w = reduced_weights(full, reduced)
    nz = w != 0
    first = nz.argmax(axis=1)
    last = reduced - 1 - nz[:, ::-1].argmax(axis=1)
    width = int((last - first).max()) + 1
    start = np.minimum(first, reduced - width)
    index = start[:, None] + np.arange(width)[None, :]
    return index, np.take_along_axis(w, index, axis=1)


# ---------------------------------------------------------------------------- hashers
class FastPdqHasher:
    """PDQ from a block-reduced luma array, reproducing the full-size reference (see module doc)."""

    name = "pdq-fast"

    def hash_luma(
        self, luma: npt.NDArray[Any], full_size: tuple[int, int] | None = None
    ) -> PdqResult:
        """``luma``: 2-D array (rows x columns); ``full_size``: (width, height) before reduction."""
        rows, cols = luma.shape
        width, height = full_size if full_size is not None else (cols, rows)
        if width < _MIN_DIM or height < _MIN_DIM:
            return _empty()
        ys, wy = _band(height, rows)
        xs, wx = _band(width, cols)
        arr = np.asarray(luma, dtype=np.float64)
        # Banded products (each output row/column sees a few dozen inputs): no BLAS threads needed.
        tmp = np.einsum("rk,rkc->rc", wy, arr[ys])
        buf = np.einsum("ck,rck->rc", wx, tmp[:, xs])
        return hash_luma64(buf)

    def hash_rgb(self, rgb: npt.NDArray[Any]) -> PdqResult:
        return self.hash_luma(luma_from_rgb(rgb))


class ReferencePdqHasher:
    """Meta's C++ PDQ through the ``pdqhash`` package, on full RGB pixels."""

    name = "pdq"

    def hash_rgb(self, rgb: npt.NDArray[Any]) -> PdqResult:
        import pdqhash

        if rgb.shape[0] < _MIN_DIM or rgb.shape[1] < _MIN_DIM:
            return _empty()
        vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb, dtype=np.uint8))
        hexes = tuple(_hex_from_vector(v) for v in vectors)
        return PdqResult(hexes[0], int(quality), hexes)


def _hex_from_vector(vector: npt.NDArray[Any]) -> str:
    # pdqhash returns bit 255 first; python-threatexchange reads the vector as one binary number.
    return format(int("".join(str(int(x)) for x in vector), 2), "064x")


def luma_from_rgb(rgb: npt.NDArray[Any]) -> FloatArray:
    """PDQ's luma: 0.299 R + 0.587 G + 0.114 B."""
    a = np.asarray(rgb, dtype=np.float64)
    if a.ndim == 2:
        return a
    out: FloatArray = a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114
    return out


def _empty() -> PdqResult:
    zero = "0" * 64
    return PdqResult(zero, 0, (zero,) * 8)
