"""The plan a helpline worker would give (issue 16, and issue 15 item 10): one test per rule.

Each test reads a plan as the person receiving it would (age x region x payment x platform x
posted) and states the rule in its name. They were written before the fix; on the old data and
flow each one fails.
"""

from __future__ import annotations

import itertools
import json
import re
from urllib.parse import urlsplit

import pytest

from unshared.guide.answers import QUESTIONS, parse_answers
from unshared.guide.content import GuideData
from unshared.guide.flow import build_plan, help_now
from unshared.guide.loader import default_guide
from unshared.guide.model import PAYMENT_METHODS, PLATFORMS, REGIONS, Plan, Region
from unshared.guide.render import plan_text

DATA = default_guide()
AGES = (None, 14, 17, 25, 40, 70)


def plan_for(**answers: object) -> Plan:
    """A plan for answers given as a person would (a mapping, as from a file or the form)."""
    return build_plan(parse_answers(dict(answers), path="test"), DATA)


def words(plan: Plan) -> str:
    """Everything the person reads: titles, why, actions and contact names."""
    out = []
    for step in plan.steps:
        out += [step.title, step.why, *step.actions]
        out += [f"{c.name} {c.phone or ''} {c.text or ''} {c.hours or ''}" for c in step.contacts]
    return "\n".join(out)


def names(plan: Plan, step_id: str | None = None) -> list[str]:
    steps = plan.steps if step_id is None else [s for s in plan.steps if s.id == step_id]
    return [c.name for s in steps for c in s.contacts]


def calm(**extra: object) -> dict[str, object]:
    """Answers where nothing is urgent: no danger, no thoughts of self-harm."""
    return {"in_danger": "no", "self_harm_thoughts": "no", **extra}


# ----------------------------------------------------------------------- contradictions, routes
@pytest.mark.parametrize("region", REGIONS)
def test_rule1_under18_removal_explains_what_each_service_does_with_the_image(
    region: Region,
) -> None:
    """Under 18: no "never upload, not even to report" beside services that take the image;
    say what Report Remove (upload through Childline) and Take It Down (fingerprint on the
    device) do with it, and that using them is safe and legal."""
    plan = plan_for(**calm(age=15, region=region))
    step = plan.step("remove-images-under18")
    assert step is not None
    text = " ".join([step.why, *step.actions])
    assert "Not even to report them" not in text
    assert "Never keep, send or upload copies" not in text
    assert "safe and legal" in text
    assert re.search(r"Take It Down.*fingerprint.*never leaves your (phone|device)", text, re.S)
    if region == "UK":
        assert re.search(r"Report Remove.*upload.*Childline", text, re.S)


@pytest.mark.parametrize(("region", "age"), itertools.product(REGIONS, (None, 13, 17)))
def test_rule2_under18_keep_the_chats_but_never_keep_nude_images(
    region: Region, age: int | None
) -> None:
    """Under 18: keep the chats and the offender's details; do not screenshot, save or share
    explicit images (no blanket "don't delete photos")."""
    text = words(plan_for(**calm(age=age, region=region)))
    assert "Don't delete messages, chats, photos" not in text
    assert "Keep the chats" in text
    assert re.search(r"Don't screenshot, save or share any (nude|sexual)", text)


@pytest.mark.parametrize("paid", ["yes", "no"])
def test_rule3_canada_adults_go_to_police_and_the_anti_fraud_centre_not_cybertip(
    paid: str,
) -> None:
    """Canada, 18 and over: police and the Canadian Anti-Fraud Centre, paid or not; never
    Cybertip.ca (the tipline for child sexual exploitation)."""
    plan = plan_for(**calm(age=30, region="CA", paid=paid))
    assert "Cybertip" not in words(plan)
    assert "Canadian Anti-Fraud Centre" in names(plan, "police")
    teen = plan_for(**calm(age=15, region="CA"))
    assert "Cybertip.ca (Canadian Centre for Child Protection)" in names(teen, "police")


