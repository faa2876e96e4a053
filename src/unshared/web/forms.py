"""Small helpers for reading forms safely (CSRF checked on every POST)."""

from __future__ import annotations

from fastapi import HTTPException, Request

from unshared.web.security import csrf_ok

__all__ = ["checked_form"]


async def checked_form(request: Request) -> dict[str, list[str]]:
    """The url-encoded form as lists of values, after the CSRF check."""
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    if not csrf_ok(request, one(values, "csrf") or None):
        raise HTTPException(status_code=403, detail="This form has expired. Go back and try again.")
    return values


def one(values: dict[str, list[str]], key: str, default: str = "") -> str:
    found = values.get(key)
    return found[0].strip() if found else default
