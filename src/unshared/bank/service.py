"""The bank's use cases: submit, look up, follow changes, feedback, alerts, withdrawal.

:class:`BankService` holds the store, the in-memory indexes and the webhook sender, all injected.
The indexes only ever change by following the store's changes feed (:meth:`BankService.sync`), so
one process or several replicas on one PostgreSQL database behave the same way: a withdrawal is
out of matching everywhere after one sync interval.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from unshared.bank.index import PDQIndex
from unshared.bank.matching import Matcher, Query
from unshared.bank.signals import entry_from_fingerprint, normalise
from unshared.bank.store import (
    FEEDBACK_KINDS,
    SCOPES,
    Alert,
    BankSettings,
    BankStore,
    CaseRecord,
    FeedbackKind,
    Scope,
    Token,
)
from unshared.bank.webhooks import WebhookPolicy, WebhookRefused
from unshared.errors import BankError

__all__ = [
    "BankService",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "Unauthorized",
    "hash_token",
    "issue_token",
    "new_token",
    "sign",
]

MAX_ATTEMPTS = 5
TOKEN_TTL = 5.0


class Unauthorized(BankError):
    """No token, or a token the bank does not know."""


class Forbidden(BankError):
    """The token is valid but its scope does not allow this."""


class NotFound(BankError):
    """No such case or entry (for this token)."""


class RateLimited(BankError):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__("too many requests for this token; slow down")


def new_token() -> str:
    return "ush_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 only; a stolen database holds no usable token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(store: BankStore, scope: str, name: str = "", rate: int = 600) -> str:
    """Create a token with ``scope`` and return it; only its hash is stored."""
    if scope not in SCOPES:
        raise BankError(f"scope must be one of {', '.join(SCOPES)}")
    token = new_token()
    token_id = store.create_token(name or scope, scope, hash_token(token), rate)
    store.audit(None, "token_created", f"token:{token_id}", scope)
    return token


def revoke_token(store: BankStore, token_id: int, by: int | None = None) -> bool:
    """Revoke a token; every server refuses it within ``TOKEN_TTL`` seconds."""
    with store.transaction():
        done = store.revoke_token(token_id)
        if done:
            store.audit(by, "token_revoked", f"token:{token_id}")
    return done


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per API token: ``rate`` requests a minute, bursts up to ``rate``.

    With several servers on one database each allows ``share`` of the rate (``1 / servers``,
    kept up to date from the servers' heartbeats), so a token's limit holds for the whole bank.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()
        self.share = 1.0

    def check(self, token: Token) -> None:
        rate = max(1.0, token.rate_per_minute * self.share)
        now = self._clock()
        with self._lock:
            bucket = self._buckets.setdefault(token.id, _Bucket(float(rate), now))
            bucket.tokens = min(float(rate), bucket.tokens + (now - bucket.at) * rate / 60.0)
            bucket.at = now
            if bucket.tokens < 1.0:
                raise RateLimited((1.0 - bucket.tokens) * 60.0 / rate)
            bucket.tokens -= 1.0


class BankService:
    def __init__(
        self,
        store: BankStore,
        *,
        http: httpx.Client | None = None,
        sync_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        webhooks: WebhookPolicy | None = None,
        workers: int = 1,
        snapshot: Path | None = None,
    ) -> None:
        self.store = store
        self._http = http
        self.sync_interval = sync_interval
        self.webhooks = webhooks or WebhookPolicy()
        self.limiter = RateLimiter(clock)
        self.server_id = secrets.token_hex(8)
        self._tokens: dict[str, tuple[float, Token | None]] = {}
        self._sync_lock = threading.Lock()
        self.matcher = Matcher(store, workers=workers)
        self.last_sync = 0.0
        self.snapshot = snapshot
        if not self.matcher.load(snapshot) and snapshot is not None:
            self.matcher.save(snapshot)  # the next start reads files, not the database
        self.sync()

    @property
    def pdq(self) -> PDQIndex:
        return self.matcher.pdq

    @property
    def vpdq(self) -> PDQIndex:
        return self.matcher.vpdq

    @property
    def cursor(self) -> int:
        return self.matcher.cursor

    @property
    def http(self) -> httpx.Client:
        """The webhook sender, made on first use (so a bank without webhooks never builds one).
        It follows no redirect and ignores proxy settings: it connects to checked addresses."""
        if self._http is None:
            self._http = httpx.Client(timeout=5.0, follow_redirects=False, trust_env=False)
        return self._http

    # ----------------------------------------------------------------- auth
    def authenticate(self, token: str | None, *scopes: Scope) -> Token:
        if not token:
            raise Unauthorized("a bearer token is needed")
        found = self._token(hash_token(token))
        if found is None or found.revoked:
            raise Unauthorized("this token is not known to the bank")
        if found.scope != "admin" and found.scope not in scopes:
            raise Forbidden(f"a {' or '.join(scopes)} token is needed for this")
        self.limiter.check(found)
        return found

    def _token(self, digest: str) -> Token | None:
        """Token by hash, cached for a few seconds (a revocation takes effect within TOKEN_TTL)."""
        now = time.monotonic()
        cached = self._tokens.get(digest)
        if cached is not None and now - cached[0] < TOKEN_TTL:
            return cached[1]
        found = self.store.token_by_hash(digest)
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        self._tokens[digest] = (now, found)
        return found

    # ----------------------------------------------------------------- index upkeep
    def sync(self) -> int:
        """Apply every change after our cursor to the indexes; returns how many were applied."""
        with self._sync_lock:
            applied = self.matcher.follow()
            servers = self.store.heartbeat(
                self.server_id, time.time(), max(10.0, 5 * self.sync_interval)
            )
            self.limiter.share = 1.0 / max(1, servers)
            self.last_sync = time.monotonic()
            return applied

    def status(self) -> dict[str, Any]:
        stats = self.pdq.stats()
        return {
            "cursor": self.cursor,
            "last_change": self.store.last_seq(),
            "seconds_since_sync": round(time.monotonic() - self.last_sync, 3),
            "sync_interval": self.sync_interval,
            "pdq_rows": stats.rows,
            "pdq_delta_rows": stats.delta_rows,
            "vpdq_rows": self.vpdq.stats().rows,
            "index_tables": stats.tables,
            "index_dir_bits": stats.dir_bits,
            "index_memory_bytes": stats.memory_bytes + self.vpdq.stats().memory_bytes,
            **self.store.counts(),
        }

    # ----------------------------------------------------------------- submitters
    def _own_case(self, token: Token, case_token: str) -> CaseRecord:
        case = self.store.case(case_token)
        if case is None or (token.scope != "admin" and case.owner_token_id != token.id):
            raise NotFound("no such case for this token")
        return case

    def submit(
        self, token: Token, case_token: str, fingerprints: list[dict[str, Any]], bank: str
    ) -> list[int]:
        if not 16 <= len(case_token) <= 128:
            raise BankError("the case token is 16 to 128 characters")
        if not fingerprints:
            raise BankError("no fingerprints to submit")
        entries = [
            entry_from_fingerprint(fp, f"fingerprints[{i}]") for i, fp in enumerate(fingerprints)
        ]
        with self.store.transaction():
            case = self.store.case(case_token)
            if case is None:
                self.store.create_case(CaseRecord(case_token, bank, token.id))
            elif token.scope != "admin" and case.owner_token_id != token.id:
                raise Forbidden("this case token belongs to another submitter")
            ids = self.store.add_entries(case_token, case.bank if case else bank, entries)
            self.store.audit(token.id, "submit", f"case:{case_token}", f"entries={len(ids)}")
        self.sync()
        return ids

    def set_webhook(self, token: Token, case_token: str, url: str | None, secret: str) -> None:
        if url is not None:
            self.webhooks.check(url)  # WebhookRefused (a 400) for anything aimed inside
        with self.store.transaction():
            self._own_case(token, case_token)
            self.store.set_webhook(case_token, url, secret if url else None)
            self.store.audit(token.id, "webhook_set", f"case:{case_token}", url or "")

    def withdraw(self, token: Token, case_token: str) -> list[int]:
        with self.store.transaction():
            self._own_case(token, case_token)
            ids = [e.id for e in self.store.case_entries(case_token)]
            changed = self.store.set_status(ids, "withdrawn", "withdrawn by the case holder")
            self.store.audit(token.id, "withdraw", f"case:{case_token}", f"entries={len(changed)}")
        self.sync()
        return changed

    def case_entries(self, token: Token, case_token: str) -> list[dict[str, Any]]:
        self._own_case(token, case_token)
        return [e.__dict__ for e in self.store.case_entries(case_token)]

    def alerts(self, token: Token, case_token: str, after: int = 0) -> list[Alert]:
        self._own_case(token, case_token)
        return self.store.alerts(case_token, after)

    # ----------------------------------------------------------------- platforms
    def _thresholds(self, banks: set[str]) -> dict[str, BankSettings]:
        return {b: self.store.bank_settings(b) for b in banks}

    def lookup(
        self, signal_type: str, signal: str, threshold: int = 31, dihedral: bool = True
    ) -> dict[str, Any]:
        """Matches for one hash: PDQ within ``threshold`` (capped by each bank's), or exact."""
        if signal_type == "vpdq":
            raise BankError("look up vPDQ videos with POST /v1/lookup/vpdq")
        return self.lookup_many([Query(signal_type, signal, threshold, dihedral)])[0]

    def lookup_many(self, queries: Sequence[Query]) -> list[dict[str, Any]]:
        """Matches for many hashes at once (see :meth:`Matcher.lookup_many`)."""
        return self.matcher.lookup_many(queries)

    def lookup_vpdq(
        self, frames: list[str], threshold: int = 31, min_percent: float = 80.0
    ) -> list[dict[str, Any]]:
        """Videos whose frames match: both percentages of vPDQ's comparison, per bank entry."""
        return self.matcher.lookup_vpdq(frames, threshold, min_percent)

    def changes(self, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        limit = max(1, min(limit, 5000))
        rows = self.store.changes(max(0, after), limit)
        out = [
            {
                "seq": c.seq,
                "entry_id": c.entry_id,
                "bank": c.bank,
                "op": c.op,
                "reason": c.reason,
                "at": c.at,
                "signals": [
                    {"signal_type": s.signal_type, "value": s.value, "variant": s.variant}
                    for s in c.signals
                    if c.op == "add"
                ],
            }
            for c in rows
        ]
        return out, (rows[-1].seq if rows else max(0, after))

    def feedback(self, token: Token, entry_id: int, kind: str, note: str = "") -> dict[str, Any]:
        if kind not in FEEDBACK_KINDS:
            raise BankError(f"feedback is one of {', '.join(FEEDBACK_KINDS)}")
        fk: FeedbackKind = kind
        with self.store.transaction():
            entry = self.store.entries([entry_id]).get(entry_id)
            if entry is None:
                raise NotFound("no such bank entry")
            reports = self.store.add_feedback(entry_id, token.id, fk, note[:500])
            alert_ids = [self.store.add_alert(entry.case_token, entry_id, kind, token.name)]
            quarantined = False
            limit = self.store.bank_settings(entry.bank).quarantine_after
            if fk == "false_positive" and reports >= limit and entry.status == "active":
                self.store.set_status(
                    [entry_id], "quarantined", f"{reports} false-positive reports"
                )
                alert_ids.append(
                    self.store.add_alert(entry.case_token, entry_id, "quarantined", "bank")
                )
                quarantined = True
            self.store.audit(token.id, "feedback", f"entry:{entry_id}", kind)
        if quarantined:
            self.sync()
        return {"entry_id": entry_id, "alerts": alert_ids, "quarantined": quarantined}

    # ----------------------------------------------------------------- admin
    def add_benign(self, token: Token, signal_type: str, signal: str) -> bool:
        if signal_type not in ("pdq", "md5", "sha256"):
            raise BankError("the negative bank holds pdq, md5 or sha256 hashes")
        value = normalise(signal_type, signal)
        with self.store.transaction():
            added = self.store.add_benign(signal_type, value)  # type: ignore[arg-type]
            self.store.audit(token.id, "benign_added", f"{signal_type}:{value}")
        self.sync()
        return added

    def release(self, token: Token, entry_id: int) -> bool:
        with self.store.transaction():
            changed = self.store.set_status([entry_id], "active", "released by an operator")
            self.store.audit(token.id, "release", f"entry:{entry_id}")
        self.sync()
        return bool(changed)

    def set_settings(self, token: Token, settings: BankSettings) -> None:
        if not 0 <= settings.pdq_threshold <= 63 or settings.quarantine_after < 1:
            raise BankError("pdq_threshold is 0..63 and quarantine_after at least 1")
        with self.store.transaction():
            self.store.set_bank_settings(settings)
            self.store.audit(token.id, "settings", f"bank:{settings.bank}", str(settings))

    def create_token(self, token: Token, scope: str, name: str, rate: int) -> str:
        value = issue_token(self.store, scope, name, rate)
        self.store.audit(token.id, "token_created", scope, name)
        return value

    def revoke_token(self, token: Token, token_id: int) -> None:
        if not revoke_token(self.store, token_id, token.id):
            raise NotFound("no such token, or it is revoked already")
        self._tokens.clear()  # here at once; other servers within TOKEN_TTL

    # ----------------------------------------------------------------- webhooks
    def deliver_pending(self) -> int:
        """Send undelivered alerts to their case's webhook; returns how many were delivered."""
        delivered = 0
        for alert in self.store.pending_alerts(MAX_ATTEMPTS):
            case = self.store.case(alert.case_token)
            if case is None or not case.webhook_url:
                continue
            body = json.dumps(
                {
                    "alert_id": alert.id,
                    "case_token": alert.case_token,
                    "entry_id": alert.entry_id,
                    "kind": alert.kind,
                    "platform": alert.platform,
                    "at": alert.at,
                },
                sort_keys=True,
            ).encode()
            headers = {"content-type": "application/json"}
            if case.webhook_secret:
                headers["x-unshared-signature"] = sign(case.webhook_secret, body)
            ok = self._post(case.webhook_url, body, headers)
            self.store.mark_delivery(alert.id, ok)
            delivered += ok
        return delivered

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> bool:
        """POST to the address checked just now (never a redirect); False if refused or failed."""
        try:
            target = self.webhooks.check(url)
        except WebhookRefused:
            return False
        extensions = {"sni_hostname": target.sni} if target.sni else {}
        try:
            response = self.http.post(
                target.url,
                content=body,
                headers={**headers, "host": target.host_header},
                extensions=extensions,
                follow_redirects=False,
            )
        except httpx.HTTPError:
            return False
        return response.is_success
