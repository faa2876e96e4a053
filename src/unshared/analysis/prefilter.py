"""Which of many regular expressions can match a text, found in one pass with RE2.

Python's ``re`` tries each pattern at every position of a message, so a pack of some eighty
patterns costs hundreds of microseconds per message even when none of them matches.
:class:`PatternFilter` rewrites every pattern into RE2 syntax and looks for all of them at once
with an ``RE2::Set`` (one automaton pass over the text, a few microseconds for a chat line). The
rewritten pattern matches *at least* every text the original matches (it may match more), so a
pattern the set says cannot match is not run, and nothing that would have matched is missed.
Pure (no I/O).

Why nothing is missed. The text is first mapped, character for character, onto a small
alphabet that keeps what Python's ``re`` can tell apart: ASCII stays as it is; the four
characters ``re`` folds to an ASCII letter when ignoring case (long s, Kelvin sign, dotted and
dotless i) become that letter; any other character becomes ``_`` when ``re`` counts it as a word
character (``\\w``) and U+0080 when not. Then, in the rewritten pattern:

* every character test (a literal, a class, ``.``, ``\\d``, ``\\w``, ``\\s``...) becomes a class
  holding exactly the ASCII characters Python's ``re`` accepts there with the pattern's own flags
  (found by asking ``re`` about each of the 128), the letters whose folded forms it accepts, and,
  unless the test is made of ASCII literals only (which accept nothing else), ``_`` and U+0080;
* ``\\b`` and ``\\B`` stay: the mapping keeps every character's word-ness, and on ASCII
  Python's word characters are RE2's; ``^`` and ``$`` keep their multi-line meaning (``$`` is
  always multi-line: more matches, never fewer);
* lookahead and lookbehind assertions are dropped, a back-reference becomes "any text", an
  atomic group or possessive repeat an ordinary one: each only lets more through.

When the set cannot answer (RE2 out of memory: a pattern that always matches is in the set to
tell), :meth:`PatternFilter.possible` says so and the caller runs every pattern as before. The
tests hold this against Python's answer for every pattern the packs ship, on every labelled
line and on random text, and check the mapping's facts over all of Unicode.
"""

from __future__ import annotations

import re

# The standard library's own regular-expression parser (Python 3.11+ names), as in anchors.py.
import re._parser as _parser  # type: ignore[import-not-found]
from collections.abc import Iterable, Sequence
from functools import lru_cache
from re import _constants as _c  # type: ignore[attr-defined,unused-ignore]
from typing import Any

__all__ = ["FOLDS_TO_ASCII", "PatternFilter", "map_text", "to_re2"]

try:  # google-re2: a wheel with RE2 inside (see docs/dependencies.md)
    import re2 as _re2  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - without it every pattern simply runs
    _re2 = None

FOLDS_TO_ASCII = "\u017f\u212a\u0130\u0131"
"""The non-ASCII characters ``re`` matches to an ASCII letter when ignoring case (long s, Kelvin
sign, dotted capital I, dotless i; found exhaustively by the tests)."""

_FOLDS = dict(zip(FOLDS_TO_ASCII, "skii", strict=True))
_FOLD_TABLE = str.maketrans(_FOLDS)
_FOLD_CHARS = re.compile(f"[{FOLDS_TO_ASCII}]")
_OTHER_CHAR = "\x80"
_WORDISH = re.compile(r"[^\W\x00-\x7f]")  # a word character for re, beyond ASCII
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII = [chr(i) for i in range(128)]
_MAX_REPEAT = 1000  # RE2's limit on a counted repeat
_ANSWERS = 1 << 16  # distinct answers remembered


class Unsupported(ValueError):
    """A construct the rewriting does not know (the pattern then always runs)."""


def _re2_char(ch: str) -> str:
    return ch if ch.isascii() and ch.isalnum() else f"\\x{{{ord(ch):x}}}"


def _py_class(items: Sequence[tuple[Any, Any]]) -> tuple[str, bool]:
    """Python source of a character class, and whether it is made of ASCII literals only."""
    parts: list[str] = []
    plain = True
    for op, av in items:
        if op is _c.NEGATE:
            parts.insert(0, "^")
            plain = False
        elif op is _c.LITERAL:
            parts.append(re.escape(chr(av)))
            plain = plain and av < 128
        elif op is _c.RANGE:
            parts.append(re.escape(chr(av[0])) + "-" + re.escape(chr(av[1])))
            plain = plain and av[1] < 128
        elif op is _c.CATEGORY:
            parts.append(_CATEGORIES[av])
            plain = False
        else:
            raise Unsupported(str(op))
    return "[" + "".join(parts) + "]", plain


_CATEGORIES = {
    _c.CATEGORY_DIGIT: r"\d",
    _c.CATEGORY_NOT_DIGIT: r"\D",
    _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_NOT_SPACE: r"\S",
    _c.CATEGORY_WORD: r"\w",
    _c.CATEGORY_NOT_WORD: r"\W",
}


