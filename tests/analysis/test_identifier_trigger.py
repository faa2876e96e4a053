"""The identifiers' one-pass pre-filter (patterns.TRIGGER) lets through exactly the messages the
four separate tests did (kept here as ``_before``), so extract_identifiers finds the same."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.analysis import patterns as p

DATA = Path(__file__).resolve().parents[1] / "data"


def _before(text: str) -> bool:
    """The pre-filter as it was (e9996e5)."""
    low = text.lower()
    return bool(
        p.TRIGGER_CHARS.search(text)
        or any(word in low for word in p.TRIGGER_WORDS)
        or p.SHORT_WORDS.search(low)
        or (len(text) >= 26 and p.LONG_TOKEN.search(text))
    )


def _now(text: str) -> bool:
    return bool(p.TRIGGER.search(text.lower()) or (len(text) >= 26 and p.LONG_TOKEN.search(text)))


def test_lower_casing_never_makes_nor_removes_a_trigger_character() -> None:
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert bool(p.TRIGGER_CHARS.search(ch)) == bool(p.TRIGGER_CHARS.search(ch.lower())), code


def test_every_labelled_line_passes_or_not_as_before() -> None:
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATA.glob("identifiers/*.jsonl")) + sorted(DATA.glob("signals/*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert len(texts) > 1000
    assert [_now(t) for t in texts] == [_before(t) for t in texts]
    assert 0 < sum(map(_now, texts)) < len(texts)


@settings(max_examples=400)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["IG", "ig:", "Sc", "tg", "pp", "İnsta", "SNAP", "Tik Tok", "LIVE:", "WWW.", "£"]
            ),
            st.text(alphabet=st.characters(), max_size=12),
        ),
        max_size=8,
    )
)
def test_random_text_passes_or_not_as_before(parts: list[str]) -> None:
    text = " ".join(parts)
    assert _now(text) == _before(text)
