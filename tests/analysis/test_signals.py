"""detect_signals: stages, reasons, spans, payment details, frames, languages."""

from __future__ import annotations

import pytest

from unshared.analysis.signal_rules import available_languages, compile_pack, load_pack
from unshared.analysis.signals import (
    STAGES,
    detect_payments_made,
    detect_signals,
    payment_details,
)
from unshared.errors import ParseError, UnsharedError


def stages(text: str, lang: str = "en") -> set[str]:
    return {s.stage for s in detect_signals(text, lang)}


def test_threat_reason_quotes_the_words_and_span_points_at_them() -> None:
    text = "I have your nudes and I will send them to all your followers"
    (threat,) = [s for s in detect_signals(text) if s.stage == "threat"]
    assert "people you know" in threat.reason
    assert '"send them to all' in threat.reason
    assert 0 <= threat.start < threat.end <= len(text)
    assert "send" in text[threat.start : threat.end]
    assert dict(threat.details)["rule"] == "share_with_people"


def test_payment_demand_details_amount_currency_method() -> None:
    (demand,) = [
        s
        for s in detect_signals("pay $500 in gift cards or I post it")
        if s.stage == "payment_demand"
    ]
    details = dict(demand.details)
    assert details["amount"] == "500"
    assert details["currency"] == "USD"
    assert details["method"] == "gift card"


@pytest.mark.parametrize(
    ("text", "amount", "currency", "method"),
    [
        ("send 150 through western union to the name I give you", "150", None, "Western Union"),
        ("I need 400 USD by moneygram", "400", "USD", "MoneyGram"),
        ("pay me £250 via PayPal and this all goes away", "250", "GBP", "PayPal"),
        ("I want 5k or your pics are everywhere", "5000", None, None),
        ("I accept crypto only. 0.01 BTC", "0.01", "BTC", "crypto"),
        ("here's my cashapp $jmoney4411, send 100", "100", None, "Cash App"),
    ],
)
def test_payment_details(text: str, amount: str, currency: str | None, method: str | None) -> None:
    details = dict(payment_details(text))
    assert details.get("amount") == amount
    assert details.get("currency") == currency
    assert details.get("method") == method


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hey cutie, saw you in my suggestions 😊", {"contact"}),
        ("I barely use insta, add me on snap: jess_xo22", {"platform_switch"}),
        ("send a nude, nobody will see it I promise", {"image_request"}),
        ("I'll ruin your life", {"threat"}),
        ("you have 2 hours", {"deadline"}),
        ("kill yourself", {"escalation"}),
        (
            "$500 in the next hour or I share it with your school",
            {"payment_demand", "deadline", "threat"},
        ),
    ],
)
def test_each_stage(text: str, expected: set[str]) -> None:
    assert stages(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'If someone says "pay me or I\'ll send your nudes to your friends", stop replying',
        "The FBI says scammers demand gift cards or bitcoin and threaten to post the images",
        "Police arrested two men who ran a sextortion ring targeting teenage boys on Instagram",
    ],
)
def test_talk_about_sextortion_is_not_flagged(text: str) -> None:
    assert detect_signals(text) == []


def test_jokes_silence_threats_but_never_self_harm_incitement() -> None:
    assert stages("I'm gonna destroy you in Fortnite 😂 I'll expose your aim") == set()
    assert "escalation" in stages("kys 😂")


def test_work_deadline_and_money_between_friends_are_not_flagged() -> None:
    assert stages("you have 2 hours to finish the report before the client call") == set()
    assert stages("can you venmo me $20 for the pizza?") == set()
    assert stages("I'll send you the 50 quid I owe you tomorrow") == set()


def test_one_signal_per_stage_in_stage_order() -> None:
    sigs = detect_signals("pay $300 in bitcoin within the hour or everything goes to your school")
    names = [s.stage for s in sigs]
    assert names == sorted(names, key=STAGES.index)
    assert len(names) == len(set(names))


def test_empty_and_blank_text() -> None:
    assert detect_signals("") == []
    assert detect_signals("   \n ") == []
    assert detect_payments_made("") == []


def test_victim_payment_mentions() -> None:
    (made,) = detect_payments_made("I sent you the $200 on cash app, please delete it now")
    assert made.stage == "payment_made"
    details = dict(made.details)
    assert (details["amount"], details["currency"], details["method"]) == ("200", "USD", "Cash App")
    assert detect_payments_made("here is the code: X7KQ-93JD-22LP")
    assert detect_payments_made("pay me $200 now") == []
    # A victim saying they paid is not a demand.
    assert "payment_demand" not in stages("I sent you the $200 on cash app, please delete it now")


def test_languages() -> None:
    assert {"en", "de", "es", "fr"} <= set(available_languages())
    assert "threat" in stages("ich schicke deine nacktbilder an alle deine follower", "de")
    assert "payment_demand" in stages("quiero 500 en bitcoin", "es")
    assert "escalation" in stages("suicide-toi", "fr")
    assert stages("kill yourself", "EN") == {"escalation"}


@pytest.mark.parametrize("lang", ["xx", "", "../en", "english"])
def test_unknown_language_is_a_clear_error(lang: str) -> None:
    with pytest.raises(UnsharedError, match="no signal patterns"):
        detect_signals("hello", lang)


def test_packs_compile_once() -> None:
    assert load_pack("en") is load_pack("en")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"stages": {"threat": {"rules": [{"id": "x", "any": "(unclosed"}]}}}, "stages.threat x"),
        ({"stages": {"threat": {"rules": [{"id": "x", "any": "{nope}"}]}}}, "stages.threat x"),
        ({"stages": {"threat": {"rules": [{"id": "x"}]}}}, "stages.threat x"),
        ({"stages": {"threat": {"rules": [{"id": "x", "any": "a", "needs": ["bogus"]}]}}}, "x"),
        ({"stages": {"blackmail": {}}}, None),
        ({"vars": {"a": "{b}", "b": "x"}}, "vars.a"),
        ([], None),
    ],
)
def test_bad_pack_names_the_place(data: object, where: str | None) -> None:
    with pytest.raises(ParseError) as info:
        compile_pack(data, "test.yaml")
    assert info.value.path == "test.yaml"
    if where:
        assert where in (info.value.where or "")


def test_vars_expand_and_counts_survive() -> None:
    pack = compile_pack(
        {
            "vars": {"w": "(?:cat|dog)", "ww": "{w}s?"},
            "stages": {
                "threat": {"rules": [{"id": "t", "label": "pets", "any": "\\b{ww}\\b.{0,3}!"}]}
            },
        }
    )
    rule = pack.stages[STAGES.index("threat")].rules[0]
    assert rule.patterns[0].pattern == "\\b(?:cat|dog)s?\\b.{0,3}!"
