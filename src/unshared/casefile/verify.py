"""Verify a case file: every exhibit's bytes against its SHA-256, and the whole log chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import apsw

from unshared.casefile.log import check_chain
from unshared.casefile.store import Case

__all__ = ["VerifyResult", "verify_case"]


@dataclass
class VerifyResult:
    head_hash: str | None = None
    events: int = 0
    exhibits: int = 0
    bytes_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_case(case: Case, progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Recompute every exhibit hash and the event chain; collect every discrepancy."""
    result = VerifyResult()
    try:
        # Reads (and, in an encrypted case, authenticates) every page of the file.
        rows = list(case._db.execute("PRAGMA integrity_check"))
        if rows != [("ok",)]:
            result.problems.extend(f"database structure: {row[0]}" for row in rows[:20])
    except apsw.Error as exc:
        result.problems.append(f"the case file is damaged: {exc}")
        return result
    try:
        events = list(case.events())
    except apsw.Error as exc:
        result.problems.append(f"the log cannot be read: {exc}")
        return result
    result.events = len(events)
    result.problems.extend(check_chain(events))
    if events:
        result.head_hash = events[-1].hash
    logged: dict[str, int] = {}
    for ev in events:
        if ev.type == "exhibit_added":
            try:
                data = json.loads(ev.payload)
                logged.setdefault(data["sha256"], data["size"])
            except (ValueError, KeyError):
                result.problems.append(f"event {ev.seq}: exhibit_added payload is not readable")
    try:
        exhibits = case.exhibits()
    except apsw.Error as exc:
        result.problems.append(f"the exhibit table cannot be read: {exc}")
        return result
    for info in exhibits:
        result.exhibits += 1
        digest = hashlib.sha256()
        size = 0
        expected_seq = 0
        try:
            for seq, data in case.iter_chunks(info.id):
                if seq != expected_seq:
                    result.problems.append(
                        f"exhibit {info.sha256} ({info.name}): chunk {expected_seq} missing"
                    )
                    expected_seq = seq
                digest.update(data)
                size += len(data)
                expected_seq += 1
                if progress is not None:
                    progress(len(data))
        except apsw.Error as exc:
            result.problems.append(f"exhibit {info.sha256} ({info.name}): cannot be read: {exc}")
            continue
        result.bytes_checked += size
        if digest.hexdigest() != info.sha256 or size != info.size:
            result.problems.append(
                f"exhibit {info.sha256} ({info.name}): stored bytes do not match their SHA-256"
            )
        if info.sha256 not in logged:
            result.problems.append(f"exhibit {info.sha256} ({info.name}): not recorded in the log")
        elif logged[info.sha256] != info.size:
            result.problems.append(
                f"exhibit {info.sha256} ({info.name}): size differs from the log"
            )
    stored = {e.sha256 for e in exhibits}
    for sha in logged:
        if sha not in stored:
            result.problems.append(f"exhibit {sha}: in the log but missing from the case")
    return result
