"""Kill the bank (SIGKILL) while submitters hammer it: no acknowledged submission is lost."""

from __future__ import annotations

import secrets
import threading
import time

import httpx

from unshared.bank.service import issue_token
from unshared.bank.sql import open_store

from .helpers import start_bank


def test_kill_under_load_loses_no_acknowledged_submission(db_url: str) -> None:
    setup = open_store(db_url)
    submitter = issue_token(setup, "submitter", rate=1_000_000)
    platform = issue_token(setup, "platform", rate=1_000_000)
    setup.close()
    bank = start_bank(db_url)
    acked: list[tuple[int, str]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def submit_forever(worker: int) -> None:
        case = f"durability-case-{worker:04d}-{secrets.token_hex(4)}"
        with httpx.Client(timeout=5) as client:
            while not stop.is_set():
                sha = secrets.token_hex(32)
                try:
                    r = client.post(
                        bank.url + "/v1/submissions",
                        json={"case_token": case, "fingerprints": [{"sha256": sha}]},
                        headers={"authorization": f"Bearer {submitter}"},
                    )
                except httpx.HTTPError:
                    return  # the server is gone: this one was never acknowledged
                if r.status_code == 200:
                    with lock:
                        acked.append((r.json()["entry_ids"][0], sha))

    workers = [threading.Thread(target=submit_forever, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(acked) < 40:
        time.sleep(0.05)
    bank.stop(kill=True)  # SIGKILL mid-stream
    stop.set()
    for w in workers:
        w.join(timeout=10)
    assert len(acked) >= 10, "the load never got going"

    # Every acknowledged hash is in the database ...
    store = open_store(db_url)
    found = {r.value for r in store.find_exact("sha256", [sha for _, sha in acked])}
    store.close()
    assert {sha for _, sha in acked} <= found
    # ... and matches again once the bank is back (the index is rebuilt from the store).
    again = start_bank(db_url)
    try:
        with httpx.Client(timeout=5) as client:
            for entry_id, sha in acked[-5:]:
                r = client.get(
                    again.url + "/v1/hashes/lookup",
                    params={"signal_type": "sha256", "signal": sha},
                    headers={"authorization": f"Bearer {platform}"},
                )
                assert [m["entry_id"] for m in r.json()["matches"]] == [entry_id]
    finally:
        again.stop()