@lru_cache(maxsize=4096)
def _leaf(source: str, flags: int, plain: bool) -> str:
    """An RE2 class for Python's one-character test ``source`` with ``flags``, on mapped text:
    exactly its ASCII characters, the letters of the folds it accepts and, unless ``plain``
    (ASCII literals only, which accept nothing beyond ASCII but those folds), ``_`` and U+0080."""
    one = re.compile(source, flags)
    members = [ch for ch in _ASCII if one.fullmatch(ch)]
    members += [letter for ch, letter in _FOLDS.items() if one.fullmatch(ch)]
    if not plain:
        members += ["_", _OTHER_CHAR]
    body = "".join(_re2_char(ch) for ch in dict.fromkeys(members))
    return "[" + body + "]" if body else "[^\\x{0}-\\x{10ffff}]"


def _flag_letters(flags: int) -> int:
    return flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.ASCII | re.UNICODE)


def _seq(items: Iterable[tuple[Any, Any]], flags: int) -> str:
    out: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            out.append(_leaf(re.escape(chr(av)), flags, av < 128))
        elif op is _c.NOT_LITERAL:
            out.append(_leaf("[^" + re.escape(chr(av)) + "]", flags, False))
        elif op is _c.ANY:
            out.append(_leaf(".", flags, False))
        elif op is _c.IN:
            source, plain = _py_class(av)
            out.append(_leaf(source, flags, plain))
        elif op is _c.BRANCH:
            out.append("(?:" + "|".join(_seq(b, flags) for b in av[1]) + ")")
        elif op is _c.SUBPATTERN:
            _, add, remove, sub = av
            out.append("(?:" + _seq(sub, (flags | add) & ~remove) + ")")
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, high, sub = av
            inner = "(?:" + _seq(sub, flags) + ")"
            if low > _MAX_REPEAT:
                out.append(inner + "*")
            elif high is _c.MAXREPEAT or high > _MAX_REPEAT:
                out.append(f"{inner}{{{low},}}")
            else:
                out.append(f"{inner}{{{low},{high}}}")
        elif op is _c.ATOMIC_GROUP:
            out.append("(?:" + _seq(av, flags) + ")")
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            continue  # dropped: the rest may then match in more places, never fewer
        elif op is _c.GROUPREF:
            out.append("[\\x{0}-\\x{10ffff}]*")
        elif op is _c.GROUPREF_EXISTS:
            _, yes, no = av
            no_text = _seq(no, flags) if no else ""
            out.append("(?:" + _seq(yes, flags) + "|" + no_text + ")")
        elif op is _c.AT:
            out.append(_at(av, flags))
        else:
            raise Unsupported(str(op))
    return "".join(out)


def _at(code: Any, flags: int) -> str:
    if code is _c.AT_BEGINNING:
        return "(?m:^)" if flags & re.MULTILINE else "\\A"
    if code is _c.AT_END:
        return "(?m:$)"  # without MULTILINE, Python's $ also matches before a final newline
    if code is _c.AT_BEGINNING_STRING:
        return "\\A"
    if code is _c.AT_END_STRING:
        return "\\z"
    if code in (_c.AT_BOUNDARY, _c.AT_NON_BOUNDARY):
        if flags & re.LOCALE:
            return ""
        return "\\b" if code is _c.AT_BOUNDARY else "\\B"
    raise Unsupported(str(code))


def to_re2(pattern: str, flags: int) -> str:
    """RE2 syntax for ``pattern`` that matches the mapped form (:func:`map_text`) of every
    text ``re.compile(pattern, flags)`` finds a match in, and maybe more."""
    parsed = _parser.parse(pattern, flags)
    return _seq(list(parsed), _flag_letters(parsed.state.flags))


class PatternFilter:
    """All of ``patterns`` in one RE2 set, asked once per text."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self._keep = list(patterns)
        self._set: Any = None
        self._ids: dict[int, int] = {}
        self._always: frozenset[int] = frozenset()
        self._answers: dict[tuple[int, ...], frozenset[int]] = {}
        if _re2 is None:
            return
        options = _re2.Options()
        options.max_mem = 64 << 20
        one = _re2.Set.SearchSet(options)
        one.Add("")  # index 0 matches every text: no 0 in an answer means RE2 failed
        always: set[int] = set()
        for p in patterns:
            try:
                self._ids[one.Add(to_re2(p.pattern, p.flags))] = id(p)
            except (Unsupported, re.error, _re2.error, OverflowError):
                always.add(id(p))
        one.Compile()
        self._set = one
        self._always = frozenset(always)

    def possible(self, text: str) -> frozenset[int] | None:
        """The ids of the patterns that may match ``text`` (a superset of those that do), or
        ``None`` when this cannot be told (then every pattern may)."""
        if self._set is None:
            return None
        found = self._set.Match(map_text(text).encode("utf-8"))
        if not found or 0 not in found:
            return None
        key = tuple(found)
        answer = self._answers.get(key)
        if answer is None:  # few distinct answers: each is built once (the same object after)
            if len(self._answers) >= _ANSWERS:
                self._answers.clear()
            answer = self._answers[key] = self._always | {self._ids[k] for k in found if k}
        return answer


def map_text(text: str) -> str:
    """``text`` on the alphabet the rewritten patterns read (see the module's doc)."""
    if text.isascii():
        return text
    if _FOLD_CHARS.search(text):
        text = text.translate(_FOLD_TABLE)
    return _NOT_ASCII.sub(_OTHER_CHAR, _WORDISH.sub("_", text))
