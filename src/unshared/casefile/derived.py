"""Storage of what analysis and fingerprinting derive: identifiers, signals, fingerprints.

Each write logs its event in the same transaction with the SHA-256 of the rows it stored
(:func:`analysis_digest`, :func:`fingerprint_digest`), so verify can tell a changed row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apsw

from unshared.casefile.events import AnalysisRun, FingerprintsAdded
from unshared.casefile.log import Event
from unshared.casefile.logstore import LogStore
from unshared.model import Fingerprint, Identifier, Signal, canonical_json

__all__ = [
    "DerivedStore",
    "analysis_digest",
    "analysis_rows",
    "fingerprint_digest",
    "identifier_body",
]


def identifier_body(ident: Identifier) -> dict[str, Any]:
    data = ident.to_dict()
    data.update(
        {"source": ident.source, "side": ident.side, "start": ident.start, "end": ident.end}
    )
    return data


def analysis_rows(
    identifiers: Iterable[tuple[int | None, Identifier]],
    signals: Iterable[tuple[int, Signal]],
) -> tuple[list[tuple[int | None, str]], list[tuple[int, str]]]:
    """The rows exactly as stored: (message id, canonical JSON)."""
    return (
        [(mid, canonical_json(identifier_body(i))) for mid, i in identifiers],
        [(mid, canonical_json(s.to_dict())) for mid, s in signals],
    )


def analysis_digest(
    identifiers: Iterable[tuple[int | None, str]], signals: Iterable[tuple[int, str]]
) -> str:
    """SHA-256 over ``i <message id> <body>`` then ``s <message id> <body>`` lines, in order."""
    digest = hashlib.sha256()
    for mid, body in identifiers:
        digest.update(f"i\t{'' if mid is None else mid}\t{body}\n".encode())
    for sid, body in signals:
        digest.update(f"s\t{sid}\t{body}\n".encode())
    return digest.hexdigest()


def fingerprint_digest(bodies: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for body in bodies:
        digest.update(body.encode() + b"\n")
    return digest.hexdigest()


class DerivedStore:
    """The ``identifiers``, ``signals`` and ``fingerprints`` tables."""

    def __init__(self, db: apsw.Connection, log: LogStore) -> None:
        self._db = db
        self._log = log

    def replace_analysis(
        self,
        identifiers: Sequence[tuple[int | None, Identifier]],
        signals: Sequence[tuple[int, Signal]],
        summary: AnalysisRun | dict[str, Any],
    ) -> Event:
        ident_rows, signal_rows = analysis_rows(identifiers, signals)
        fields = summary.to_dict() if isinstance(summary, AnalysisRun) else dict(summary)
        fields["rows_sha256"] = analysis_digest(ident_rows, signal_rows)
        payload = AnalysisRun.from_dict(fields, strict=True)
        with self._db:
            self._db.execute("DELETE FROM identifiers")
            self._db.execute("DELETE FROM signals")
            self._db.executemany(
                "INSERT INTO identifiers (message_id, body) VALUES (?,?)", ident_rows
            )
            self._db.executemany("INSERT INTO signals (message_id, body) VALUES (?,?)", signal_rows)
            event = self._log.append(payload)
        return event

    def identifier_rows(self) -> Iterator[tuple[int | None, str]]:
        for mid, body in self._db.execute("SELECT message_id, body FROM identifiers ORDER BY id"):
            yield (None if mid is None else int(mid)), str(body)

    def signal_rows(self) -> Iterator[tuple[int, str]]:
        for mid, body in self._db.execute("SELECT message_id, body FROM signals ORDER BY id"):
            yield int(mid), str(body)

    def identifiers(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        for mid, body in self.identifier_rows():
            yield mid, json.loads(body)

    def signals(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for mid, body in self.signal_rows():
            yield mid, json.loads(body)

    def add_fingerprints(
        self, prints: Sequence[Fingerprint], *, method: str = "fast", failed: int = 0
    ) -> Event:
        bodies = [canonical_json(fp.to_dict()) for fp in prints]
        payload = FingerprintsAdded(
            count=len(prints),
            sha256=tuple(fp.sha256 for fp in prints),
            method=method,
            failed=failed,
            media_stored=False,
            rows_sha256=fingerprint_digest(bodies),
        )
        with self._db:
            event = self._log.append(payload)
            self._db.executemany(
                "INSERT INTO fingerprints (sha256, kind, pdq, quality, body, event_seq) "
                "VALUES (?,?,?,?,?,?)",
                [
                    (fp.sha256, fp.kind, fp.pdq, fp.quality, body, event.seq)
                    for fp, body in zip(prints, bodies, strict=True)
                ],
            )
        return event

    def fingerprint_rows(self) -> Iterator[tuple[int, str]]:
        for seq, body in self._db.execute("SELECT event_seq, body FROM fingerprints ORDER BY id"):
            yield int(seq), str(body)

    def fingerprints(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.fingerprint_rows()]
