"""Signal (signal-export): attachments, reactions, stickers, quotes, deleted messages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from unshared.errors import ParseError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect
from unshared.importers.formats.signal import SignalImporter
from unshared.model import Message, Participant

SIG = SignalImporter()


def test_signal_export_markdown(data_dir: Path) -> None:
    source = FileSource(data_dir / "importers/signal_chat.md")
    assert detect(source).name == "signal"
    m = [r for r in SIG.parse(source, ImportOptions(timezone=UTC)) if isinstance(r, Message)]
    assert len(m) == 5
    assert m[0].sent_at == datetime(2024, 2, 1, 10, 0, 1, tzinfo=UTC) and m[0].time_assumed
    assert m[1].text == "> Hi, got your message\ngood. look at this"
    assert "quote" in m[1].flags
    (photo,) = m[1].attachments
    assert (photo.kind, photo.name, photo.uri) == (
        "photo",
        "photo.jpg",
        "./media/2024-02-01-10-01-30_photo.jpg",
    )
    assert [(r.actor, r.reaction) for r in m[1].reactions] == [("Alex", "👍")]
    assert "deleted" in m[2].flags
    assert m[3].attachments[0].kind == "sticker" and m[3].attachments[0].name == "😀"
    assert m[4].attachments[0].kind == "file" and m[4].text == ""
    assert m[4].locator.line == 8


def test_me_is_the_account_that_exported() -> None:
    # signal-export writes "Me" for outgoing messages.
    data = b"[2024-02-01 10:00:01] Chidi: hi\n[2024-02-01 10:00:09] Me: who is this?\n"
    source = BytesSource(data, "chat.md")
    records = list(SIG.parse(source, ImportOptions(timezone=UTC)))
    sides = {p.name: p.side for p in records if isinstance(p, Participant)}
    assert sides == {"Chidi": "unknown", "Me": "victim"}


def test_whatsapp_like_lines_without_signal_marks_go_to_whatsapp() -> None:
    data = b"[2024-02-01 10:00:01] Alex: hi\n"
    with pytest.raises(WrongFormat):
        SIG.sniff(BytesSource(data, name="chat.txt"))
    assert detect(BytesSource(data, name="chat.txt")).name == "whatsapp"
    SIG.sniff(BytesSource(data, name="chat.md"))


def test_bad_signal_input() -> None:
    with pytest.raises(ParseError, match="line 2"):
        list(
            SIG.parse(
                BytesSource(b"[2024-02-01, 10:00] A: x\n\xff\xfe\n", name="c.md"), ImportOptions()
            )
        )
