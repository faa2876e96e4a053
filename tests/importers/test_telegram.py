"""Telegram Desktop JSON and HTML exports: real samples from ../shared and synthetic fixtures."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unshared.errors import ParseError, UnsharedError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect, get
from unshared.model import Message, Participant

PLUS2 = timezone(timedelta(hours=2))


def _parse(name: str, source: object, options: ImportOptions | None = None) -> list[Message]:
    records = get(name).parse(source, options or ImportOptions())  # type: ignore[arg-type]
    return [r for r in records if isinstance(r, Message)]


def test_real_chat_analytics_sample(exports_dir: Path) -> None:
    source = FileSource(exports_dir / "telegram" / "chatanalytics_DM_2A_7M.json")
    assert detect(source).name == "telegram"
    berlin = timezone(timedelta(hours=1))
    messages = _parse("telegram", source, ImportOptions(timezone=berlin))
    assert len(messages) == 8
    assert [m.sender for m in messages] == [
        "Bob",
        "Bob",
        "Alice",
        "Bob",
        "Alice",
        "Alice",
        "Alice",
        "Alice",
    ]
    assert [m.kind for m in messages].count("system") == 2
    assert messages[0].text == "Bob joined Telegram"
    assert messages[0].sender_id == "user700000000"
    assert messages[1].text == "https://google.com 👀"
    # "date" only: local time of the exporting machine, the user's zone applied and flagged
    assert messages[2].sent_at == datetime(2022, 3, 8, 13, 7, 42, tzinfo=berlin)
    assert messages[2].time_assumed
    # "date_unixtime" wins over "date" (the sample's date is UTC-3 local time)
    assert messages[7].sent_at == datetime(2023, 8, 11, 2, 11, 2, tzinfo=UTC)
    assert not messages[7].time_assumed
    assert messages[7].text == "Phone call (56 s), hangup"
    photos = [m for m in messages if m.attachments]
    assert len(photos) == 2 and all(m.attachments[0].kind == "photo" for m in photos)
    assert all(m.attachments[0].omitted for m in photos)
    assert messages[0].conversation == "Bob [700000000]"
    assert messages[3].locator.pointer == "/messages/3"


def test_one_to_one_chat_tells_the_sides_apart(exports_dir: Path) -> None:
    """A personal chat's id is the other person's user id; whoever else writes is the account
    holder who exported it."""
    source = FileSource(exports_dir / "telegram" / "chatanalytics_DM_2A_7M.json")
    records = list(get("telegram").parse(source, ImportOptions(timezone=UTC)))
    sides = {p.name: p.side for p in records if isinstance(p, Participant)}
    assert sides == {"Bob": "other", "Alice": "victim"}
    # --me still wins, and a group chat is not guessed at.
    named = get("telegram").parse(source, ImportOptions(timezone=UTC, me=frozenset({"Bob"})))
    assert {p.name: p.side for p in named if isinstance(p, Participant)}["Bob"] == "victim"


def test_real_chat_miner_sample(exports_dir: Path) -> None:
    source = FileSource(exports_dir / "telegram" / "chatminer_test_single_export.json")
    assert detect(source).name == "telegram"
    messages = _parse("telegram", source)
    assert [(m.sender, m.text) for m in messages] == [
        ("Author 1", "Minimal Message"),
        ("Author 2", "Link:https://telegram.org/"),
    ]
    assert [m.sent_at for m in messages] == [
        datetime.fromtimestamp(1544006350, UTC),
        datetime.fromtimestamp(1544006964, UTC),
    ]


def test_whole_account_export(data_dir: Path) -> None:
    source = FileSource(data_dir / "importers" / "telegram" / "result_account.json")
    assert detect(source).name == "telegram"
    records = list(get("telegram").parse(source, ImportOptions()))
    messages = [r for r in records if isinstance(r, Message)]
    people = [r for r in records if isinstance(r, Participant)]
    assert len(messages) == 7
    assert {m.conversation for m in messages} == {"Max R [4440002]", "Helpers [4440003]"}
    first = messages[0]
    assert first.text == "send 500 to this wallet (https://pay.example/w/123)"
    assert first.locator.pointer == "/chats/list/0/messages/0"
    me = [p for p in people if p.platform_id == "user5550001"]
    assert me and all(p.side == "victim" for p in me)
    reply = messages[1]
    assert reply.reply_to == "1" and "edited" in reply.flags
    assert reply.reactions[0].actor == "Max R" and reply.reactions[0].reaction == "👎"
    voice = messages[2].attachments[0]
    assert (voice.kind, voice.mime, voice.size) == ("audio", "audio/ogg", 5120)
    assert voice.uri == "voice_messages/audio_1@07-05-2021_12-06-00.ogg"
    sticker = messages[3].attachments[0]
    assert sticker.kind == "sticker" and sticker.omitted
    assert "forwarded" in messages[4].flags
    assert messages[4].text == "[forwarded from Other Person] you are next"
    assert messages[5].kind == "system"
    assert messages[5].text == "Me Myself created the group Helpers"
    assert messages[6].attachments[0].uri == "photos/photo_2@01-06-2021_09-01-00.jpg"
    assert messages[6].time_assumed  # no date_unixtime here


def test_html_export_page(data_dir: Path) -> None:
    source = FileSource(data_dir / "importers" / "telegram" / "messages.html")
    assert detect(source).name == "telegram-html"
    messages = _parse("telegram-html", source)
    assert len(messages) == 6  # the day separator is not a message
    assert messages[0].kind == "system" and messages[0].text == "Max R joined Telegram"
    text = messages[1]
    assert text.sender == "Max R" and text.conversation == "Max R"
    assert text.text == "hey, look at this (https://example.com/p) & reply\nsecond line"
    assert text.sent_at == datetime(2021, 5, 7, 12, 3, 44, tzinfo=PLUS2)
    assert text.locator.line == 55
    photo = messages[2]
    assert photo.sender == "Max R"  # "joined": same sender as before
    assert photo.attachments[0].uri == "photos/photo_1@07-05-2021_12-04-10.jpg"
    assert messages[3].sender == "Me Myself" and messages[3].reply_to == "102"
    fwd = messages[4]
    assert fwd.sender == "Max R" and "forwarded" in fwd.flags
    assert fwd.text == "[forwarded from Someone Else] pay or it goes out"
    assert fwd.time_assumed  # an old-style title without UTC offset
    voice = messages[5].attachments[0]
    assert voice.kind == "audio" and voice.omitted


def test_html_export_zip_reads_pages_in_order(data_dir: Path, tmp_path: Path) -> None:
    page = (data_dir / "importers" / "telegram" / "messages.html").read_bytes()
    page2 = page.replace(b'id="message10', b'id="message20')
    path = tmp_path / "Telegram Desktop.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ChatExport_2021-05-08/messages2.html", page2)
        zf.writestr("ChatExport_2021-05-08/messages.html", page)
        zf.writestr("ChatExport_2021-05-08/css/style.css", b"body{}")
        zf.writestr(
            "ChatExport_2021-05-08/photos/photo_1@07-05-2021_12-04-10.jpg", b"not a real photo"
        )
    source = FileSource(path)
    assert detect(source).name == "telegram-html"
    messages = _parse("telegram-html", source)
    assert len(messages) == 12
    assert messages[0].message_id == "101" and messages[6].message_id == "201"
    assert messages[6].locator.member == "ChatExport_2021-05-08/messages2.html"
    photo = messages[2].attachments[0]  # the file in the zip is linked by its hash
    assert photo.uri == "ChatExport_2021-05-08/photos/photo_1@07-05-2021_12-04-10.jpg"
    assert photo.member_sha256 == hashlib.sha256(b"not a real photo").hexdigest()
    assert photo.size == 16


@pytest.mark.parametrize("name", ["telegram", "telegram-html"])
@pytest.mark.parametrize(
    "data",
    [b"", b"\x89PNG\r\n\x1a\n\x00", b"hello there\n", b'{"a": 1}', b"<html><body></body></html>"],
)
def test_sniff_rejects(name: str, data: bytes) -> None:
    with pytest.raises(WrongFormat):
        get(name).sniff(BytesSource(data, "input"))


def test_truncated_json_names_the_place(exports_dir: Path) -> None:
    data = (exports_dir / "telegram" / "chatanalytics_DM_2A_7M.json").read_bytes()[:1500]
    with pytest.raises(ParseError) as err:
        _parse("telegram", BytesSource(data, "result.json"))
    assert "result.json (line " in str(err.value) and "json /messages/" in str(err.value)


def test_not_an_export() -> None:
    with pytest.raises(ParseError, match="messages"):
        _parse("telegram", BytesSource(b'{"name": "x", "messages": 3}', "result.json"))
    with pytest.raises(ParseError, match='no "messages"'):
        _parse("telegram", BytesSource(b'{"name": "x"}', "result.json"))
    with pytest.raises(ParseError, match="UTF-8"):
        _parse("telegram-html", BytesSource("<html>é</html>".encode("latin-1"), "messages.html"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=5000), blob=st.binary(max_size=8))
def test_fuzz_json(cut: int, blob: bytes) -> None:
    base = (Path(__file__).parents[1] / "data/importers/telegram/result_account.json").read_bytes()
    data = base[:cut] + blob + base[cut + len(blob) :]
    try:
        messages = _parse("telegram", BytesSource(data, "result.json"))
    except UnsharedError:
        return
    assert all(m.sent_at is None or m.sent_at.tzinfo for m in messages)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=6000), blob=st.binary(max_size=8))
def test_fuzz_html(cut: int, blob: bytes) -> None:
    base = (Path(__file__).parents[1] / "data/importers/telegram/messages.html").read_bytes()
    data = base[:cut] + blob + base[cut + len(blob) :]
    try:
        _parse("telegram-html", BytesSource(data, "messages.html"))
    except UnsharedError:
        return


def test_html_in_memory_zip_without_pages_is_rejected() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", b"x")
    with pytest.raises(WrongFormat):
        get("telegram-html").sniff(BytesSource(buf.getvalue(), "x.zip"))
