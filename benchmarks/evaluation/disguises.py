"""Ways offenders disguise the words of a message, to test that they are read past.

Each takes a text and a seeded random generator and gives the disguised text. ``EXACT`` are
undone exactly by :func:`unshared.analysis.disguise.undisguise` on plain ASCII text; ``leet`` and
``spaced`` mostly (a digit in the original, or "I b e l i e v e", are ambiguous).
"""

from __future__ import annotations

import random
from collections.abc import Callable

Disguise = Callable[[str, random.Random], str]

TO_CYRILLIC = dict(zip("aeopcxyiAEOPCXHKMT", "аеорсхуіАЕОРСХНКМТ", strict=True))


def cyrillic(text: str, rng: random.Random) -> str:
    """Half the letters that have a Cyrillic look-alike swapped for it (mass e-mails)."""
    return "".join(TO_CYRILLIC[c] if c in TO_CYRILLIC and rng.random() < 0.5 else c for c in text)


def zero_width(text: str, rng: random.Random) -> str:
    """Invisible characters inside words, between a third of the letter pairs."""
    out = []
    for a, b in zip(text, text[1:] + " ", strict=True):
        out.append(a)
        if a.isalpha() and b.isalpha() and rng.random() < 0.3:
            out.append(rng.choice("\u200b\u200c\u200d\u2060\u00ad"))
    return "".join(out)


def fullwidth(text: str, rng: random.Random) -> str:
    """Every ASCII character in its fullwidth form ("fancy text")."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def math_bold(text: str, rng: random.Random) -> str:
    """Letters as mathematical bold ("fancy text" generators)."""

    def bold(c: str) -> str:
        if "a" <= c <= "z":
            return chr(0x1D41A + ord(c) - ord("a"))
        if "A" <= c <= "Z":
            return chr(0x1D400 + ord(c) - ord("A"))
        return c

    return "".join(bold(c) for c in text)


def no_break(text: str, rng: random.Random) -> str:
    """No-break spaces for spaces (pasted from HTML e-mails)."""
    return text.replace(" ", "\u00a0")


def leet(text: str, rng: random.Random) -> str:
    """Digits for letters, only between two letters (how ``y0ur`` and ``s3nd`` are written)."""
    swap = {"o": "0", "e": "3", "a": "4", "i": "1", "s": "5"}
    chars = list(text)
    for k in range(1, len(chars) - 1):
        c = chars[k].lower()
        if c in swap and chars[k - 1].isalpha() and chars[k + 1].isalpha() and rng.random() < 0.5:
            chars[k] = swap[c]
    return "".join(chars)


def spaced(text: str, rng: random.Random) -> str:
    """One word of five letters or more spelled out with spaces ("v i d e o")."""
    words = text.split(" ")
    long = [k for k, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long:
        k = rng.choice(long)
        words[k] = " ".join(words[k])
    return " ".join(words)


TO_GREEK = dict(zip("aeiknoptuvxyABEHIKMNOPTXYZ", "αεικηορτυνχγΑΒΕΗΙΚΜΝΟΡΤΧΥΖ", strict=True))


def greek(text: str, rng: random.Random) -> str:
    """Half the letters that have a Greek look-alike swapped for it ("τhe νιdeο", mass e-mails)."""
    return "".join(TO_GREEK[c] if c in TO_GREEK and rng.random() < 0.5 else c for c in text)


# Accented forms beyond Latin-1 that spray generators pick from, per plain letter.
SPRAY = {
    "a": "ąāăạảẚḁ",
    "c": "ćĉċč",
    "d": "ďḍḏ",
    "e": "ēĕėęěẹẻȩ",
    "g": "ĝğġģ",
    "h": "ĥḥẖḫ",
    "i": "ĩīĭįịỉ",
    "k": "ķḳ",
    "l": "ĺļľḷ",
    "m": "ḿṁṃ",
    "n": "ńņňṅṇǹ",
    "o": "ōŏőọỏ",
    "r": "ŕŗřṛ",
    "s": "śŝşšșṡṣ",
    "t": "ţťțṭṱ",
    "u": "ũūŭůűųụủ",
    "w": "ŵẁẃẅ",
    "y": "ŷỳỵ",
    "z": "źżžẓ",
}


def sprayed(text: str, rng: random.Random) -> str:
    """A third of the letters that have one swapped for a stray accented form ("Thîș meanș")."""
    return "".join(rng.choice(SPRAY[c]) if c in SPRAY and rng.random() < 0.33 else c for c in text)


EXACT: dict[str, Disguise] = {
    "cyrillic": cyrillic,
    "zero_width": zero_width,
    "fullwidth": fullwidth,
    "math_bold": math_bold,
    "no_break": no_break,
    "greek": greek,
}
ALL: dict[str, Disguise] = {**EXACT, "leet": leet, "spaced": spaced, "sprayed": sprayed}
