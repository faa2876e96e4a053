"""Who collects the money: the receiver's name and place an offender gives for a Western Union,
MoneyGram or Ria transfer ("Receiver name: John Okafor, City: Lagos, Country: Nigeria").
Collection agents are reused across victims; the MTCN of each transfer is not. Pure: no I/O.

Only labelled fields are read (``name:``, ``receiver:``, ``city:``, ``country:``...), so a
sentence that merely mentions a town is not taken for a place.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["collection_points", "WIRE_WORDS"]

WIRE_WORDS = re.compile(r"western\s*union|\bwu\b|money\s*gram|\bria\b|world\s*remit", re.I)
_NAME = re.compile(
    r"\b(?:receiver(?:'s)?|recipient(?:'s)?|beneficiary|collect(?:ed|or)?\s+by|full\s+name|"
    r"receiver\s+name|name)\s*(?:name)?\s*[:=\-]\s*"
    r"(?P<name>[A-Za-z][A-Za-z'.\-]+(?:\s+[A-Za-z][A-Za-z'.\-]+){1,3})",
    re.I,
)
_PLACE = re.compile(
    r"\b(?:city|town|location|state|country|place)\s*[:=\-]\s*"
    r"(?P<place>[A-Za-z][A-Za-z .'\-]{1,40}?)(?=\s*(?:[,;.\n]|$|\b(?:country|state|city|amount|mtcn|send|and|pay|now)\b))",
    re.I,
)
_STOP = re.compile(r"\s+(?:city|town|location|state|country|place|amount|mtcn|and|send)\b.*$", re.I)


def _norm(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(value.replace(".", " ").split())


def collection_points(text: str) -> list[str]:
    """``name|place`` values (``name|`` when no place is given) for a transfer's receiver."""
    if not WIRE_WORDS.search(text):
        return []
    places = [_norm(m.group("place")) for m in _PLACE.finditer(text)]
    out = []
    for m in _NAME.finditer(text):
        name = _norm(_STOP.sub("", m.group("name")))
        if len(name.split()) >= 2:
            out.append(f"{name}|{', '.join(places)}")
    return list(dict.fromkeys(out))