def test_rule4_australia_under18_reports_to_the_accce_first() -> None:
    """Australia, under 18: the ACCCE first, before ReportCyber and 131 444."""
    police = plan_for(**calm(age=16, region="AU")).step("police")
    assert police is not None
    listed = [c.id for c in police.contacts]
    assert listed[0] == "accce"
    assert listed.index("accce") < listed.index("reportcyber")
    assert listed.index("accce") < listed.index("au_police_assistance")
    assert "ACCCE" in police.actions[0]
    assert police.contacts[0].url == "https://www.accce.gov.au/report"


def test_rule5_report_remove_links_to_childlines_page_for_young_people() -> None:
    """Report Remove's link is the young person's entry (Childline), not the IWF page for
    adults helping a young person."""
    step = plan_for(**calm(age=15, region="UK")).step("remove-images-under18")
    assert step is not None
    remove = next(c for c in step.contacts if "Report Remove" in c.name)
    assert remove.url is not None
    assert urlsplit(remove.url).hostname == "www.childline.org.uk"


@pytest.mark.parametrize(("age", "region"), itertools.product((15, 40), REGIONS))
def test_rule6_skype_advice_only_where_skype_was_used_and_true_to_its_closure(
    age: int, region: Region
) -> None:
    """Skype: consumer Skype closed in 2025 and data not moved was deleted; no Skype advice
    in plans where Skype was not used; no promise that the Microsoft account still holds the
    chats."""
    without = words(plan_for(**calm(age=age, region=region, platforms=["instagram"])))
    assert "Skype" not in without
    text = words(plan_for(**calm(age=age, region=region, platforms=["skype"])))
    assert "It may still hold your old Skype chats" not in text
    assert "closed in May 2025" in text
    assert "Teams" in text and "deleted" in text


@pytest.mark.parametrize("region", REGIONS)
def test_rule7_no_promise_of_steps_that_do_not_follow(region: Region) -> None:
    """No "the next steps show how for each app" when no app was named, nor "for each way you
    paid" when no way of paying was given."""
    text = words(plan_for(**calm(age=30, region=region, paid="yes")))
    assert "for each app" not in text
    assert "each way you paid" not in text
    named = words(
        plan_for(
            **calm(
                age=30, region=region, paid="yes", payment_methods=["card"], platforms=["tiktok"]
            )
        )
    )
    assert "each way you paid" in named and "for each app" in named


# ------------------------------------------------------------------------------ order and gaps
@pytest.mark.parametrize(
    ("age", "danger", "harm", "region"),
    itertools.product((None, 12, 17), ("yes", "no", None), ("yes", "no", None), REGIONS),
)
def test_under18_a_trusted_adult_comes_right_after_emergency_and_crisis(
    age: int | None, danger: str | None, harm: str | None, region: Region
) -> None:
    """Under 18 (or age unknown): telling a trusted adult is step 2 or 3, right after the
    emergency and crisis steps, and says "you are not in trouble, even if you sent images or
    paid"."""
    plan = plan_for(age=age, region=region, in_danger=danger, self_harm_thoughts=harm)
    ids = plan.ids
    before = [i for i in ids[: ids.index("trusted-adult")]]
    assert set(before) <= {"emergency", "crisis"}
    assert ids.index("trusted-adult") in (1, 2)
    step = plan.step("trusted-adult")
    assert step is not None
    assert "not in trouble, even if you sent images or paid" in step.why


CRISIS_EXPECTED = {
    # region: (phones or text numbers every plan shows, extra ones for under 18s)
    "UK": ({"116 123", "85258"}, {"0800 1111"}),
    "US": ({"988"}, set()),
    "CA": ({"988"}, {"686868"}),
    "IE": ({"1800 247 247", "116 123", "51444"}, {"50101"}),
    "AU": ({"13 11 14"}, {"1800 55 1800"}),
}


@pytest.mark.parametrize(("region", "age"), itertools.product(REGIONS, AGES))
def test_every_plan_carries_a_crisis_line_with_a_text_option_and_hours(
    region: Region, age: int | None
) -> None:
    """Every plan, not only when self-harm is answered yes: a crisis line with a text option,
    and hours for every crisis line."""
    plan = plan_for(**calm(age=age, region=region))
    crisis = plan.step("crisis")
    assert crisis is not None
    assert any(c.text for c in crisis.contacts), names(plan, "crisis")
    assert all(c.hours for c in crisis.contacts if c.id != plan.region.lower() + "_emergency")
    shown = " ".join(f"{c.phone} {c.text}" for c in crisis.contacts)
    always, young = CRISIS_EXPECTED[region]
    for number in always | (young if age is None or age < 18 else set()):
        assert number in shown, (region, age, number, shown)


