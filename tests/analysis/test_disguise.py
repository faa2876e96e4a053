"""Disguised letters read as the plain words, and plain text is left exactly as it is.

The attack: take the labelled coercion lines the reader flags, disguise them the ways extortion
e-mails and chats do (Cyrillic look-alikes, zero-width characters, fullwidth and mathematical
"fancy text", no-break spaces, digits for letters, spaced-out words), and ask for the same flags.
Before ``undisguise`` the reader lost most of them (docs/signals.md has the figures).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from benchmarks.evaluation.disguises import EXACT, Disguise, leet, spaced, sprayed
from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.analysis.disguise import _slow, undisguise
from unshared.analysis.signal_corpus import load_corpus
from unshared.analysis.signal_reader import SignalReader
from unshared.analysis.signal_rules import KEY_STAGES
from unshared.analysis.signals import (
    DISGUISED,
    DISGUISED_NOTE,
    detect_payments_made,
    rule_reading,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "signals"


@pytest.fixture(scope="module")
def flagged_lines() -> list[tuple[str, frozenset[str]]]:
    """English coercion lines the reader flags with a key stage, plain ASCII (so every
    disguise below is undone exactly), 300 of them, fixed by a seed."""
    rows = [
        r
        for r in load_corpus(CORPUS)
        if r.lang == "en"
        and r.stages & set(KEY_STAGES)
        and r.text.isascii()
        and not undisguise(r.text).changed
        and 20 <= len(r.text) <= 300
    ]
    rng = random.Random(20261204)
    sample = rng.sample(rows, 600)
    reader = SignalReader(lang="en")
    read = reader.read([r.text for r in sample])
    out = []
    for r, sigs in zip(sample, read, strict=True):
        stages = frozenset(s.stage for s in sigs)
        if stages & set(KEY_STAGES):
            out.append((r.text, stages))
    assert len(out) >= 300
    return out[:300]


@pytest.mark.parametrize("name", sorted(EXACT))
def test_exact_disguises_are_undone_and_read_the_same(
    name: str, flagged_lines: list[tuple[str, frozenset[str]]]
) -> None:
    rng = random.Random(name)
    disguise = EXACT[name]
    texts = [disguise(text, rng) for text, _ in flagged_lines]
    assert sum(t != plain for t, (plain, _) in zip(texts, flagged_lines, strict=True)) >= 250
    for t, (plain, _) in zip(texts, flagged_lines, strict=True):
        assert undisguise(t).text == plain, (name, t)
    read = SignalReader(lang="en").read(texts)
    for t, sigs, (plain, stages) in zip(texts, read, flagged_lines, strict=True):
        assert frozenset(s.stage for s in sigs) == stages, (name, t, plain)
        if t != plain:
            assert all(DISGUISED in s.details for s in sigs), (name, t)
            assert all(s.reason.endswith(DISGUISED_NOTE) for s in sigs), (name, t)


@pytest.mark.parametrize("disguise", [leet, spaced], ids=["leet", "spaced"])
def test_digits_for_letters_and_spaced_words_keep_the_flags(
    disguise: Disguise,
    flagged_lines: list[tuple[str, frozenset[str]]],
) -> None:
    rng = random.Random(disguise.__name__)
    texts = [disguise(text, rng) for text, _ in flagged_lines]
    changed = [
        k for k, (t, (plain, _)) in enumerate(zip(texts, flagged_lines, strict=True)) if t != plain
    ]
    assert len(changed) >= 200
    # Not every one exactly: "I b e l i e v e" reads "Ibelieve" (the spaced run takes the "I").
    undone = sum(undisguise(texts[k]).text == flagged_lines[k][0] for k in changed)
    assert undone >= 0.85 * len(changed)
    read = SignalReader(lang="en").read([texts[k] for k in changed])
    kept = sum(bool(frozenset(s.stage for s in sigs) & set(KEY_STAGES)) for sigs in read)
    assert kept >= 0.95 * len(changed)


def test_sprayed_accents_keep_the_key_flags(
    flagged_lines: list[tuple[str, frozenset[str]]],
) -> None:
    """Stray accents beyond Latin-1's over a third of the letters ("Thîș meanș"): the rules do
    not read past them (French and German keep their accents), the scorer does."""
    rng = random.Random("sprayed")
    texts = [sprayed(text, rng) for text, _ in flagged_lines]
    changed = [
        k for k, (t, (plain, _)) in enumerate(zip(texts, flagged_lines, strict=True)) if t != plain
    ]
    assert len(changed) >= 250
    read = SignalReader(lang="en").read([texts[k] for k in changed])
    kept = sum(bool(frozenset(s.stage for s in sigs) & set(KEY_STAGES)) for sigs in read)
    assert kept >= 0.9 * len(changed)


def test_spans_point_into_the_original_text() -> None:
    text = "p\u200b@y $500 in b1tc0in 0r I p\u200b0st y0ur vіdео, yоu have 2 hоurs"
    signals, _ = rule_reading(text)
    assert {s.stage for s in signals} >= {"payment_demand", "threat", "deadline"}
    for s in signals:
        assert 0 <= s.start < s.end <= len(text)
        assert DISGUISED in s.details
    threat = next(s for s in signals if s.stage == "threat")
    assert "p\u200b0st" in text[threat.start : threat.end]
    paid = detect_payments_made("I s3nt y0u $200 by W3stern Uni0n")
    assert paid and paid[0].start >= 0 and DISGUISED in paid[0].details


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("I wіll sеnd your vіdеo", "I will send your video"),  # Cyrillic і, е
        ("ΡΑΥ NOW OR ELSE", "PAY NOW OR ELSE"),  # Greek capitals in a mostly-Latin message
        ("se\u200bnd m\u2060oney", "send money"),
        ("ｐａｙ ｎｏｗ！", "pay now!"),
        ("𝐬𝐞𝐧𝐝 𝐦𝐨𝐧𝐞𝐲", "send money"),
        ("ᴘᴀʏ ᴍᴇ", "pay me"),
        ("ﬁve", "five"),
        ("Payez maintenant\u00a0!", "Payez maintenant !"),
        ("cafe\u0301", "café"),
        ("z\u0336a\u0337l\u0338g\u0335o", "zalgo"),
        ("y0ur n00dz", "your n00dz"),
        ("Y0UR V1DE0", "YOUR VIDEO"),
        ("p@y c@sh ca$h", "pay cash cash"),
        ("s e n d  m o n e y", "send  money"),
        ("s.e.n.d it", "send it"),
        # hooked and IPA Latin letters, as mass e-mails write them
        (
            "I gıve you 72 houɼs onɭy to transƒer the funds",
            "I give you 72 hours only to transfer the funds",
        ),
        ("ʍy ɱalwaɾe ɦas youɾ ʋideo", "my malware has your video"),
        # more Greek and Cyrillic look-alikes, and the same letters with accents, as sprayed by
        # the mass e-mails of 2019-2021
        (
            "1sτ ραrτ shοws τhe νιdeο yοu were wατchιηg",
            "1st part shows the video you were watching",
        ),
        (
            "i do nϙt wөnt all уὁur contacts to get ҍhis",
            "i do not wont all your contacts to get bhis",
        ),
        ("før jeg sender vίdeoen til alle", "før jeg sender videoen til alle"),
        ("Du er meget Ƿerverteret!", "Du er meget Perverteret!"),
        ("for everyƄody to see, Ƒriday", "for everyBody to see, Friday"),
    ],
)
def test_disguises(text: str, plain: str) -> None:
    assert undisguise(text).text == plain


@pytest.mark.parametrize(
    "text",
    [
        "Send me $500 by 5pm or 24h, mp4 h264 covid19 win10 2nite 4u b4 l8r",
        "mail me at john.smith@example.com or pay@example.org",
        "Привет, как дела? Отправь фото",  # Russian: left as it is
        "Καλημέρα, τι κάνεις;",  # Greek
        "Vous avez 48 heures. Zahlen Sie jetzt! ¿Dónde estás? São Paulo, Straße, niño, œuvre",
        "नमस्ते, आप कैसे हैं?",  # Devanagari signs are not combining accents
        "مرحبا كيف حالك",
        "我会把视频发给你的家人",
        "ok 👍🏽 see you 👨‍👩‍👧 ❤️",
        "I a m fine, x x x",
        "BTC bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh, IBAN GB82WEST12345698765432",
        "MTCN 123-456-7890, code X7K9-ABCD-1234",
        "Zażółć gęślą jaźń, łódź, Čeština, Ærø, Þórr",  # letters of their own, not look-alikes
    ],
)
def test_plain_text_is_left_alone(text: str) -> None:
    assert undisguise(text).text == text


def test_ordinary_corpus_lines_mostly_untouched() -> None:
    """Of the labelled lines, those changed are the disguised e-mails and a few stray symbols."""
    rows = load_corpus(CORPUS)
    changed = [r for r in rows if undisguise(r.text).changed]
    assert len(changed) <= 0.01 * len(rows)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_undisguise_is_idempotent_and_spans_stay_inside(text: str) -> None:
    plain = undisguise(text)
    assert undisguise(plain.text).text == plain.text
    n = len(plain.text)
    for a, b in [(0, n), (0, min(1, n)), (n // 2, n)]:
        start, end = plain.span(a, b)
        assert 0 <= start <= end <= len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("abcdeiopsxyz ABEHKOPT01345@$.\u200b\u0430\u0435\u043e\u00a0"))
)
def test_undisguise_on_its_own_alphabet(text: str) -> None:
    plain = undisguise(text)
    assert undisguise(plain.text).text == plain.text
    assert re.search(r"[A-Za-z0-9]\u200b|\u200b[A-Za-z0-9]", plain.text) is None


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("abcdeiopsxyz ABEHKOPT01345@$.-*_'\u200b\u0430\u00a0ｓ"))
    | st.text(max_size=60)
)
def test_the_quick_look_misses_nothing(text: str) -> None:
    """A text the quick look passes as plain is one the full reading leaves unchanged."""
    assert undisguise(text).text == _slow(text).text


HOSTILE_DISGUISES = {
    "long word with a look-alike": "é" + "a" * 20_000 + "а",
    "digits between letters": "a1" * 10_000,
    "spaced letters": "a " * 10_000,
    "zero-width between letters": "a\u200b" * 10_000,
    "combining marks": "e\u0301\u0316" * 7_000,
    "format characters alone": "\u200d" * 20_000,
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(HOSTILE_DISGUISES))
def test_hostile_long_disguises_finish(name: str) -> None:
    # A generous timeout, not a timing assertion: each step is linear in the text; quadratic
    # work on 20,000 characters (400 million steps) would take minutes.
    text = HOSTILE_DISGUISES[name]
    plain = undisguise(text)
    assert undisguise(plain.text).text == plain.text
    start, end = plain.span(0, len(plain.text))
    assert 0 <= start <= end <= len(text)
