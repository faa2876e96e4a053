"""Spans of text already taken, looked up by position: finding what a new span overlaps costs
the spans near it, not every span so far (one 11 MB message holds tens of thousands)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["Spans"]


class Spans(Generic[T]):
    """Half-open ``[start, end)`` spans, each with a tag, kept sorted by start."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._items: list[tuple[int, int, T]] = []
        self._longest = 0

    def overlapping(self, start: int, end: int) -> Iterator[tuple[int, int, T]]:
        """The spans that overlap ``[start, end)``: only starts in ``(start - longest, end)``
        can, so only those are read."""
        i = bisect.bisect_left(self._starts, end) - 1
        while i >= 0 and self._starts[i] > start - self._longest:
            item = self._items[i]
            if item[1] > start:
                yield item
            i -= 1

    def clashes(
        self, start: int, end: int, allowed: Callable[[tuple[int, int, T]], bool] | None = None
    ) -> bool:
        """Whether ``[start, end)`` overlaps a span (other than those ``allowed`` says may)."""
        return any(allowed is None or not allowed(s) for s in self.overlapping(start, end))

    def add(self, start: int, end: int, tag: T) -> None:
        at = bisect.bisect_right(self._starts, start)
        self._starts.insert(at, start)
        self._items.insert(at, (start, end, tag))
        self._longest = max(self._longest, end - start)