@pytest.mark.parametrize("age", AGES)
def test_uk_plans_show_samaritans_and_papyrus_to_everyone(age: int | None) -> None:
    """Samaritans and PAPYRUS appear in every UK plan (the appeal lists them for all)."""
    shown = " ".join(names(plan_for(**calm(age=age, region="UK"))))
    assert "Samaritans" in shown and "PAPYRUS" in shown


def test_uk_adult_posted_image_url_and_screenshot_then_helpline_then_stopncii() -> None:
    """Image already posted (UK adult): first record the URL and a screenshot of the post,
    then the Revenge Porn Helpline as the takedown service, then StopNCII."""
    plan = plan_for(**calm(age=29, region="UK", images_shared="yes"))
    ids = plan.ids
    posted = plan.step("posted")
    assert posted is not None
    assert ids.index("posted") + 1 == ids.index("stopncii")
    assert ids.index("posted") < ids.index("dont-pay")
    text = " ".join(posted.actions)
    assert text.index("link") < text.index("screenshot") < text.index("Revenge Porn Helpline")
    assert names(plan, "posted")[0].startswith("Revenge Porn Helpline")
    assert not any("Revenge Porn" in n for n in names(plan, "support"))


def test_us_adults_get_the_ccri_image_abuse_helpline() -> None:
    """US adults: the Cyber Civil Rights Initiative's image-abuse helpline (844-878-2274)."""
    for shared in ("yes", "no", None):
        plan = plan_for(**calm(age=35, region="US", images_shared=shared))
        assert "844-878-2274" in words(plan)
    assert "844-878-2274" not in words(plan_for(**calm(age=15, region="US")))


@pytest.mark.parametrize(("age", "platforms"), [(16, []), (30, ["instagram", "x"])])
def test_ireland_names_coimisiun_na_mean_when_a_platform_does_not_act(
    age: int, platforms: list[str]
) -> None:
    """Ireland: Coimisiún na Meán for escalation when a platform does not act."""
    plan = plan_for(**calm(age=age, region="IE", platforms=platforms))
    reporting = [s for s in plan.steps if s.id.startswith(("platform-", "report-platforms"))]
    assert any("Coimisiún na Meán" in c.name for s in reporting for c in s.contacts)
    assert any("does not act" in a for s in reporting for a in s.actions)


def test_uk_under18_take_it_down_beside_report_remove() -> None:
    """UK under 18: Take It Down beside Report Remove, as the NCA's 2024 alert does."""
    plan = plan_for(**calm(age=14, region="UK"))
    shown = names(plan, "remove-images-under18")
    assert any("Report Remove" in n for n in shown) and any("Take It Down" in n for n in shown)


@pytest.mark.parametrize(("region", "age"), itertools.product(REGIONS, (15, 45)))
def test_helpline_advice_bluffs_fakes_recovery_scams_privacy_and_deadlines(
    region: Region, age: int
) -> None:
    """What a helpline worker adds: bulk "I recorded you" e-mails are usually bluffs; images
    may be AI fakes; "recovery" offers are a second scam; passwords, private accounts, hidden
    friend lists; a deadline is a pressure tactic."""
    text = words(plan_for(**calm(age=age, region=region))).lower()
    assert "bluff" in text and "i recorded you" in text
    assert "fake" in text and re.search(r"\bai\b", text)
    assert "second scam" in text
    assert "password" in text and "private" in text and "friend and follower lists" in text
    assert "pressure tactic" in text


def test_a_deadline_answer_exists_and_changes_the_plan() -> None:
    """A "deadline" answer (tonight, within hours) exists and changes the plan."""
    assert any(q.field == "deadline" for q in QUESTIONS)
    rushed = plan_for(**calm(age=30, deadline="yes"))
    relaxed = plan_for(**calm(age=30, deadline="no"))
    assert rushed != relaxed
    pay = rushed.step("dont-pay")
    assert pay is not None and "deadline" in pay.title.lower() and "pressure" in pay.why


