"""The bank's HTTP API (FastAPI). A thin shell over :class:`unshared.bank.service.BankService`.

``create_app(store)`` builds an app around an injected store; nothing is looked up from globals.
The OpenAPI spec is served at ``/openapi.json``.
"""

from __future__ import annotations

import pathlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

import httpx
from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from unshared import __version__
from unshared.bank.matching import Query as LookupQueryIn
from unshared.bank.service import (
    BankService,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
)
from unshared.bank.signals import looks_like_media
from unshared.bank.store import BankSettings, BankStore, Token
from unshared.bank.webhooks import WebhookPolicy
from unshared.errors import BankError

__all__ = ["create_app"]

MAX_BODY = 16 * 1024 * 1024
CASE_TOKEN = r"^[A-Za-z0-9_-]{16,128}$"
BANK_NAME = r"^[a-z0-9_-]{1,64}$"
HEX = r"^[0-9A-Fa-f]{32,64}$"
BIGINT = 2**62

_bearer = HTTPBearer(auto_error=False, description="An API token from `unshared bank token`.")


class _In(BaseModel):
    # NaN and infinities are refused (422) wherever a number is read.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class VpdqFrame(_In):
    frame: int = Field(ge=0, le=10_000_000)
    pdq: str = Field(pattern=HEX)
    quality: int | None = Field(default=None, ge=0, le=100)
    timestamp: float | None = Field(default=None, ge=0, le=1e9)


class FingerprintIn(_In):
    """Hashes of one image or video. Anything else sent here is ignored and never stored."""

    kind: Literal["image", "video"] | None = None
    sha256: str | None = Field(default=None, pattern=HEX)
    md5: str | None = Field(default=None, pattern=HEX)
    pdq: str | None = Field(default=None, pattern=HEX)
    pdq_dihedral: list[Annotated[str, Field(pattern=HEX)]] = Field(default=[], max_length=8)
    vpdq: list[VpdqFrame] = Field(default=[], max_length=100_000)


class SubmitIn(_In):
    case_token: str = Field(pattern=CASE_TOKEN, description="Opaque; chosen by the case holder.")
    bank: str = Field(default="default", pattern=BANK_NAME)
    fingerprints: list[FingerprintIn] = Field(min_length=1, max_length=1000)


class SubmitOut(BaseModel):
    case_token: str
    entry_ids: list[int]


class Match(BaseModel):
    entry_id: int
    bank: str
    signal_type: str
    distance: int
    variant: int = Field(description="0: the original; 1-7: a PDQ rotation or mirror")


class LookupQuery(_In):
    signal_type: Literal["pdq", "md5", "sha256"]
    signal: str = Field(pattern=HEX)
    threshold: int = Field(default=31, ge=0, le=63)
    dihedral: bool = True


class LookupIn(_In):
    queries: list[LookupQuery] = Field(min_length=1, max_length=1000)


class LookupResult(BaseModel):
    signal_type: str
    signal: str
    benign: bool
    matches: list[Match]


class VpdqLookupIn(_In):
    frames: list[Annotated[str, Field(pattern=HEX)]] = Field(min_length=1, max_length=20_000)
    threshold: int = Field(default=31, ge=0, le=63)
    min_percent: float = Field(default=80.0, ge=0, le=100)


class VpdqMatch(BaseModel):
    entry_id: int
    bank: str
    signal_type: str
    query_match_percent: float
    compared_match_percent: float
    match: bool


class ChangeSignal(BaseModel):
    signal_type: str
    value: str
    variant: int


class ChangeOut(BaseModel):
    seq: int
    entry_id: int
    bank: str
    op: Literal["add", "delete"]
    reason: str
    at: str
    signals: list[ChangeSignal]


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    next_cursor: int


class FeedbackIn(_In):
    entry_id: int = Field(ge=1, le=BIGINT)
    kind: Literal["matched", "blocked", "removed", "false_positive"]
    note: str = Field(default="", max_length=500, pattern=r"^[^\x00]*$")


