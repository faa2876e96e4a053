"""Literal anchors of a regular expression: strings one of which every match must contain.

``unshared scan`` runs some forty patterns per message; most chat lines can match none of them,
and Python's ``re`` takes microseconds to find that out for each. Every pattern here is first
read (with the standard library's own parser) for the literal text a match cannot do without: a
run of plain characters, or for an alternation, one of its branches' runs. A message that holds
none of a pattern's anchors (compared case-folded, as the patterns are case-insensitive) cannot
match it, so the pattern is not run. This never changes a result; a property test holds every
pattern's answer with and without the anchors to each other. Pure.
"""

from __future__ import annotations

import re

# The standard library's own regular-expression parser (Python 3.11+ names); the tests hold its
# reading against every pattern the packs ship.
import re._parser as _parser  # type: ignore[import-not-found]
from functools import lru_cache
from re import _constants as _c  # type: ignore[attr-defined,unused-ignore]
from typing import Any

__all__ = ["AnchorSet", "anchors", "fold"]

MIN_ANCHOR = 2
"""Shortest literal run used as an anchor."""

#: Characters ``re`` matches to an ASCII letter under IGNORECASE whose casefold is not that letter
#: (found exhaustively over the BMP by the tests): folded to the letter before the check.
_SPECIAL = str.maketrans({"\u017f": "s", "\u212a": "k", "\u0130": "i", "\u0131": "i"})

Anchors = tuple[frozenset[str], ...]
"""Sets of strings; a match holds at least one string of *every* set (empty: no constraint)."""


def fold(text: str) -> str:
    """The form anchors are looked for in."""
    return text.translate(_SPECIAL).casefold()


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective set: longest shortest string, then fewest strings."""
    if not options:
        return None
    return max(options, key=lambda s: (min(len(x) for x in s), -len(s)))


def _seq(items: Any) -> list[frozenset[str]]:
    """Every necessary set of a sequence (a match of the sequence meets them all)."""
    options: list[frozenset[str]] = []
    run: list[str] = []

    def close() -> None:
        text = "".join(run)
        if len(text) >= MIN_ANCHOR and text.isascii():
            options.append(frozenset({text.casefold()}))
        run.clear()

    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        close()
        if op is _c.SUBPATTERN:
            options += _seq(arg[-1])
        elif op is _c.BRANCH:
            branches = [_best(_seq(b)) for b in arg[1]]
            if all(b is not None for b in branches):
                options.append(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) or op is getattr(_c, "POSSESSIVE_REPEAT", None):
            if arg[0] >= 1:
                options += _seq(arg[2])
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            options += _seq(arg)
        # classes, any, assertions, anchors, back-references: no literal to rely on
    close()
    return options


@lru_cache(maxsize=4096)
def anchors(pattern: str, flags: int) -> Anchors:
    """The anchors of ``pattern`` (empty when no literal is certain in every match). Only
    case-insensitive patterns without VERBOSE are read; others get none."""
    if not flags & re.IGNORECASE or flags & re.VERBOSE:
        return ()
    try:
        parsed = _parser.parse(pattern, flags)
    except Exception:  # anything the parser refuses is simply run as it is
        return ()
    return tuple(dict.fromkeys(_seq(list(parsed))))


class AnchorSet:
    """The anchors of many patterns, looked for once per text.

    :meth:`present` finds which of all the anchors a text holds (one pass over them, grouped by
    their first two characters so only those that can start somewhere in the text are tried);
    :meth:`live` then gives the patterns whose every anchor set is met.
    """

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        # Keyed by id: hashing a compiled pattern hashes its whole text (the patterns live as
        # long as their cached language pack, so ids stay theirs).
        self._keep = list(patterns)
        self._of: dict[int, Anchors] = {id(p): anchors(p.pattern, p.flags) for p in patterns}
        by_start: dict[str, set[str]] = {}
        for sets in self._of.values():
            for one in sets:
                for a in one:
                    by_start.setdefault(a[:2], set()).add(a)
        self._by_start = {k: tuple(v) for k, v in by_start.items()}
        # For :meth:`live`: which (pattern, set number) each anchor satisfies, how many sets
        # each pattern has, and the patterns with none (always live).
        by_anchor: dict[str, list[tuple[int, int]]] = {}
        self._sets: dict[int, int] = {}
        for key, sets in self._of.items():
            self._sets[key] = len(sets)
            for k, one in enumerate(sets):
                for a in one:
                    by_anchor.setdefault(a, []).append((key, k))
        self._by_anchor = {a: tuple(v) for a, v in by_anchor.items()}
        self._always = frozenset(key for key, n in self._sets.items() if n == 0)

    def present(self, folded: str) -> frozenset[str]:
        starts = {folded[i : i + 2] for i in range(len(folded) - 1)} & self._by_start.keys()
        return frozenset(a for k in starts for a in self._by_start[k] if a in folded)

    def live(self, present: frozenset[str]) -> frozenset[int]:
        """The ids of the patterns that can match a text holding just ``present`` (every one of
        their anchor sets met), found from the anchors present rather than pattern by pattern."""
        met: dict[int, set[int]] = {}
        for a in present:
            for key, k in self._by_anchor.get(a, ()):
                met.setdefault(key, set()).add(k)
        return self._always | {key for key, ks in met.items() if len(ks) == self._sets[key]}
