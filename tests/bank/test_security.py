"""Attacks on the bank (issue 14): webhooks aimed inside, withdrawn hashes left in the feed, 500s.

Each test reproduces an attack that worked before the fix.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from unshared.bank.api import create_app
from unshared.bank.service import BankService, issue_token
from unshared.bank.sql import SQLStore
from unshared.bank.webhooks import WebhookPolicy

from .helpers import TestClient

CASE = "case-token-security-0001"
PDQ = "f0" * 32
MD5 = "5e" * 16
SHA256 = "a7" * 32


class _Hook(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []
    redirect_to: ClassVar[str | None] = None

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        type(self).hits.append(f"{self.server.server_port}{self.path}")  # type: ignore[attr-defined]
        if type(self).redirect_to and self.path == "/first":
            self.send_response(307)
            self.send_header("location", type(self).redirect_to or "")
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook_port() -> Iterator[int]:
    _Hook.hits, _Hook.redirect_to = [], None
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_port)
    server.shutdown()
    server.server_close()


def _client(store: SQLStore, **kwargs: Any) -> tuple[TestClient, dict[str, str]]:
    tokens = {s: issue_token(store, s) for s in ("submitter", "platform", "admin")}
    client = TestClient(create_app(store, background=False, **kwargs))
    return client, tokens


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


# ----------------------------------------------------------------------------- webhooks

INTERNAL = [
    "http://127.0.0.1:8600/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://[::1]/hook",
    "http://0x7f000001/hook",  # 127.0.0.1 as one hex number
    "http://2130706433/hook",  # ... as one decimal number
    "http://0177.0.0.1/hook",  # ... in octal
    "http://127.1/hook",  # ... shortened
    "http://0/hook",
    "http://0.0.0.0/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:1]/hook",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://[fe80::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",  # shared address space (carrier NAT)
    "http://[fd00::1]/hook",  # unique local IPv6
    "http://224.0.0.1/hook",  # multicast
    "http://[ff02::1]/hook",
    "http://255.255.255.255/hook",
    "https://user:pass@hooks.example.org/hook",  # credentials in the URL
    "https://token@hooks.example.org/hook",
    "http://%31%32%37.0.0.1/hook",  # percent-encoded host
    "http://127.0.0.1%2f@example.org/hook",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_webhooks_aimed_inside_are_refused(store: SQLStore, url: str) -> None:
    client, tokens = _client(store)
    r = client.post(
        "/v1/submissions",
        json={"case_token": CASE, "fingerprints": [{"pdq": PDQ}]},
        headers=_auth(tokens["submitter"]),
    )
    assert r.status_code == 200
    r = client.put(
        f"/v1/cases/{CASE}/webhook", json={"url": url}, headers=_auth(tokens["submitter"])
    )
    assert r.status_code == 400, (url, r.status_code, r.text)
    assert store.case(CASE).webhook_url is None  # type: ignore[union-attr]


def test_a_name_is_checked_after_dns_resolution(store: SQLStore) -> None:
    """A public-looking name whose address is internal is refused (every address is checked)."""
    answers = {"hooks.example.org": ["93.184.215.14", "10.0.0.7"]}
    policy = WebhookPolicy(resolve=lambda host, port: answers[host])
    client, tokens = _client(store, webhooks=policy)
    client.post(
        "/v1/submissions",
        json={"case_token": CASE, "fingerprints": [{"pdq": PDQ}]},
        headers=_auth(tokens["submitter"]),
    )
    r = client.put(
        f"/v1/cases/{CASE}/webhook",
        json={"url": "https://hooks.example.org/x"},
        headers=_auth(tokens["submitter"]),
    )
    assert r.status_code == 400 and "10.0.0.7" in r.json()["detail"]


def _alert_waiting(store: SQLStore, url: str, policy: WebhookPolicy) -> BankService:
    """A case with one undelivered alert and a webhook stored as it was before the check."""
    service = BankService(store, webhooks=policy)
    submitter = service.authenticate(issue_token(store, "submitter"), "submitter")
    (entry,) = service.submit(submitter, CASE, [{"pdq": PDQ}], "default")
    store.set_webhook(CASE, url, "secret")  # as a bank before the fix could hold it
    store.add_alert(CASE, entry, "blocked", "platform")
    return service


def test_delivery_checks_the_address_again_dns_rebinding(store: SQLStore, hook_port: int) -> None:
    """The name resolved to a public address when the webhook was set; at delivery it resolves
    to loopback. Nothing is sent there."""
    policy = WebhookPolicy(resolve=lambda host, port: ["127.0.0.1"])
    service = _alert_waiting(store, f"http://rebind.example.org:{hook_port}/hook", policy)
    assert service.deliver_pending() == 0
    assert _Hook.hits == []


def test_delivery_refuses_internal_targets_stored_before_the_fix(
    store: SQLStore, hook_port: int
) -> None:
    service = _alert_waiting(store, f"http://127.0.0.1:{hook_port}/hook", WebhookPolicy())
    assert service.deliver_pending() == 0
    assert _Hook.hits == []


def test_delivery_connects_to_the_address_it_checked(store: SQLStore, hook_port: int) -> None:
    """The connection goes to the address that was checked (no second DNS look-up that could
    answer differently): a name only the injected resolver knows is still delivered."""
    policy = WebhookPolicy(
        allow_hosts=frozenset({"hooks.internal.test"}), resolve=lambda host, port: ["127.0.0.1"]
    )
    service = _alert_waiting(store, f"http://hooks.internal.test:{hook_port}/hook", policy)
    assert service.deliver_pending() == 1
    assert _Hook.hits == [f"{hook_port}/hook"]


def test_redirects_are_never_followed(store: SQLStore, hook_port: int) -> None:
    _Hook.redirect_to = "http://169.254.169.254/latest/meta-data/"
    policy = WebhookPolicy(allow_hosts=frozenset({"127.0.0.1"}))
    service = _alert_waiting(store, f"http://127.0.0.1:{hook_port}/first", policy)
    assert service.deliver_pending() == 0  # a 307 is not a delivery
    assert _Hook.hits == [f"{hook_port}/first"]


def test_the_operator_can_allow_a_host(store: SQLStore, hook_port: int) -> None:
    policy = WebhookPolicy(allow_hosts=frozenset({"127.0.0.1"}))
    client, tokens = _client(store, webhooks=policy)
    client.post(
        "/v1/submissions",
        json={"case_token": CASE, "fingerprints": [{"pdq": PDQ}]},
        headers=_auth(tokens["submitter"]),
    )
    url = f"http://127.0.0.1:{hook_port}/hook"
    r = client.put(
        f"/v1/cases/{CASE}/webhook", json={"url": url}, headers=_auth(tokens["submitter"])
    )
    assert r.status_code == 200
    r = client.put(
        f"/v1/cases/{CASE}/webhook",
        json={"url": "http://192.168.1.1/hook"},
        headers=_auth(tokens["submitter"]),
    )
    assert r.status_code == 400  # allowing one host allows no other


# ----------------------------------------------------------------------------- changes feed


def test_a_withdrawn_hash_leaves_the_changes_feed(store: SQLStore) -> None:
    client, tokens = _client(store)
    r = client.post(
        "/v1/submissions",
        json={
            "case_token": CASE,
            "fingerprints": [{"pdq": PDQ, "md5": MD5, "sha256": SHA256, "pdq_dihedral": [PDQ]}],
        },
        headers=_auth(tokens["submitter"]),
    )
    (entry,) = r.json()["entry_ids"]
    before = client.get("/v1/changes?cursor=0", headers=_auth(tokens["platform"])).json()
    assert MD5 in json.dumps(before)
    client.post(f"/v1/cases/{CASE}/withdraw", headers=_auth(tokens["submitter"]))
    # A platform joining now, and one that had read the addition, both see only the entry id.
    for cursor in (0, before["next_cursor"]):
        feed = client.get(f"/v1/changes?cursor={cursor}", headers=_auth(tokens["platform"]))
        text = feed.text.lower()
        for value in (PDQ, MD5, SHA256):
            assert value not in text, (cursor, value)
        changes = feed.json()["changes"]
        assert [(c["op"], c["entry_id"], c["signals"]) for c in changes] == [("delete", entry, [])]
    # The bank keeps no copy either: the hashes are gone from its database.
    dump = json.dumps(store._all("SELECT * FROM signals")).lower()
    assert MD5 not in dump and SHA256 not in dump and PDQ not in dump


def test_a_replica_drops_a_withdrawn_entry_from_an_id_only_delete(store: SQLStore) -> None:
    """A second server that indexed the entry before the withdrawal drops it on its next sync,
    although the delete event names no hash."""
    first = BankService(store)
    submitter = first.authenticate(issue_token(store, "submitter"), "submitter")
    first.submit(submitter, CASE, [{"pdq": PDQ, "pdq_dihedral": ["3c" * 32]}], "default")
    replica = BankService(store)
    assert replica.lookup("pdq", PDQ)["matches"]
    assert replica.lookup("pdq", "3c" * 32)["matches"]
    first.withdraw(submitter, CASE)
    replica.sync()
    assert replica.lookup("pdq", PDQ)["matches"] == []
    assert replica.lookup("pdq", "3c" * 32)["matches"] == []
    assert replica.pdq.stats().rows == 0


def test_a_quarantined_hash_leaves_the_feed_until_released(store: SQLStore) -> None:
    service = BankService(store)
    submitter = service.authenticate(issue_token(store, "submitter"), "submitter")
    admin = service.authenticate(issue_token(store, "admin"), "admin")
    (entry,) = service.submit(submitter, CASE, [{"md5": MD5}], "default")
    store.set_status([entry], "quarantined", "test")
    rows, _ = service.changes(0, 100)
    assert MD5 not in json.dumps(rows) and [r["op"] for r in rows] == ["delete"]
    service.release(admin, entry)
    rows, _ = service.changes(0, 100)
    assert [r["op"] for r in rows] == ["delete", "add"] and MD5 in json.dumps(rows)


# ----------------------------------------------------------------------------- no 500s

JSON = {"content-type": "application/json"}
FRAME = "ab" * 32


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("DELETE", "/v1/tokens/9223372036854775808", None),
        ("DELETE", "/v1/tokens/99999999999999999999999999", None),
        ("DELETE", "/v1/tokens/-9223372036854775809", None),
        ("POST", "/v1/entries/9223372036854775808/release", None),
        ("GET", "/v1/changes?cursor=9223372036854775808", None),
        ("GET", "/v1/changes?cursor=0&limit=9223372036854775808", None),
        ("GET", "/v1/cases/case-token-security-0001/alerts?after=18446744073709551616", None),
        ("GET", "/v1/hashes/lookup?signal_type=pdq&signal=" + PDQ + "&threshold=1e999", None),
        ("GET", "/v1/audit?limit=NaN", None),
        ("POST", "/v1/lookup/vpdq", b'{"frames": ["%s"], "min_percent": NaN}'),
        ("POST", "/v1/lookup/vpdq", b'{"frames": ["%s"], "min_percent": Infinity}'),
        ("POST", "/v1/lookup/vpdq", b'{"frames": ["%s"], "min_percent": -Infinity}'),
        ("POST", "/v1/lookup/vpdq", b'{"frames": ["%s"], "min_percent": 1e999}'),
        ("POST", "/v1/lookup/vpdq", b'{"frames": ["%s"], "threshold": NaN}'),
        ("POST", "/v1/lookup/vpdq", b'{"frames": ["%s"], "threshold": 1e999}'),
        ("POST", "/v1/lookup/vpdq", b'{"frames": ["%s"], "threshold": 9223372036854775808}'),
        ("POST", "/v1/feedback", b'{"entry_id": 9223372036854775808, "kind": "blocked"}'),
        ("POST", "/v1/feedback", b'{"entry_id": NaN, "kind": "blocked"}'),
        ("POST", "/v1/feedback", b'{"entry_id": -Infinity, "kind": "blocked"}'),
        (
            "POST",
            "/v1/submissions",
            b'{"case_token": "case-token-security-0001", "fingerprints": '
            b'[{"vpdq": [{"frame": 1, "pdq": "%s", "timestamp": NaN}]}]}',
        ),
        (
            "POST",
            "/v1/submissions",
            b'{"case_token": "case-token-security-0001", "fingerprints": '
            b'[{"vpdq": [{"frame": 1e999, "pdq": "%s"}]}]}',
        ),
        ("POST", "/v1/tokens", b'{"scope": "platform", "rate_per_minute": Infinity}'),
        ("PUT", "/v1/banks/default/settings", b'{"pdq_threshold": NaN}'),
        ("PUT", "/v1/banks/default/settings", b'{"quarantine_after": 1e999}'),
    ],
)
def test_out_of_range_numbers_are_a_4xx_not_a_500(
    store: SQLStore, method: str, path: str, body: bytes | None
) -> None:
    client, tokens = _client(store)
    client.post(
        "/v1/submissions",
        json={"case_token": CASE, "fingerprints": [{"pdq": PDQ}]},
        headers=_auth(tokens["submitter"]),
    )
    content = body.replace(b"%s", FRAME.encode()) if body else None
    with TestClient(client.app, raise_server_exceptions=False) as raw:
        r = raw.request(method, path, content=content, headers={**_auth(tokens["admin"]), **JSON})
    assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text[:200])
    r.json()  # a JSON answer, whatever was sent
