"""What one verified bundle gives a force: the other party's side only. Pure: no I/O.

Victims' identities never enter: only identifiers, messages and images the *other* party used
or sent are kept, and the victim's names are replaced in the offender's words by ``[victim]``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from unshared.report.model import KIND_LABELS

__all__ = [
    "CaseDigest",
    "Evidence",
    "OffenderIdentifier",
    "OffenderImage",
    "OffenderMessage",
    "PaymentInstruction",
    "VICTIM_MARK",
    "normalise_text",
    "redact",
]

VICTIM_MARK = "[victim]"

#: Identifier kinds that link cases: every kind the report lists for the other party (each
#: normalised by the finders: E.164 phones, lower-case handles, checksummed wallets and IBANs...),
#: and the collection point of a money transfer (:mod:`unshared.police.collection`).
LINKING_KINDS = frozenset(KIND_LABELS) | {"collection_point"}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where something was seen: message number in the case (None: an account in the export's
    participant list), the exhibit's SHA-256 and the place inside it, and the message time."""

    exhibit: str
    locator: str
    message: int | None = None
    sent_at: str | None = None


@dataclass(frozen=True, slots=True)
class OffenderIdentifier:
    kind: str
    value: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class OffenderMessage:
    number: int
    text: str
    evidence: Evidence
    sender: str | None = None
    stages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OffenderImage:
    """An image the other party sent, as a fingerprint only (the picture is never kept)."""

    pdq: str
    quality: int
    sha256: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class PaymentInstruction:
    """A demand: method, amount and currency as said, and the deadline wording if any."""

    evidence: Evidence
    method: str | None = None
    amount: str | None = None
    currency: str | None = None
    deadline: str | None = None

    def pattern(self) -> str | None:
        """The comparable form (``western union|500|GBP|24 hours``); None if nothing is said."""
        parts = [
            (self.method or "").casefold(),
            self.amount or "",
            (self.currency or "").upper(),
            normalise_text(self.deadline or ""),
        ]
        return "|".join(parts) if any(parts) else None


@dataclass
class CaseDigest:
    """One case as a force keeps it. ``case_key`` is the hash of the case's first log event (the
    same case gives the same key in every bundle made from it); ``seal`` and ``log_head`` pin the
    bundle it came from. The bundle's file name is not kept: it may name the person."""

    case_key: str
    seal: str
    log_head: str
    bundle_sha256: str
    platforms: tuple[str, ...] = ()
    messages_total: int = 0
    first_at: str | None = None
    last_at: str | None = None
    identifiers: list[OffenderIdentifier] = field(default_factory=list)
    messages: list[OffenderMessage] = field(default_factory=list)
    images: list[OffenderImage] = field(default_factory=list)
    payments: list[PaymentInstruction] = field(default_factory=list)


_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]+")


def normalise_text(text: str) -> str:
    """Case-folded NFKC words with punctuation and spacing removed (for script comparison)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", _NON_WORD.sub(" ", text)).strip()


def redact(text: str, names: tuple[str, ...]) -> str:
    """``text`` with every victim name or id (whole words, any case) replaced by ``[victim]``."""
    usable = sorted({n for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)
    if not usable:
        return text
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(n.strip()) for n in usable) + r")(?!\w)",
        re.IGNORECASE,
    )
    return pattern.sub(VICTIM_MARK, text)
