"""Reading past disguised letters: the plain form of a message written to dodge filters.

Mass extortion e-mails swap Latin letters for Cyrillic or Greek look-alikes ("раy" with a
Cyrillic р and а), slip zero-width characters inside words, or use "fancy text" letters
(fullwidth ``ｓｅｎｄ``, mathematical bold ``𝐬𝐞𝐧𝐝``, small capitals); chat offenders write
``s3nd y0ur v1deo`` or ``s e n d``. A person reads all of these as the plain words; the rules
and the scorer should too. :func:`undisguise` gives that plain form and, for every character of
it, the characters of the original it came from, so a flag can still point at the original text.

What it changes, and only that:

* format characters (zero-width spaces and joiners, soft hyphens, direction marks) next to a
  Latin letter or digit are dropped (between emoji, or in another script, they stay);
* a combining mark is joined to its letter when Unicode has the composed letter ("e" + U+0301
  is "é"), and dropped otherwise (stacked "Zalgo" marks);
* compatibility letters and digits become their plain form (fullwidth, mathematical, circled,
  ligatures: NFKC of the single character), small capitals their letter, and no-break and
  other wide spaces a space;
* Cyrillic and Greek look-alikes, and hooked or IPA Latin letters ("ı", "ɼ", "ƒ"), become the
  plain Latin letter, inside a word that also has Latin letters, or in any word when most of
  the message's letters are Latin (a Russian or Greek message is left as it is);
* digits and symbols standing for letters inside a word (``y0ur``, ``p@y``, ``ca$h``,
  ``b1tc0in``, ``vide0``, ``0r``): only between letters (or a 0 that starts or ends a word),
  in a word that starts with a letter (or that 0) and has at least two letters (one after a
  0), whose every non-letter is such a stand-in (so ``24h``, ``mp4``, ``h264``, ``$500``,
  ``covid19``, ``l8r`` and ``name@host.com`` stay);
* four or more single letters spaced out (``s e n d``, ``s.e.n.d``) are joined.

Plain text, including French, German and Spanish with their accents, comes back unchanged,
and fast: most messages are decided by a quick look of two to five character-class searches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Plain", "undisguise"]


@dataclass(frozen=True, slots=True)
class Plain:
    """The plain form of a text. ``origin[i]`` and ``until[i]`` bound the original characters
    that the plain form's character ``i`` came from; both are ``None`` when nothing changed."""

    text: str
    original: str
    origin: tuple[int, ...] | None = None
    until: tuple[int, ...] | None = None

    @property
    def changed(self) -> bool:
        return self.origin is not None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the plain span ``[start, end)``."""
        if self.origin is None or self.until is None or start < 0 or end < 0:
            return start, end
        n = len(self.text)
        if n == 0:
            return 0, 0
        a = self.origin[min(start, n - 1)] if start < n else len(self.original)
        b = self.until[end - 1] if 0 < end <= n else a
        return a, max(a, b)


# Cyrillic and Greek letters that look like Latin ones (from Unicode TR39's confusables, the
# letters whose glyph is the Latin one's in common fonts).
_LOOKALIKE = dict(
    zip(
        "аеорсухіјѕԁһӏԛԝвкмнтАВЕЅІЈКМНОРСТХУԜαεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
        "aeopcyxijsdhlqwbkmhtABESIJKMHOPCTXYWaeikvoptuxABEZHIKMNOPTYX",
        strict=True,
    )
)
# Latin letters with hooks, tails or turned, and IPA letters, that spam swaps in for the plain
# letter ("I gıve you 72 houɼs onɭy to transƒer"). None is a letter of French, Spanish, German,
# Italian, Portuguese or Dutch (Polish "ł" and the like are not in it); Turkish "ı" is, and a
# Turkish message's plain form loses its dots, which only the scorer reads.
_LOOKALIKE.update(
    zip(
        "ıɩȷɑɡɠɼɾɽɭƚƒʋɦɱɳɲʂʐȥɓƅɗɖƙƥƭʈƴɋʠɛʍ",
        "iijaggrrrllfvhmnnszzbbddkpttyqqem",
        strict=True,
    )
)
# Spam that sprays look-alikes uses more of them than the confusables' core: Greek eta, mu,
# gamma and omega, Cyrillic i, pe, ghe, sha and schwa, koppa for o, wynn for p ("τhe νιdeο",
# "уὁur", "ҍhis", "nϙt", "Ƿerverteret"). Same rule: only in a word that also has Latin letters,
# or in a message whose letters are mostly Latin.
_LOOKALIKE.update(
    zip(
        "ημγωϲϳϱϙπипгшєьѡѵҏәөҍѳԍƿǷᴦɵƫȼɇɍɏƀɨʉƈƁƄƊƑƓƘƤƬƮƳȤ",
        "nuywcjponunrwebwvpeobogpProtceryyiucBBDFGKPTTYZ",
        strict=True,
    )
)
# The same Greek and Cyrillic letters with accents or breathings ("vίdeoen", "уὁur", "ў").
for _cp in (*range(0x370, 0x500), *range(0x1F00, 0x2000)):
    _parts = unicodedata.normalize("NFD", chr(_cp))
    if (
        len(_parts) > 1
        and _parts[0] in _LOOKALIKE
        and chr(_cp) not in _LOOKALIKE
        and all(unicodedata.category(c) == "Mn" for c in _parts[1:])
    ):
        _LOOKALIKE[chr(_cp)] = _LOOKALIKE[_parts[0]]
_SMALL_CAPS = dict(zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ", "abcdefghijklmnoprstuvwyz", strict=True))
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_FORMAT = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"

_COMPAT_RANGES = (
    (0xFF01, 0xFF5E),  # fullwidth ASCII
    (0x1D400, 0x1D7FF),  # mathematical alphanumerics
    (0x2460, 0x24FF),  # enclosed alphanumerics (circled, parenthesised)
    (0xFB00, 0xFB06),  # ligatures
    (0x1F130, 0x1F189),  # squared and negative squared letters
)


@lru_cache(maxsize=1)
def _one_to_one() -> dict[int, str]:
    """The part of :func:`_char_map` that keeps the length, for ``str.translate``."""
    return {ord(k): v for k, v in _char_map().items() if len(v) == 1}


@lru_cache(maxsize=1)
def _char_map() -> dict[str, str]:
    """Compatibility letters and digits -> their plain form (only when that form is ASCII
    letters or digits: "①" is "1", "ﬁ" is "fi", "½" is left alone)."""
    table: dict[str, str] = {}
    for lo, hi in _COMPAT_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            plain = unicodedata.normalize("NFKC", ch)
            if plain != ch and plain.isascii() and (plain.isalnum() or len(plain) == 1):
                table[ch] = plain
    table.update(_SMALL_CAPS)
    table.update(dict.fromkeys(_SPACES, " "))
    return table


_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_COMPAT = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _COMPAT_RANGES)
_LOOK = "".join(_LOOKALIKE)
_FMT = re.escape(_FORMAT)
# What the slow path still maps one by one once ``str.translate`` has done the one-to-one part
# (wide spaces, small capitals, most compatibility letters): runs of marks, format characters,
# compatibility characters of more than one letter ("ﬁ", "⑩").
_SPECIAL = re.compile(f"[{_MARKS}]+|[{_FMT}{_COMPAT}]")
# The quick look: a message needs the slow path only if one of these finds something. Each
# starts with a character class, which Python's re scans for quickly.
_NEAR = f"A-Za-z0-9{_LOOK}"
_QUICK_CLASS = re.compile("[" + re.escape(_SPACES + "".join(_SMALL_CAPS)) + _MARKS + _COMPAT + "]")
_FMT_CLASS = re.compile(f"[{_FMT}]")
_FMT_NEAR = re.compile(f"[{_FMT}]+[{_NEAR}]|[{_NEAR}][{_FMT}]")
_LOOK_HINT = re.compile(f"[{_LOOK}]")
_LATIN_HINT = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_LEET_HINT = re.compile(
    r"[0-9@$](?:(?<=[A-Za-z].)[A-Za-z]|(?<=[A-Za-z]{2}0)(?!\w)|(?<![\w.]0)(?<=0)[A-Za-z])"
)
_SPACED_HINT = re.compile(r"[ .*_-][^\W\d_][ .*_-][^\W\d_][ .*_-][^\W\d_](?![^\W_])")
_SPACED = re.compile(r"(?<![^\W_]|['’])[^\W\d_](?:([ .*_-])[^\W\d_])(?:\1[^\W\d_]){2,}(?![^\W_])")
_MARK = re.compile(f"[{_MARKS}]")
_TOKEN = re.compile(r"(?<![\w@$.])0?[A-Za-z][A-Za-z0-9@$]*")
_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")


def _quick_look(text: str) -> bool:
    """Whether ``text`` may have anything :func:`_slow` changes (never false when it has)."""
    if not text.isascii() and (
        _QUICK_CLASS.search(text)
        or (_FMT_CLASS.search(text) and _FMT_NEAR.search(text))
        or (_LOOK_HINT.search(text) and _LATIN_HINT.search(text))
    ):
        return True
    return bool(_LEET_HINT.search(text) or _SPACED_HINT.search(text))


def undisguise(text: str) -> Plain:
    """The plain form of ``text`` (see the module's docstring); ``text`` itself when plain."""
    if len(text) > _CACHED_CHARS:
        return _slow(text) if _quick_look(text) else Plain(text, text)
    found = _CACHE.get(text)
    if found is None:
        found = _slow(text) if _quick_look(text) else Plain(text, text)
        if len(_CACHE) >= _CACHED:
            _CACHE.clear()
        _CACHE[text] = found
    return found


_CACHED = 4096
_CACHED_CHARS = 2048
_CACHE: dict[str, Plain] = {}
"""The scorer and the rules each ask for a message's plain form: the last few thousand
short messages' answers are kept (a pure function, so nothing can go stale)."""


def _slow(text: str) -> Plain:
    if text.isascii():
        chars, origin, until = list(text), list(range(len(text))), list(range(1, len(text) + 1))
    else:
        chars, origin, until = _characters(text.translate(_one_to_one()))
    # Each step can make work for another ("р0st" with a Cyrillic р is a word only once the р
    # is Latin), so they run until nothing changes: reading the result again changes nothing.
    for _ in range(4):
        before = list(chars)
        joined = "".join(chars)
        if not joined.isascii() and _LOOK_HINT.search(joined):
            _lookalikes(chars)
        if _SPACED_HINT.search(joined):
            chars, origin, until = _spaced(chars, origin, until)
        if _LEET_HINT.search("".join(chars)):
            _leet(chars)
        if chars == before:
            break
    plain = "".join(chars)
    if plain == text:
        return Plain(text, text)
    return Plain(plain, text, tuple(origin), tuple(until))


def _characters(text: str) -> tuple[list[str], list[int], list[int]]:
    """Drop format characters, compose or drop combining marks, map compatibility letters;
    the characters between those are copied in bulk."""
    table = _char_map()
    chars: list[str] = []
    origin: list[int] = []
    until: list[int] = []
    last = 0
    for m in _SPECIAL.finditer(text):
        i = m.start()
        if i > last:
            chars.extend(text[last:i])
            origin.extend(range(last, i))
            until.extend(range(last + 1, i + 1))
        last = m.end()
        ch = text[i]
        if ch in _FORMAT:
            if _inside_latin(text, i):
                continue
        elif _MARK.match(ch):  # a run of combining marks
            if chars:
                # The letter with the marks Unicode composes it with; the rest are dropped.
                chars[-1] = unicodedata.normalize("NFC", chars[-1] + m.group())[0]
                until[-1] = m.end()
            continue
        for c in table.get(ch, ch):
            chars.append(c)
            origin.append(i)
            until.append(i + 1)
    if last < len(text):
        chars.extend(text[last:])
        origin.extend(range(last, len(text)))
        until.extend(range(last + 1, len(text) + 1))
    return chars, origin, until


def _inside_latin(text: str, i: int) -> bool:
    """The format character at ``i`` touches a Latin letter or digit (or a look-alike): hidden
    inside a word. Between emoji (a joiner) or in another script it is left alone."""
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(text) and text[k] in _FORMAT:
            k += step
        if 0 <= k < len(text) and (
            (text[k].isascii() and text[k].isalnum()) or text[k] in _LOOKALIKE
        ):
            return True
    return False


def _lookalikes(chars: list[str]) -> None:
    """Look-alikes (:data:`_LOOKALIKE`) to Latin: first in words that mix them with Latin letters,
    then in every word if most of the message's letters are then Latin (in that order, so that
    reading the result again changes nothing)."""
    joined = "".join(chars)
    words = [
        (m.start(), m.end())
        for m in _WORD.finditer(joined)
        if _LOOK_HINT.search(joined, m.start(), m.end())
    ]
    if not words:
        return
    rest: list[tuple[int, int]] = []
    for i, j in words:
        if any(_is_latin(chars[k]) for k in range(i, j)):
            _to_latin(chars, i, j)
        else:
            rest.append((i, j))
    if rest:
        latin = sum(1 for c in _LETTER.findall("".join(chars)) if _is_latin(c))
        other = len(_LETTER.findall(joined)) - latin
        if latin > other:
            for i, j in rest:
                _to_latin(chars, i, j)


def _is_latin(c: str) -> bool:
    """A Latin letter, with or without accents."""
    o = ord(c)
    return (
        ("a" <= c.lower() <= "z") or (0xC0 <= o <= 0x24F and c.isalpha()) or 0x1E00 <= o <= 0x1EFF
    )


def _to_latin(chars: list[str], i: int, j: int) -> None:
    for k in range(i, j):
        chars[k] = _LOOKALIKE.get(chars[k], chars[k])


def _spaced(
    chars: list[str], origin: list[int], until: list[int]
) -> tuple[list[str], list[int], list[int]]:
    """Join runs of four or more single letters spaced out with one kind of separator."""
    joined = "".join(chars)
    runs = list(_SPACED.finditer(joined))
    if not runs:
        return chars, origin, until
    drop: set[int] = set()
    for m in runs:
        drop.update(range(m.start() + 1, m.end(), 2))
    keep = [k for k in range(len(chars)) if k not in drop]
    return [chars[k] for k in keep], [origin[k] for k in keep], [until[k] for k in keep]


def _leet(chars: list[str]) -> None:
    """Digits and symbols standing for letters inside a word (see the module's docstring)."""
    joined = "".join(chars)
    for m in _TOKEN.finditer(joined):
        token = m.group()
        if token.isalpha():
            continue
        letters = sum(1 for c in token if c.isalpha())
        stand_ins = [k for k, c in enumerate(token) if not c.isalpha()]
        lead = token[0] == "0"  # "0r", "0n": no number starts with 0 and goes on in letters
        if not stand_ins or letters < (1 if lead else 2):
            continue
        end = m.end()
        if "@" in token and end < len(joined) and joined[end] == ".":
            continue  # an e-mail address
        if end < len(joined) and (joined[end].isdigit() or joined[end] in "$@"):
            continue  # runs into a number (a code, an amount)
        mapped: dict[int, str] = {}
        for k in stand_ins:
            c = token[k]
            inner = 0 < k < len(token) - 1 and token[k - 1].isalpha() and token[k + 1].isalpha()
            if c == "@" and min(k, len(token) - 1 - k) > 2:
                inner = False  # "name@host": an address, not "p@y" or "n@ked"
            if inner and c in _LEET:
                mapped[k] = _LEET[c]
            elif c == "0" and (k == 0 or (k == len(token) - 1 and letters >= 2)):
                mapped[k] = "o"  # "0r", "vide0" ("t0", one letter, is left alone)
            else:
                mapped = {}
                break
        upper = token.isupper()
        for k, c in mapped.items():
            chars[m.start() + k] = c.upper() if upper else c