@pytest.mark.parametrize("region", REGIONS)
def test_not_sure_answers_exist_and_change_the_plan(region: Region) -> None:
    """A "not sure" answer exists, and it changes the plan (on the safe side)."""
    base = calm(age=30, region=region)
    for field in ("in_danger", "self_harm_thoughts", "images_shared", "paid"):
        question = next(q for q in QUESTIONS if q.field == field)
        assert "not_sure" in [value for value, _ in question.choices], field
        sure = plan_for(**{**base, field: "no"})
        unsure = plan_for(**{**base, field: "not sure"})
        assert sure != unsure, field
    danger = plan_for(**{**base, "in_danger": "not sure"})
    assert danger.ids[0] == "emergency"
    assert danger.steps[0].title.startswith("If ")


def test_the_danger_question_asks_about_immediate_danger_to_life() -> None:
    """Not the ambiguous "Is it happening right now?" (a blackmail is always ongoing): ask
    about immediate danger to life. Old answers files with happening_now still work."""
    texts = [q.text.lower() for q in QUESTIONS]
    assert not any("happening right now" in t for t in texts)
    danger = next(q for q in QUESTIONS if q.field == "in_danger")
    assert "life" in danger.text.lower() and "danger" in danger.text.lower()
    old = parse_answers({"age": 30, "happening_now": True}, path="old.yaml")
    assert old.in_danger is True


@pytest.mark.parametrize("region", REGIONS)
def test_lines_shown_before_the_age_question_suit_every_age(region: Region) -> None:
    """Interactive mode: the crisis lines shown before the age is known suit every age (not
    PAPYRUS's under-35 line or Childline alone) and include a text option."""
    lines = help_now(DATA, region)
    assert lines
    for contact in lines:
        assert contact.min_age is None and contact.max_age is None, contact.id
        assert not any(w in contact.name for w in ("PAPYRUS", "Childline", "Kids Help"))
    assert any(c.text for c in lines)


# ----------------------------------------------------------------------------- issue 15 item 10
def test_nothing_is_pre_answered_every_question_can_be_skipped() -> None:
    """Issue 15 (10): every question can be skipped, age too; nothing defaults to "no"."""
    answers = parse_answers({}, path="the form")
    assert answers.age is None
    for field in ("in_danger", "self_harm_thoughts", "images_shared", "paid", "deadline"):
        assert getattr(answers, field) is None, field
    assert all(q.skippable for q in QUESTIONS)


@pytest.mark.parametrize("region", REGIONS)
def test_unknown_age_takes_the_under18_path(region: Region) -> None:
    """Issue 15 (10): an unknown age takes the under-18 path, the safe one."""
    unknown = plan_for(region=region)
    teen = plan_for(region=region, age=16)
    assert "trusted-adult" in unknown.ids and "remove-images-under18" in unknown.ids
    assert "stopncii" not in unknown.ids
    assert "StopNCII" not in words(unknown)
    assert {s.id for s in teen.steps} <= {s.id for s in unknown.steps}


# -------------------------------------------------------------------------- sources and words
# Hosts of the services' own sites and of government or police pages. A source marked
# verified must be on one of these (issue 16): not a newspaper, mirror or foreign FAQ.
OFFICIAL = (
    ".gov",
    ".gov.uk",
    ".police.uk",
    ".gov.au",
    ".gov.ie",
    ".gc.ca",
    "garda.ie",
    "cnam.ie",
    "hse.ie",
    "samaritans.org",
    "giveusashout.org",
    "papyrus-uk.org",
    "childline.org.uk",
    "nspcc.org.uk",
    "iwf.org.uk",
    "revengepornhelpline.org.uk",
    "swgfl.org.uk",
    "victimsupport.org.uk",
    "getsafeonline.org",
    "stopscamsuk.org.uk",
    "stopncii.org",
    "takeitdown.ncmec.org",
    "missingkids.org",
    "cybertip.org",
    "cybercivilrights.org",
    "988lifeline.org",
    "988.ca",
    "kidshelpphone.ca",
    "protectkidsonline.ca",
    "protectchildren.ca",
    "cybertip.ca",
    "cyberaide.ca",
    "antifraudcentre-centreantifraude.ca",
    "hotline.ie",
    "childline.ie",
    "pieta.ie",
    "ispcc.ie",
    "esafety.gov.au",
    "accce.gov.au",
    "lifeline.org.au",
    "kidshelpline.com.au",
    "westernunion.com",
    "moneygram.com",
    "discord.com",
    "support.google.com",
    "support.microsoft.com",
    "microsoft.com",
)
FOREIGN_FAQ = re.compile(r"westernunion\.com/(?!us/)[a-z]{2}/")


