"""The plan: answers in, steps out, ordered by urgency. Pure: no files, no clock, no network.

Order (issue 6, following the police advice in the Hertfordshire Police appeal):

1. ``emergency`` when it is happening now or someone is in danger;
2. ``crisis`` right after, when there are thoughts of self-harm;
3. ``stay-calm``: not your fault, stop replying, save the evidence, then block;
4. ``dont-pay``; then one ``payment-<method>`` step per way of paying, when paid;
5. ``keep-everything``: delete nothing, pause (don't delete) accounts;
6. one ``platform-<id>`` step per platform (report, then keep the account), or
   ``report-platforms`` when none was named;
7. ``police``;
8. under 18: ``trusted-adult`` then ``remove-images-under18`` (Report Remove in the UK, Take It
   Down elsewhere); 18 and over: ``stopncii``;
9. ``support``.
"""

from __future__ import annotations

from collections.abc import Iterable

from unshared.guide.content import Action, GuideData, StepText
from unshared.guide.model import Answers, Contact, Plan, Step

__all__ = ["build_plan", "conditions"]


def conditions(answers: Answers) -> set[str]:
    """The condition words that ``when:`` lists in the data can test."""
    found = {
        "under18" if answers.under_18 else "adult",
        "paid" if answers.paid else "not_paid",
        "suspended" if answers.account_suspended else "not_suspended",
        "shared" if answers.images_shared else "not_shared",
        f"region:{answers.region}",
    }
    found |= {f"not_region:{r}" for r in ("UK", "US", "IE", "CA", "AU") if r != answers.region}
    return found


def _pick(actions: Iterable[Action], holds: set[str]) -> list[str]:
    return [a.text for a in actions if all(w in holds for w in a.when)]


def _suited(contacts: Iterable[Contact], age: int) -> tuple[Contact, ...]:
    out: list[Contact] = []
    for c in contacts:
        if c.suits(age) and c not in out:
            out.append(c)
    return tuple(out)


def build_plan(answers: Answers, data: GuideData) -> Plan:
    """The ordered plan for these answers."""
    region = data.regions[answers.region]
    holds = conditions(answers)
    fill = {"emergency": region.emergency.phone or "", "region": region.name}
    age = answers.age

    def step(
        key: str,
        contacts: Iterable[Contact] = (),
        *,
        title: str | None = None,
        actions: list[str] | None = None,
        step_id: str | None = None,
        extra: dict[str, str] | None = None,
        text: StepText | None = None,
    ) -> Step:
        words = text or data.steps[key]
        values = {**fill, **(extra or {})}
        chosen = actions if actions is not None else _pick(words.actions, holds)
        return Step(
            id=step_id or key,
            title=(title or words.title).format(**values),
            why=words.why.format(**values),
            actions=tuple(a.format(**values) for a in chosen),
            contacts=_suited(contacts, age),
            sources=words.sources,
        )

    steps: list[Step] = []
    if answers.urgent:
        steps.append(step("emergency", [region.emergency]))
    if answers.self_harm_thoughts:
        crisis = list(region.crisis)
        if not answers.urgent:
            crisis.append(region.emergency)
        steps.append(step("crisis", crisis))
    steps.append(step("stay-calm"))

    pay = data.steps["dont-pay"]
    steps.append(step("dont-pay", title=pay.title_paid if answers.paid else pay.title))
    if answers.paid:
        for method in answers.payment_methods:
            payment = data.payments[method]
            contacts = [c for c, only in payment.contacts if not only or answers.region in only]
            steps.append(
                step(
                    "payment",
                    [*contacts, *region.bank] if method == "bank_transfer" else contacts,
                    step_id=f"payment-{method}",
                    actions=[*payment.check, *payment.cancel, *payment.note],
                    extra={"method": payment.name},
                )
            )
        if answers.payment_methods and region.money:
            # Where to report the payment itself (FTC, CAFC, ReportCyber) rides on the last one.
            last = steps[-1]
            steps[-1] = Step(
                last.id,
                last.title,
                last.why,
                last.actions,
                _suited([*last.contacts, *region.money], age),
                last.sources,
            )

    steps.append(step("keep-everything"))
    if answers.platforms:
        words = data.steps["platform"]
        for pid in answers.platforms:
            info = data.platforms[pid]
            keep = (
                ["Keep your account as it is now. Don't delete it."]
                if answers.account_suspended
                else list(info.pause)
            )
            steps.append(
                step(
                    "platform",
                    [info.help],
                    step_id=f"platform-{pid}",
                    title=words.title_suspended if answers.account_suspended else words.title,
                    actions=[*info.report, *keep],
                    extra={"platform": info.name},
                )
            )
    else:
        steps.append(step("report-platforms"))

    police = [*region.police, *(region.child_report if answers.under_18 else ())]
    steps.append(step("police", police))

    if answers.under_18:
        steps.append(step("trusted-adult", region.trusted_adult_line))
        steps.append(step("remove-images-under18", region.remove_under18))
    else:
        steps.append(step("stopncii", region.remove_adult))

    steps.append(step("support", region.support))
    return Plan(steps=tuple(steps), region=answers.region)
