"""Step 1: Are you safe? The guide's questions, then the personal plan with steps to tick off."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from unshared.errors import UnsharedError
from unshared.web.app import render, session_state
from unshared.web.forms import checked_form, one

router = APIRouter()

REGIONS = [
    ("UK", "United Kingdom"),
    ("US", "United States"),
    ("IE", "Ireland"),
    ("CA", "Canada"),
    ("AU", "Australia"),
]


def _safe_page(request: Request, answers: dict[str, Any], error: str | None) -> Response:
    """The questions; the names of payment methods and apps come from the guide's data."""
    from unshared.guide.loader import default_guide
    from unshared.guide.model import PAYMENT_METHODS, PLATFORMS

    data = default_guide()
    return render(
        request,
        "safe.html",
        answers=answers,
        regions=REGIONS,
        payment_methods=[(m, data.payments[m].name) for m in PAYMENT_METHODS],
        platforms=[(p, data.platforms[p].name) for p in PLATFORMS],
        error=error,
    )


@router.get("/safe", response_class=HTMLResponse)
def safe_form(request: Request) -> Response:
    state = session_state(request)
    answers = state.answers.to_dict() if state.answers is not None else {}
    return _safe_page(request, answers, None)


@router.post("/safe", response_class=HTMLResponse)
async def safe_submit(request: Request) -> Response:
    from unshared.guide.answers import parse_answers
    from unshared.guide.flow import build_plan
    from unshared.guide.loader import default_guide

    values = await checked_form(request)
    raw: dict[str, Any] = {
        "region": one(values, "region", "UK"),
        "age": one(values, "age"),
        "payment_methods": values.get("payment_methods", []),
        "platforms": values.get("platforms", []),
    }
    for key in (
        "happening_now",
        "in_danger",
        "self_harm_thoughts",
        "images_shared",
        "paid",
        "account_suspended",
    ):
        raw[key] = one(values, key, "no") == "yes"
    try:
        age = int(raw["age"])
        if not 5 <= age <= 120:
            raise ValueError
        raw["age"] = age
        answers = parse_answers(raw, path="the form")
    except (ValueError, UnsharedError):
        return _safe_page(
            request, raw, "Please enter your age in years (a number), so the plan fits you."
        )
    state = session_state(request)
    with state.lock:
        state.answers = answers
        state.plan = build_plan(answers, default_guide())
        if state.case is not None:
            from unshared.guide.casefile_link import record_plan

            record_plan(state.case, answers, state.plan)
    return RedirectResponse("/plan", status_code=303)


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request) -> Response:
    state = session_state(request)
    if state.plan is None:
        return RedirectResponse("/safe", status_code=303)
    done: set[str] = set()
    if state.case is not None:
        from unshared.guide.casefile_link import done_steps

        with state.lock:
            done = done_steps(state.case)
    done |= state.done_local
    return render(request, "plan.html", plan=state.plan, done=done, answers=state.answers)


@router.post("/plan/done")
async def plan_done(request: Request) -> Response:
    values = await checked_form(request)
    step_id = one(values, "step")
    state = session_state(request)
    if state.plan is not None and state.plan.step(step_id) is not None:
        with state.lock:
            if state.case is not None:
                from unshared.guide.casefile_link import record_step_done

                record_step_done(state.case, step_id)
            state.done_local.add(step_id)
    return RedirectResponse(f"/plan#step-{step_id}", status_code=303)
