"""Analyse a whole case's messages and participants: identifiers and signals, with sides.

Pure: it takes the rows (participants, numbered messages, who the victim is) and returns what it
found; it never opens or writes a case. :mod:`unshared.usecases.analyse` reads the case, calls
:func:`analyse` and stores the result in one logged transaction (``analysis_run``).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Protocol

from unshared import __version__
from unshared.analysis.identifiers import extract_identifiers, participant_identifiers
from unshared.analysis.signal_reader import SignalReader
from unshared.model import Identifier, Message, Participant, Side, Signal

__all__ = [
    "ANALYSIS_CODE",
    "MODEL_FILES",
    "Analysis",
    "analyse",
    "analyser",
    "context_key",
    "count_own_flagged",
    "reading_alone",
    "identifier_table",
    "message_source",
    "VictimAnswer",
]

ANALYSIS_CODE = "2026-12-07"
"""Version of the analysis code. Change it with any change to the finders, rules or reader that
can change a stored row; the packaged models are in :func:`analyser` by their digest."""
MODEL_FILES = ("scorer.npz", "encoder.npz")
"""The packaged model files whose bytes decide what the signals are."""


def _model_bytes(name: str) -> bytes:
    ref = resources.files("unshared.analysis") / "data" / "signals" / name
    try:
        return ref.read_bytes()
    except FileNotFoundError:
        return b""


@cache
def analyser() -> str:
    """Version of what the analysis finds: :data:`ANALYSIS_CODE` and a digest of the packaged
    model files. A case analysed by another version is analysed again when next used, and
    ``verify`` does not compare it with today's analysis (it says so): retrained models read
    some messages differently, which is no sign of tampering."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        digest.update(name.encode() + hashlib.sha256(_model_bytes(name)).digest())
    return f"{ANALYSIS_CODE}+{digest.hexdigest()[:16]}"


CONTEXT = 3
"""How many of the sender's previous messages in the conversation a message is read after (the
default of ``unshared signals``)."""

_BATCH = 1024
_OWN_HINT = frozenset({"threat", "payment_demand"})

#: Attachment kinds whose ``uri`` is a link someone shared.
_LINK_ATTACHMENTS = frozenset({"link", "share"})


class VictimAnswer(Protocol):
    """Who is the person reporting: the case's one answer (:class:`unshared.casefile.Victims`)."""

    def side(self, sender: str | None, sender_id: str | None = None) -> Side: ...

    def participant(self, person: Participant) -> Participant: ...


def message_source(message: Message) -> str:
    """``ocr`` for text read from a screenshot, else ``message``."""
    if message.platform in ("ocr", "screenshot") or "ocr" in message.flags:
        return "ocr"
    return "message"


@dataclass(frozen=True)
class Analysis:
    """What one run found: identifiers (with the message id, or None for a participant), signals
    (with the message id) and the summary that is logged with them."""

    identifiers: list[tuple[int | None, Identifier]]
    signals: list[tuple[int, Signal]]
    summary: dict[str, Any]


def reading_alone(reader: SignalReader) -> SignalReader:
    """A reader with ``reader``'s model, language and threshold that reads each message alone:
    the one :func:`count_own_flagged` asks. Make it once per reading, so it remembers the lines
    it has read as ``reader`` does."""
    return SignalReader(
        lang=reader.lang,
        threshold=reader.threshold,
        use_scorer=reader.use_scorer,
        model=reader.model,
        use_encoder=reader.use_encoder,
        encoder=reader.encoder,
    )


def count_own_flagged(alone: SignalReader, texts: list[str], mine: list[bool]) -> int:
    """How many of the person's own messages (``mine``) would show a threat or a demand read
    ``alone`` (:func:`reading_alone`): they get no stage, and a count with no threat from anyone
    else suggests the wrong name is marked as theirs."""
    own = [t for t, m in zip(texts, mine, strict=True) if m and t and t.strip()]
    if not own:
        return 0
    return sum(bool(_OWN_HINT.intersection(s.stage for s in sigs)) for sigs in alone.read(own))


