"""The plan: answers in, steps out, in the order a helpline worker would give them.

Pure: no files, no clock, no network. The spine is the Hertfordshire Police appeal (999 if it is
happening now; stop replying, save the evidence; don't pay; suspend, don't delete; report; tell a
trusted adult; get support), ordered and completed as issue 16 asks:

1. ``emergency`` when someone's life is in danger right now, or the person is not sure;
2. ``crisis`` in every plan: a crisis line with a text option (and the emergency number when
   there is no emergency step), worded for the self-harm answer;
3. under 18 (or age unknown): ``trusted-adult`` ("you are not in trouble");
4. ``stay-calm``: not your fault; stop replying, save the evidence, then block;
5. images already posted: ``posted`` then ``stopncii`` (18+), or ``remove-images-under18``;
6. ``dont-pay`` (worded for a deadline), then one ``payment-<method>`` step per way of paying;
7. ``scam-tricks``: bluff e-mails, AI fakes, recovery scams, deadlines;
8. ``keep-everything``, then ``protect-accounts``;
9. one ``platform-<id>`` step per platform, or ``report-platforms``;
10. ``police`` (child protection first for under 18s);
11. not posted: ``remove-images-under18`` or ``stopncii``;
12. ``support`` (services not already shown).
"""

from __future__ import annotations

from collections.abc import Iterable

from unshared.guide.content import Action, GuideData, StepText
from unshared.guide.model import REGIONS, Answers, Contact, Plan, Region, Step

__all__ = ["build_plan", "conditions", "help_now"]


def _tri(value: bool | None, yes: str, no: str, unsure: str) -> str:
    return yes if value is True else no if value is False else unsure


def conditions(answers: Answers) -> set[str]:
    """The condition words that ``when:`` lists in the data can test (``!word``: not)."""
    found = {
        "under18" if answers.under_18 else "adult",
        _tri(answers.in_danger, "danger", "no_danger", "danger_unsure"),
        _tri(answers.self_harm_thoughts, "self_harm", "no_self_harm", "self_harm_unsure"),
        _tri(answers.deadline, "deadline", "no_deadline", "deadline_unsure"),
        _tri(answers.images_shared, "shared", "not_shared", "shared_unsure"),
        _tri(answers.paid, "paid", "not_paid", "paid_unsure"),
        "suspended" if answers.account_suspended else "not_suspended",
        "methods" if answers.payment_methods else "no_methods",
        "platforms" if answers.platforms else "no_platforms",
        f"region:{answers.region}",
    }
    if answers.age is None:
        found.add("age_unknown")
    found |= {f"not_region:{r}" for r in REGIONS if r != answers.region}
    found |= {f"platform:{p}" for p in answers.platforms}
    return found


def _holds(when: Iterable[str], holds: set[str]) -> bool:
    return all((w[1:] not in holds) if w.startswith("!") else (w in holds) for w in when)


def _pick(actions: Iterable[Action], holds: set[str]) -> list[str]:
    return [a.text for a in actions if _holds(a.when, holds)]


def _first(variants: tuple[Action, ...], holds: set[str]) -> str:
    return next((v.text for v in variants if _holds(v.when, holds)), variants[-1].text)


def _suited(contacts: Iterable[Contact], age: int) -> tuple[Contact, ...]:
    out: list[Contact] = []
    for c in contacts:
        if c.suits(age) and c not in out:
            out.append(c)
    return tuple(out)


def help_now(data: GuideData, region: Region) -> tuple[Contact, ...]:
    """The crisis lines to show before the person's age is known: they suit every age."""
    return data.regions[region].help_now


def build_plan(answers: Answers, data: GuideData) -> Plan:
    """The ordered plan for these answers."""
    region = data.regions[answers.region]
    holds = conditions(answers)
    fill = {"emergency": region.emergency.phone or "", "region": region.name}
    age = answers.plan_age

    def step(
        key: str,
        contacts: Iterable[Contact] = (),
        *,
        actions: list[str] | None = None,
        step_id: str | None = None,
        extra: dict[str, str] | None = None,
        title: str | None = None,
    ) -> Step:
        words: StepText = data.steps[key]
        values = {**fill, **(extra or {})}
        chosen = actions if actions is not None else _pick(words.actions, holds)
        return Step(
            id=step_id or key,
            title=(title or _first(words.title, holds)).format(**values),
            why=_first(words.why, holds).format(**values),
            actions=tuple(a.format(**values) for a in chosen),
            contacts=_suited(contacts, age),
            sources=words.sources,
        )

    def with_contacts(found: Step, more: Iterable[Contact], lines: Iterable[str] = ()) -> Step:
        return Step(
            found.id,
            found.title,
            found.why,
            (*found.actions, *lines),
            _suited([*found.contacts, *more], age),
            found.sources,
        )

    shared = answers.images_shared is True
    steps: list[Step] = []
    if answers.in_danger is not False:
        steps.append(step("emergency", [region.emergency]))
    crisis = list(region.crisis)
    if answers.in_danger is False:
        crisis.append(region.emergency)
    steps.append(step("crisis", crisis))
    if answers.under_18:
        steps.append(step("trusted-adult", region.trusted_adult_line))
    steps.append(step("stay-calm"))

    if shared and answers.under_18:
        steps.append(step("remove-images-under18", region.remove_under18))
    elif shared:
        steps.append(step("posted", region.takedown_adult))
        steps.append(step("stopncii", region.remove_adult))

    steps.append(step("dont-pay"))
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
            steps[-1] = with_contacts(steps[-1], region.money)

    steps.append(step("scam-tricks"))
    steps.append(step("keep-everything"))
    steps.append(step("protect-accounts"))

    if answers.platforms:
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
                    title=info.title,
                    actions=[*info.report, *keep],
                    extra={"platform": info.name},
                )
            )
    else:
        steps.append(step("report-platforms"))
    if region.escalation:
        lines = [region.escalation_action] if region.escalation_action else []
        steps[-1] = with_contacts(steps[-1], region.escalation, lines)

    police = (
        [*region.child_report, *region.police]
        if answers.under_18
        else [*region.police, *region.adult_report]
    )
    steps.append(step("police", police))

    if not shared and answers.under_18:
        steps.append(step("remove-images-under18", region.remove_under18))
    elif not shared:
        steps.append(step("stopncii", region.remove_adult))

    shown = {c.id for s in steps for c in s.contacts}
    fresh = [c for c in region.support if c.id not in shown and c.suits(age)]
    steps.append(step("support", fresh or region.support))
    return Plan(steps=tuple(steps), region=answers.region)
