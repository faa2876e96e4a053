"""The plan inside a case file: record it, record steps done, and read back which are done.

Events (appended with :meth:`unshared.casefile.Case.log`, so they join the hash chain):

* ``guide_plan``: ``{"answers": {...}, "plan": {"steps": [...]}}``, one per plan made;
* ``action``: ``{"kind": "step-done", "ref": STEP_ID}``, one per step marked done (written by
  ``unshared guide CASE --done STEP_ID`` or by ``unshared action CASE step-done --ref STEP_ID``).

:func:`plan_status` reads the newest plan and pairs each step with whether it is done, for the
report.
"""

from __future__ import annotations

from typing import Any, Protocol

from unshared.errors import CaseFileError
from unshared.guide.model import Answers, Plan, Step

__all__ = [
    "ACTION_EVENT",
    "PLAN_EVENT",
    "STEP_DONE",
    "done_steps",
    "latest_plan",
    "plan_status",
    "record_plan",
    "record_step_done",
    "record_step_undone",
]

PLAN_EVENT = "guide_plan"
ACTION_EVENT = "action"
STEP_DONE = "step-done"
STEP_UNDONE = "step-undone"


class _Event(Protocol):
    @property
    def type(self) -> str: ...

    def data(self) -> dict[str, Any]: ...


class _CaseLog(Protocol):
    """The part of :class:`unshared.casefile.Case` this module needs."""

    def log(self, type_: str, payload: dict[str, Any]) -> Any: ...

    def events(self) -> Any: ...


def record_plan(case: _CaseLog, answers: Answers, plan: Plan) -> Any:
    """Append the answers and the plan as one ``guide_plan`` event."""
    return case.log(PLAN_EVENT, {"answers": answers.to_dict(), "plan": plan.to_dict()})


def latest_plan(case: _CaseLog) -> Plan | None:
    found: Plan | None = None
    for event in case.events():
        if event.type == PLAN_EVENT:
            found = Plan.from_dict(event.data().get("plan", {}))
    return found


def done_steps(case: _CaseLog) -> set[str]:
    done: set[str] = set()
    for event in case.events():
        if event.type != ACTION_EVENT:
            continue
        payload = event.data()
        if not isinstance(payload.get("ref"), str):
            continue
        if payload.get("kind") == STEP_DONE:
            done.add(payload["ref"])
        elif payload.get("kind") == STEP_UNDONE:  # a tick taken back (the log keeps both)
            done.discard(payload["ref"])
    return done


def record_step_done(case: _CaseLog, step_id: str) -> Any:
    """Append ``action`` ``step-done`` for a step of the newest plan (refuses unknown ids)."""
    plan = latest_plan(case)
    if plan is None:
        raise CaseFileError("this case has no plan yet: run unshared guide CASE first")
    if plan.step(step_id) is None:
        raise CaseFileError(
            f"no step {step_id!r} in this case's plan (steps: {', '.join(plan.ids)})"
        )
    return case.log(ACTION_EVENT, {"kind": STEP_DONE, "ref": step_id})


def record_step_undone(case: _CaseLog, step_id: str) -> Any:
    """Append ``action`` ``step-undone``: a tick taken back. Nothing is removed from the log."""
    return case.log(ACTION_EVENT, {"kind": STEP_UNDONE, "ref": step_id})


def plan_status(case: _CaseLog) -> list[tuple[Step, bool]]:
    """Each step of the newest ``guide_plan`` with whether an ``action`` marked it done.

    Empty when the case has no plan. Steps done before the newest plan still count when the new
    plan has a step with the same id.
    """
    plan = latest_plan(case)
    if plan is None:
        return []
    done = done_steps(case)
    return [(step, step.id in done) for step in plan.steps]
