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
from unshared.usecases.add import AddResult, add_upload, media_kind, remember_me
from unshared.usecases.case import Case, create_case, open_case
from unshared.usecases.exhibits import (
    WhoIsWho,
    conversation_size,
    list_exhibits,
    message_page,
    set_aside_exhibit,
    who_is_who,
)
from unshared.web.deps import AppState, UploadSummary, phone_region, render, session_state
from unshared.web.forms import checked_form, go, one, refuse
from unshared.web.security import csrf_ok

router = APIRouter()
_NAME = re.compile(r"^[\w .-]{1,80}$")
MESSAGES_PER_PAGE = 300


def _cases(state: AppState) -> list[str]:
    folder = state.settings.cases_dir
    return sorted(p.name for p in folder.glob("*.unshared")) if folder.is_dir() else []


def _case_path(state: AppState, name: str) -> Path | None:
    name = name.strip()
    if not name.endswith(".unshared"):
        name += ".unshared"
    if not _NAME.match(name) or name.startswith("."):
        return None
    return state.settings.cases_dir / name


BAD_NAME = "Choose a name of letters, numbers, spaces, dots or dashes (for example my-case)."


@router.get("/case", response_class=HTMLResponse)
def case_page(request: Request) -> Response:
    state = session_state(request)
    exhibits: list[Any] = []
    count = 0
    who: WhoIsWho | None = None
    if state.case is not None:
        with state.lock:
            exhibits = list_exhibits(state.case)
            count = conversation_size(state.case)
            who = who_is_who(state.case)
    return render(
        request,
        "case.html",
        cases=_cases(state),
        exhibits=exhibits,
        message_count=count,
        who=who,
        change_who=request.query_params.get("who") == "change",
        preselect=state.settings.case_path.name if state.settings.case_path else None,
    )


@router.post("/case/new", response_class=HTMLResponse)
async def case_new(request: Request) -> Response:
    values = await checked_form(request)
    state = session_state(request)
    secret, again = one(values, "passphrase"), one(values, "passphrase2")
    path = _case_path(state, one(values, "name"))
    if path is None:
        return refuse(request, BAD_NAME, "/case")
    if len(secret) < 8:
        return refuse(request, "Choose a passphrase of at least 8 characters.", "/case")
    if secret != again:
        return refuse(
            request, "The two passphrases are not the same. Please type them again.", "/case"
        )
    state.settings.cases_dir.mkdir(parents=True, exist_ok=True)
    try:
        case = await anyio.to_thread.run_sync(create_case, path, secret)
    except UnsharedError as exc:
        return refuse(request, _sentence(exc.message), "/case")
    _open(state, case, path)
    return go(request, "/case", done="Your case is ready. Now add the conversation.")


@router.post("/case/open", response_class=HTMLResponse)
async def case_open(request: Request) -> Response:
    values = await checked_form(request)
    state = session_state(request)
    path = _case_path(state, one(values, "name"))
    if path is None:
        return refuse(request, "Choose one of your cases from the list.", "/case")
    secret = one(values, "passphrase") or None
    try:
        case = await anyio.to_thread.run_sync(open_case, path, secret)
    except UnsharedError as exc:
        return refuse(
            request,
            _sentence(exc.message) + " Check the passphrase (capital letters count) and try again.",
            "/case",
        )
    _open(state, case, path)
    return go(request, "/case", done="Your case is open.")


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


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
    return go(request, "/case", done="Your case is closed and locked.")


@router.post("/case/set-aside")
async def case_set_aside(request: Request) -> Response:
    """A file added by mistake: set aside (kept and logged, left out of every export)."""
    values = await checked_form(request)
    state = session_state(request)
    if state.case is None:
        return refuse(request, "Open your case first.", "/case")
    with state.lock:
        try:
            info = set_aside_exhibit(state.case, one(values, "sha256"), "added by mistake")
        except UnsharedError:
            return refuse(request, "That file is not in this case.", "/case")
    return go(
        request,
        "/case#kept",
        done=f"{info.name} is set aside: it stays recorded in the case, and it is left out of "
        "the report and the evidence pack.",
    )


@router.post("/case/me")
async def case_me(request: Request) -> Response:
    """ "Which of these is you?": recorded once in the case log and used everywhere."""
    values = await checked_form(request)
    state = session_state(request)
    names = [n for n in values.get("me", []) if n.strip()]
    if state.case is None:
        return refuse(request, "Open your case first.", "/case")
    if not names:
        return refuse(
            request, "Tick the name (or names) that are you, then press This is me.", "/case#who"
        )
    with state.lock:
        remember_me(state.case, names)
    return go(request, "/case#who")


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

    def peek(self, size: int) -> bytes:
        """The first ``size`` bytes, without consuming them."""
        while not self._done and len(self._buffer) < size:
            chunk = run_from_thread(self._next)
            if not chunk:
                self._done = True
                break
            self._buffer += chunk
        return self._buffer[:size]

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
async def upload(request: Request, name: str, media: int = 0) -> Response:
    """Stream one file into the case as an exhibit, then read its messages.

    A picture or video chosen as a chat is refused before anything is stored (issue 15 item 3).
    """
    if not csrf_ok(request, request.headers.get("x-csrf-token")):
        raise HTTPException(
            status_code=403, detail="This page has expired. Reload it and try again."
        )
    state = session_state(request)
    if state.case is None:
        raise HTTPException(status_code=409, detail="Open or create a case first (step 2).")
    safe_name = Path(name).name[:200] or "upload"
    reader = _BodyReader(request.stream().__aiter__())
    region = phone_region(state)

    def work() -> AddResult | str:
        assert state.case is not None
        kind = media_kind(reader.peek(16))
        if kind is not None:
            return kind
        with state.lock:
            return add_upload(
                state.case,
                reader,  # type: ignore[arg-type]
                name=safe_name,
                region=region,
                media_confirmed=bool(media),
            )

    result = await anyio.to_thread.run_sync(work)
    if isinstance(result, str):
        said = (
            f"{safe_name} was not added: it looks like a {result}, not a chat. Pictures are not "
            "needed as evidence here, and you do not need to keep them. To protect a picture, "
            "use step 4: it makes a fingerprint and keeps nothing else."
        )
        return JSONResponse({"name": safe_name, "kept": False, "said": said}, status_code=422)
    summary: UploadSummary = {
        "name": safe_name,
        "sha256": result.exhibit.sha256 if result.exhibit else None,
        "messages": result.messages,
        "format": result.format,
        "kept": result.exhibit is not None,
        "error": result.error.message if result.error else None,
        "duplicate": result.exhibit is not None and not result.exhibit.new,
        "said": _said(safe_name, result),
    }
    state.last_results.append(summary)
    return JSONResponse(summary)


def _said(name: str, result: AddResult) -> str:
    """What the live region announces after one upload, in plain words."""
    if result.exhibit is not None and not result.exhibit.new:
        return (
            f"{name} was already in your case: it is kept once, and its messages are not "
            "counted twice."
        )
    if result.error is not None:
        return (
            f"{name} is kept in the case, but no messages could be read from it "
            f"({result.error.message}). If it is a chat, see how to save it from the app below."
        )
    said = f"{name}: {result.messages} messages read."
    if result.notes and any("set aside" in n for n in result.notes):
        said += " It holds pictures or videos, so it is set aside and left out of the pack."
    return said


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
        assumed=any(s.message.time_assumed for s in shown.messages),
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
        me=shown.me,
    )
