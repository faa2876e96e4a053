"""Plan the response with the guide, and record the plan and the steps done in a case.

The plan itself is pure guide data (:mod:`unshared.guide`); what this adds is keeping it in the
case log (``guide_plan``, and ``action``/``step-done`` for each step ticked) so the report can
show what was done.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unshared.casefile import Case
from unshared.guide.answers import parse_answers
from unshared.guide.casefile_link import (
    done_steps,
    plan_status,
    record_plan,
    record_step_done,
    record_step_undone,
)
from unshared.guide.flow import build_plan
from unshared.guide.loader import default_guide, read_answers
from unshared.guide.model import Answers, Plan

__all__ = [
    "PlanStatus",
    "answers_from_file",
    "answers_from_form",
    "make_plan",
    "SAFETY_STEPS",
    "mark_step_done",
    "mark_step_undone",
    "steps_shown_done",
    "plan_in_case",
    "steps_done",
]


def answers_from_file(path: Path) -> Answers:
    """Answers read from a YAML or JSON file (clear errors naming the file and field)."""
    return read_answers(path)


def answers_from_form(raw: dict[str, Any], *, where: str = "the form") -> Answers:
    """Answers from plain values (a web form, the demo)."""
    return parse_answers(raw, path=where)


def make_plan(answers: Answers, case: Case | None = None) -> Plan:
    """The plan for these answers; with ``case``, the answers and plan are recorded in its log."""
    plan = build_plan(answers, default_guide())
    if case is not None:
        record_plan(case, answers, plan)
    return plan


def mark_step_done(case: Case, step_id: str) -> None:
    """Record that a step of the case's newest plan is done (unknown steps are refused)."""
    record_step_done(case, step_id)


#: Steps about being safe right now: a tick from an earlier session says nothing about today.
SAFETY_STEPS = frozenset({"emergency", "crisis"})


def mark_step_undone(case: Case, step_id: str) -> None:
    """Take a tick back (logged as ``step-undone``; the earlier tick stays in the log)."""
    record_step_undone(case, step_id)


def steps_shown_done(case: Case | None, this_session: set[str]) -> set[str]:
    """The steps to show as done: the case's ticks, except safety steps, which count only when
    ticked in this session (issue 15 item 2)."""
    done = set(this_session)
    if case is not None:
        done |= done_steps(case) - SAFETY_STEPS
    return done


def steps_done(case: Case) -> set[str]:
    """The ids of every step recorded as done in the case."""
    return done_steps(case)


@dataclass(frozen=True)
class PlanStatus:
    """The case's newest plan (None: no plan yet) and the steps done."""

    plan: Plan | None
    done: frozenset[str]


def plan_in_case(case: Case, *, done: str | None = None) -> PlanStatus:
    """``unshared guide CASE --status/--done``: optionally tick a step, then the plan with ticks."""
    if done:
        mark_step_done(case, done)
    rows = plan_status(case)
    if not rows:
        return PlanStatus(None, frozenset())
    plan = Plan(steps=tuple(step for step, _ in rows))
    return PlanStatus(plan, frozenset(step.id for step, is_done in rows if is_done))
