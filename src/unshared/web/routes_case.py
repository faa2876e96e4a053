"""Step 2: your case. Create or open it, drop in exports and screenshots, read the conversation.

Uploads are streamed from the browser straight into the encrypted case (never to a temporary
file): the request body is read chunk by chunk on the event loop and handed to the case writer
running in a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from anyio.from_thread import run as run_from_thread
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from unshared.errors import UnsharedError
from unshared.usecases.add import AddResult, add_upload
from unshared.usecases.case import Case, create_case, open_case
from unshared.usecases.exhibits import list_exhibits, message_page
from unshared.web.deps import AppState, UploadSummary, phone_region, render, session_state
from unshared.web.forms import checked_form, one
from unshared.web.security import csrf_ok

router = APIRouter()
_NAME = re.compile(r"^[\w .-]{1,80}$")
MESSAGES_PER_PAGE = 300


def _cases(state: AppState) -> list[str]:
    folder = state.settings.cases_dir
    return sorted(p.name for p in folder.glob("*.unshared")) if folder.is_dir() else []


def _case_path(state: AppState, name: str) -> Path:
    name = name.strip()
    if not name.endswith(".unshared"):
        name += ".unshared"
    if not _NAME.match(name) or name.startswith("."):
        raise HTTPException(status_code=400, detail="Use letters, numbers, spaces, dots or dashes.")
    return state.settings.cases_dir / name


@router.get("/case", response_class=HTMLResponse)
def case_page(request: Request, error: str | None = None) -> Response:
    state = session_state(request)
    exhibits: list[Any] = []
    count = 0
    if state.case is not None:
        with state.lock:
            exhibits = list_exhibits(state.case)
            count = state.case.message_count()
    return render(
        request,
        "case.html",
        cases=_cases(state),
        exhibits=exhibits,
        message_count=count,
        results=state.last_results,
        error=error,
        preselect=state.settings.case_path.name if state.settings.case_path else None,
    )


@router.post("/case/new", response_class=HTMLResponse)
async def case_new(request: Request) -> Response:
    values = await checked_form(request)
    state = session_state(request)
    secret, again = one(values, "passphrase"), one(values, "passphrase2")
    if len(secret) < 8:
        return case_page(request, error="Choose a passphrase of at least 8 characters.")
    if secret != again:
        return case_page(
            request, error="The two passphrases are not the same. Please type them again."
        )
    path = _case_path(state, one(values, "name"))
    state.settings.cases_dir.mkdir(parents=True, exist_ok=True)
    try:
        case = await anyio.to_thread.run_sync(create_case, path, secret)
    except UnsharedError as exc:
        return case_page(request, error=exc.message)
    _open(state, case, path)
    return RedirectResponse("/case", status_code=303)


@router.post("/case/open", response_class=HTMLResponse)
async def case_open(request: Request) -> Response:
    values = await checked_form(request)
    state = session_state(request)
    path = _case_path(state, one(values, "name"))
    secret = one(values, "passphrase") or None
    try:
        case = await anyio.to_thread.run_sync(open_case, path, secret)
    except UnsharedError as exc:
        return case_page(request, error=exc.message)
    _open(state, case, path)
    return RedirectResponse("/case", status_code=303)


def _open(state: AppState, case: Case, path: Path) -> None:
    state.close_case()
    with state.lock:
        state.case = case
        state.case_path = path
        state.last_results = []
        if state.answers is not None and state.plan is not None:
            from unshared.usecases.plan import make_plan

            state.plan = make_plan(state.answers, case)


@router.post("/case/close")
async def case_close(request: Request) -> Response:
    await checked_form(request)
    session_state(request).close_case()
    return RedirectResponse("/case", status_code=303)


class _BodyReader:
    """A blocking file-like view of the request body, for the case writer's worker thread."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""
        self._done = False

    async def _next(self) -> bytes:
        try:
            return await self._chunks.__anext__()
        except StopAsyncIteration:
            return b""

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            chunk = run_from_thread(self._next)
            if not chunk:
                self._done = True
                break
            self._buffer += chunk
        if size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


@router.put("/api/upload")
async def upload(request: Request, name: str) -> Response:
    """Stream one file into the case as an exhibit, then read its messages."""
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        raise HTTPException(status_code=403, detail="expired page; reload and try again")
    state = session_state(request)
    if state.case is None:
        raise HTTPException(status_code=409, detail="Open or create a case first.")
    safe_name = Path(name).name[:200] or "upload"
    reader = _BodyReader(request.stream().__aiter__())
    region = phone_region(state)

    def work() -> AddResult:
        assert state.case is not None
        with state.lock:
            return add_upload(
                state.case,
                reader,  # type: ignore[arg-type]
                name=safe_name,
                region=region,
            )

    result = await anyio.to_thread.run_sync(work)
    summary: UploadSummary = {
        "name": safe_name,
        "sha256": result.exhibit.sha256 if result.exhibit else None,
        "messages": result.messages,
        "format": result.format,
        "kept": result.exhibit is not None,
        "error": result.error.message if result.error else None,
    }
    state.last_results.append(summary)
    return JSONResponse(summary)


@router.get("/case/messages", response_class=HTMLResponse)
def conversation(request: Request, page: int = 1) -> Response:
    state = session_state(request)
    if state.case is None:
        return RedirectResponse("/case", status_code=303)
    with state.lock:
        shown = message_page(state.case, page, MESSAGES_PER_PAGE)
    return render(
        request,
        "messages.html",
        messages=shown.messages,
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
        me=shown.me,
    )
