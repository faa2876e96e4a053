"""Two ``unshared bank serve`` replicas on loopback over one real PostgreSQL (issue 20).

A write through one replica is read through the other after that replica's next sync round
(each follows the changes feed into its own in-memory index), and a withdrawal through the second
takes the hashes out of matching on the first. The bound is checked by feed position, not by
the clock: a replica answers from its index once its cursor has passed the write.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from unshared.bank.service import issue_token
from unshared.bank.sql import open_store

from .helpers import LiveBank, start_bank

SYNC = 0.5
CASE = "replica-case-token-0001"
PDQ = "e1" * 32
NEAR = "e0" + "e1" * 31  # one bit away
MD5 = "9d" * 16


@pytest.fixture
def replicas(pg_url: str) -> Iterator[tuple[LiveBank, LiveBank, dict[str, str]]]:
    store = open_store(pg_url)
    tokens = {scope: issue_token(store, scope) for scope in ("submitter", "platform")}
    store.close()
    first = start_bank(pg_url, sync_interval=SYNC)
    try:
        second = start_bank(pg_url, sync_interval=SYNC)
    except Exception:
        first.stop()
        raise
    yield first, second, tokens
    first.stop()
    second.stop()


def _call(bank: LiveBank, token: str, method: str, path: str, **kwargs: Any) -> Any:
    r = httpx.request(
        method, bank.url + path, headers={"authorization": f"Bearer {token}"}, timeout=10, **kwargs
    )
    assert r.status_code == 200, (path, r.status_code, r.text)
    return r.json()


def _caught_up(bank: LiveBank, token: str, seq: int) -> dict[str, Any]:
    """The replica's status once its index has followed the feed past ``seq``."""
    deadline = time.monotonic() + 40 * SYNC
    while True:
        status = _call(bank, token, "GET", "/v1/status")
        if status["cursor"] >= seq or time.monotonic() > deadline:
            return dict(status)
        time.sleep(SYNC / 5)


def _lookup(bank: LiveBank, token: str, signal_type: str, signal: str) -> list[Any]:
    found = _call(
        bank,
        token,
        "GET",
        "/v1/hashes/lookup",
        params={"signal_type": signal_type, "signal": signal},
    )
    return list(found["matches"])


def test_write_through_one_read_through_the_other_withdraw_through_the_second(
    replicas: tuple[LiveBank, LiveBank, dict[str, str]],
) -> None:
    first, second, tokens = replicas
    sub, plat = tokens["submitter"], tokens["platform"]
    assert _lookup(second, plat, "pdq", NEAR) == []
    body = {"case_token": CASE, "fingerprints": [{"pdq": PDQ, "md5": MD5}]}
    (entry,) = _call(first, sub, "POST", "/v1/submissions", json=body)["entry_ids"]
    written = _call(first, plat, "GET", "/v1/status")["last_change"]

    status = _caught_up(second, plat, written)
    assert status["cursor"] >= written, "the second replica never followed the feed"
    assert status["sync_interval"] == SYNC
    assert [m["entry_id"] for m in _lookup(second, plat, "pdq", NEAR)] == [entry]
    assert [m["entry_id"] for m in _lookup(second, plat, "md5", MD5)] == [entry]

    assert _call(second, sub, "POST", f"/v1/cases/{CASE}/withdraw")["count"] == 1
    assert _lookup(second, plat, "pdq", NEAR) == []  # at once where it was withdrawn
    withdrawn = _call(second, plat, "GET", "/v1/status")["last_change"]
    assert _caught_up(first, plat, withdrawn)["cursor"] >= withdrawn
    assert _lookup(first, plat, "pdq", NEAR) == []
    assert _lookup(first, plat, "md5", MD5) == []
    feed = _call(first, plat, "GET", "/v1/changes", params={"cursor": 0})
    assert [(c["op"], c["entry_id"], c["signals"]) for c in feed["changes"]] == [
        ("delete", entry, [])
    ]
    # Nothing of the entry is left in the first replica's index.
    assert _call(first, plat, "GET", "/v1/status")["pdq_rows"] == 0
