"""Google Voice Takeout pages: texts, MMS, group threads, voicemail and missed calls."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from unshared.errors import ParseError
from unshared.importers import FileSource, ImportOptions, detect
from unshared.model import Message, Participant

from .builders import read_as
from .voice_build import TEXT_PAGE, voice_takeout_zip, voice_text_page

PACIFIC = timezone(timedelta(hours=-7))


def _read(path: Path) -> tuple[list[Message], list[Participant]]:
    return read_as(path, "google-voice")


def test_a_text_page(tmp_path: Path) -> None:
    messages, people = _read(
        voice_text_page(tmp_path / "Alex Offender - Text - 2024-03-12T21_04_00Z.html")
    )
    first, mine, mms = messages
    assert first.sender == "Alex Offender" and first.sender_id == "+15550001111"
    assert first.text == "I have your video.\n\nPay $500 or it goes to your school & family"
    assert first.sent_at == datetime(2024, 3, 12, 14, 4, tzinfo=PACIFIC) and not first.time_assumed
    assert first.conversation == "Alex Offender" and first.locator.line
    assert mine.sender == "Me" and mine.text == "please don't"
    assert mms.attachments[0].kind == "photo"
    sides = {p.name: p.side for p in people}
    assert sides == {"Alex Offender": "unknown", "Me": "victim"}
    assert {p.platform_id for p in people} == {"+15550001111", "+15550002222"}


def test_the_takeout_zip_reads_every_page(tmp_path: Path) -> None:
    messages, _ = _read(voice_takeout_zip(tmp_path / "takeout.zip"))
    by_conv: dict[str, list[Message]] = {}
    for m in messages:
        by_conv.setdefault(m.conversation, []).append(m)
    assert [m.text for m in by_conv["Group: Alex Offender, Kim Other"]] == ["who is this?"]
    voicemail = next(m for m in messages if "voicemail" in m.text)
    assert voicemail.text == "[voicemail (82 s)] Last warning. Pay or everyone sees it."
    assert voicemail.sender == "Alex Offender" and voicemail.kind == "message"
    assert voicemail.attachments[0].kind == "audio"
    missed = next(m for m in messages if m.text.startswith("missed call"))
    assert missed.kind == "system" and missed.sender_id == "+15550001111"
    assert missed.sender == "+15550001111"
    assert missed.locator.member and missed.locator.member.startswith("Takeout/Voice/Calls/")


def test_a_page_cut_inside_a_character_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "Alex Offender - Text - 2024-03-12T21_04_00Z.html"
    data = TEXT_PAGE.replace("please", "pl€ase").encode()
    page.write_bytes(data[: data.index("€".encode()) + 1])
    source = FileSource(page)
    with pytest.raises(ParseError):
        list(detect(source).parse(source, ImportOptions()))


def test_a_page_with_no_messages_is_one_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "x - Text - 2024-03-12T21_04_00Z.html"
    page.write_text('<html><body><div class="hChatLog hfeed"></div></body></html>')
    source = FileSource(page)
    with pytest.raises(ParseError) as err:
        list(detect(source).parse(source, ImportOptions()))
    assert "no Google Voice messages" in err.value.message
