"""Step 4: protect your images. Fingerprints are made on this machine; images are never kept.

Two ways in: choose files in the browser (each is streamed over loopback into memory, hashed and
dropped: nothing is written to disk), or type a file or folder path on this computer (read in
place, like ``unshared fingerprint``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from unshared.errors import UnsharedError
from unshared.web.app import AppState, render, session_state
from unshared.web.forms import checked_form, one
from unshared.web.security import csrf_ok

router = APIRouter()
MAX_IN_MEMORY = 512 << 20


def _summary(fp: Any) -> dict[str, Any]:
    data: dict[str, Any] = fp.to_dict()
    return {
        "name": Path(data.get("path") or "").name,
        "kind": data["kind"],
        "sha256": data["sha256"],
        "md5": data["md5"],
        "pdq": data.get("pdq"),
        "quality": data.get("quality"),
        "warnings": list(data.get("warnings") or []),
    }


def _store(state: AppState, prints: list[Any], how: str) -> None:
    with state.lock:
        if state.case is not None and prints:
            state.case.add_fingerprints(
                prints, {"count": len(prints), "how": how, "media_stored": False}
            )
        state.session_prints.extend(_summary(fp) for fp in prints)


@router.get("/protect", response_class=HTMLResponse)
def protect_page(request: Request, error: str | None = None) -> Response:
    state = session_state(request)
    stored: list[dict[str, Any]] = []
    if state.case is not None:
        with state.lock:
            stored = state.case.fingerprints()
    return render(request, "protect.html", stored=stored, session=state.session_prints, error=error)


@router.put("/api/fingerprint")
async def fingerprint_upload(request: Request, name: str) -> Response:
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        raise HTTPException(status_code=403, detail="expired page; reload and try again")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_IN_MEMORY:
            raise HTTPException(
                status_code=413,
                detail="This file is very large: type its path below instead, it is read in place.",
            )
    from unshared.fingerprints.service import fingerprint_bytes

    state = session_state(request)
    safe_name = Path(name).name[:200]
    try:
        fp = await anyio.to_thread.run_sync(fingerprint_bytes, bytes(body), safe_name)
    except UnsharedError as exc:
        return JSONResponse({"name": safe_name, "error": exc.message}, status_code=422)
    finally:
        body.clear()
    _store(state, [fp], "chosen in the app (held in memory only)")
    return JSONResponse(_summary(fp))


@router.post("/protect/path", response_class=HTMLResponse)
async def fingerprint_path(request: Request) -> Response:
    values = await checked_form(request)
    raw = one(values, "path")
    if not raw:
        return protect_page(request, error="Type the path of a picture, a video or a folder.")
    from unshared.fingerprints.service import fingerprint_file, iter_media

    state = session_state(request)

    def work() -> tuple[list[Any], list[str]]:
        prints: list[Any] = []
        errors: list[str] = []
        for path in iter_media([Path(raw).expanduser()]):
            try:
                prints.append(fingerprint_file(path))
            except UnsharedError as exc:
                errors.append(exc.describe())
        return prints, errors

    try:
        prints, errors = await anyio.to_thread.run_sync(work)
    except UnsharedError as exc:
        return protect_page(request, error=exc.describe())
    _store(state, prints, "read in place from a path")
    if errors:
        return protect_page(request, error="; ".join(errors[:5]))
    return RedirectResponse("/protect", status_code=303)
