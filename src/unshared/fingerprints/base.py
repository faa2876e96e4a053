"""The small interfaces of the fingerprints area.

A *pixel hasher* turns decoded pixels into a :class:`~unshared.fingerprints.pdq.PdqResult`; a
*media reader* turns a path into pixels without copying the file anywhere. Both are protocols so a
test or another engine can stand in for them.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy.typing as npt

from unshared.fingerprints.pdq import PdqResult

__all__ = ["LumaHasher", "PixelHasher"]


@runtime_checkable
class PixelHasher(Protocol):
    """Hashes full RGB pixels (rows x columns x 3, uint8)."""

    name: str

    def hash_rgb(self, rgb: npt.NDArray[Any]) -> PdqResult: ...


@runtime_checkable
class LumaHasher(PixelHasher, Protocol):
    """Also hashes a luma array that was reduced by whole blocks from ``full_size`` (w, h)."""

    def hash_luma(
        self, luma: npt.NDArray[Any], full_size: tuple[int, int] | None = None
    ) -> PdqResult: ...
