"""Plain, calm words: every step is easy to read, sentences are short, and nothing blames.

Readability is Flesch reading ease from textstat (>= 60 for every step). textstat looks words up
in NLTK's CMU dictionary, which it downloads on first use; to stay offline and give the same score
everywhere, these tests count syllables with textstat's own Pyphen fallback instead.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
import textstat

from unshared.guide.content import GuideData
from unshared.guide.flow import build_plan
from unshared.guide.loader import REQUIRED_STEPS, default_guide
from unshared.guide.model import PAYMENT_METHODS, PLATFORMS, REGIONS, Answers, Step

MIN_READING_EASE = 60
MAX_WORDS_PER_SENTENCE = 25
BLAME = (
    "your own fault",
    "you should have",
    "you shouldn't have",
    "you should not have",
    "why did you",
    "you chose to",
    "you allowed",
    "you let them",
    "careless",
    "stupid",
    "foolish",
    "naive",
    "irresponsible",
    "reckless",
    "shame on",
    "ashamed",
    "you were warned",
    "brought this on",
    "your mistake",
    "only yourself to blame",
    "blame yourself",
)


@pytest.fixture(autouse=True)
def _offline_syllables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make textstat count syllables with Pyphen (bundled) instead of NLTK's downloaded cmudict."""
    from textstat.backend.counts import _count_syllables

    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: None)
    _count_syllables.count_syllables.cache_clear()


def _every_step(data: GuideData) -> Iterator[Step]:
    """Each distinct step any set of answers can produce (yes, no and not sure for each)."""
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    tri = (True, False, None)
    for region, age, urgent, deadline, shared, paid, suspended in itertools.product(
        REGIONS, (None, 14, 30), tri, tri, tri, tri, (False, True)
    ):
        answers = Answers(
            age=age,
            region=region,
            in_danger=urgent,
            self_harm_thoughts=urgent,
            deadline=deadline,
            paid=paid,
            payment_methods=PAYMENT_METHODS if paid else (),
            platforms=PLATFORMS if suspended or shared else (),
            account_suspended=suspended,
            images_shared=shared,
        )
        for step in build_plan(answers, data).steps:
            key = (step.title, step.why, step.actions)
            if key not in seen:
                seen.add(key)
                yield step


STEPS = list(_every_step(default_guide()))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


def test_all_kinds_of_steps_are_checked() -> None:
    ids = {s.id for s in STEPS}
    assert set(REQUIRED_STEPS) - {"payment", "platform"} <= ids
    assert {f"payment-{m}" for m in PAYMENT_METHODS} <= ids
    assert {f"platform-{p}" for p in PLATFORMS} <= ids


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.id)
def test_every_step_is_easy_to_read(step: Step) -> None:
    score = textstat.flesch_reading_ease(step.text)
    assert score >= MIN_READING_EASE, f"{step.id}: reading ease {score:.0f}\n{step.text}"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.id)
def test_sentences_are_short(step: Step) -> None:
    for sentence in _sentences(step.text):
        assert len(sentence.split()) <= MAX_WORDS_PER_SENTENCE, f"{step.id}: {sentence}"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.id)
def test_no_blame(step: Step) -> None:
    words = step.text.lower().replace("’", "'")
    for phrase in BLAME:
        assert phrase not in words, f"{step.id}: {phrase!r}"


def test_the_readability_check_can_fail() -> None:
    hard = (
        "Notwithstanding jurisdictional considerations, preservation of communications "
        "constitutes an indispensable evidentiary prerequisite for subsequent investigation."
    )
    assert textstat.flesch_reading_ease(hard) < MIN_READING_EASE


def test_the_blame_list_catches_blame() -> None:
    text = "You should have known better. It was careless."
    assert any(p in text.lower() for p in BLAME)


def test_it_says_it_is_not_your_fault(guide: GuideData) -> None:
    plan = build_plan(Answers(age=22, in_danger=False), guide)
    calm = plan.step("stay-calm")
    assert calm is not None and "it is not your fault" in calm.why
