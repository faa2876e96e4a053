"""imessage-exporter's text output (``-f txt``), in the layout its own tests show."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from unshared.errors import WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, get
from unshared.model import Message

from .builders import read_as

UTC1 = timezone(timedelta(hours=1))


def test_messages_reactions_replies_edits_and_attachments(data_dir: Path) -> None:
    messages, people = read_as(
        data_dir / "importers" / "imessage" / "+447700900123.txt", "imessage-txt"
    )
    first, mine, photo, reply, edited, deleted, renamed, missing = messages
    assert first.conversation == "+447700900123" and first.sender == "+447700900123"
    assert first.text == "I have your video. Pay £500 or it goes to everyone"
    assert [(r.actor, r.reaction) for r in first.reactions] == [("Me", "disliked")]
    assert first.time_assumed and first.locator.line == 1
    assert mine.sender == "Me" and mine.text == "please stop\nI will pay"
    assert photo.attachments[0].name == "IMG_0001.jpeg" and photo.attachments[0].kind == "photo"
    assert reply.sender == "Me" and reply.text == "is that me?" and "reply" in reply.flags
    assert edited.text == "last warning\nLAST warning, 1 hour left" and "edited" in edited.flags
    assert "unsent" in deleted.flags and deleted.text == ""
    assert renamed.kind == "system" and renamed.text == "renamed the conversation to pay up"
    assert missing.attachments[0].omitted and missing.sent_at is not None
    assert missing.sent_at.hour == 10
    assert {p.name: p.side for p in people} == {"+447700900123": "unknown", "Me": "victim"}


def test_times_are_read_in_the_given_zone(data_dir: Path) -> None:
    path = data_dir / "importers" / "imessage" / "+447700900123.txt"
    records = get("imessage-txt").parse(FileSource(path), ImportOptions(timezone=UTC1))
    first = next(r for r in records if isinstance(r, Message))
    assert first.sent_at == datetime(2024, 3, 12, 21, 4, tzinfo=UTC1)


def test_other_text_is_not_taken() -> None:
    with pytest.raises(WrongFormat):
        get("imessage-txt").sniff(BytesSource(b"Mar 12, 2024 notes\nsomething\n", name="notes.txt"))
