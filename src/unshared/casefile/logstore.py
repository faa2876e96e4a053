"""Storage of the hash-chained log: appending typed events and reading them back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import apsw

from unshared.casefile.common import utcnow
from unshared.casefile.events import Payload, read
from unshared.casefile.log import GENESIS, Event, event_hash
from unshared.model import canonical_json

__all__ = ["LogStore"]

P = TypeVar("P", bound=Payload)

_COLUMNS = "seq, at, type, payload, prev_hash, hash"


class LogStore:
    """The ``events`` table. :meth:`append` runs inside the caller's transaction."""

    def __init__(self, db: apsw.Connection) -> None:
        self._db = db

    def append(self, payload: Payload) -> Event:
        row = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (int(row[0]) + 1, str(row[1])) if row else (1, GENESIS)
        at = utcnow()
        body = canonical_json(payload.to_dict())
        digest = event_hash(prev, seq, at, payload.TYPE, body)
        self._db.execute(
            f"INSERT INTO events ({_COLUMNS}) VALUES (?,?,?,?,?,?)",
            (seq, at, payload.TYPE, body, prev, digest),
        )
        return Event(seq, at, payload.TYPE, body, prev, digest)

    def events(self) -> Iterator[Event]:
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM events ORDER BY seq"):
            yield Event(*row)

    def head(self) -> Event | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if row is None else Event(*row)

    def of(self, cls: type[P], *, until: int | None = None) -> Iterator[tuple[Event, P]]:
        """Every event of ``cls``'s type (up to sequence number ``until``), oldest first."""
        limit = until if until is not None else 1 << 62
        for row in self._db.execute(
            f"SELECT {_COLUMNS} FROM events WHERE type=? AND seq<=? ORDER BY seq",
            (cls.TYPE, limit),
        ):
            event = Event(*row)
            payload = read(event)
            assert isinstance(payload, cls)
            yield event, payload

    def last(self, cls: type[P], *, until: int | None = None) -> tuple[Event, P] | None:
        limit = until if until is not None else 1 << 62
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM events WHERE type=? AND seq<=? ORDER BY seq DESC LIMIT 1",
            (cls.TYPE, limit),
        ).fetchone()
        if row is None:
            return None
        event = Event(*row)
        payload = read(event)
        assert isinstance(payload, cls)
        return event, payload