def _official(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == d.lstrip(".") or host.endswith("." + d.lstrip(".")) for d in OFFICIAL)


def test_every_source_marked_verified_is_an_official_page(guide: GuideData) -> None:
    """Sources marked verified are the service's own site or a government/police page."""
    bad = [
        (c.id, c.source)
        for c in guide.all_contacts()
        if c.verified and (not _official(c.source) or FOREIGN_FAQ.search(c.source))
    ]
    bad += [
        (step.id, s.url)
        for step in guide.steps.values()
        for s in step.sources
        if s.verified and (not _official(s.url) or FOREIGN_FAQ.search(s.url))
    ]
    assert not bad, bad


def test_the_official_check_can_fail() -> None:
    assert not _official("https://www.sunderlandecho.com/news/opinion/childline")
    assert not _official("https://fabser4.dreamhosters.com/?p=2353")
    assert FOREIGN_FAQ.search("https://www.westernunion.com/mx/en/faq.html")
    assert _official("https://www.childline.org.uk/get-support/")


def test_us_money_transfer_fraud_lines_come_from_the_companies_own_pages(
    guide: GuideData,
) -> None:
    """Western Union and MoneyGram US fraud lines, rechecked against their own fraud pages
    (or flagged unverified, saying why)."""
    moneygram = guide.services["moneygram_us"]
    assert moneygram.phone == "1-800-926-9400"
    assert urlsplit(moneygram.source).hostname == "corporate.moneygram.com"
    western = guide.services["western_union_us"]
    if western.verified:
        assert re.search(r"westernunion\.com/us/", western.source)
    else:
        assert western.note and "Western Union" in western.note


def _all_plans() -> list[Plan]:
    out = []
    for region, age, paid, shared in itertools.product(
        REGIONS, (15, 40), ("yes", "no"), ("yes", "no")
    ):
        out.append(
            plan_for(
                **calm(
                    age=age,
                    region=region,
                    paid=paid,
                    images_shared=shared,
                    payment_methods=list(PAYMENT_METHODS) if paid == "yes" else [],
                    platforms=list(PLATFORMS),
                )
            )
        )
    return out


PLANS = _all_plans()


def test_the_plan_text_has_no_step_ids_or_source_urls_unless_sources_are_asked_for() -> None:
    """Per-contact source URLs and "(step id: ...)" move to a footer shown with --sources."""
    plan = PLANS[5]
    text = plan_text(plan)
    assert "step id" not in text and "source:" not in text
    for step in plan.steps:
        for contact in step.contacts:
            assert contact.source not in text or contact.source == contact.url
    footer = plan_text(plan, sources=True)
    assert footer.startswith(text.rstrip("\n"))
    tail = footer[len(text.rstrip("\n")) :]
    assert "Where this advice comes from" in tail
    assert all(s.id in tail for s in plan.steps)
    assert any(c.source in tail for s in plan.steps for c in s.contacts)


def test_mtcn_only_with_plain_words() -> None:
    """No "MTCN" without saying in plain words what it is."""
    for plan in PLANS:
        for sentence in re.split(r"(?<=[.!?])\s+|\n", words(plan)):
            if "MTCN" in sentence:
                assert "tracking number" in sentence, sentence


def test_the_victims_plan_never_sends_them_to_an_unshared_command() -> None:
    """No "unshared report command" (or any command) in the plan a victim reads."""
    for plan in PLANS:
        text = json.dumps(plan.to_dict())
        assert "unshared" not in text.lower(), text[:200]