def analyse(
    participants: list[Participant],
    messages: Iterable[tuple[int, Message]],
    victims: VictimAnswer,
    region: str = "GB",
    *,
    progress: Callable[[int], None] | None = None,
) -> Analysis:
    """Analyse every message and participant.

    ``messages`` are (stored id, message) pairs; ``victims`` decides each sender's side. ``progress`` is called with the number of messages
    done since the last call.
    """
    started = time.perf_counter()
    identifiers: list[tuple[int | None, Identifier]] = []
    signals: list[tuple[int, Signal]] = []
    known_ids: set[tuple[str, str]] = set()
    for person in participants:
        person = victims.participant(person)
        if person.platform_id:
            known_ids.add((person.platform, person.platform_id))
        for ident in participant_identifiers(person, region):
            identifiers.append((None, ident))
    # Signals: the rules and the scorer together, as ``scan`` and ``signals`` read them, each
    # message after the same sender's previous ones in its conversation (the victim's alone).
    # The person's own messages get no stage; they are read alone once more only to count those
    # that would read as a threat or a demand (a hint that the wrong name was marked as theirs).
    reader = SignalReader(context=CONTEXT)
    alone = reading_alone(reader)
    pending: list[tuple[int, Message, Side]] = []
    own_flagged = 0

    def flush() -> None:
        nonlocal own_flagged
        texts = [m.text if m.kind == "message" and m.text else "" for _, m, _ in pending]
        mine = [side == "victim" for _, _, side in pending]
        found = reader.read(texts, [context_key(m) for _, m, _ in pending], mine)
        signals.extend(
            (mid, sig) for (mid, _, _), sigs in zip(pending, found, strict=True) for sig in sigs
        )
        own_flagged += count_own_flagged(alone, texts, mine)
        pending.clear()

    count = 0
    for message_id, message in messages:
        side: Side = victims.side(message.sender, message.sender_id)
        sender_key = (message.platform, message.sender_id or "")
        if message.sender_id and sender_key not in known_ids:
            # A sender id the export gives only on messages (no participant list).
            known_ids.add(sender_key)
            sender = Participant(
                message.platform,
                message.conversation,
                message.sender,
                platform_id=message.sender_id,
                side=side,
            )
            for ident in participant_identifiers(sender, region):
                identifiers.append((None, ident))
        source = message_source(message)
        texts = [message.text]
        texts += [a.uri for a in message.attachments if a.kind in _LINK_ATTACHMENTS and a.uri]
        for number, text in enumerate(texts):
            for ident in extract_identifiers(text, region):
                # Offsets refer to the message text; a shared link's are dropped.
                ident = replace(ident, source=source, side=side)
                if number:
                    ident = replace(ident, start=-1, end=-1)
                identifiers.append((message_id, ident))
        pending.append((message_id, message, side))
        if len(pending) == _BATCH:
            flush()
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(1000)
    flush()
    if progress is not None and count % 1000:
        progress(count % 1000)
    kinds = Counter(ident.kind for _, ident in identifiers)
    stages = Counter(signal.stage for _, signal in signals)
    summary: dict[str, Any] = {
        "messages": count,
        "participants": len(participants),
        "region": region.upper(),
        "identifiers": len(identifiers),
        "identifier_kinds": dict(sorted(kinds.items())),
        "signals": len(signals),
        "signal_stages": dict(sorted(stages.items())),
        "tool_version": __version__,
        "analyser": analyser(),
        "own_flagged": own_flagged,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Analysis(identifiers, signals, summary)


def context_key(message: Message) -> str:
    """Whose earlier messages a message is read after: its sender, in its conversation."""
    return f"{message.platform}\x1f{message.conversation}\x1f{message.sender_id or message.sender}"


def identifier_table(rows: Iterable[tuple[int | None, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per (kind, value): validity, where found, sides, uses, message ids, raw forms."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for message_id, body in rows:
        key = (body["kind"], body["value"])
        group = groups.setdefault(
            key,
            {
                "kind": body["kind"],
                "value": body["value"],
                "valid": Counter(),
                "sources": Counter(),
                "sides": set(),
                "uses": 0,
                "messages": [],
                "raw": [],
            },
        )
        group["valid"][body.get("valid", "shape")] += 1
        group["sources"][body.get("source", "message")] += 1
        group["sides"].add(body.get("side", "unknown"))
        group["uses"] += 1
        if message_id is not None and message_id not in group["messages"]:
            group["messages"].append(message_id)
        if body.get("raw") and body["raw"] not in group["raw"] and len(group["raw"]) < 5:
            group["raw"].append(body["raw"])
    out = []
    for group in groups.values():
        group["valid"] = group["valid"].most_common(1)[0][0]
        group["sources"] = dict(sorted(group["sources"].items()))
        group["sides"] = sorted(group["sides"])
        out.append(group)
    order = {"other": 0, "unknown": 1, "victim": 2}
    out.sort(key=lambda g: (min(order[s] for s in g["sides"]), g["kind"], g["value"]))
    return out
