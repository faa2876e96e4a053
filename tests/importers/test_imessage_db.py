"""Apple Messages databases: a Mac's chat.db and an unencrypted iPhone backup."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from unshared.errors import ParseError, WrongFormat
from unshared.importers import FileSource, ImportOptions, detect, get

from .builders import read_as
from .imessage_build import PHOTO, chat_db, iphone_backup_zip

T0 = datetime(2024, 3, 12, 21, 4, tzinfo=UTC)


@pytest.mark.parametrize("nanoseconds", [True, False])
def test_chat_db_messages_as_they_are(tmp_path: Path, nanoseconds: bool) -> None:
    messages, people = read_as(chat_db(tmp_path / "chat.db", nanoseconds), "imessage-db")
    text = {m.message_id: m for m in messages}
    first = text["G1"]
    assert first.sender == "+447700900123" and first.sender_id == "+447700900123"
    assert first.text == "I have your video. Pay £500 or it goes to everyone"
    assert first.sent_at == T0 and first.locator.pointer == "/message/1"
    mine = text["G2"]
    assert mine.sender == "Me" and mine.text == "please stop, I will pay"  # from attributedBody
    photo = text["G3"]
    assert photo.text == "[photo]" and photo.attachments[0].name == "IMG_0001.jpeg"
    assert photo.attachments[0].member_sha256 is None  # a Mac's chat.db holds no files
    tapback = text["G4"]
    assert tapback.kind == "system" and tapback.reply_to == "G2"
    assert tapback.text == "liked “please stop, I will pay”" and "reaction" in tapback.flags
    assert "edited" in text["G5"].flags and "unsent" in text["G6"].flags
    assert "sms" in text["G7"].flags
    sides = {p.name: p.side for p in people}
    assert sides == {"+447700900123": "unknown", "Me": "victim"}


def test_an_iphone_backup_links_attachments_by_hash(tmp_path: Path) -> None:
    messages, _ = read_as(iphone_backup_zip(tmp_path / "backup.zip"), "imessage-db")
    photo = next(m for m in messages if m.message_id == "G3")
    att = photo.attachments[0]
    assert att.member_sha256 == hashlib.sha256(PHOTO).hexdigest() and att.size == len(PHOTO)
    assert len([m for m in messages if m.kind == "message"]) == 6


def test_any_other_sqlite_file_is_not_taken(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes (id INTEGER, body TEXT)")
    db.commit()
    db.close()
    with pytest.raises(WrongFormat):
        get("imessage-db").sniff(FileSource(other))


def test_a_cut_database_is_one_clear_error(tmp_path: Path) -> None:
    whole = chat_db(tmp_path / "chat.db").read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(whole[: len(whole) // 2])
    source = FileSource(cut)
    with pytest.raises(ParseError) as err:
        list(detect(source).parse(source, ImportOptions()))
    assert err.value.path == "cut.db"
