"""The literal anchors never change what the rules find (unshared.analysis.anchors): every
labelled line of every language, random text, and the characters ``re`` folds specially give the
same signals with the anchors as without."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import unshared.analysis.signals as signals_module
from unshared.analysis.anchors import AnchorSet, anchors, fold
from unshared.analysis.signal_rules import available_languages, load_pack
from unshared.analysis.signals import rule_reading

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"


def _without_anchors(text: str, lang: str) -> tuple[list[object], bool]:
    """The rules with every anchor check switched off."""
    original = AnchorSet.live
    AnchorSet.live = lambda self, present: frozenset(self._sets)  # type: ignore[method-assign]
    signals_module._ANCHOR_SETS.clear()
    try:
        return rule_reading(text, lang)  # type: ignore[return-value]
    finally:
        AnchorSet.live = original  # type: ignore[method-assign]
        signals_module._ANCHOR_SETS.clear()


def _lines() -> list[tuple[str, str]]:
    out = []
    for path in sorted(DATA.glob("*.jsonl")):
        lang = path.name.split("_")[0].split(".")[0]
        lang = lang if lang in available_languages() else "en"
        for line in path.read_text(encoding="utf-8").splitlines():
            out.append((json.loads(line)["text"], lang))
    for path in sorted(DATA.glob("blind_*/*.tsv")):
        for row in path.read_text(encoding="utf-8").splitlines()[1:]:
            cols = row.split("\t")
            out.append((cols[1], cols[4] if cols[4] in available_languages() else "en"))
    return out


def test_every_labelled_line_reads_the_same_with_and_without_anchors() -> None:
    lines = _lines()
    assert len(lines) > 1000
    different = [
        (lang, text)
        for text, lang in lines
        if rule_reading(text, lang) != _without_anchors(text, lang)
    ]
    assert different == []


@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(["en", "fr", "es", "de"]),
)
def test_random_text_reads_the_same(text: str, lang: str) -> None:
    assert rule_reading(text, lang) == _without_anchors(text, lang)


@given(
    st.lists(
        st.sampled_from(
            [
                "pay",
                "send",
                "video",
                "friends",
                "ſend",
                "K",
                "İ",
                "ı",
                "PAY ",
                "gift card",
                "bitcoin",
                "or i post",
                "24 hours",
                "😂",
                "\n",
            ]
        ),
        max_size=30,
    )
)
def test_near_misses_read_the_same(words: list[str]) -> None:
    text = " ".join(words)
    assert rule_reading(text, "en") == _without_anchors(text, "en")


@pytest.mark.parametrize("letter", "abcdefghijklmnopqrstuvwxyz")
def test_fold_keeps_every_character_re_matches_to_an_ascii_letter(letter: str) -> None:
    pattern = re.compile(re.escape(letter), re.IGNORECASE)
    for code in range(0x80, 0x10000):
        char = chr(code)
        if pattern.fullmatch(char):
            assert letter in fold(char), (letter, hex(code))


def test_the_anchors_are_what_a_match_needs() -> None:
    sets = anchors(r"\bsend (them|it) to your (friends|family)\b", re.I)
    assert frozenset({"send "}) in sets and frozenset({" to your "}) in sets
    hours = anchors(r"\d+ (hours|hrs)", re.I)
    assert hours and all(
        all(any(a in fold(t) for a in one) for one in hours) for t in ("5 hours", "5 HRS")
    )
    assert frozenset({"ment"}) in anchors(r"(?:pay)?ment", re.I)
    assert anchors(r"x*", re.I) == ()
    assert anchors(r"pay", 0) == ()  # case-sensitive patterns are left alone
    for lang in available_languages():
        load_pack(lang)  # every pack's patterns parse
