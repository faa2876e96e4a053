"""Small helpers shared by the case file's storage modules."""

from __future__ import annotations

from datetime import UTC, datetime

import apsw

__all__ = ["scalar", "utcnow"]


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def scalar(db: apsw.Connection, sql: str, params: tuple[object, ...] = ()) -> int:
    row = db.execute(sql, params).fetchone()
    return int(row[0] or 0) if row else 0
