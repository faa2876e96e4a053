"""The bank API end to end, in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI

from unshared.bank.api import create_app
from unshared.bank.service import BankService, RateLimited, hash_token, issue_token
from unshared.bank.sql import SQLStore
from unshared.bank.webhooks import WebhookPolicy

from .helpers import TestClient, as_httpx

CASE = "case-token-abcdefghijklmnop"
PDQ = "f0" * 32
NEAR = "f1" + "f0" * 31  # distance 1
FAR = "0f" * 32  # distance 256


def near(hex_hash: str, bits: int) -> str:
    value = int(hex_hash, 16) ^ ((1 << bits) - 1)
    return f"{value:064x}"


@dataclass
class Bank:
    client: TestClient
    store: SQLStore
    submitter: str
    platform: str
    admin: str
    other: str  # a second platform

    def h(self, token: str) -> dict[str, str]:
        return {"authorization": f"Bearer {token}"}

    def submit(self, prints: list[dict[str, Any]], case: str = CASE, token: str = "") -> list[int]:
        r = self.client.post(
            "/v1/submissions",
            json={"case_token": case, "fingerprints": prints},
            headers=self.h(token or self.submitter),
        )
        assert r.status_code == 200, r.text
        return list(r.json()["entry_ids"])

    def lookup(self, signal: str, signal_type: str = "pdq", **params: Any) -> dict[str, Any]:
        r = self.client.get(
            "/v1/hashes/lookup",
            params={"signal_type": signal_type, "signal": signal, **params},
            headers=self.h(self.platform),
        )
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture
def bank(store: SQLStore) -> Iterator[Bank]:
    tokens = {s: issue_token(store, s) for s in ("submitter", "platform", "admin")}
    other = issue_token(store, "platform", "other-platform")
    # The webhook receiver below listens on loopback, which only an operator can allow.
    app = create_app(store, background=False, webhooks=WebhookPolicy(frozenset({"127.0.0.1"})))
    with TestClient(app) as client:
        yield Bank(client, store, tokens["submitter"], tokens["platform"], tokens["admin"], other)


def test_health_is_open_everything_else_needs_a_token(bank: Bank) -> None:
    assert bank.client.get("/v1/health").json()["status"] == "ok"
    spec = bank.client.get("/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method in methods:
            if path == "/v1/health":
                continue
            r = bank.client.request(
                method.upper(),
                path.replace("{case_token}", CASE)
                .replace("{entry_id}", "1")
                .replace("{bank}", "default"),
            )
            assert r.status_code == 401, (method, path, r.status_code)
    bad = bank.client.get("/v1/status", headers=bank.h("ush_not-a-token"))
    assert bad.status_code == 401


def test_scopes_are_enforced(bank: Bank) -> None:
    r = bank.client.get(
        "/v1/hashes/lookup",
        params={"signal_type": "pdq", "signal": PDQ},
        headers=bank.h(bank.submitter),
    )
    assert r.status_code == 403
    r = bank.client.post(
        "/v1/submissions",
        json={"case_token": CASE, "fingerprints": [{"pdq": PDQ}]},
        headers=bank.h(bank.platform),
    )
    assert r.status_code == 403
    r = bank.client.post(
        "/v1/benign", json={"signal_type": "pdq", "signal": PDQ}, headers=bank.h(bank.platform)
    )
    assert r.status_code == 403


def test_tokens_are_stored_hashed(bank: Bank) -> None:
    rows = bank.store._all("SELECT token_hash FROM tokens")
    stored = {r[0] for r in rows}
    assert bank.platform not in stored
    assert hash_token(bank.platform) in stored


def test_submit_and_look_up_pdq_md5_sha256(bank: Bank) -> None:
    (entry,) = bank.submit(
        [{"pdq": PDQ, "md5": "a" * 32, "sha256": "b" * 64, "path": "/home/me/photo.jpg"}]
    )
    found = bank.lookup(NEAR)
    assert found["matches"] == [
        {"entry_id": entry, "bank": "default", "signal_type": "pdq", "distance": 1, "variant": 0}
    ]
    assert bank.lookup(near(PDQ, 31))["matches"][0]["distance"] == 31
    assert bank.lookup(near(PDQ, 32))["matches"] == []
    assert bank.lookup(near(PDQ, 20), threshold=19)["matches"] == []
    assert bank.lookup(FAR)["matches"] == []
    assert bank.lookup("A" * 32, "md5")["matches"][0]["entry_id"] == entry
    assert bank.lookup("b" * 64, "sha256")["matches"][0]["distance"] == 0
    # Nothing but hashes was kept: the path never reached the bank.
    dump = json.dumps(bank.store._all("SELECT * FROM signals")) + json.dumps(
        bank.store._all("SELECT * FROM entries")
    )
    assert "photo.jpg" not in dump and "/home" not in dump


def test_many_lookups_in_one_call(bank: Bank) -> None:
    bank.submit([{"pdq": PDQ}, {"md5": "c" * 32}])
    r = bank.client.post(
        "/v1/lookup",
        json={
            "queries": [
                {"signal_type": "pdq", "signal": NEAR},
                {"signal_type": "md5", "signal": "c" * 32},
                {"signal_type": "pdq", "signal": FAR},
            ]
        },
        headers=bank.h(bank.platform),
    )
    assert [len(x["matches"]) for x in r.json()] == [1, 1, 0]


def test_dihedral_variants_match_rotated_copies(bank: Bank) -> None:
    rotated = "3c" * 32
    (entry,) = bank.submit([{"pdq": PDQ, "pdq_dihedral": [PDQ, rotated]}])
    found = bank.lookup(rotated)["matches"]
    assert found[0]["entry_id"] == entry and found[0]["variant"] == 2
    assert bank.lookup(rotated, dihedral="false")["matches"] == []


def test_vpdq_frame_match_percentages(bank: Bank) -> None:
    frames = [f"{i:02x}" * 32 for i in (0x11, 0x22, 0x33, 0x44)]
    (entry,) = bank.submit(
        [{"kind": "video", "vpdq": [{"frame": i, "pdq": f} for i, f in enumerate(frames)]}]
    )
    r = bank.client.post(
        "/v1/lookup/vpdq",
        json={"frames": [frames[0], frames[1], FAR]},
        headers=bank.h(bank.platform),
    )
    (match,) = r.json()
    assert match["entry_id"] == entry
    assert match["query_match_percent"] == pytest.approx(66.67)
    assert match["compared_match_percent"] == 50.0
    assert match["match"] is False


def test_changes_feed_with_cursor_carries_withdrawals(bank: Bank) -> None:
    first = bank.submit([{"pdq": PDQ}])
    r = bank.client.get("/v1/changes", headers=bank.h(bank.platform)).json()
    assert [c["op"] for c in r["changes"]] == ["add"]
    cursor = r["next_cursor"]
    assert (
        bank.client.get(
            "/v1/changes", params={"cursor": cursor}, headers=bank.h(bank.platform)
        ).json()["changes"]
        == []
    )
    w = bank.client.post(f"/v1/cases/{CASE}/withdraw", headers=bank.h(bank.submitter))
    assert w.json()["count"] == 1
    assert bank.lookup(PDQ)["matches"] == []  # out of matching at once on this replica
    r = bank.client.get(
        "/v1/changes", params={"cursor": cursor}, headers=bank.h(bank.platform)
    ).json()
    assert [(c["op"], c["entry_id"]) for c in r["changes"]] == [("delete", first[0])]
    assert r["changes"][0]["signals"] == []  # the entry id only, never the withdrawn hash


def test_another_submitter_cannot_touch_a_case(bank: Bank) -> None:
    bank.submit([{"pdq": PDQ}])
    stranger = issue_token(bank.store, "submitter", "stranger")
    r = bank.client.post(f"/v1/cases/{CASE}/withdraw", headers=bank.h(stranger))
    assert r.status_code == 404
    r = bank.client.post(
        "/v1/submissions",
        json={"case_token": CASE, "fingerprints": [{"pdq": NEAR}]},
        headers=bank.h(stranger),
    )
    assert r.status_code == 403


def test_negative_bank_never_matches(bank: Bank) -> None:
    bank.submit([{"pdq": PDQ, "md5": "a" * 32}])
    r = bank.client.post(
        "/v1/benign", json={"signal_type": "pdq", "signal": PDQ}, headers=bank.h(bank.admin)
    )
    assert r.status_code == 200
    found = bank.lookup(NEAR)
    assert found["benign"] is True and found["matches"] == []
    bank.client.post(
        "/v1/benign", json={"signal_type": "md5", "signal": "a" * 32}, headers=bank.h(bank.admin)
    )
    assert bank.lookup("a" * 32, "md5")["matches"] == []


def test_per_bank_threshold(bank: Bank) -> None:
    bank.submit([{"pdq": PDQ}])
    r = bank.client.put(
        "/v1/banks/default/settings",
        json={"pdq_threshold": 10, "quarantine_after": 3},
        headers=bank.h(bank.admin),
    )
    assert r.status_code == 200
    assert bank.lookup(near(PDQ, 10))["matches"]
    assert bank.lookup(near(PDQ, 11))["matches"] == []


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).received.append((dict(self.headers.items()), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alerts", _Receiver.received
    server.shutdown()
    server.server_close()


def test_feedback_becomes_a_signed_webhook_alert(bank: Bank, receiver: Any) -> None:
    url, received = receiver
    (entry,) = bank.submit([{"pdq": PDQ}])
    r = bank.client.put(
        f"/v1/cases/{CASE}/webhook",
        json={"url": url, "secret": "s3cret-for-signing"},
        headers=bank.h(bank.submitter),
    )
    assert r.status_code == 200
    r = bank.client.post(
        "/v1/feedback", json={"entry_id": entry, "kind": "blocked"}, headers=bank.h(bank.platform)
    )
    assert r.status_code == 200
    app = bank.client.app
    assert isinstance(app, FastAPI)
    service = app.state.service
    assert service.deliver_pending() == 1
    headers, body = received[0]
    payload = json.loads(body)
    assert payload["kind"] == "blocked" and payload["entry_id"] == entry
    want = "sha256=" + hmac.new(b"s3cret-for-signing", body, hashlib.sha256).hexdigest()
    assert headers["x-unshared-signature"] == want
    alerts = bank.client.get(f"/v1/cases/{CASE}/alerts", headers=bank.h(bank.submitter)).json()
    assert alerts[0]["kind"] == "blocked" and alerts[0]["delivered_at"]
    assert service.deliver_pending() == 0  # delivered once


def test_quarantine_after_false_positives_from_several_platforms(bank: Bank) -> None:
    (entry,) = bank.submit([{"pdq": PDQ}])
    bank.client.put(
        "/v1/banks/default/settings",
        json={"pdq_threshold": 31, "quarantine_after": 2},
        headers=bank.h(bank.admin),
    )
    body = {"entry_id": entry, "kind": "false_positive"}
    r1 = bank.client.post("/v1/feedback", json=body, headers=bank.h(bank.platform)).json()
    r2 = bank.client.post("/v1/feedback", json=body, headers=bank.h(bank.platform)).json()
    assert not r1["quarantined"] and not r2["quarantined"]  # one platform counts once
    assert bank.lookup(PDQ)["matches"]
    r3 = bank.client.post("/v1/feedback", json=body, headers=bank.h(bank.other)).json()
    assert r3["quarantined"]
    assert bank.lookup(PDQ)["matches"] == []
    kinds = [
        a["kind"]
        for a in bank.client.get(f"/v1/cases/{CASE}/alerts", headers=bank.h(bank.submitter)).json()
    ]
    assert kinds[-1] == "quarantined"
    r = bank.client.post(f"/v1/entries/{entry}/release", headers=bank.h(bank.admin))
    assert r.json()["count"] == 1
    assert bank.lookup(PDQ)["matches"]


def test_media_is_refused(bank: Bank) -> None:
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 100
    r = bank.client.post("/v1/submissions", content=jpeg, headers=bank.h(bank.submitter))
    assert r.status_code == 415
    mp4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100
    r = bank.client.post("/v1/lookup", content=mp4, headers=bank.h(bank.platform))
    assert r.status_code == 415
    r = bank.client.post(
        "/v1/submissions",
        content=b"x",
        headers={**bank.h(bank.submitter), "content-type": "image/png"},
    )
    assert r.status_code == 415


def test_rate_limit_per_token(bank: Bank) -> None:
    slow = issue_token(bank.store, "platform", "slow", rate=3)
    codes = []
    for _ in range(5):
        r = bank.client.get(
            "/v1/hashes/lookup",
            params={"signal_type": "pdq", "signal": PDQ},
            headers=bank.h(slow),
        )
        codes.append(r.status_code)
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert bank.lookup(PDQ)["matches"] == []  # other tokens are not slowed


def test_every_write_is_audited(bank: Bank) -> None:
    (entry,) = bank.submit([{"pdq": PDQ}])
    bank.client.post(
        "/v1/feedback", json={"entry_id": entry, "kind": "removed"}, headers=bank.h(bank.platform)
    )
    bank.client.post(f"/v1/cases/{CASE}/withdraw", headers=bank.h(bank.submitter))
    log = bank.client.get("/v1/audit", headers=bank.h(bank.admin)).json()
    actions = [row["action"] for row in log]
    assert {"submit", "feedback", "withdraw"} <= set(actions)


def test_bad_input_is_a_clear_4xx(bank: Bank) -> None:
    r = bank.client.post(
        "/v1/submissions",
        json={"case_token": CASE, "fingerprints": [{"pdq": "xyz"}]},
        headers=bank.h(bank.submitter),
    )
    assert r.status_code == 422
    r = bank.client.post(
        "/v1/submissions",
        json={"case_token": CASE, "fingerprints": [{"md5": "a" * 64}]},
        headers=bank.h(bank.submitter),
    )
    assert r.status_code == 400 and "md5" in r.json()["detail"]
    r = bank.client.post(
        "/v1/feedback", json={"entry_id": 999, "kind": "blocked"}, headers=bank.h(bank.platform)
    )
    assert r.status_code == 404


def test_status_reports_the_index(bank: Bank) -> None:
    bank.submit([{"pdq": PDQ, "pdq_dihedral": [NEAR]}])
    status = bank.client.get("/v1/status", headers=bank.h(bank.platform)).json()
    assert status["pdq_rows"] == 2 and status["entries_active"] == 1
    assert status["cursor"] == status["last_change"]


def test_invalid_unicode_is_a_4xx_not_a_crash(bank: Bank) -> None:
    (entry,) = bank.submit([{"md5": "e" * 32}])
    r = bank.client.post(
        "/v1/feedback",
        content=b'{"entry_id": %d, "kind": "blocked", "note": "\\ud800"}' % entry,
        headers={**bank.h(bank.platform), "content-type": "application/json"},
    )
    assert r.status_code in (400, 422)
    assert bank.client.get(f"/v1/cases/{CASE}/alerts", headers=bank.h(bank.submitter)).json() == []


def test_rate_limits_hold_across_servers_on_one_database(store: SQLStore) -> None:
    """Two servers on one database each allow half of a token's rate, so together the token
    gets its rate, not twice it; when one leaves, the other takes the whole rate back."""
    frozen = lambda: 0.0  # noqa: E731 - no refill during the test
    first, second = BankService(store, clock=frozen), BankService(store, clock=frozen)
    first.sync()
    second.sync()
    first.sync()
    assert first.limiter.share == second.limiter.share == 0.5
    token = issue_token(store, "platform", "busy", rate=8)
    allowed = 0
    for service in (first, second):
        for _ in range(8):
            try:
                service.authenticate(token, "platform")
                allowed += 1
            except RateLimited:
                pass
    assert allowed == 8
    store.leave(second.server_id)
    first.sync()
    assert first.limiter.share == 1.0


def test_the_client_sends_any_number_of_look_ups_in_batches(bank: Bank) -> None:
    from unshared.bank.client import BankClient

    (entry,) = bank.submit([{"pdq": PDQ, "md5": "c" * 32}])
    queries = [{"signal_type": "pdq", "signal": FAR}] * 2400 + [
        {"signal_type": "md5", "signal": "c" * 32}
    ]
    client = BankClient("http://testserver", bank.platform, http=as_httpx(bank.client))
    answers = client.lookup_many(queries)
    assert len(answers) == 2401
    assert answers[0]["matches"] == [] and answers[-1]["matches"][0]["entry_id"] == entry
