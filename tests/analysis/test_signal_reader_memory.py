"""A reader remembers the rules' reading of texts it has seen (chats repeat themselves): the
signals are the same as reading each text afresh, and a text seen again is not read again."""

from __future__ import annotations

import pytest

import unshared.analysis.signal_reader as reader_module
from unshared.analysis.signal_reader import SignalReader, read_signals

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
    original = reader_module.rule_reading

    def counting(text: str, lang: str = "en") -> object:
        calls.append(text)
        return original(text, lang)

    monkeypatch.setattr(reader_module, "rule_reading", counting)
    SignalReader().read(TEXTS)
    assert len(calls) == len(set(calls))
    assert "pay $500 in gift cards or I post it" in calls
