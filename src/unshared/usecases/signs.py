"""Review the warning signs in a case: each message's stages of the known script, in a language.

Read-only: this reads the messages and detects signals in the chosen language; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unshared.casefile import Case
from unshared.model import Message, Signal

if TYPE_CHECKING:
    from unshared.analysis.summary import CaseSummary

__all__ = ["CaseSummary", "SignsReview", "check_language", "languages", "review_signs"]

_BATCH = 1024


@dataclass(frozen=True)
class SignsReview:
    """Each message with its signals (message id, message, signals), and the case summary."""

    rows: list[tuple[int, Message, list[Signal]]]
    summary: CaseSummary
    #: The person's own messages that read as a threat or a demand alone (they get no stage).
    own_flagged: int = 0


def languages() -> list[str]:
    from unshared.analysis.signals import available_languages

    return list(available_languages())


def check_language(lang: str) -> None:
    """Raise for a language with no rules (before anything asks for a passphrase)."""
    from unshared.analysis.signal_rules import load_pack

    load_pack(lang)


def review_signs(
    case: Case,
    lang: str,
    *,
    context: int | None = None,
    threshold: float | None = None,
    starting: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SignsReview:
    """``unshared signals``: read every message and find the stages of the known script.

    Messages are read in order; each is scored with the previous ``context`` messages of the
    same sender (see :mod:`unshared.analysis.signal_reader`); ``threshold`` overrides the default.
    """
    from unshared.analysis.case_analysis import (
        CONTEXT,
        context_key,
        count_own_flagged,
        reading_alone,
    )
    from unshared.analysis.signal_reader import SignalReader
    from unshared.analysis.summary import summarise

    check_language(lang)
    reader = SignalReader(
        lang=lang, context=CONTEXT if context is None else context, threshold=threshold
    )
    rows: list[tuple[int, Message, list[Signal]]] = []
    victims = case.victims()
    if starting is not None:
        starting(case.message_count())
    batch: list[tuple[int, Message]] = []
    alone = reading_alone(reader)
    own_flagged = 0

    def flush() -> None:
        nonlocal own_flagged
        texts = [m.text if m.kind == "message" and m.text else "" for _, m in batch]
        mine = [victims.side(m.sender, m.sender_id) == "victim" for _, m in batch]
        found = reader.read(texts, [context_key(m) for _, m in batch], mine)
        rows.extend((mid, m, sigs) for (mid, m), sigs in zip(batch, found, strict=True))
        own_flagged += count_own_flagged(alone, texts, mine)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for stored in case.messages():
        batch.append((stored.id, stored.message))
        if len(batch) == _BATCH:
            flush()
    flush()
    victim = [p.name for p in case.participants() if p.side == "victim" and p.name]
    summary = summarise(((mid, msg, sigs) for mid, msg, sigs in rows), lang=lang, victim=victim)
    return SignsReview(rows, summary, own_flagged)
