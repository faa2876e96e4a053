"""Step 3 (what they used) and step 5 (report): identifiers, key messages, the evidence pack.

Each route calls one use case; the use cases bring the analysis up to date themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from unshared.errors import UnsharedError
from unshared.usecases.records import ACTION_KINDS
from unshared.usecases.report import DOWNLOADS, default_report_folder
from unshared.web.deps import AppState, phone_region, render, session_state
from unshared.web.forms import checked_form, one

router = APIRouter()


def _out_dir(state: AppState) -> Path:
    assert state.case_path is not None
    return default_report_folder(state.case_path)


@router.get("/identifiers", response_class=HTMLResponse)
async def identifiers_page(request: Request) -> Response:
    state = session_state(request)
    if state.case is None:
        return render(request, "identifiers.html", identifiers=[], key_messages=[], no_case=True)
    from unshared.usecases.analyse import what_they_used

    region = phone_region(state)

    def work() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        assert state.case is not None
        with state.lock:
            return what_they_used(state.case, region)

    identifiers, key_messages = await anyio.to_thread.run_sync(work)
    return render(
        request,
        "identifiers.html",
        identifiers=identifiers,
        key_messages=key_messages,
        no_case=False,
    )


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, error: str | None = None) -> Response:
    state = session_state(request)
    made: list[str] = []
    drafts: list[dict[str, str]] = []
    actions: list[dict[str, Any]] = []
    if state.case is not None:
        from unshared.usecases.report import report_overview

        with state.lock:
            overview = report_overview(state.case, _out_dir(state), region=phone_region(state))
        made = overview.made
        drafts = [{"name": d.name, "text": d.text} for d in overview.drafts]
        actions = overview.actions
    return render(
        request,
        "report.html",
        made=made,
        drafts=drafts,
        actions=actions,
        error=error,
        kinds=ACTION_KINDS,
    )


@router.post("/report/make", response_class=HTMLResponse)
async def report_make(request: Request) -> Response:
    await checked_form(request)
    state = session_state(request)
    if state.case is None:
        return report_page(request, error="Open your case first (step 2).")
    from unshared.usecases.report import make_report_and_bundle

    folder = _out_dir(state)
    region = phone_region(state)

    def work() -> None:
        assert state.case is not None
        with state.lock:
            make_report_and_bundle(state.case, folder, region=region)

    try:
        await anyio.to_thread.run_sync(work)
    except UnsharedError as exc:
        return report_page(request, error=exc.describe())
    return RedirectResponse("/report#downloads", status_code=303)


@router.get("/report/file/{name}")
def report_file(request: Request, name: str) -> Response:
    state = session_state(request)
    if state.case is None or name not in DOWNLOADS:
        raise HTTPException(status_code=404, detail="not found")
    path = _out_dir(state) / name
    if not path.is_file():
        raise HTTPException(status_code=404, detail="make the report first")
    return FileResponse(
        path,
        media_type=DOWNLOADS[name],
        filename=f"{state.case_path.stem}-{name}" if state.case_path else name,
    )


@router.post("/report/action", response_class=HTMLResponse)
async def report_action(request: Request) -> Response:
    values = await checked_form(request)
    state = session_state(request)
    if state.case is None:
        return report_page(request, error="Open your case first (step 2).")
    from unshared.usecases.records import add_action

    try:
        with state.lock:
            add_action(
                state.case,
                one(values, "kind"),
                one(values, "ref") or None,
                one(values, "detail") or None,
            )
    except UnsharedError as exc:
        return report_page(request, error=exc.message)
    return RedirectResponse("/report#actions", status_code=303)