class FeedbackOut(BaseModel):
    entry_id: int
    alerts: list[int]
    quarantined: bool


class WebhookIn(_In):
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://[^\x00\s]+$")
    secret: str = Field(default="", max_length=200, pattern=r"^[^\x00]*$")


class AlertOut(BaseModel):
    id: int
    entry_id: int
    kind: str
    platform: str
    at: str
    delivered_at: str | None


class EntryOut(BaseModel):
    id: int
    bank: str
    kind: str
    status: str
    fp_reports: int
    created_at: str


class BenignIn(_In):
    signal_type: Literal["pdq", "md5", "sha256"]
    signal: str = Field(pattern=HEX)


class SettingsIn(_In):
    pdq_threshold: int = Field(default=31, ge=0, le=63)
    quarantine_after: int = Field(default=3, ge=1, le=1000)


class TokenIn(_In):
    scope: Literal["submitter", "platform", "admin"]
    name: str = Field(default="", max_length=100, pattern=r"^[^\x00]*$")
    rate_per_minute: int = Field(default=600, ge=1, le=1_000_000)


class Done(BaseModel):
    ok: bool = True
    count: int = 0


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def create_app(
    store: BankStore,
    *,
    http: httpx.Client | None = None,
    sync_interval: float = 2.0,
    background: bool = True,
    webhooks: WebhookPolicy | None = None,
    workers: int = 1,
    snapshot: pathlib.Path | None = None,
) -> FastAPI:
    """The bank API over ``store``. ``background`` runs the sync and webhook loop;
    ``webhooks`` says where alerts may go (public addresses, plus hosts the operator allows)."""
    service = BankService(
        store,
        http=http,
        sync_interval=sync_interval,
        webhooks=webhooks,
        workers=workers,
        snapshot=snapshot,
    )
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(sync_interval):
            try:
                service.sync()
                service.deliver_pending()
            except Exception:  # keep following the feed; the next round retries
                continue

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        worker = threading.Thread(target=loop, name="bank-sync", daemon=True)
        if background:
            worker.start()
        try:
            yield
        finally:
            stop.set()
            if background:
                worker.join(timeout=5)
                try:  # the other servers take back our share of the rate limits
                    store.leave(service.server_id)
                except Exception:  # shutting down: a stale heartbeat expires anyway
                    pass
            if snapshot is not None:  # the next start reads these files
                service.matcher.save(snapshot)

    app = FastAPI(
        title="unshared hash bank",
        version=__version__,
        description="Fingerprints of intimate images shared without consent, so platforms can "
        "block re-uploads and the person affected is told. Only hashes are accepted: never media.",
        lifespan=lifespan,
    )
    app.state.service = service

    @app.middleware("http")
    async def refuse_media(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method in ("POST", "PUT", "PATCH"):
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > MAX_BODY:
                return _error(413, "the request is too large; send hashes only")
            body = await request.body()
            if len(body) > MAX_BODY:
                return _error(413, "the request is too large; send hashes only")
            if looks_like_media(body) or request.headers.get("content-type", "").startswith(
                ("image/", "video/", "multipart/")
            ):
                return _error(415, "this looks like media: the bank accepts fingerprints only")
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI echoes the rejected input, which may be NaN, an infinity or a huge number that
        # JSON cannot carry; say where and what, never the value.
        detail = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(UnicodeError)
    async def bad_text(_: Request, exc: UnicodeError) -> JSONResponse:
        # JSON may carry lone surrogates (\\ud800) that no database can store.
        return _error(400, "text fields must be valid Unicode")

    @app.exception_handler(BankError)
    async def bank_error(_: Request, exc: BankError) -> JSONResponse:
        if isinstance(exc, Unauthorized):
            return _error(401, exc.describe(), {"WWW-Authenticate": "Bearer"})
        if isinstance(exc, Forbidden):
            return _error(403, exc.describe())
        if isinstance(exc, NotFound):
            return _error(404, exc.describe())
        if isinstance(exc, RateLimited):
            return _error(429, exc.describe(), {"Retry-After": str(int(exc.retry_after) + 1)})
        return _error(400, exc.describe())

    def auth(*scopes: str) -> Callable[..., Token]:
        def dependency(
            cred: HTTPAuthorizationCredentials | None = Depends(_bearer),
        ) -> Token:
            return service.authenticate(cred.credentials if cred else None, *scopes)  # type: ignore[arg-type]

        return dependency

    submitter = Depends(auth("submitter"))
    platform = Depends(auth("platform"))
    admin = Depends(auth("admin"))
    anyone = Depends(auth("submitter", "platform"))
    case_path = Path(pattern=CASE_TOKEN)

    @app.get("/v1/health", tags=["status"])
    def health() -> dict[str, str]:
        """Liveness; the only endpoint without a token."""
        return {"status": "ok", "version": __version__}

    @app.get("/v1/status", tags=["status"])
    def status(token: Token = anyone) -> dict[str, Any]:
        """Index and feed status: rows indexed, sync cursor, memory."""
        return service.status()

    @app.post("/v1/submissions", response_model=SubmitOut, tags=["submitters"])
    def submit(body: SubmitIn, token: Token = submitter) -> SubmitOut:
        """Add fingerprints of one case. Only hashes are kept, never names or media."""
        prints = [fp.model_dump(exclude_none=True) for fp in body.fingerprints]
        ids = service.submit(token, body.case_token, prints, body.bank)
        return SubmitOut(case_token=body.case_token, entry_ids=ids)

    @app.put("/v1/cases/{case_token}/webhook", response_model=Done, tags=["submitters"])
    def webhook(body: WebhookIn, case_token: str = case_path, token: Token = submitter) -> Done:
        """Where alerts for this case are POSTed (signed with HMAC-SHA256 of ``secret``)."""
        service.set_webhook(token, case_token, body.url, body.secret)
        return Done()

    @app.post("/v1/cases/{case_token}/withdraw", response_model=Done, tags=["submitters"])
    def withdraw(case_token: str = case_path, token: Token = submitter) -> Done:
        """Take every hash of this case out of matching; the changes feed carries deletions."""
        return Done(count=len(service.withdraw(token, case_token)))

    @app.get("/v1/cases/{case_token}/alerts", response_model=list[AlertOut], tags=["submitters"])
    def alerts(
        case_token: str = case_path,
        after: int = Query(0, ge=0, le=BIGINT),
        token: Token = submitter,
    ) -> list[AlertOut]:
        """What platforms reported about this case's hashes."""
        return [AlertOut(**a.__dict__) for a in service.alerts(token, case_token, after)]

    @app.get("/v1/cases/{case_token}/entries", response_model=list[EntryOut], tags=["submitters"])
    def entries(case_token: str = case_path, token: Token = submitter) -> list[EntryOut]:
        return [EntryOut(**e) for e in service.case_entries(token, case_token)]

    @app.post("/v1/lookup", response_model=list[LookupResult], tags=["platforms"])
    def lookup(body: LookupIn, token: Token = platform) -> list[LookupResult]:
        """Look up many hashes at once (PDQ by distance, MD5 and SHA-256 exactly)."""
        queries = [
            LookupQueryIn(q.signal_type, q.signal, q.threshold, q.dihedral) for q in body.queries
        ]
        return [LookupResult(**found) for found in service.lookup_many(queries)]

    @app.get("/v1/hashes/lookup", response_model=LookupResult, tags=["platforms"])
    def lookup_one(
        signal_type: Literal["pdq", "md5", "sha256"],
        signal: str = Query(pattern=HEX),
        threshold: int = Query(31, ge=0, le=63),
        dihedral: bool = True,
        token: Token = platform,
    ) -> LookupResult:
        """HMA-style look-up of one hash: ``?signal_type=pdq&signal=HEX``."""
        return LookupResult(**service.lookup(signal_type, signal, threshold, dihedral))

    @app.post("/v1/lookup/vpdq", response_model=list[VpdqMatch], tags=["platforms"])
    def lookup_vpdq(body: VpdqLookupIn, token: Token = platform) -> list[VpdqMatch]:
        """Videos by their frame hashes, with vPDQ's two frame-match percentages."""
        found = service.lookup_vpdq(body.frames, body.threshold, body.min_percent)
        return [VpdqMatch(**m) for m in found]

    @app.get("/v1/changes", response_model=ChangesOut, tags=["platforms"])
    def changes(
        cursor: int = Query(0, ge=0, le=BIGINT),
        limit: int = Query(1000, ge=1, le=5000),
        token: Token = platform,
    ) -> ChangesOut:
        """Additions and deletions after ``cursor``, oldest first; keep ``next_cursor``."""
        rows, next_cursor = service.changes(cursor, limit)
        return ChangesOut(changes=[ChangeOut(**r) for r in rows], next_cursor=next_cursor)

    @app.post("/v1/feedback", response_model=FeedbackOut, tags=["platforms"])
    def feedback(body: FeedbackIn, token: Token = platform) -> FeedbackOut:
        """Tell the case holder what happened: matched, blocked, removed or false_positive."""
        out = FeedbackOut(**service.feedback(token, body.entry_id, body.kind, body.note))
        return out

    @app.post("/v1/benign", response_model=Done, tags=["operators"])
    def benign(body: BenignIn, token: Token = admin) -> Done:
        """Add a known-benign hash to the negative bank: it never matches."""
        return Done(count=int(service.add_benign(token, body.signal_type, body.signal)))

    @app.post("/v1/entries/{entry_id}/release", response_model=Done, tags=["operators"])
    def release(entry_id: int = Path(ge=1, le=BIGINT), token: Token = admin) -> Done:
        """Put a quarantined entry back into matching."""
        return Done(count=int(service.release(token, entry_id)))

    @app.get("/v1/banks/{bank}/settings", response_model=SettingsIn, tags=["operators"])
    def get_settings(bank: str = Path(pattern=BANK_NAME), token: Token = anyone) -> SettingsIn:
        s = store.bank_settings(bank)
        return SettingsIn(pdq_threshold=s.pdq_threshold, quarantine_after=s.quarantine_after)

    @app.put("/v1/banks/{bank}/settings", response_model=Done, tags=["operators"])
    def put_settings(
        body: SettingsIn, bank: str = Path(pattern=BANK_NAME), token: Token = admin
    ) -> Done:
        """Per-bank distance threshold and quarantine after N false-positive reports."""
        service.set_settings(token, BankSettings(bank, body.pdq_threshold, body.quarantine_after))
        return Done()

    @app.post("/v1/tokens", tags=["operators"])
    def tokens(body: TokenIn, token: Token = admin) -> dict[str, str]:
        """A new API token; shown once, stored only as its hash."""
        return {"token": service.create_token(token, body.scope, body.name, body.rate_per_minute)}

    @app.get("/v1/tokens", tags=["operators"])
    def list_tokens(token: Token = admin) -> list[dict[str, Any]]:
        """Every token: id, name, scope, rate, when made and whether revoked (never the token)."""
        return store.list_tokens()

    @app.delete("/v1/tokens/{token_id}", response_model=Done, tags=["operators"])
    def revoke(token_id: int = Path(ge=1, le=BIGINT), token: Token = admin) -> Done:
        """Revoke a token: refused at once here, and by every server within 5 seconds."""
        service.revoke_token(token, token_id)
        return Done(count=1)

    @app.get("/v1/audit", tags=["operators"])
    def audit(limit: int = Query(100, ge=1, le=1000), token: Token = admin) -> list[dict[str, Any]]:
        """The latest writes, newest first."""
        return store.audit_log(limit)

    return app
