"""Step 3 (what they used) and step 5 (report): identifiers, key messages, the evidence pack.

Each route calls one use case; the use cases bring the analysis up to date themselves. The pack
is written only to the folder the person chooses, readable by them alone, and can be removed
again from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from unshared.errors import UnsharedError
from unshared.usecases.records import ACTION_WORDS
from unshared.usecases.report import DOWNLOADS
from unshared.web.deps import AppState, phone_region, render, session_state
from unshared.web.forms import checked_form, go, one, refuse
from unshared.web.words import identifier_rows, is_harm

router = APIRouter()


def _suggested_folder(state: AppState) -> Path:
    name = state.case_path.stem if state.case_path else "case"
    return Path.home() / "Documents" / f"evidence-pack-{name}"


@router.get("/identifiers", response_class=HTMLResponse)
async def identifiers_page(request: Request) -> Response:
    state = session_state(request)
    if state.case is None:
        return render(request, "identifiers.html", identifiers=[], key_messages=[], no_case=True)
    from unshared.usecases.analyse import own_flagged, what_they_used

    region = phone_region(state)

    def work() -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
        assert state.case is not None
        with state.lock:
            table, keys = what_they_used(state.case, region)
            return table, keys, own_flagged(state.case)

    identifiers, key_messages, own = await anyio.to_thread.run_sync(work)
    for entry in key_messages:
        entry["harm"] = any(is_harm(s) for s in entry["signals"])
    return render(
        request,
        "identifiers.html",
        identifiers=identifier_rows(identifiers),
        key_messages=key_messages,
        own_flagged=own,
        no_case=False,
    )


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request) -> Response:
    state = session_state(request)
    drafts: list[Any] = []
    actions: list[dict[str, Any]] = []
    aside: list[Any] = []
    if state.case is not None:
        from unshared.usecases.report import report_overview

        folder = state.export_folder or _suggested_folder(state)
        with state.lock:
            overview = report_overview(state.case, folder, region=phone_region(state))
            aside = [e for e in state.case.exhibits() if e.set_aside]
        drafts = overview.drafts
        actions = overview.actions
    made = [n for n in state.export_files if state.export_folder is not None]
    return render(
        request,
        "report.html",
        made=made,
        folder=state.export_folder,
        suggested=_suggested_folder(state),
        drafts=drafts,
        actions=actions,
        aside=aside,
        kinds=ACTION_WORDS,
    )


@router.post("/report/make", response_class=HTMLResponse)
async def report_make(request: Request) -> Response:
    values = await checked_form(request)
    state = session_state(request)
    if state.case is None:
        return refuse(request, "Open your case first (step 2).", "/report")
    raw = one(values, "folder")
    if not raw:
        return refuse(request, "Type the folder where the files should go.", "/report#downloads")
    folder = Path(raw).expanduser()
    from unshared.usecases.report import make_private_pack

    region = phone_region(state)

    def work() -> list[str]:
        assert state.case is not None
        with state.lock:
            made = make_private_pack(state.case, folder, region=region)
        return [*made.files, "bundle.zip"]

    try:
        files = await anyio.to_thread.run_sync(work)
    except UnsharedError as exc:
        return refuse(request, exc.describe() + " Choose another folder and try again.", "/report")
    except OSError as exc:
        return refuse(
            request,
            f"The files could not be written to {folder} ({exc.strerror}). "
            "Choose another folder and try again.",
            "/report",
        )
    with state.lock:
        state.export_folder = folder
        state.export_files = files
    return go(
        request,
        "/report#downloads",
        done=f"The evidence pack is in {folder}. Only you can open these files on this computer.",
    )


@router.post("/report/remove")
async def report_remove(request: Request) -> Response:
    """Remove the pack this session wrote (the evidence stays in the case)."""
    await checked_form(request)
    state = session_state(request)
    if state.export_folder is None:
        return go(request, "/report")
    from unshared.usecases.report import remove_pack

    removed = remove_pack(state.export_folder)
    where = state.export_folder
    with state.lock:
        state.export_folder = None
        state.export_files = []
    return go(
        request,
        "/report#downloads",
        done=f"Removed {len(removed)} file(s) from {where}. The evidence is still in your case.",
    )


@router.get("/report/file/{name}")
def report_file(request: Request, name: str) -> Response:
    state = session_state(request)
    if state.case is None or name not in DOWNLOADS or state.export_folder is None:
        raise HTTPException(status_code=404, detail="Make the evidence pack first.")
    path = state.export_folder / name
    if not path.is_file():
        raise HTTPException(status_code=404, detail="Make the evidence pack first.")
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
        return refuse(request, "Open your case first (step 2).", "/report")
    kind = one(values, "kind")
    ref, detail = one(values, "ref"), one(values, "detail")
    if kind not in ACTION_WORDS:
        return refuse(
            request,
            "Choose what you did from the list, add a reference number if you have one, "
            "then press Save.",
            "/report#actions",
        )
    if kind == "other" and not (ref or detail):
        return refuse(
            request, "Write a few words about what you did, then press Save.", "/report#actions"
        )
    from unshared.usecases.records import add_action

    try:
        with state.lock:
            add_action(state.case, kind, ref or None, detail or None)
    except UnsharedError as exc:
        return refuse(request, exc.message, "/report#actions")
    return go(request, "/report#actions", done="Saved in your case.")
