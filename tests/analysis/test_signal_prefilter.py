"""The RE2 pre-filter never hides a pattern that matches (unshared.analysis.prefilter): for every
pattern of every pack, on every labelled line, on random text and on the characters Python's
``re`` treats specially, a pattern that matches is among those the filter calls possible; and
the rules read every line the same with the filter as without it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unshared.analysis.signals as signals_module
from unshared.analysis import prefilter
from unshared.analysis.prefilter import FOLDS_TO_ASCII, PatternFilter, map_text, to_re2
from unshared.analysis.signal_rules import available_languages, load_pack
from unshared.analysis.signals import rule_reading

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"
LANGS = available_languages()

# Characters Python's re reads in its own way: folds, Unicode digits and spaces, word
# characters RE2 would not call word characters, marks, a lone surrogate, controls.
TRICKY = [
    *FOLDS_TO_ASCII,
    "\u00e9",
    "\u00df",
    "\u0663",
    "\u00a0",
    "\u2028",
    "\x0b",
    "\x1c",
    "\x85",
    "\u0301",
    "\u200d",
    "_",
    "\ud800",
    "\U0001d560",
    "\u00b2",
    "\u2019",
    "\u00a3",
    "\u20ac",
    "$",
    "\n",
    "\r\n",
    "😂",
]


def _patterns(lang: str) -> list[re.Pattern[str]]:
    return signals_module._pack_patterns(load_pack(lang))


def _hidden(text: str, lang: str) -> list[str]:
    """Patterns that match ``text`` but that the filter says cannot."""
    patterns = _patterns(lang)
    possible = signals_module._pattern_filter(load_pack(lang)).possible(text)
    if possible is None:
        return []
    return [p.pattern[:60] for p in patterns if id(p) not in possible and p.search(text)]


def _without_filter(text: str, lang: str) -> tuple[list[object], bool]:
    original = PatternFilter.possible
    PatternFilter.possible = lambda self, text: None  # type: ignore[method-assign]
    try:
        return rule_reading(text, lang)  # type: ignore[return-value]
    finally:
        PatternFilter.possible = original  # type: ignore[method-assign]


def _lines() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for path in sorted(DATA.glob("*.jsonl")) + sorted(DATA.glob("corpus/*.jsonl")):
        lang = path.name.split("_")[0].split(".")[0]
        lang = lang if lang in LANGS else "en"
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts = [m["text"] for m in row.get("messages", ())] or [row["text"]]
            out += [(t, row.get("lang", lang) if row.get("lang") in LANGS else lang) for t in texts]
    for path in sorted(DATA.glob("blind_*/*.tsv")):
        for row in path.read_text(encoding="utf-8").splitlines()[1:]:
            cols = row.split("\t")
            out.append((cols[1], cols[4] if cols[4] in LANGS else "en"))
    return out


def test_the_filter_is_on() -> None:
    assert vars(prefilter)["_re2"] is not None, "google-re2 is a dependency"
    for lang in LANGS:
        filt = signals_module._pattern_filter(load_pack(lang))
        assert filt.possible("hello") is not None
        assert filt._ids, lang  # every pattern rewritten...
        assert len(filt._always) <= 2, lang  # ...but at most a couple that always run


def test_no_labelled_line_hides_a_matching_pattern_in_any_language() -> None:
    lines = _lines()
    assert len(lines) > 2000
    hidden = [
        (lang, other, text[:60], _hidden(text, other))
        for text, lang in lines
        for other in {lang, "en"}
        if _hidden(text, other)
    ]
    assert hidden == []


def test_every_labelled_line_reads_the_same_with_and_without_the_filter() -> None:
    different = [
        (lang, text)
        for text, lang in _lines()
        if rule_reading(text, lang) != _without_filter(text, lang)
    ]
    assert different == []


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(), max_size=120), st.sampled_from(LANGS))
def test_random_text_hides_no_match(text: str, lang: str) -> None:
    assert _hidden(text, lang) == []


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            [
                "your friends",
                "send",
                "video",
                "pay",
                "or i post",
                "24 hours",
                "500",
                "$500",
                "gift card",
                "bitcoin",
                "you have 2 days",
                "how old are you",
                "i'm 15",
                "in",
                "is",
                "sk",
                "KIS",
                "tick tock",
                "western union",
                "\u00e0 ta famille",
                "j'envoie",
                "tu as 24 heures",
                *TRICKY,
            ]
        ),
        max_size=25,
    ),
    st.sampled_from(["", " ", "\n", "_"]),
    st.sampled_from(LANGS),
)
def test_near_misses_hide_no_match(words: list[str], sep: str, lang: str) -> None:
    text = sep.join(words)
    assert _hidden(text, lang) == []
    assert rule_reading(text, lang) == _without_filter(text, lang)


def test_the_folds_are_every_character_re_matches_to_ascii_when_ignoring_case() -> None:
    beyond = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    folded = set(re.findall(r"[\x00-\x7f]", beyond, re.IGNORECASE))
    assert folded == set(FOLDS_TO_ASCII)
    for ch, letter in zip(FOLDS_TO_ASCII, "skii", strict=True):
        assert re.fullmatch(letter, ch, re.IGNORECASE)
        assert map_text(ch) == letter
    # The mapping keeps what \w and \b see: a word character stays one, and no other is.
    for ch in beyond[:0x3000] + "\U0001d560\U0001f602":
        mapped = map_text(ch)
        assert len(mapped) == 1
        assert bool(re.fullmatch(r"\w", ch)) == bool(re.fullmatch(r"\w", mapped)), hex(ord(ch))
    assert map_text("\ud800x") == "\x80x"


@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        (r"(?<!\w)pay\b(?!\s+back)", ["pay", "pay back", "xpay", "PAY!", "paſ", "pa\u00ffy"]),
        (r"(\w+) \1", ["go go", "go gone", "é é", "_ _"]),
        (r"^\d{2,}$", ["12", "1\n23\n", "\u0663\u0663", "1", "ab\n99"]),
        (r"[^a-z]{3}", ["ab", "A1!", "\u00e9\u00e9\u00e9", "ſſſ", "___"]),
        (r"(?i:K)elvin|\bi\b", ["\u212aelvin", "\u0130", "\u0131", "ix", "x i y"]),
        (r"\s\S\W\D", ["\u00a0a!x", " a b", "\x1cab_"]),
        (r"(?>ab|a)c|x{2,5000}", ["ac", "abc", "xx"]),
        (r"caf\u00e9|na\u00efve", ["CAF\u00c9", "na\u00cfve", "cafe"]),
        (r"(?P<a>x)?(?(a)y|z)", ["xy", "z", "xz"]),
    ],
)
def test_rewritten_patterns_match_all_the_original_matches(pattern: str, texts: list[str]) -> None:
    flags = re.IGNORECASE | re.MULTILINE
    original = re.compile(pattern, flags)
    filt = PatternFilter([original])
    for text in texts:
        possible = filt.possible(text)
        assert possible is not None
        if original.search(text):
            assert id(original) in possible, (pattern, text, to_re2(pattern, flags))


def test_the_filter_narrows_a_chat_line_down() -> None:
    pack = load_pack("en")
    patterns = _patterns("en")
    possible = signals_module._pattern_filter(pack).possible("see you at the cinema later")
    assert possible is not None and len(possible) < len(patterns) // 10


def test_possible_stages_hold_every_stage_the_rules_find() -> None:
    from unshared.analysis.signals import ABOUT, STAGES, possible_stages

    checked = 0
    for text, lang in _lines():
        found, about = rule_reading(text, lang)
        mask = possible_stages(text, lang)
        assert mask is not None
        for signal in found:
            assert mask >> STAGES.index(signal.stage) & 1, (lang, text[:60], signal.stage)
        assert not about or mask >> ABOUT & 1, (lang, text[:60])
        checked += len(found) + about
    assert checked > 1000
    assert possible_stages("see you at the cinema later") == 0
