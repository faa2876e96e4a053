"""The plan's order and content, over every kind of answers (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import given, settings

from unshared.guide.content import GuideData
from unshared.guide.flow import build_plan
from unshared.guide.loader import default_guide
from unshared.guide.model import Answers, Plan

from ._answers import answers_strategy

DATA = default_guide()
# The order when the images are not (known to be) posted; posted moves the removal steps up.
FIXED_ORDER = [
    "emergency",
    "crisis",
    "trusted-adult",
    "stay-calm",
    "dont-pay",
    "payment-*",
    "scam-tricks",
    "keep-everything",
    "protect-accounts",
    "platform-*",
    "report-platforms",
    "police",
    "remove-images-under18",
    "stopncii",
    "support",
]
POSTED_ORDER = [
    "emergency",
    "crisis",
    "trusted-adult",
    "stay-calm",
    "remove-images-under18",
    "posted",
    "stopncii",
    *FIXED_ORDER[4:12],
    "support",
]


def _kind(step_id: str) -> str:
    for prefix in ("payment-", "platform-"):
        if step_id.startswith(prefix):
            return prefix + "*"
    return step_id


def _all_contact_text(plan: Plan) -> str:
    return json.dumps(plan.to_dict()).lower()


@settings(max_examples=100, deadline=None)
@given(answers_strategy)
def test_plan_order_follows_urgency(answers: Answers) -> None:
    plan = build_plan(answers, DATA)
    ids = plan.ids
    assert len(ids) == len(set(ids))
    order = POSTED_ORDER if answers.images_shared else FIXED_ORDER
    ranks = [order.index(_kind(i)) for i in ids]
    assert ranks == sorted(ranks), ids

    if answers.in_danger is not False:
        assert ids[0] == "emergency"
        emergency = plan.steps[0].contacts[0]
        assert emergency.phone == DATA.regions[answers.region].emergency.phone
    else:
        assert "emergency" not in ids

    crisis_at = 1 if answers.in_danger is not False else 0
    assert ids[crisis_at] == "crisis"
    crisis = plan.steps[crisis_at]
    assert any(c.phone for c in crisis.contacts) and any(c.text for c in crisis.contacts)

    first_calm = crisis_at + 1 + answers.under_18
    assert ids[first_calm] == "stay-calm"


@settings(max_examples=100, deadline=None)
@given(answers_strategy)
def test_under_18_never_sees_stopncii_and_always_a_trusted_adult(answers: Answers) -> None:
    plan = build_plan(answers, DATA)
    ids = plan.ids
    text = _all_contact_text(plan)
    if answers.under_18:
        assert "stopncii" not in ids
        assert "stopncii" not in text
        assert "revenge porn helpline" not in text
        assert "trusted-adult" in ids
        removal = plan.step("remove-images-under18")
        assert removal is not None
        names = " ".join(c.name for c in removal.contacts)
        assert "Take It Down" in names
        if answers.region == "UK":
            assert "Report Remove" in names
        assert any("safe and legal" in s for s in (removal.why, *removal.actions))
        assert all(c.suits(answers.plan_age) for s in plan.steps for c in s.contacts)
    else:
        assert "stopncii" in ids
        assert "trusted-adult" not in ids
        assert "remove-images-under18" not in ids
        assert "Childline (under 19s" not in text or answers.plan_age < 19


@settings(max_examples=100, deadline=None)
@given(answers_strategy)
def test_paid_gives_one_step_per_provider(answers: Answers) -> None:
    plan = build_plan(answers, DATA)
    payment_ids = [i for i in plan.ids if i.startswith("payment-")]
    if answers.paid:
        assert payment_ids == [f"payment-{m}" for m in answers.payment_methods]
        dont_pay = plan.step("dont-pay")
        assert dont_pay is not None and dont_pay.title == "Don't pay any more"
        start = plan.ids.index("dont-pay") + 1
        assert plan.ids[start : start + len(payment_ids)] == payment_ids
        for pid in payment_ids:
            step = plan.step(pid)
            assert step is not None and step.contacts and step.actions
    else:
        assert payment_ids == []
        dont_pay = plan.step("dont-pay")
        assert dont_pay is not None and dont_pay.title.startswith("Don't pay")
        assert dont_pay.title != "Don't pay any more"


@settings(max_examples=100, deadline=None)
@given(answers_strategy)
def test_platforms_give_one_step_per_platform(answers: Answers) -> None:
    plan = build_plan(answers, DATA)
    platform_ids = [i for i in plan.ids if i.startswith("platform-")]
    assert platform_ids == [f"platform-{p}" for p in answers.platforms]
    if not answers.platforms:
        assert "report-platforms" in plan.ids
    for pid in platform_ids:
        step = plan.step(pid)
        assert step is not None
        words = " ".join(step.actions)
        assert "report" in words.lower()
        assert "don't delete" in words.lower() or "don't choose delete" in words.lower()


@settings(max_examples=100, deadline=None)
@given(answers_strategy)
def test_json_shape_and_sources(answers: Answers) -> None:
    data = build_plan(answers, DATA).to_dict()
    assert list(data) == ["steps"]
    for step in data["steps"]:
        assert list(step) == ["id", "title", "why", "actions", "contacts"]
        assert step["actions"] and all(isinstance(a, str) and a for a in step["actions"])
        for contact in step["contacts"]:
            assert list(contact) == ["name", "phone", "text", "url", "hours", "source", "checked"]
            assert contact["source"] and contact["checked"]
    assert json.loads(json.dumps(data)) == data


def test_the_same_answers_give_the_same_plan(guide: GuideData) -> None:
    answers = Answers(age=16, region="CA", paid=True, payment_methods=("crypto",))
    assert build_plan(answers, guide) == build_plan(answers, guide)


def test_account_already_suspended_is_kept_not_deleted(guide: GuideData) -> None:
    answers = Answers(age=30, platforms=("facebook", "x"), account_suspended=True, in_danger=False)
    plan = build_plan(answers, guide)
    keep = plan.step("keep-everything")
    assert keep is not None
    assert any("You have paused your account" in a for a in keep.actions)
    facebook = plan.step("platform-facebook")
    assert facebook is not None
    assert facebook.title == "Facebook: report them"
    assert not any("Deactivate" in a for a in facebook.actions)


def test_uk_bank_transfer_offers_159_and_us_western_union_its_fraud_line(
    guide: GuideData,
) -> None:
    uk = build_plan(Answers(age=40, paid=True, payment_methods=("bank_transfer",)), guide)
    bank = uk.step("payment-bank_transfer")
    assert bank is not None and any(c.phone == "159" for c in bank.contacts)
    us = build_plan(
        Answers(age=40, region="US", paid=True, payment_methods=("western_union",)), guide
    )
    wu = us.step("payment-western_union")
    assert wu is not None
    phones = [c.phone for c in wu.contacts]
    assert "1-800-448-1492" in phones
    assert any("reportfraud.ftc.gov" in (c.url or "") for c in wu.contacts)
