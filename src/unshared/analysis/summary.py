"""A case summary from per-message signals: what happened, when, and which messages matter.

:func:`summarise` takes ``(message_id, Message, signals)`` triples, in conversation order, and
does no I/O, so the CLI, the web app and the report can all use it. It gives:

* the stages that appeared, how often, and the first and last message (and time) of each;
* the first threat;
* every payment demand, with amount, currency and method when the text names them;
* payments the victim mentions ("I sent", "I paid", "here is the code");
* the key messages for a report (first of each stage, the first threat, every demand and payment).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from unshared.analysis.signal_rules import STAGES
from unshared.analysis.signals import detect_payments_made
from unshared.model import Message, Signal

__all__ = ["CaseSummary", "Mention", "MessageRef", "StageSeen", "summarise"]

MessageRef = int | str
"""A message's id in the case (``int``) or in an export (``str``)."""


@dataclass(frozen=True, slots=True)
class StageSeen:
    stage: str
    count: int
    first_message: MessageRef
    last_message: MessageRef
    first_at: datetime | None
    last_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "count": self.count,
            "first_message": self.first_message,
            "last_message": self.last_message,
            "first_at": _iso(self.first_at),
            "last_at": _iso(self.last_at),
        }


@dataclass(frozen=True, slots=True)
class Mention:
    """One flagged message in the summary: a threat, a demand or a payment."""

    message_id: MessageRef
    sent_at: datetime | None
    sender: str | None
    reason: str
    text: str
    details: tuple[tuple[str, str], ...] = ()

    def detail(self, key: str) -> str | None:
        return dict(self.details).get(key)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "sent_at": _iso(self.sent_at),
            "sender": self.sender,
            "reason": self.reason,
            "text": self.text,
        }
        for key, value in self.details:
            if key != "rule":
                data[key] = value
        return data


@dataclass(frozen=True, slots=True)
class CaseSummary:
    messages: int
    flagged: int
    stages: tuple[StageSeen, ...]
    first_threat: Mention | None
    demands: tuple[Mention, ...]
    payments: tuple[Mention, ...]
    key_messages: tuple[MessageRef, ...]
    offenders: tuple[str, ...] = field(default=())

    @property
    def known_script(self) -> bool:
        """True when a threat and a demand both appear: the known sextortion pattern."""
        seen = {s.stage for s in self.stages}
        return "threat" in seen and "payment_demand" in seen

    def to_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "flagged": self.flagged,
            "known_script": self.known_script,
            "stages": [s.to_dict() for s in self.stages],
            "first_threat": self.first_threat.to_dict() if self.first_threat else None,
            "demands": [d.to_dict() for d in self.demands],
            "payments": [p.to_dict() for p in self.payments],
            "key_messages": list(self.key_messages),
            "offenders": list(self.offenders),
        }


def summarise(
    messages_with_signals: Iterable[tuple[MessageRef, Message, Sequence[Signal]]],
    *,
    lang: str = "en",
    victim: Collection[str] = (),
) -> CaseSummary:
    """Summarise a case from its messages and their signals (see the module docstring).

    ``victim`` names the victim's own sender names or ids when known. Without it, a payment
    mention counts as the victim's when its sender is not someone who sent a threat or demand.
    """
    victim_names = {v.casefold() for v in victim}
    total = 0
    flagged = 0
    firsts: dict[str, tuple[MessageRef, datetime | None]] = {}
    lasts: dict[str, tuple[MessageRef, datetime | None]] = {}
    counts: dict[str, int] = {}
    first_threat: Mention | None = None
    demands: list[Mention] = []
    candidates: list[tuple[Message, Mention]] = []
    offenders: list[str] = []
    key: list[MessageRef] = []
    marked: set[MessageRef] = set()

    def mark(ref: MessageRef) -> None:
        if ref not in marked:
            marked.add(ref)
            key.append(ref)

    order: dict[MessageRef, int] = {}
    for ref, message, signals in messages_with_signals:
        order.setdefault(ref, total)
        total += 1
        if signals:
            flagged += 1
        for sig in signals:
            stage = sig.stage
            counts[stage] = counts.get(stage, 0) + 1
            if stage not in firsts:
                firsts[stage] = (ref, message.sent_at)
                mark(ref)
            lasts[stage] = (ref, message.sent_at)
            if stage in ("threat", "payment_demand"):
                who = _who(message)
                if who and who not in offenders and who.casefold() not in victim_names:
                    offenders.append(who)
            if stage == "threat" and first_threat is None:
                first_threat = _mention(ref, message, sig)
            if stage == "payment_demand":
                demands.append(_mention(ref, message, sig))
                mark(ref)
        if message.kind == "message" and message.text:
            for made in detect_payments_made(message.text, lang):
                candidates.append((message, _mention(ref, message, made)))

    offender_set = {o.casefold() for o in offenders}
    payments: list[Mention] = []
    for message, mention in candidates:
        who = (_who(message) or "").casefold()
        if victim_names:
            if who in victim_names or (message.sender_id or "").casefold() in victim_names:
                payments.append(mention)
        elif not who or who not in offender_set:
            payments.append(mention)
    for mention in payments:
        mark(mention.message_id)

    stages = tuple(
        StageSeen(
            stage=s,
            count=counts[s],
            first_message=firsts[s][0],
            last_message=lasts[s][0],
            first_at=firsts[s][1],
            last_at=lasts[s][1],
        )
        for s in STAGES
        if s in counts
    )
    return CaseSummary(
        messages=total,
        flagged=flagged,
        stages=stages,
        first_threat=first_threat,
        demands=tuple(demands),
        payments=tuple(payments),
        key_messages=tuple(sorted(key, key=lambda r: order.get(r, total))),
        offenders=tuple(offenders),
    )


def _who(message: Message) -> str | None:
    return message.sender or message.sender_id


def _mention(ref: MessageRef, message: Message, sig: Signal) -> Mention:
    return Mention(
        message_id=ref,
        sent_at=message.sent_at,
        sender=message.sender,
        reason=sig.reason,
        text=message.text,
        details=sig.details,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
