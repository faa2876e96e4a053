"""Step 3 (what they used) and step 5 (report): identifiers, key messages, the evidence pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from unshared import services
from unshared.errors import UnsharedError
from unshared.web.app import AppState, phone_region, render, session_state
from unshared.web.forms import checked_form, one

router = APIRouter()
DOWNLOADS = {
    "report.pdf": "application/pdf",
    "report.html": "text/html",
    "case.jsonld": "application/ld+json",
    "bundle.zip": "application/zip",
}


def _out_dir(state: AppState) -> Path:
    assert state.case_path is not None
    return state.case_path.with_name(state.case_path.stem + "-report")


@router.get("/identifiers", response_class=HTMLResponse)
async def identifiers_page(request: Request) -> Response:
    state = session_state(request)
    if state.case is None:
        return render(request, "identifiers.html", identifiers=[], key_messages=[], no_case=True)
    from unshared.analysis.service import analyze_case, identifier_table, needs_analysis

    region = phone_region(state)

    def work() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        assert state.case is not None
        with state.lock:
            if needs_analysis(state.case, region):
                analyze_case(state.case, region=region)
            messages = {s.id: s.message for s in state.case.messages()}
            table = identifier_table(state.case.identifiers())
            flagged: dict[int, dict[str, Any]] = {}
            for mid, signal in state.case.signals():
                if signal["stage"] in ("threat", "payment_demand", "deadline", "escalation"):
                    entry = flagged.setdefault(mid, {"message": messages.get(mid), "signals": []})
                    entry["signals"].append(signal)
        return table, [flagged[k] for k in sorted(flagged)]

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
        folder = _out_dir(state)
        made = [name for name in DOWNLOADS if (folder / name).is_file()]
        from unshared.report.pack import model_of
        from unshared.report.platforms import platform_draft, platform_info, platforms_in

        with state.lock:
            model = model_of(state.case)
            drafts = [
                {"name": platform_info(p).name, "text": platform_draft(model, p)}
                for p in platforms_in(model)
            ]
            actions = [e.data() for e in state.case.events() if e.type == "action"]
    return render(
        request,
        "report.html",
        made=made,
        drafts=drafts,
        actions=actions,
        error=error,
        kinds=services.ACTION_KINDS,
    )


@router.post("/report/make", response_class=HTMLResponse)
async def report_make(request: Request) -> Response:
    await checked_form(request)
    state = session_state(request)
    if state.case is None:
        return report_page(request, error="Open your case first (step 2).")
    from unshared.report.bundle import make_bundle
    from unshared.report.pack import write_report

    folder = _out_dir(state)

    def work() -> None:
        assert state.case is not None
        with state.lock:
            write_report(state.case, folder)
            bundle = folder / "bundle.zip"
            bundle.unlink(missing_ok=True)  # a derived copy; the evidence stays in the case
            make_bundle(state.case, bundle)

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
    try:
        with state.lock:
            services.add_action(
                state.case,
                one(values, "kind"),
                one(values, "ref") or None,
                one(values, "detail") or None,
            )
    except UnsharedError as exc:
        return report_page(request, error=exc.message)
    return RedirectResponse("/report#actions", status_code=303)
