"""LINE chat history (.txt): English, US 12-hour groups, Japanese and German exports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from unshared.errors import ParseError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect
from unshared.importers.formats.line import LineImporter
from unshared.model import Message, Participant, Side

DATA = Path(__file__).resolve().parents[1] / "data" / "importers" / "line"
OPTS = ImportOptions(timezone=UTC)


def _read(name: str) -> tuple[list[Message], dict[str, Side]]:
    source = FileSource(DATA / name)
    imp = detect(source)
    assert imp.name == "line"
    records = list(imp.parse(source, OPTS))
    sides = {p.name or "": p.side for p in records if isinstance(p, Participant)}
    return [r for r in records if isinstance(r, Message)], sides


def test_english_one_to_one() -> None:
    msgs, sides = _read("chat_en.txt")
    assert {m.conversation for m in msgs} == {"Mia"}
    assert sides == {"Mia": "other", "Lee": "victim"}
    hello, quoted, photo, demand, unsent, call = msgs
    assert hello.sent_at == datetime(2026, 12, 2, 21, 26, tzinfo=UTC) and hello.time_assumed
    assert quoted.text == "hi Mia\nhow are you" and quoted.locator.line == 6
    assert photo.attachments[0].kind == "photo" and photo.attachments[0].omitted
    assert demand.text == "Send 30000 yen by PayPay by tomorrow or I post the video"
    assert unsent.sent_at == datetime(2026, 12, 3, 0, 1, tzinfo=UTC)
    assert "unsent" in unsent.flags
    assert call.kind == "system" and "Mia" in call.text
    raw = (DATA / "chat_en.txt").read_bytes()
    assert raw[demand.locator.offset or 0 :].startswith(b"23:58\tMia")


def test_us_group_with_12_hour_clock_and_notices() -> None:
    msgs, sides = _read("chat_us_group.txt")
    assert {m.conversation for m in msgs} == {"Travel friends"}
    assert set(sides.values()) == {"unknown"}  # a group: nobody is assumed to be the victim
    first, sticker, joined, late = msgs
    # "Wed, 12/02/2026": 2 December is a Wednesday, 12 February is not.
    assert first.sent_at == datetime(2026, 12, 2, 21, 26, tzinfo=UTC)
    assert "ambiguous_date" not in first.flags
    assert sticker.attachments[0].kind == "sticker"
    assert joined.kind == "system" and joined.text == "Sam joined the group"
    assert late.sent_at == datetime(2026, 12, 3, 0, 5, tzinfo=UTC)


def test_japanese_and_german_headers() -> None:
    ja, ja_sides = _read("chat_ja.txt")
    assert {m.conversation for m in ja} == {"Mia"} and ja_sides["Mia"] == "other"
    assert ja[0].sent_at == datetime(2026, 12, 2, 21, 26, tzinfo=UTC)  # 午後9:26
    assert ja[1].attachments[0].kind == "sticker"
    de, de_sides = _read("chat_de.txt")
    assert de[0].sent_at == datetime(2026, 12, 2, 21, 26, tzinfo=UTC)
    assert de_sides == {"Mia": "other", "Lee": "victim"}


def test_not_line_and_broken_line() -> None:
    with pytest.raises(WrongFormat):
        LineImporter().sniff(BytesSource(b"12/02/2026, 21:26 - Mia: hi\n", "chat.txt"))
    broken = BytesSource(
        b"[LINE] Chat history with Mia\n\nsome stray text\n2026/12/02(Wed)\n21:26\tMia\thi\n",
        "chat.txt",
    )
    with pytest.raises(ParseError) as err:
        list(detect(broken).parse(broken, OPTS))
    assert "chat.txt" in str(err.value) and "line 3" in str(err.value)
