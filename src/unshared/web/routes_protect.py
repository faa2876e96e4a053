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
from fastapi.responses import HTMLResponse, JSONResponse, Response

from unshared.errors import UnsharedError
from unshared.model import Fingerprint
from unshared.web.deps import AppState, PrintSummary, render, session_state
from unshared.web.forms import checked_form, go, one, refuse
from unshared.web.security import csrf_ok

router = APIRouter()
MAX_IN_MEMORY = 512 << 20


def _summary(fp: Fingerprint) -> PrintSummary:
    return {
        "name": Path(fp.path or "").name,
        "kind": fp.kind,
        "sha256": fp.sha256,
        "md5": fp.md5,
        "pdq": fp.pdq,
        "quality": fp.quality,
        "warnings": list(fp.warnings),
    }


def _remember(state: AppState, prints: list[Fingerprint]) -> None:
    with state.lock:
        state.session_prints.extend(_summary(fp) for fp in prints)


@router.get("/protect", response_class=HTMLResponse)
def protect_page(request: Request) -> Response:
    state = session_state(request)
    stored: list[dict[str, Any]] = []
    if state.case is not None:
        from unshared.usecases.fingerprint import stored_fingerprints

        with state.lock:
            stored = stored_fingerprints(state.case)
    under_18 = state.answers is None or state.answers.under_18
    return render(
        request, "protect.html", stored=stored, session=state.session_prints, under_18=under_18
    )


@router.put("/api/fingerprint")
async def fingerprint_upload(request: Request, name: str) -> Response:
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        raise HTTPException(
            status_code=403, detail="This page has expired. Reload it and try again."
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_IN_MEMORY:
            raise HTTPException(
                status_code=413,
                detail="This file is very large: type its path below instead, it is read in place.",
            )
    from unshared.usecases.fingerprint import fingerprint_upload

    state = session_state(request)
    safe_name = Path(name).name[:200]

    def work() -> Fingerprint:
        with state.lock:
            return fingerprint_upload(bytes(body), safe_name, case=state.case)

    try:
        fp = await anyio.to_thread.run_sync(work)
    except UnsharedError as exc:
        said = (
            f"{safe_name}: no fingerprint was made ({exc.message}). Choose a picture or a video "
            "(for example a JPEG or PNG photo, or an MP4 video) and try again."
        )
        return JSONResponse(
            {"name": safe_name, "error": exc.message, "said": said}, status_code=422
        )
    finally:
        body.clear()
    _remember(state, [fp])
    summary = dict(_summary(fp))
    summary["said"] = (
        f"{safe_name}: fingerprint made. The picture itself was not copied or sent anywhere."
    )
    return JSONResponse(summary)


@router.post("/protect/path", response_class=HTMLResponse)
async def fingerprint_path(request: Request) -> Response:
    values = await checked_form(request)
    raw = one(values, "path")
    if not raw:
        return refuse(request, "Type the path of a picture, a video or a folder.", "/protect")
    from unshared.usecases.fingerprint import fingerprint_paths, media_files

    state = session_state(request)

    def work() -> tuple[list[Fingerprint], list[str]]:
        targets = [Path(raw).expanduser()]
        files = media_files(targets, strict=True)
        with state.lock:
            run = fingerprint_paths(targets, case=state.case, files=files)
        return run.prints, [exc.describe() for exc in run.errors]

    try:
        prints, errors = await anyio.to_thread.run_sync(work)
    except UnsharedError as exc:
        return refuse(request, exc.describe() + " Check the path and try again.", "/protect")
    _remember(state, prints)
    if errors:
        return refuse(
            request,
            f"{len(prints)} fingerprint(s) made; these could not be read: " + "; ".join(errors[:5]),
            "/protect#made",
        )
    return go(request, "/protect#made", done=f"{len(prints)} fingerprint(s) made.")
