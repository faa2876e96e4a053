"""The plan in a real case file: events join the hash chain, status reads them back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from unshared.casefile import Case, check_chain
from unshared.errors import CaseFileError
from unshared.guide.casefile_link import (
    latest_plan,
    plan_status,
    record_plan,
    record_step_done,
)
from unshared.guide.content import GuideData
from unshared.guide.flow import build_plan
from unshared.guide.model import Answers


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    opened = Case.create(tmp_path / "c.unshared", None)
    yield opened
    opened.close()


def test_no_plan_means_no_status(case: Case) -> None:
    assert plan_status(case) == []
    with pytest.raises(CaseFileError, match="no plan yet"):
        record_step_done(case, "police")


def test_status_follows_action_events(case: Case, guide: GuideData) -> None:
    answers = Answers(age=25, region="IE", platforms=("telegram",))
    plan = build_plan(answers, guide)
    record_plan(case, answers, plan)
    record_step_done(case, "police")
    # What the lead's `unshared action CASE step-done --ref ID` writes:
    case.log("action", {"kind": "step-done", "ref": "platform-telegram"})
    # Other actions do not tick steps.
    case.log("action", {"kind": "reported", "ref": "stay-calm"})
    case.log("note", {"text": "step-done support"})

    status = dict((step.id, done) for step, done in plan_status(case))
    assert list(status) == plan.ids
    assert status["police"] and status["platform-telegram"]
    assert not status["stay-calm"] and not status["support"]
    assert check_chain(list(case.events())) == []


def test_newest_plan_wins_and_keeps_earlier_ticks(case: Case, guide: GuideData) -> None:
    first = Answers(age=30)
    record_plan(case, first, build_plan(first, guide))
    record_step_done(case, "dont-pay")
    second = Answers(age=30, paid=True, payment_methods=("paypal",))
    record_plan(case, second, build_plan(second, guide))
    plan = latest_plan(case)
    assert plan is not None and "payment-paypal" in plan.ids
    status = dict((s.id, d) for s, d in plan_status(case))
    assert status["dont-pay"] and not status["payment-paypal"]
    with pytest.raises(CaseFileError, match="no step 'payment-card'"):
        record_step_done(case, "payment-card")
