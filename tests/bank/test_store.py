"""The store behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from unshared.bank.sql import SQLStore, open_store
from unshared.bank.sql_base import IN_BATCH, MIGRATIONS
from unshared.bank.store import BankSettings, CaseRecord, NewEntry, NewSignal
from unshared.errors import BankError

PDQ = "a" * 64


def _entry(pdq: str = PDQ) -> NewEntry:
    return NewEntry(
        "image", (NewSignal("pdq", pdq), NewSignal("md5", "b" * 32), NewSignal("pdq", "c" * 64, 1))
    )


def test_migrations_are_recorded_and_idempotent(store: SQLStore, db_url: str) -> None:
    latest = MIGRATIONS[-1][0]
    assert store.schema_version() == latest == 3
    again = open_store(db_url)  # runs migrate() again: nothing applied twice
    assert again.schema_version() == latest
    again.close()


def test_a_first_version_bank_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for statement in MIGRATIONS[0][1]:
        conn.execute(statement.replace("{pk}", "INTEGER PRIMARY KEY AUTOINCREMENT"))
    conn.execute("INSERT INTO schema_migrations VALUES (1, '2026-01-01')")
    conn.execute(
        "INSERT INTO tokens (name, scope, token_hash, rate_per_minute, created_at) "
        "VALUES ('old', 'platform', 'h', 60, '2026-01-01')"
    )
    conn.commit()
    conn.close()
    store = open_store(f"sqlite:///{path}")
    assert store.schema_version() == 3
    assert store.heartbeat("server-a", 100.0, 10.0) == 1
    assert [t["name"] for t in store.list_tokens()] == ["old"]  # nothing lost
    store.close()


def test_heartbeats_count_live_servers(store: SQLStore) -> None:
    assert store.heartbeat("a", 100.0, 10.0) == 1
    assert store.heartbeat("b", 101.0, 10.0) == 2
    assert store.heartbeat("a", 102.0, 10.0) == 2  # a beat again: still two servers
    assert store.heartbeat("a", 112.0, 10.0) == 1  # b went quiet more than 10 s ago
    store.leave("a")
    assert store.heartbeat("c", 113.0, 10.0) == 1


def test_look_ups_by_many_ids_cross_the_parameter_batches(store: SQLStore) -> None:
    """More ids than one IN list holds (IN_BATCH) come back whole, on SQLite and PostgreSQL."""
    store.create_case(CaseRecord("case-token-many-000000", "default", 1))
    count = 2 * IN_BATCH + 7
    entries = [
        NewEntry("image", (NewSignal("pdq", f"{i:064x}"), NewSignal("md5", f"{i:032x}")))
        for i in range(count)
    ]
    ids = store.add_entries("case-token-many-000000", "default", entries)
    assert sorted(store.entries(ids)) == sorted(ids)
    md5s = [f"{i:032x}" for i in range(count)]
    assert sorted(s.value for s in store.find_exact("md5", md5s)) == sorted(md5s)
    changes = store.changes(0, count + 10)
    assert len([s.id for c in changes for s in c.signals]) == 2 * count


def test_entries_changes_and_status(store: SQLStore) -> None:
    store.create_case(CaseRecord("case-token-123456789", "default", 1))
    ids = store.add_entries("case-token-123456789", "default", [_entry(), _entry("d" * 64)])
    assert len(ids) == 2
    changes = store.changes(0, 10)
    assert [c.op for c in changes] == ["add", "add"]
    assert {s.value for s in changes[0].signals} == {PDQ, "b" * 32, "c" * 64}
    assert [s.value for s in store.find_exact("md5", ["b" * 32])] == ["b" * 32] * 2
    assert store.set_status([ids[0]], "withdrawn", "test") == [ids[0]]
    assert store.set_status([ids[0]], "active", "cannot undo a withdrawal") == []
    feed = store.changes(changes[-1].seq, 10)
    assert [(c.op, c.entry_id) for c in feed] == [("delete", ids[0])]
    assert feed[0].signals == ()  # a deletion names the entry, never its hashes
    # The withdrawn entry's addition is compacted out of the feed.
    assert [(c.op, c.entry_id) for c in store.changes(0, 10)] == [
        ("add", ids[1]),
        ("delete", ids[0]),
    ]
    taken: list[tuple[str, list[tuple[int, int, str]]]] = []
    seq = store.snapshot(("pdq",), lambda t, rows: taken.append((t, list(rows))))
    assert {r[0] for _, rows in taken for r in rows} == {ids[1]}
    assert sorted(r[1] for _, rows in taken for r in rows) == [0, 1]
    assert store.last_seq() == feed[0].seq == seq
    assert store.counts() == {
        "entries_active": 1,
        "entries_withdrawn": 1,
        "entries_quarantined": 0,
        "benign": 0,
    }


def test_feedback_counts_distinct_platforms(store: SQLStore) -> None:
    store.create_case(CaseRecord("case-token-123456789", "default", 1))
    (entry,) = store.add_entries("case-token-123456789", "default", [_entry()])
    assert store.add_feedback(entry, 7, "false_positive", "") == 1
    assert store.add_feedback(entry, 7, "false_positive", "") == 1
    assert store.add_feedback(entry, 8, "false_positive", "") == 2
    assert store.entries([entry])[entry].fp_reports == 2


def test_settings_benign_alerts_audit(store: SQLStore) -> None:
    assert store.bank_settings("x") == BankSettings("x")
    store.set_bank_settings(BankSettings("x", 20, 2))
    assert store.bank_settings("x") == BankSettings("x", 20, 2)
    assert store.add_benign("pdq", PDQ) is True
    assert store.add_benign("pdq", PDQ) is False
    assert [v for _, v in store.benign("pdq")] == [PDQ]
    alert = store.add_alert("case-token-123456789", 1, "blocked", "p")
    assert store.pending_alerts(5)[0].id == alert
    store.mark_delivery(alert, True)
    assert store.pending_alerts(5) == []
    store.audit(None, "test", "x")
    assert store.audit_log()[0]["action"] == "test"


def test_rolled_back_transaction_leaves_nothing(store: SQLStore) -> None:
    store.create_case(CaseRecord("case-token-123456789", "default", 1))
    with pytest.raises(RuntimeError), store.transaction():
        store.add_entries("case-token-123456789", "default", [_entry()])
        raise RuntimeError("boom")
    assert store.changes(0, 10) == []


def test_bad_urls_are_clear(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="must start with"):
        open_store("mysql://x")
    with pytest.raises(BankError, match="folder"):
        open_store(f"sqlite:///{tmp_path}/missing/bank.db")
