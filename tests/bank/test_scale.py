"""What keeps a large bank fast (issue 20): O(1) counters, start-up from a snapshot, bulk writes.

Checked by the statements the store runs (SQLite's trace callback), never by the clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from unshared.bank.index import PDQIndex
from unshared.bank.service import BankService, issue_token
from unshared.bank.sql import SQLStore, open_store
from unshared.bank.store import CaseRecord, EntryStatus, NewEntry, NewSignal

CASE = "scale-case-token-00001"


@contextmanager
def traced(store: SQLStore) -> Iterator[list[str]]:
    if store.dialect != "sqlite":
        pytest.skip("statement tracing is SQLite's")
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        store._conn.set_trace_callback(None)


def _fill(store: SQLStore, n: int) -> list[int]:
    store.create_case(CaseRecord(CASE, "default", 1))
    entries = [
        NewEntry("image", (NewSignal("pdq", f"{i * 7919:064x}"), NewSignal("md5", f"{i:032x}")))
        for i in range(n)
    ]
    return store.add_entries(CASE, "default", entries)


def test_no_count_over_the_entries_on_submit_sync_or_status(store: SQLStore) -> None:
    service = BankService(store)
    token = service.authenticate(issue_token(store, "submitter"), "submitter")
    admin = service.authenticate(issue_token(store, "admin"), "admin")
    with traced(store) as statements:
        ids = service.submit(token, CASE, [{"pdq": "ab" * 32}, {"md5": "cd" * 16}], "default")
        service.sync()
        status = service.status()
        service.add_benign(admin, "md5", "ef" * 16)
        service.withdraw(token, CASE)
        after = service.status()
    scans = [s for s in statements if "count(" in s.lower() and "entries" in s.lower()]
    assert scans == []
    assert status["entries_active"] == 2 and status["benign"] == 0
    assert after["entries_active"] == 0 and after["entries_withdrawn"] == len(ids) == 2
    assert after["benign"] == 1


def test_start_up_reads_a_snapshot_instead_of_replaying_the_feed(store: SQLStore) -> None:
    ids = _fill(store, 12_000)
    store.set_status(ids[:10], "withdrawn", "test")
    with traced(store) as statements:
        service = BankService(store)
    feed_reads = [s for s in statements if "FROM changes c" in s]
    assert len(feed_reads) == 1  # one look past the snapshot; a replay needs 3 pages of 5,000
    assert service.cursor == store.last_seq()
    assert service.pdq.stats().rows == 12_000 - 10
    assert service.lookup("pdq", f"{11 * 7919:064x}", 0)["matches"][0]["entry_id"] == ids[11]
    assert service.lookup("pdq", f"{3 * 7919:064x}", 0)["matches"] == []  # withdrawn


def test_a_bulk_submission_writes_in_statements_linear_in_its_size(store: SQLStore) -> None:
    """Statements per submission do not grow with what the bank already holds."""
    service = BankService(store)
    token = service.authenticate(issue_token(store, "submitter"), "submitter")
    prints = [{"pdq": f"{i:064x}"} for i in range(1, 201)]
    counts = []
    for round_ in range(3):
        with traced(store) as statements:
            service.submit(token, f"{CASE}-{round_}", prints, "default")
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2]


def test_a_saved_snapshot_starts_a_server_without_reading_the_hashes(
    store: SQLStore, tmp_path: Path
) -> None:
    """The first start reads the database and saves the index; the next one reads the files,
    then follows the feed from where they were saved (a withdrawal since is honoured)."""
    ids = _fill(store, 3000)
    first = BankService(store, snapshot=tmp_path / "index")
    assert (tmp_path / "index" / "snapshot" / "pdq.npz").is_file()
    store.set_status(ids[:2], "withdrawn", "after the snapshot")
    with traced(store) as statements:
        second = BankService(store, snapshot=tmp_path / "index")
    assert not [s for s in statements if "FROM signals s JOIN entries" in s]  # no hash read
    assert second.cursor == store.last_seq()
    assert second.pdq.stats().rows == first.pdq.stats().rows - 2
    assert second.lookup("pdq", f"{1 * 7919:064x}", 0)["matches"] == []  # withdrawn since
    found = second.lookup("pdq", f"{7 * 7919:064x}", 0)["matches"]
    assert [m["entry_id"] for m in found] == [ids[7]]


def test_a_snapshot_of_another_bank_is_ignored(store: SQLStore, tmp_path: Path) -> None:
    _fill(store, 10)
    BankService(store, snapshot=tmp_path / "index")
    other = open_store(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    service = BankService(other, snapshot=tmp_path / "index")
    assert service.pdq.stats().rows == 0  # built from its own (empty) database instead
    other.close()


def test_counters_agree_with_counting_the_rows_after_any_mix_of_writes(store: SQLStore) -> None:
    """The O(1) counters are what ``COUNT(*)`` would say, after random adds, status moves
    (repeated, to the same status, out of withdrawn, on unknown ids) and negative-bank adds."""
    import random

    rng = random.Random(7)
    store.create_case(CaseRecord(CASE, "default", 1))
    ids: list[int] = []
    statuses: list[EntryStatus] = ["active", "withdrawn", "quarantined"]
    for step in range(40):
        action = rng.choice(["add", "move", "move", "benign"])
        if action == "add" or not ids:
            batch = [
                NewEntry("image", (NewSignal("md5", f"{step:016x}{k:016x}"),))
                for k in range(rng.randint(1, 4))
            ]
            ids += store.add_entries(CASE, "default", batch)
        elif action == "move":
            picked = [*rng.sample(ids, min(len(ids), rng.randint(1, 3))), 10**9]
            store.set_status([*picked, picked[0]], rng.choice(statuses), "test")
        else:
            store.add_benign("md5", f"{rng.randint(0, 5):032x}")  # repeats are no-ops
    rows = dict(store._all("SELECT status, count(*) FROM entries GROUP BY status"))
    (benign,) = store._all("SELECT count(*) FROM benign")[0]
    want = {f"entries_{s}": int(rows.get(s, 0)) for s in statuses} | {"benign": int(benign)}
    assert store.counts() == want
    assert sum(want[f"entries_{s}"] for s in statuses) == len(ids)


def test_a_snapshot_of_the_previous_index_layout_is_rebuilt_not_read(
    store: SQLStore, tmp_path: Path
) -> None:
    """A replica upgraded over a snapshot of the 8-table layout (format 1) builds from the
    database and saves the new layout; the index file alone refuses another layout."""
    ids = _fill(store, 50)
    BankService(store, snapshot=tmp_path / "index")
    meta = tmp_path / "index" / "snapshot" / "meta.json"
    old = json.loads(meta.read_text())
    meta.write_text(json.dumps(old | {"format": 1}))
    pdq = tmp_path / "index" / "snapshot" / "pdq.npz"
    with np.load(pdq) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["meta"][2] = 8  # the old layout's meta held n, bits, fbits (8)
    with open(pdq, "wb") as fh:
        np.savez(fh, **arrays)
    with pytest.raises(ValueError, match="8 tables"):
        PDQIndex.load(pdq)
    service = BankService(store, snapshot=tmp_path / "index")
    assert service.pdq.stats().rows == 50
    assert [m["entry_id"] for m in service.lookup("pdq", f"{7 * 7919:064x}", 0)["matches"]] == [
        ids[7]
    ]
    assert json.loads(meta.read_text())["format"] == 2  # the start saved the new layout
    assert PDQIndex.load(pdq).stats().rows == 50
