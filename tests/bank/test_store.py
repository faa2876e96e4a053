"""The store behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from unshared.bank.sql import SQLStore, open_store
from unshared.bank.store import BankSettings, CaseRecord, NewEntry, NewSignal
from unshared.errors import BankError

PDQ = "a" * 64


def _entry(pdq: str = PDQ) -> NewEntry:
    return NewEntry(
        "image", (NewSignal("pdq", pdq), NewSignal("md5", "b" * 32), NewSignal("pdq", "c" * 64, 1))
    )


def test_migrations_are_recorded_and_idempotent(store: SQLStore, db_url: str) -> None:
    assert store.schema_version() == 1
    again = open_store(db_url)  # runs migrate() again: nothing applied twice
    assert again.schema_version() == 1
    again.close()


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
    assert feed[0].signals  # deletions name the hashes to drop
    active = list(store.active_signals("pdq"))
    assert {s.entry_id for s in active} == {ids[1]}
    assert store.last_seq() == feed[0].seq


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


def test_bad_urls_are_clear(tmp_path) -> None:
    with pytest.raises(BankError, match="must start with"):
        open_store("mysql://x")
    with pytest.raises(BankError, match="folder"):
        open_store(f"sqlite:///{tmp_path}/missing/bank.db")
