"""Security for the local app: launch key, session cookie, CSRF and strict headers.

The app listens on 127.0.0.1 only. Starting it makes a random launch key that works once and for a
few minutes: the first visit trades it for an HttpOnly, SameSite=Strict session cookie and a clean
URL, and the key is spent. Every other request without that cookie gets the kind locked-out page,
and the open case is closed (the session has ended). Every form and state-changing call carries a
CSRF token bound to the session. Every response, errors included, carries the strict headers.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import PlainTextResponse, RedirectResponse, Response

__all__ = ["CSP", "LaunchKeys", "SecurityMiddleware", "csrf_ok", "new_token", "same_secret"]

SESSION_COOKIE = "unshared_session"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
#: Paths that answer without a session: health, the quick exit and the neutral page it leads to,
#: the favicon and the files the locked-out page needs.
OPEN_PATHS = {"/healthz", "/exit", "/bye", "/favicon.ico"}
OPEN_PREFIXES = ("/static/",)
#: How long a launch key stays good when nobody uses it (seconds).
LAUNCH_KEY_LIFETIME = 15 * 60


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same_secret(expected: str, supplied: str | None) -> bool:
    """Constant-time comparison that refuses (never raises on) non-ASCII input."""
    if not supplied or not supplied.isascii() or not expected:
        return False
    return hmac.compare_digest(expected.encode("ascii"), supplied.encode("ascii"))


def csrf_ok(request: Request, supplied: str | None) -> bool:
    expected: str = request.app.state.csrf_token
    return same_secret(expected, supplied)


class LaunchKeys:
    """Launch keys: each works once, and only for :data:`LAUNCH_KEY_LIFETIME` seconds."""

    def __init__(self, first: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._keys: dict[str, float] = {first: clock() + LAUNCH_KEY_LIFETIME}
        self.on_spent: Callable[[], None] | None = None

    def issue(self) -> str:
        key = new_token()
        self._keys[key] = self._clock() + LAUNCH_KEY_LIFETIME
        return key

    def spend(self, supplied: str) -> bool:
        now = self._clock()
        for key, until in list(self._keys.items()):
            if until < now:
                del self._keys[key]
            elif same_secret(key, supplied):
                del self._keys[key]
                if self.on_spent is not None:
                    self.on_spent()
                return True
        return False

    def expire_all(self) -> None:
        self._keys.clear()


class SecurityMiddleware(BaseHTTPMiddleware):
    """Launch key → session cookie; the locked-out page without it; strict headers always."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        try:
            return _harden(await self._dispatch(request, call_next))
        except Exception:
            return _harden(
                PlainTextResponse(
                    "Something went wrong. Nothing saved in your case was lost. "
                    "Go back and try again.",
                    status_code=500,
                )
            )

    async def _dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        state = request.app.state
        host = (request.headers.get("host") or "").split(":")[0]
        if host not in ("127.0.0.1", "localhost"):
            return PlainTextResponse("This app only answers on 127.0.0.1.", status_code=403)
        path = request.url.path
        token = request.query_params.get("t")
        if token is not None:
            if not state.launch_keys.spend(token):
                refused: Response = state.locked_out(request, spent=True)
                return refused
            state.start_session()
            response: Response = RedirectResponse(path or "/", status_code=303)
            response.set_cookie(
                SESSION_COOKIE, state.session_id, httponly=True, samesite="strict", path="/"
            )
            return response
        cookie = request.cookies.get(SESSION_COOKIE)
        authorised = same_secret(state.session_id, cookie)
        if not authorised and path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES):
            if cookie is None and _typed_by_the_person(request):
                # No cookie on a page the person opened themselves: the browser was closed, so
                # the session has ended and the case is locked again. (A page from another site
                # cannot send these headers, so it cannot close the case.)
                state.end_session()
            locked: Response = state.locked_out(request, spent=False)
            return locked
        if authorised:
            state.app_state.touch()
        if request.method not in ("GET", "HEAD") and _cross_site(request):
            return PlainTextResponse("Cross-site request refused.", status_code=403)
        return await call_next(request)


def _typed_by_the_person(request: Request) -> bool:
    return (
        request.headers.get("sec-fetch-site") in ("none", "same-origin")
        and request.headers.get("sec-fetch-mode") == "navigate"
    )


def _cross_site(request: Request) -> bool:
    """True for a state-changing request another site started (the CSRF token is checked too).

    With ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on same-site form posts,
    so the Fetch Metadata header decides when present.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.split("//", 1)[-1].split(":")[0] not in ("127.0.0.1", "localhost")
    return False


def _harden(response: Response) -> Response:
    for key, value in HEADERS.items():
        response.headers.setdefault(key, value)
    return response
