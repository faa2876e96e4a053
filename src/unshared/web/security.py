"""Security for the local app: launch token, session cookie, CSRF and strict headers.

The app listens on 127.0.0.1 only. The URL printed at launch carries a random token; the first
visit trades it for an HttpOnly, SameSite=Strict session cookie and a clean URL. Every other
request without that cookie is refused, so another local user or a web page in the browser cannot
drive the app. Every form carries a CSRF token bound to the session.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import PlainTextResponse, RedirectResponse, Response

__all__ = ["CSP", "SecurityMiddleware", "new_token", "csrf_ok"]

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
}
OPEN_PATHS = {"/healthz", "/exit"}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(request: Request, supplied: str | None) -> bool:
    expected: str = request.app.state.csrf_token
    return bool(supplied) and hmac.compare_digest(expected, supplied or "")


class SecurityMiddleware(BaseHTTPMiddleware):
    """Launch token → session cookie; refuse requests without it; add strict headers."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        state = request.app.state
        host = (request.headers.get("host") or "").split(":")[0]
        if host not in ("127.0.0.1", "localhost"):
            return _harden(
                PlainTextResponse("This app only answers on 127.0.0.1.", status_code=403)
            )
        token = request.query_params.get("t")
        if token is not None and hmac.compare_digest(token, state.launch_token):
            response: Response = RedirectResponse(request.url.path or "/", status_code=303)
            response.set_cookie(
                SESSION_COOKIE, state.session_id, httponly=True, samesite="strict", path="/"
            )
            return _harden(response)
        cookie = request.cookies.get(SESSION_COOKIE, "")
        authorised = bool(cookie) and hmac.compare_digest(cookie, state.session_id)
        if not authorised and request.url.path not in OPEN_PATHS:
            return _harden(
                PlainTextResponse(
                    "Open the address that `unshared app` printed (it has a one-time key).",
                    status_code=401,
                )
            )
        if request.method not in ("GET", "HEAD") and _cross_site(request):
            return _harden(PlainTextResponse("Cross-site request refused.", status_code=403))
        response = await call_next(request)
        return _harden(response)


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
