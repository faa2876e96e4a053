"""The bank store on SQLite (stdlib ``sqlite3``) or PostgreSQL (psycopg 3): tokens, cases,
entries and their signals, the changes feed, feedback, alerts, the negative bank and the audit.

The connection, transactions and migrations are :mod:`unshared.bank.sql_base`; one SQL text serves
both engines (``?`` placeholders, turned into ``%s`` for PostgreSQL), and on PostgreSQL every
write takes an advisory lock, so a platform reading the feed can never skip a change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from unshared.bank.sql_base import MIGRATIONS, SQLBase, utcnow
from unshared.bank.store import (
    Alert,
    BankSettings,
    CaseRecord,
    Change,
    Entry,
    EntryStatus,
    FeedbackKind,
    NewEntry,
    Scope,
    SignalRow,
    SignalType,
    Token,
)
from unshared.errors import BankError

__all__ = ["MIGRATIONS", "SQLStore", "open_store"]


def open_store(url: str) -> SQLStore:
    """A migrated store for ``sqlite:///PATH`` (default) or ``postgresql://...``."""
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://").removeprefix("/")
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise BankError("the folder for the bank database does not exist", path=str(parent))
        try:
            conn: Any = sqlite3.connect(
                path, check_same_thread=False, isolation_level=None, timeout=30
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise BankError(f"cannot open the bank database ({exc})", path=path) from None
        store = SQLStore(conn, "sqlite")
    elif url.startswith(("postgresql://", "postgres://")):
        import psycopg

        try:
            conn = psycopg.connect(url, autocommit=False)
        except psycopg.Error as exc:
            raise BankError(f"cannot connect to PostgreSQL ({exc})".strip()) from None
        store = SQLStore(conn, "postgresql")
    else:
        raise BankError("the database URL must start with sqlite:/// or postgresql://", where=url)
    store.migrate()
    return store


class SQLStore(SQLBase):
    """:class:`unshared.bank.store.BankStore` on one DB-API connection."""

    # ----------------------------------------------------------------- tokens, settings
    def create_token(self, name: str, scope: Scope, token_hash: str, rate: int) -> int:
        with self.transaction():
            return self._insert(
                "INSERT INTO tokens (name, scope, token_hash, rate_per_minute, created_at) "
                "VALUES (?,?,?,?,?)",
                (name, scope, token_hash, rate, utcnow()),
            )

    def token_by_hash(self, token_hash: str) -> Token | None:
        row = self._one(
            "SELECT id, name, scope, rate_per_minute, revoked FROM tokens WHERE token_hash=?",
            (token_hash,),
        )
        if row is None:
            return None
        return Token(int(row[0]), row[1], row[2], int(row[3]), bool(row[4]))

    def list_tokens(self) -> list[dict[str, object]]:
        """Every token without its hash: id, name, scope, rate, when made, whether revoked."""
        rows = self._all(
            "SELECT id, name, scope, rate_per_minute, created_at, revoked FROM tokens ORDER BY id"
        )
        keys = ("id", "name", "scope", "rate_per_minute", "created_at", "revoked")
        return [
            {**dict(zip(keys, r, strict=True)), "id": int(r[0]), "revoked": bool(r[5])}
            for r in rows
        ]

    def revoke_token(self, token_id: int) -> bool:
        """Revoke a token for good; False if there is no such token or it was revoked already."""
        with self.transaction():
            row = self._one("SELECT revoked FROM tokens WHERE id=?", (token_id,))
            if row is None or bool(row[0]):
                return False
            self._exec("UPDATE tokens SET revoked=1 WHERE id=?", (token_id,))
            return True

    def heartbeat(self, server_id: str, now: float, stale_after: float) -> int:
        """Record that ``server_id`` is alive; returns how many servers were seen lately."""
        with self.transaction():
            self._exec(
                "DELETE FROM servers WHERE id=? OR seen_at < ?", (server_id, now - stale_after)
            )
            self._exec("INSERT INTO servers (id, seen_at) VALUES (?,?)", (server_id, now))
            row = self._one("SELECT count(*) FROM servers")
        return int(row[0]) if row else 1

    def leave(self, server_id: str) -> None:
        with self.transaction():
            self._exec("DELETE FROM servers WHERE id=?", (server_id,))

    def bank_settings(self, bank: str) -> BankSettings:
        row = self._one("SELECT pdq_threshold, quarantine_after FROM banks WHERE name=?", (bank,))
        return BankSettings(bank) if row is None else BankSettings(bank, int(row[0]), int(row[1]))

    def set_bank_settings(self, settings: BankSettings) -> None:
        with self.transaction():
            self._exec("DELETE FROM banks WHERE name=?", (settings.bank,))
            self._exec(
                "INSERT INTO banks VALUES (?,?,?)",
                (settings.bank, settings.pdq_threshold, settings.quarantine_after),
            )

    # ----------------------------------------------------------------- cases, entries
    def case(self, case_token: str) -> CaseRecord | None:
        row = self._one(
            "SELECT case_token, bank, owner_token_id, webhook_url, webhook_secret FROM cases "
            "WHERE case_token=?",
            (case_token,),
        )
        return None if row is None else CaseRecord(row[0], row[1], int(row[2]), row[3], row[4])

    def create_case(self, case: CaseRecord) -> None:
        with self.transaction():
            self._exec(
                "INSERT INTO cases VALUES (?,?,?,?,?,?)",
                (
                    case.case_token,
                    case.bank,
                    case.owner_token_id,
                    case.webhook_url,
                    case.webhook_secret,
                    utcnow(),
                ),
            )

    def set_webhook(self, case_token: str, url: str | None, secret: str | None) -> None:
        with self.transaction():
            self._exec(
                "UPDATE cases SET webhook_url=?, webhook_secret=? WHERE case_token=?",
                (url, secret, case_token),
            )

    def add_entries(self, case_token: str, bank: str, entries: list[NewEntry]) -> list[int]:
        """Entries, their signals and their ``add`` events, in a fixed number of statements
        (a few batched ones, whatever the size): a bulk submission costs time linear in its size
        and nothing per entry already in the bank."""
        now = utcnow()
        with self.transaction():
            ids = self._new_entry_ids(len(entries))
            cursor = self._conn.cursor()
            cursor.executemany(
                self._sql(
                    "INSERT INTO entries (id, case_token, bank, kind, status, created_at) "
                    "VALUES (?,?,?,?,'active',?)"
                ),
                [(i, case_token, bank, e.kind, now) for i, e in zip(ids, entries, strict=True)],
            )
            cursor.executemany(
                self._sql(
                    "INSERT INTO signals (entry_id, signal_type, value, variant) VALUES (?,?,?,?)"
                ),
                [
                    (i, s.signal_type, s.value, s.variant)
                    for i, e in zip(ids, entries, strict=True)
                    for s in e.signals
                ],
            )
            cursor.executemany(
                self._sql(
                    "INSERT INTO changes (entry_id, op, reason, at) VALUES (?, 'add', 'submitted', ?)"
                ),
                [(i, now) for i in ids],
            )
            self._count("entries_active", len(ids))
        return ids

    def _new_entry_ids(self, count: int) -> list[int]:
        """``count`` fresh entry ids, inside the caller's write transaction."""
        if not count:
            return []
        if self.dialect == "postgresql":
            rows = self._exec(
                "SELECT nextval(pg_get_serial_sequence('entries', 'id')) "
                "FROM generate_series(1, ?)",
                (count,),
            ).fetchall()
            return [int(r[0]) for r in rows]
        # SQLite: the write transaction holds the database; entries are never deleted.
        row = self._exec("SELECT coalesce(max(id), 0) FROM entries").fetchone()
        first = int(row[0]) + 1
        return list(range(first, first + count))

    def _count(self, name: str, delta: int) -> None:
        """Move a counter, inside the caller's write transaction."""
        if delta:
            self._exec("UPDATE counters SET value = value + ? WHERE name=?", (delta, name))

    _ENTRY = "SELECT id, case_token, bank, kind, status, fp_reports, created_at FROM entries "

    def entries(self, ids: list[int]) -> dict[int, Entry]:
        rows = self._in_batches(self._ENTRY + "WHERE id IN ({marks})", ids)
        return {int(row[0]): _entry(row) for row in rows}

    def case_entries(self, case_token: str) -> list[Entry]:
        rows = self._all(self._ENTRY + "WHERE case_token=? ORDER BY id", (case_token,))
        return [_entry(r) for r in rows]

    def set_status(self, entry_ids: list[int], status: EntryStatus, reason: str) -> list[int]:
        """Move entries to ``status``; returns the ids that actually changed.

        An entry taken out of matching loses its ``add`` events, so the changes feed never hands
        its hashes out again (its ``delete`` event names the entry only); a withdrawn entry's
        hashes are erased for good. A released entry gets a new ``add`` event."""
        changed = []
        now = utcnow()
        with self.transaction():
            for entry_id in entry_ids:
                row = self._exec("SELECT status FROM entries WHERE id=?", (entry_id,)).fetchone()
                if row is None or row[0] == status or row[0] == "withdrawn":
                    continue
                self._exec("UPDATE entries SET status=? WHERE id=?", (status, entry_id))
                op = "add" if status == "active" else "delete"
                if op == "delete":
                    self._exec("DELETE FROM changes WHERE entry_id=? AND op='add'", (entry_id,))
                if status == "withdrawn":
                    self._exec("DELETE FROM signals WHERE entry_id=?", (entry_id,))
                self._exec(
                    "INSERT INTO changes (entry_id, op, reason, at) VALUES (?,?,?,?)",
                    (entry_id, op, reason, now),
                )
                self._count(f"entries_{row[0]}", -1)
                self._count(f"entries_{status}", 1)
                changed.append(entry_id)
        return changed

    def snapshot(
        self,
        signal_types: Sequence[SignalType],
        take: Callable[[SignalType, list[tuple[int, int, str]]], None],
        chunk: int = 100_000,
    ) -> int:
        """Hand every active ``(entry_id, variant, value)`` of each type to ``take``, a chunk at a
        time, all from one consistent read; returns the feed position that read belongs to."""
        with self.transaction(write=False):
            if self.dialect == "postgresql":
                self._exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            row = self._exec("SELECT max(seq) FROM changes").fetchone()
            seq = int(row[0]) if row and row[0] is not None else 0
            for signal_type in signal_types:
                sql = self._sql(
                    "SELECT s.entry_id, s.variant, s.value FROM signals s "
                    "JOIN entries e ON e.id = s.entry_id "
                    "WHERE e.status='active' AND s.signal_type=?"
                )
                # A server-side cursor on PostgreSQL: the rows stream, never all in memory.
                cursor = (
                    self._conn.cursor(name="bank_snapshot")
                    if self.dialect == "postgresql"
                    else self._conn.cursor()
                )
                try:
                    cursor.execute(sql, (signal_type,))
                    while rows := cursor.fetchmany(chunk):
                        take(signal_type, rows)
                finally:
                    cursor.close()
        return seq

    def entry_frame_counts(self, entry_ids: list[int]) -> dict[int, int]:
        rows = self._in_batches(
            "SELECT entry_id, count(DISTINCT variant) FROM signals WHERE signal_type='vpdq' "
            "AND entry_id IN ({marks}) GROUP BY entry_id",
            entry_ids,
        )
        return {int(r[0]): int(r[1]) for r in rows}

    def find_exact(self, signal_type: SignalType, values: list[str]) -> list[SignalRow]:
        rows = self._in_batches(
            "SELECT s.id, s.entry_id, s.signal_type, s.value, s.variant FROM signals s "
            "JOIN entries e ON e.id = s.entry_id WHERE e.status='active' "
            "AND s.signal_type=? AND s.value IN ({marks})",
            values,
            [signal_type],
        )
        return [_signal_row(r) for r in rows]

    # ----------------------------------------------------------------- feed
    def changes(self, after: int, limit: int) -> list[Change]:
        """Changes after ``after``; ``add`` events carry their hashes, ``delete`` events none."""
        with self.transaction(write=False):
            rows = self._exec(
                "SELECT c.seq, c.entry_id, c.op, c.reason, c.at, e.bank FROM changes c "
                "JOIN entries e ON e.id = c.entry_id WHERE c.seq > ? ORDER BY c.seq LIMIT ?",
                (after, limit),
            ).fetchall()
            adds = sorted({int(r[1]) for r in rows if r[2] == "add"})
            signals: dict[int, list[SignalRow]] = {}
            for raw in self._in_batches(
                _SIGNAL + "WHERE entry_id IN ({marks}) ORDER BY id", adds, in_transaction=True
            ):
                row = _signal_row(raw)
                signals.setdefault(row.entry_id, []).append(row)
        return [
            Change(
                int(r[0]),
                int(r[1]),
                cast(Any, r[2]),
                r[3],
                r[4],
                r[5],
                tuple(signals.get(int(r[1]), ())) if r[2] == "add" else (),
            )
            for r in rows
        ]

    def last_seq(self) -> int:
        row = self._one("SELECT max(seq) FROM changes")
        return int(row[0]) if row and row[0] is not None else 0

    # ----------------------------------------------------------------- feedback, alerts
    def add_feedback(self, entry_id: int, token_id: int, kind: FeedbackKind, note: str) -> int:
        """Record feedback; returns how many distinct platforms reported a false positive."""
        with self.transaction():
            self._exec(
                "INSERT INTO feedback (entry_id, token_id, kind, note, at) VALUES (?,?,?,?,?)",
                (entry_id, token_id, kind, note, utcnow()),
            )
            row = self._exec(
                "SELECT count(DISTINCT token_id) FROM feedback "
                "WHERE entry_id=? AND kind='false_positive'",
                (entry_id,),
            ).fetchone()
            count = int(row[0])
            self._exec("UPDATE entries SET fp_reports=? WHERE id=?", (count, entry_id))
            return count

    def add_alert(self, case_token: str, entry_id: int, kind: str, platform: str) -> int:
        with self.transaction():
            return self._insert(
                "INSERT INTO alerts (case_token, entry_id, kind, platform, at) VALUES (?,?,?,?,?)",
                (case_token, entry_id, kind, platform, utcnow()),
            )

    def alerts(self, case_token: str, after: int = 0) -> list[Alert]:
        rows = self._all(
            "SELECT id, case_token, entry_id, kind, platform, at, delivered_at, attempts "
            "FROM alerts WHERE case_token=? AND id > ? ORDER BY id",
            (case_token, after),
        )
        return [Alert(int(r[0]), r[1], int(r[2]), r[3], r[4], r[5], r[6], int(r[7])) for r in rows]

    def pending_alerts(self, max_attempts: int) -> list[Alert]:
        rows = self._all(
            "SELECT id, case_token, entry_id, kind, platform, at, delivered_at, attempts "
            "FROM alerts WHERE delivered_at IS NULL AND attempts < ? ORDER BY id",
            (max_attempts,),
        )
        return [Alert(int(r[0]), r[1], int(r[2]), r[3], r[4], r[5], r[6], int(r[7])) for r in rows]

    def mark_delivery(self, alert_id: int, delivered: bool) -> None:
        with self.transaction():
            self._exec(
                "UPDATE alerts SET attempts = attempts + 1, delivered_at = ? WHERE id=?",
                (utcnow() if delivered else None, alert_id),
            )

    def add_benign(self, signal_type: SignalType, value: str) -> bool:
        with self.transaction():
            row = self._exec(
                "SELECT 1 FROM benign WHERE signal_type=? AND value=?", (signal_type, value)
            ).fetchone()
            if row:
                return False
            self._exec(
                "INSERT INTO benign (signal_type, value, at) VALUES (?,?,?)",
                (signal_type, value, utcnow()),
            )
            self._count("benign", 1)
            return True

    def benign(self, signal_type: SignalType) -> list[tuple[int, str]]:
        rows = self._all(
            "SELECT id, value FROM benign WHERE signal_type=? ORDER BY id", (signal_type,)
        )
        return [(int(r[0]), r[1]) for r in rows]

    def audit(self, token_id: int | None, action: str, target: str, detail: str = "") -> None:
        with self.transaction():
            self._exec(
                "INSERT INTO audit (at, token_id, action, target, detail) VALUES (?,?,?,?,?)",
                (utcnow(), token_id, action, target, detail),
            )

    def audit_log(self, limit: int = 100) -> list[dict[str, object]]:
        rows = self._all(
            "SELECT id, at, token_id, action, target, detail FROM audit ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        keys = ("id", "at", "token_id", "action", "target", "detail")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def counts(self) -> dict[str, int]:
        """Entries by status and negative-bank hashes: kept by every write, read in O(1)."""
        rows = self._all("SELECT name, value FROM counters WHERE name <> 'bank_id'")
        return {str(name): int(value) for name, value in rows}


#: Columns of a signal row, in the order _signal_row reads them.
_SIGNAL = "SELECT id, entry_id, signal_type, value, variant FROM signals "


def _signal_row(r: tuple[Any, ...]) -> SignalRow:
    return SignalRow(int(r[0]), int(r[1]), r[2], r[3], int(r[4]))


def _entry(row: tuple[Any, ...]) -> Entry:
    return Entry(int(row[0]), row[1], row[2], row[3], row[4], int(row[5]), row[6])
