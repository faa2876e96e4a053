"""summarise: stages over time, first threat, demands, victim payments, key messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from unshared.analysis.signals import detect_signals
from unshared.analysis.summary import summarise
from unshared.model import Locator, Message, Signal

START = datetime(2024, 5, 1, 21, 0, tzinfo=UTC)
CHAT = [
    ("Emma", "hey cutie, saw you in my suggestions 😊"),
    ("Sam", "hi"),
    ("Emma", "I barely use insta, add me on snap: jess_xo22"),
    ("Emma", "I have your nudes and I will send them to all your followers"),
    ("Emma", "pay $500 in gift cards or I post it. you have 2 hours"),
    ("Sam", "please don't, I only have 100"),
    ("Emma", "ok $300 then on cash app"),
    ("Sam", "I sent you the $300 on cash app, please delete it"),
    ("Emma", "I'll ruin your life anyway"),
]


def _rows(chat: list[tuple[str, str]] = CHAT) -> list[tuple[int, Message, list[Signal]]]:
    rows = []
    for i, (sender, text) in enumerate(chat, start=1):
        msg = Message(
            platform="text",
            conversation="chat",
            sender=sender,
            text=text,
            locator=Locator(line=i),
            sent_at=START + timedelta(minutes=10 * i),
        )
        rows.append((i, msg, detect_signals(text)))
    return rows


def test_stages_first_and_last() -> None:
    summary = summarise(_rows())
    by_stage = {s.stage: s for s in summary.stages}
    assert list(by_stage) == ["contact", "platform_switch", "threat", "payment_demand", "deadline"]
    threat = by_stage["threat"]
    assert (threat.first_message, threat.last_message, threat.count) == (4, 9, 3)
    assert threat.first_at == START + timedelta(minutes=40)
    assert threat.last_at == START + timedelta(minutes=90)
    assert summary.messages == 9
    assert summary.known_script


def test_first_threat_demands_and_payments() -> None:
    summary = summarise(_rows())
    assert summary.first_threat is not None
    assert summary.first_threat.message_id == 4
    assert "followers" in summary.first_threat.reason
    demands = [(d.message_id, d.detail("amount"), d.detail("method")) for d in summary.demands]
    assert demands == [(5, "500", "gift card"), (7, "300", "Cash App")]
    assert [p.message_id for p in summary.payments] == [8]
    assert summary.payments[0].detail("amount") == "300"
    assert summary.offenders == ("Emma",)


def test_key_messages_are_in_conversation_order() -> None:
    summary = summarise(_rows())
    assert summary.key_messages == (1, 3, 4, 5, 7, 8)


def test_named_victim_decides_whose_payments_count() -> None:
    chat = [("Emma", "pay me $100 on cash app or I post it"), ("Emma", "I sent you the link")]
    chat += [("Sam", "I paid you already")]
    assert [p.message_id for p in summarise(_rows(chat)).payments] == [3]
    assert [p.message_id for p in summarise(_rows(chat), victim=["Emma"]).payments] == [2]
    assert [p.message_id for p in summarise(_rows(chat), victim=["sam"]).payments] == [3]


def test_empty_and_benign_cases() -> None:
    empty = summarise([])
    assert (empty.messages, empty.flagged, empty.stages, empty.first_threat) == (0, 0, (), None)
    benign = summarise(_rows([("A", "see you at 6"), ("B", "can you venmo me $20 for pizza?")]))
    assert benign.flagged == 0 and not benign.known_script and benign.key_messages == ()


def test_to_dict_is_json() -> None:
    data = summarise(_rows()).to_dict()
    text = json.dumps(data)
    assert json.loads(text)["demands"][0]["method"] == "gift card"
    assert data["first_threat"]["sent_at"].startswith("2024-05-01T21:40")
    assert "rule" not in data["demands"][0]
