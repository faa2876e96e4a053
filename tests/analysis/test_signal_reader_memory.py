"""A reader remembers the rules' reading of texts it has seen (chats repeat themselves): the
signals are the same as reading each text afresh, and a text seen again is not read again."""

from __future__ import annotations

import pytest

import unshared.analysis.signal_reader as reader_module
from unshared.analysis.signal_reader import SignalReader, read_signals
from unshared.analysis.signal_scorer import ScorerModel
from unshared.analysis.signals import rule_reading

TEXTS = [
    "ok",
    "pay $500 in gift cards or I post it",
    "ok",
    "I have your video and I will send it to your family",
    "pay $500 in gift cards or I post it",
    "lol",
    "watch my next move",
    "pay $500 in gift cards or I post it",
    "ok",
]


@pytest.mark.parametrize("remembered", [1, 2, 4096])
def test_repeated_texts_read_the_same_as_alone(
    monkeypatch: pytest.MonkeyPatch, remembered: int
) -> None:
    monkeypatch.setattr(reader_module, "REMEMBERED", remembered)
    together = SignalReader().read(TEXTS)
    alone = [read_signals([t])[0] for t in TEXTS]
    assert together == alone
    assert any(together)  # the comparison is about real signals


def test_a_text_seen_again_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = rule_reading

    def counting(text: str, lang: str = "en") -> object:
        calls.append(text)
        return original(text, lang)

    monkeypatch.setattr(reader_module, "rule_reading", counting)
    SignalReader().read(TEXTS)
    assert len(calls) == len(set(calls))
    assert "pay $500 in gift cards or I post it" in calls


def test_a_scorer_reason_is_worked_out_once_per_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The closest labelled line and the weightiest words are looked up once for a text read
    again, and the reason is the same word for word."""
    calls: list[str] = []
    original = ScorerModel.reasons

    def counting(
        self: ScorerModel, text: str, stage: str, *, context: bool = False, features: object = None
    ) -> object:
        calls.append(text)
        return original(self, text, stage, context=context, features=features)  # type: ignore[arg-type]

    monkeypatch.setattr(ScorerModel, "reasons", counting)
    read = SignalReader().read(["watch my next move", "lol", "watch my next move"])
    by_scorer = [s for s in read[0] if dict(s.details)["by"] == "scorer"]
    assert by_scorer, read[0]  # the comparison is about a reason the scorer gave
    assert read[2] == read[0]
    assert calls.count("watch my next move") == len(by_scorer)
