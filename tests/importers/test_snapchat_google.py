"""Snapchat "My Data" and Google Chat Takeout: synthetic fixtures from the documented schemas."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unshared.errors import ParseError, UnsharedError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect, get
from unshared.importers.google_chat import chat_time
from unshared.model import Message, Participant

SNAP = Path(__file__).parents[1] / "data" / "importers" / "snapchat"
GCHAT = Path(__file__).parents[1] / "data" / "importers" / "google_chat"


def _all(name: str, source: object) -> list[object]:
    return list(get(name).parse(source, ImportOptions()))  # type: ignore[arg-type]


def _messages(name: str, source: object) -> list[Message]:
    return [r for r in _all(name, source) if isinstance(r, Message)]


def test_snapchat_old_layout() -> None:
    source = FileSource(SNAP / "chat_history_old.json")
    assert detect(source).name == "snapchat"
    records = _all("snapchat", source)
    messages = [r for r in records if isinstance(r, Message)]
    assert len(messages) == 5
    assert {m.conversation for m in messages} == {"cool.guy.22"}
    assert [m.sender for m in messages] == ["cool.guy.22"] * 3 + ["Me"] * 2
    assert messages[0].sent_at == datetime(2022, 7, 22, 19, 28, 21, tzinfo=UTC)
    assert not messages[0].time_assumed
    assert messages[1].attachments[0].kind == "photo" and messages[1].attachments[0].omitted
    assert messages[2].text == "pay me 'now' or everyone sees it"  # HTML entities undone
    assert messages[4].kind == "system" and messages[4].text == "A message was deleted"
    assert messages[3].locator.pointer == "/Sent Saved Chat History/0"
    me = [r for r in records if isinstance(r, Participant) and r.name == "Me"]
    assert me[0].side == "victim"


def test_snapchat_new_layout() -> None:
    source = FileSource(SNAP / "chat_history_new.json")
    assert detect(source).name == "snapchat"
    messages = _messages("snapchat", source)
    assert len(messages) == 6
    assert [m.conversation for m in messages] == ["cool.guy.22"] * 4 + ["Best friends"] * 2
    assert [m.sender for m in messages] == [
        "cool.guy.22",
        "my.username",
        "cool.guy.22",
        "cool.guy.22",
        "friend.one",
        "my.username",
    ]
    assert "sent_by_account_holder" in messages[1].flags
    media = messages[2].attachments[0]
    assert media.kind == "photo" and media.name and not media.omitted
    assert messages[3].kind == "system" and "camera roll" in messages[3].text
    assert messages[4].attachments[0].kind == "audio"
    # no "Created": the microsecond timestamp is used
    assert messages[5].sent_at == datetime(2023, 11, 3, 8, 1, tzinfo=UTC)


def test_snapchat_html_and_zip(tmp_path: Path) -> None:
    source = FileSource(SNAP / "chat_history.html")
    assert detect(source).name == "snapchat"
    messages = _messages("snapchat", source)
    assert [(m.sender, m.text) for m in messages] == [
        ("cool.guy.22", "hey cutie"),
        ("cool.guy.22", ""),
        ("Me", "who are you & what do you want"),
    ]
    assert messages[0].locator.line == 10
    path = tmp_path / "mydata~1699999999.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(SNAP / "chat_history.html", "html/chat_history.html")
        zf.write(SNAP / "chat_history_old.json", "json/chat_history.json")
    zipped = FileSource(path)
    assert detect(zipped).name == "snapchat"
    from_zip = _messages("snapchat", zipped)
    assert len(from_zip) == 5  # the JSON is preferred over the HTML copy
    assert from_zip[0].locator.member == "json/chat_history.json"


def test_google_chat_messages_json() -> None:
    source = FileSource(GCHAT / "messages.json")
    assert detect(source).name == "google-chat"
    records = _all("google-chat", source)
    messages = [r for r in records if isinstance(r, Message)]
    assert len(messages) == 4
    assert [m.sender for m in messages] == [
        "Sam Stranger",
        "Me Myself",
        "Sam Stranger",
        "Sam Stranger",
    ]
    assert messages[0].sender_id == "sam.stranger.99@gmail.com"
    assert messages[0].sent_at == datetime(2023, 7, 3, 14, 2, 11, tzinfo=UTC)
    assert messages[1].sent_at == datetime(2023, 7, 3, 14, 5, 40, tzinfo=UTC)  # US order, NNBSP
    assert messages[1].reactions[0].actor == "sam.stranger.99@gmail.com"
    photo = messages[2]
    assert photo.text == "[photo: proof.jpg]" and photo.attachments[0].uri == "File-proof.jpg"
    assert "edited" in photo.flags
    assert messages[3].text == "> Me Myself: please leave me alone\nlast chance"
    ids = {r.platform_id for r in records if isinstance(r, Participant)}
    assert ids == {"sam.stranger.99@gmail.com", "me.myself@example.org"}


def test_google_chat_takeout_zip(tmp_path: Path) -> None:
    path = tmp_path / "takeout-20230801T000000Z-001.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(GCHAT / "messages.json", "Takeout/Google Chat/Groups/DM abcDEF123/messages.json")
        zf.write(
            GCHAT / "group_info.json", "Takeout/Google Chat/Groups/DM abcDEF123/group_info.json"
        )
        zf.writestr("Takeout/Google Chat/Users/User 1/user_info.json", "{}")
    source = FileSource(path)
    assert detect(source).name == "google-chat"
    messages = _messages("google-chat", source)
    assert len(messages) == 4
    assert messages[0].conversation == "Sam Stranger, Me Myself [DM abcDEF123]"
    assert messages[0].locator.member == "Takeout/Google Chat/Groups/DM abcDEF123/messages.json"


@pytest.mark.parametrize(
    ("text", "expected", "assumed"),
    [
        ("Monday, 3 July 2023 at 14:02:11 UTC", datetime(2023, 7, 3, 14, 2, 11, tzinfo=UTC), False),
        (
            "Monday, July 3, 2023 at 2:02:11 PM UTC",
            datetime(2023, 7, 3, 14, 2, 11, tzinfo=UTC),
            False,
        ),
        (
            "Monday, 3 July 2023 at 14:02:11 UTC+02:00",
            datetime(2023, 7, 3, 14, 2, 11, tzinfo=timezone(timedelta(hours=2))),
            False,
        ),
        ("Monday, 3 July 2023 at 14:02:11", datetime(2023, 7, 3, 14, 2, 11, tzinfo=UTC), True),
        ("sometime last week", None, False),
    ],
)
def test_google_chat_dates(text: str, expected: datetime | None, assumed: bool) -> None:
    assert chat_time(text, ImportOptions(timezone=UTC)) == (expected, assumed)


@pytest.mark.parametrize("name", ["snapchat", "google-chat"])
@pytest.mark.parametrize(
    "data", [b"", b"\x89PNG\r\n\x1a\n\x00", b"plain words\n", b'{"a": 1}', b"<html></html>"]
)
def test_sniff_rejects(name: str, data: bytes) -> None:
    with pytest.raises(WrongFormat):
        get(name).sniff(BytesSource(data, "input"))


def test_broken_input_names_the_place() -> None:
    data = (SNAP / "chat_history_new.json").read_bytes()[:700]
    with pytest.raises(ParseError, match=r"json /cool\.guy\.22"):
        _messages("snapchat", BytesSource(data, "chat_history.json"))
    data = (GCHAT / "messages.json").read_bytes()[:900]
    with pytest.raises(ParseError, match=r"line \d+, column \d+, byte \d+, json /messages"):
        _messages("google-chat", BytesSource(data, "messages.json"))
    with pytest.raises(ParseError, match="not a list"):
        _messages("google-chat", BytesSource(b'{"messages": {"creator": 1}}', "messages.json"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Google Chat/Groups/DM x/messages.json", b'{"messages": [')
    with pytest.raises(ParseError, match="truncated"):
        _messages("google-chat", BytesSource(buf.getvalue(), "takeout.zip"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from(
        [
            ("snapchat", SNAP / "chat_history_old.json"),
            ("snapchat", SNAP / "chat_history_new.json"),
            ("snapchat", SNAP / "chat_history.html"),
            ("google-chat", GCHAT / "messages.json"),
        ]
    ),
    cut=st.integers(0, 2000),
    blob=st.binary(max_size=8),
)
def test_fuzz(which: tuple[str, Path], cut: int, blob: bytes) -> None:
    name, path = which
    base = path.read_bytes()
    data = base[:cut] + blob + base[cut + len(blob) :]
    try:
        for m in _messages(name, BytesSource(data, path.name)):
            assert m.sent_at is None or m.sent_at.tzinfo is not None
    except UnsharedError:
        return
