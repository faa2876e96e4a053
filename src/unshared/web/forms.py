"""Small helpers for reading forms safely (CSRF checked on every POST) and answering them.

The app's pages send their forms with ``fetch`` (header ``X-Unshared-Fetch``) so that the page
can show progress, keep errors on screen and replace itself in the history; without script the
same forms post normally. :func:`go` and :func:`refuse` answer both.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from unshared.web.deps import session_state
from unshared.web.security import csrf_ok

__all__ = ["checked_form", "go", "one", "refuse"]


async def checked_form(request: Request) -> dict[str, list[str]]:
    """The url-encoded form as lists of values, after the CSRF check."""
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    if not csrf_ok(request, one(values, "csrf") or None):
        raise HTTPException(
            status_code=403, detail="This page has expired. Reload it and try again."
        )
    return values


def one(values: dict[str, list[str]], key: str, default: str = "") -> str:
    found = values.get(key)
    return found[0].strip() if found else default


def _fetched(request: Request) -> bool:
    return request.headers.get("x-unshared-fetch") == "1"


def go(request: Request, url: str, *, done: str | None = None) -> Response:
    """Done: go to ``url`` (the page replaces itself), with ``done`` said there once."""
    if done:
        session_state(request).flash["done"] = done
    if _fetched(request):
        return JSONResponse({"go": url})
    return RedirectResponse(url, status_code=303)


def refuse(request: Request, message: str, url: str, *, status: int = 422) -> Response:
    """Not done: the message stays on screen, in words, with the next step in it."""
    if _fetched(request):
        return JSONResponse({"error": message}, status_code=status)
    session_state(request).flash["error"] = message
    return RedirectResponse(url, status_code=303)
