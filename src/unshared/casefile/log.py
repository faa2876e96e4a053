"""The hash-chained event log.

Each event's hash is SHA-256 over the previous event's hash and the event's own canonical fields::

    hash = sha256( prev_hash "\\n" seq "\\n" at "\\n" type "\\n" payload )

where ``payload`` is canonical JSON (sorted keys, no spaces, UTF-8). The first event's
``prev_hash`` is 64 zeros. Anyone can recompute the chain from an exported log
(``unshared log CASE --format jsonl``) with a few lines of any language.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Event", "event_hash", "GENESIS", "check_chain"]

GENESIS = "0" * 64


def event_hash(prev_hash: str, seq: int, at: str, type_: str, payload: str) -> str:
    material = "\n".join((prev_hash, str(seq), at, type_, payload))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Event:
    seq: int
    at: str
    type: str
    payload: str
    prev_hash: str
    hash: str

    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.payload)
        return loaded

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "type": self.type,
            "payload": self.data(),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def check_chain(events: list[Event] | Any) -> list[str]:
    """Problems found in a sequence of events (empty when the chain is intact)."""
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 1
    for ev in events:
        if ev.seq != expected_seq:
            problems.append(
                f"event {ev.seq}: expected sequence number {expected_seq} (gap or reorder)"
            )
        if ev.prev_hash != prev:
            problems.append(f"event {ev.seq}: does not link to the event before it")
        if event_hash(ev.prev_hash, ev.seq, ev.at, ev.type, ev.payload) != ev.hash:
            problems.append(f"event {ev.seq} ({ev.type}): content does not match its hash")
        prev = ev.hash
        expected_seq = ev.seq + 1
    return problems
