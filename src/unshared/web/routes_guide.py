"""Step 1: Are you safe? The guide's questions, then the personal plan with steps to tick off."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from unshared.errors import UnsharedError
from unshared.web.deps import render, session_state
from unshared.web.forms import checked_form, go, one, refuse

router = APIRouter()


def _safe_page(request: Request, answers: dict[str, Any], error: str | None) -> Response:
    """The questions (words, choices, regions) and the names of payment methods and apps all come
    from the guide, the one source every shell reads. Nothing is pre-answered."""
    from unshared.guide.answers import QUESTIONS
    from unshared.guide.loader import default_guide
    from unshared.guide.model import AGE_MAX, AGE_MIN, PAYMENT_METHODS, PLATFORMS, REGION_NAMES

    data = default_guide()
    return render(
        request,
        "safe.html",
        answers=answers,
        questions={q.field: q for q in QUESTIONS},
        age_range=(AGE_MIN, AGE_MAX),
        regions=list(REGION_NAMES.items()),
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
    from unshared.guide.answers import QUESTIONS
    from unshared.usecases.plan import answers_from_form, make_plan

    values = await checked_form(request)
    # Every question may be skipped: a missing or empty answer is "not sure" (the guide decides).
    raw: dict[str, Any] = {
        q.field: values.get(q.field, []) if q.kind == "many" else one(values, q.field)
        for q in QUESTIONS
    }
    try:
        answers = answers_from_form(raw)
    except UnsharedError:
        return refuse(
            request,
            "Please enter your age in years (a number), or leave it empty to skip it.",
            "/safe",
        )
    state = session_state(request)
    with state.lock:
        state.answers = answers
        state.plan = make_plan(answers, state.case)
    return go(request, "/plan")


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request) -> Response:
    state = session_state(request)
    if state.plan is None:
        return RedirectResponse("/safe", status_code=303)
    from unshared.usecases.plan import steps_shown_done

    with state.lock:
        done = steps_shown_done(state.case, state.done_local)
    return render(request, "plan.html", plan=state.plan, done=done, answers=state.answers)


@router.post("/plan/done")
async def plan_done(request: Request) -> Response:
    return await _tick(request, done=True)


@router.post("/plan/undo")
async def plan_undo(request: Request) -> Response:
    """Take a tick back: every tick can be undone (the case log keeps both)."""
    return await _tick(request, done=False)


async def _tick(request: Request, *, done: bool) -> Response:
    from unshared.usecases.plan import mark_step_done, mark_step_undone

    values = await checked_form(request)
    step_id = one(values, "step")
    state = session_state(request)
    if state.plan is not None and state.plan.step(step_id) is not None:
        with state.lock:
            if state.case is not None:
                (mark_step_done if done else mark_step_undone)(state.case, step_id)
            if done:
                state.done_local.add(step_id)
            else:
                state.done_local.discard(step_id)
    return go(request, f"/plan#step-{step_id}")
