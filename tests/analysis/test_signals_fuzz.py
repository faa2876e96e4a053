"""detect_signals never raises and stays linear on hostile text (no catastrophic backtracking)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unshared.analysis.signals import (
    STAGES,
    available_languages,
    detect_payments_made,
    detect_signals,
)

WORDS = st.sampled_from(
    [
        "you",
        "your",
        "send",
        "pay",
        "$500",
        "gift",
        "card",
        "or",
        "I",
        "post",
        "it",
        "to",
        "all",
        "followers",
        "have",
        "2",
        "hours",
        "kill",
        "yourself",
        "snap",
        "nudes",
        "!!!",
        "???",
        "...",
        "'",
        "’",
        "\n",
        "😂",
        "in",
        "the",
        "next",
        "hour",
        "bitcoin",
        "ruin",
        "life",
        "everyone",
        "will",
        "see",
        "this",
        "answer",
        "me",
        "k",
        "€",
        "£",
        "0x",
        "bc1",
        "deine",
        "tus",
        "ta",
    ]
)
TEXT = st.one_of(st.text(max_size=400), st.lists(WORDS, max_size=80).map(" ".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, lang=st.sampled_from(available_languages()))
def test_never_raises_and_spans_are_inside(text: str, lang: str) -> None:
    for sig in detect_signals(text, lang):
        assert sig.stage in STAGES
        assert sig.reason
        assert 0 <= sig.start <= sig.end <= len(text)
    for made in detect_payments_made(text, lang):
        assert 0 <= made.start <= made.end <= len(text)


HOSTILE = {
    "letters": "a" * 16_666,
    "you": "you " * 6_666,
    "your": "your " * 6_666 + "!",
    "send": "send " * 3_333 + "to",
    "digits": "1" * 16_666,
    "numbers": "12," * 6_666,
    "decimals": "1." * 8_333,
    "dollars": "$" * 6_666 + "5",
    "punctuation": "!?" * 6_666,
    "newlines": "\n" * 16_666,
    "blank-lines": " \n" * 8_333,
    "threat": "I'll send it to your " * 1_000,
    "pay": "pay 5 " * 2_666,
    "spaces": " " * 16_666 + "kys",
}


#: What the hostile inputs hold: nothing, except a demand in "pay 5 pay 5 ..." and the "kys" at
#: the end of the spaces (both English).
HOSTILE_FINDS = {("pay", "en"): {"payment_demand"}, ("spaces", "en"): {"escalation"}}
THREAT = " I will send your nudes to all your followers"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("lang", ["en", "de", "es", "fr"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_long_inputs_finish(name: str, lang: str) -> None:
    # A generous timeout, not a timing assertion: quadratic or catastrophic backtracking on
    # these inputs took minutes to hours before the patterns were bounded.
    text = HOSTILE[name]
    found = detect_signals(text, lang)
    assert {sig.stage for sig in found} == HOSTILE_FINDS.get((name, lang), set())
    assert all(0 <= sig.start <= sig.end <= len(text) for sig in found)
    assert detect_payments_made(text, lang) == []
    if lang == "en":  # the noise does not hide a real threat after it
        after = detect_signals(text + THREAT, lang)
        threats = [sig for sig in after if sig.stage == "threat"]
        assert threats and all(sig.start >= len(text) - 40 for sig in threats)
