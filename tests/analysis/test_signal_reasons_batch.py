"""The reader writes the scorer's reasons of a whole batch from one featurisation of the flagged
texts: each text's features taken from the batch are exactly its features read alone, and a
batch of messages gets the same reasons as each message read by itself."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.analysis import signal_reader
from unshared.analysis.signal_reader import SignalReader
from unshared.analysis.signal_scorer import featurise, load_scorer
from unshared.model import Signal

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"


def _same(a: object, b: object) -> None:
    for name in ("bucket", "message", "counts", "kind", "start", "end"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    # a text with no words has no word blocks alone, empty ones in a batch: the same features
    assert tuple(dict.fromkeys(a.blocks)) == tuple(dict.fromkeys(b.blocks))  # type: ignore[attr-defined]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(), max_size=40),
            st.sampled_from(["", " ", "a", "pay now or I post it", "ſend İt", "\0", "1 2 3"]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_a_texts_features_from_a_batch_are_its_own(texts: list[str], spans: bool) -> None:
    batch = featurise(texts, spans=spans)
    for i, text in enumerate(texts):
        _same(batch.of(i), featurise([text], spans=spans))


@lru_cache(maxsize=1)
def _read_alone() -> tuple[list[str], list[list[Signal]]]:
    """Every labelled .jsonl line, and its signals read alone by a fresh reader."""
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATA.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    model = load_scorer()
    return texts, [SignalReader(model=model, use_encoder=False).read([t])[0] for t in texts]


def test_a_batch_gets_the_reasons_each_message_gets_alone() -> None:
    """Labelled lines (many flagged by the scorer alone), read as one batch and one by one by
    fresh readers: the same signals, reasons and details, message by message."""
    texts, alone = _read_alone()
    together = SignalReader(model=load_scorer(), use_encoder=False).read(texts)
    assert together == alone
    by_scorer = [s for signals in together for s in signals if ("by", "scorer") in s.details]
    assert len(by_scorer) > 20 and all("reads like" in s.reason for s in by_scorer)


def test_a_batch_with_more_reasons_than_the_memory_holds_gets_them_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reader remembers the last few reasons; a batch that flags more texts than that still
    gets each one's reason, the same as read alone, and a second reading gives the same."""
    texts, alone = _read_alone()
    monkeypatch.setattr(signal_reader, "REMEMBERED", 3)
    reader = SignalReader(model=load_scorer(), use_encoder=False)
    assert reader.read(texts) == alone
    assert reader.read(texts) == alone
    assert len(reader._reasons) <= 3
