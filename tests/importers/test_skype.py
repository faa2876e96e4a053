"""Skype export importer: synthetic export built from Skyperious' documented schema."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unshared.errors import ParseError, UnsharedError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect, get
from unshared.importers.formats.skype_markup import render
from unshared.model import Message, Participant


@pytest.fixture
def sample(data_dir: Path) -> Path:
    return data_dir / "importers" / "skype" / "messages.json"


def _records(source: object) -> tuple[list[Message], list[Participant]]:
    records = list(get("skype").parse(source, ImportOptions()))  # type: ignore[arg-type]
    return (
        [r for r in records if isinstance(r, Message)],
        [r for r in records if isinstance(r, Participant)],
    )


def test_detects_and_reads_every_message(sample: Path) -> None:
    source = FileSource(sample)
    assert detect(source).name == "skype"
    messages, people = _records(source)
    # 9 entries in the first conversation minus one Control/Typing, 3 in the group
    assert len(messages) == 11
    first = messages[0]
    assert first.text == "hi there (wave) & welcome"
    assert first.sender == "Anna K"
    assert first.sender_id == "8:live:.cid.5f3a9e1b2c"
    assert first.conversation == "Anna K [8:live:.cid.5f3a9e1b2c]"
    assert first.sent_at == datetime(2024, 3, 1, 19, 20, tzinfo=UTC)
    assert not first.time_assumed
    assert first.locator.pointer == "/conversations/0/MessageList/0"
    raw = sample.read_bytes()
    assert raw[first.locator.offset :].startswith(b'{"id": "1709320800000"')
    anna = [p for p in people if p.platform_id == "8:live:.cid.5f3a9e1b2c"]
    assert anna and anna[0].name == "Anna K"
    me = [p for p in people if p.platform_id == "8:live:victim.me"]
    assert me and all(p.side == "victim" for p in me)
    assert any(p.platform_id == "8:live:silent.one" for p in people)  # member who never wrote


def test_markup_becomes_readable_text(sample: Path) -> None:
    messages, _ = _records(FileSource(sample))
    by_id = {m.message_id: m for m in messages}
    edited = by_id["1709320860000"]
    assert edited.text == "hello @Anna K, see this page (https://example.org/x)"
    assert "edited" in edited.flags
    photo = by_id["1709320920000"]
    assert photo.text == "[photo: f.png]"
    assert photo.attachments[0].kind == "photo"
    assert photo.attachments[0].size == 108188
    quote = by_id["1709320980000"]
    assert quote.text == "> Anna K: hi there\nplease stop"
    assert quote.reply_to == "1709320800000"
    call = by_id["1709321040000"]
    assert call.kind == "system"
    assert call.text == "Call ended (1 min 25 s): Anna K, Me Myself"
    assert call.sender == "Anna K"  # name learnt from earlier messages
    assert "unsent" in by_id["1709321100000"].flags
    assert by_id["1709321160000"].attachments[0].kind == "video"
    assert by_id["1709321220000"].text == "pay 500 <now> or else"  # plain Text is not markup
    added = by_id["1594467205492"]
    assert added.kind == "system" and added.sender is None
    assert added.text == "Me Myself added Anna K"
    assert by_id["1594467300000"].text == "[contact: Helper Two (live:helper.two)]"
    assert by_id["1594467400000"].text == "Me Myself removed Anna K"


def test_markup_location_and_topic() -> None:
    out = render(
        '<location address="Kesklinn, Tallinn"><a href="https://www.bing.com/maps?x=1">'
        "Kesklinn, Tallinn</a></location>"
    )
    assert out.text == "[location: Kesklinn, Tallinn]"
    assert out.attachments[0].uri == "https://www.bing.com/maps?x=1"
    topic = render(
        "<topicupdate><eventtime>1</eventtime><initiator>8:live:x</initiator>"
        "<value>The Topic</value></topicupdate>"
    )
    assert topic.text == "live:x changed the topic to The Topic" and topic.system


def test_reads_messages_json_inside_the_export_tar(sample: Path, tmp_path: Path) -> None:
    tar_path = tmp_path / "8_live_victim.me_export.tar"
    with tarfile.open(tar_path, "w") as tar:
        media = tarfile.TarInfo("media/0-weu-d3-abcdef.1.png")
        media.size = 4
        tar.addfile(media, io.BytesIO(b"\x89PNG"))
        tar.add(sample, arcname="messages.json")
    source = FileSource(tar_path)
    assert detect(source).name == "skype"
    messages, _ = _records(source)
    assert len(messages) == 11
    assert messages[0].locator.member == "messages.json"
    photo = next(m for m in messages if m.message_id == "1709320920000").attachments[0]
    assert photo.member_sha256 == hashlib.sha256(b"\x89PNG").hexdigest()  # media/ file linked
    video = next(m for m in messages if m.message_id == "1709321160000").attachments[0]
    assert video.member_sha256 is None  # not in the tar


def test_tar_without_messages_json_is_not_skype(tmp_path: Path) -> None:
    tar_path = tmp_path / "other.tar"
    with tarfile.open(tar_path, "w") as tar:
        info = tarfile.TarInfo("readme.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(WrongFormat):
        get("skype").sniff(FileSource(tar_path))


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02binary", b"just some words", b'{"messages": []}', b"\xff\xd8\xff\xe0"],
)
def test_sniff_rejects_other_input(data: bytes) -> None:
    with pytest.raises(WrongFormat):
        get("skype").sniff(BytesSource(data, "x.json"))


def test_truncated_export_names_the_place(sample: Path) -> None:
    data = sample.read_bytes()[:3000]
    with pytest.raises(ParseError) as err:
        _records(BytesSource(data, "messages.json"))
    text = str(err.value)
    assert text.startswith("messages.json (line ")
    assert "json /conversations/0/MessageList" in text
    assert "truncated" in text


def test_wrong_encoding_names_the_byte(sample: Path) -> None:
    data = sample.read_text("utf-8").replace("welcome", "w\u00e9lcome").encode("latin-1")
    with pytest.raises(ParseError) as err:
        _records(BytesSource(data, "messages.json"))
    assert "not valid UTF-8" in str(err.value)
    assert "byte " in str(err.value)


def test_non_export_json_is_a_clear_error() -> None:
    data = json.dumps({"conversations": 5, "exportDate": "x"}).encode()
    with pytest.raises(ParseError, match="conversations"):
        _records(BytesSource(data, "messages.json"))
    with pytest.raises(ParseError, match='no "conversations"'):
        _records(BytesSource(b'{"exportDate": "2020"}', "messages.json"))


def test_streams_a_large_export_message_by_message() -> None:
    """Many conversations over several read chunks: counts and pointers stay right."""
    convs = [
        {
            "id": f"8:live:p{c}",
            "displayName": f"P{c}",
            "MessageList": [
                {
                    "id": str(i),
                    "from": f"8:live:p{c}",
                    "displayName": f"P{c}",
                    "messagetype": "RichText",
                    "originalarrivaltime": "2021-01-01T00:00:00.000Z",
                    "content": "é" * 50 + f" message {i}",
                }
                for i in range(2000)
            ],
        }
        for c in range(5)
    ]
    data = json.dumps({"userId": "8:live:me", "conversations": convs}).encode()
    assert len(data) > 2 << 20  # several 1 MiB read chunks
    messages, _ = _records(BytesSource(data, "messages.json"))
    assert len(messages) == 10000
    last = messages[-1]
    assert last.locator.pointer == "/conversations/4/MessageList/1999"
    assert data[last.locator.offset :].startswith(b'{"id": "1999"')


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=6000), flip=st.binary(min_size=0, max_size=8))
def test_fuzz_mutated_exports_raise_only_project_errors(cut: int, flip: bytes) -> None:
    base = (Path(__file__).parents[1] / "data/importers/skype/messages.json").read_bytes()
    data = base[:cut] + flip + base[cut + len(flip) :]
    try:
        messages, _ = _records(BytesSource(data, "messages.json"))
    except UnsharedError:
        return
    for m in messages:
        assert m.kind in ("message", "system")
        assert m.sent_at is None or m.sent_at.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_markup_never_raises(content: str) -> None:
    # Any content renders, to the same result every time; plain text without markup or entities
    # comes through as it was (only trimmed), and a quote wrapper never loses the words in it.
    out = render(content)
    assert out == render(content)
    assert isinstance(out.text, str) and out.text == out.text.strip()
    if not set(content) & set("<&") and "\r" not in content:
        assert out.text == content.strip()
        assert out.attachments == [] and not out.system
    quoted = render("<quote><a href='x'>" + content)
    assert quoted.text.startswith(">")
    if not set(content) & set("<&"):
        assert all(word in quoted.text for word in content.split())


def _skype_doc(messages: list[dict[str, object]]) -> bytes:
    return json.dumps(
        {
            "userId": "8:me",
            "exportDate": "2020-07-06T20:55",
            "conversations": [
                {
                    "id": "19:abc@thread.skype",
                    "displayName": "chat",
                    "threadProperties": {"members": '["8:username", "8:username2"]'},
                    "MessageList": messages,
                }
            ],
        }
    ).encode()


def test_system_events_are_one_record_each() -> None:
    """Issue #18: a call, an added and a removed member (records shaped like Skyperious's
    examples) each come out as one system message, and a record holding three events (Skype
    batches members added together) as three, each with its own time, not one run-on line."""
    thread = "19:abc@thread.skype"

    def event(ident: str, mtype: str, content: str) -> dict[str, object]:
        return {
            "id": ident,
            "messagetype": mtype,
            "originalarrivaltime": "2020-07-11T11:33:25.492Z",
            "from": thread,
            "conversationid": thread,
            "content": content,
        }

    def add(target: str, ms: int) -> str:
        return (
            f"<addmember><eventtime>{ms}</eventtime><initiator>8:username</initiator>"
            f"<target>8:{target}</target></addmember>"
        )

    call = (
        '<partlist type="ended" alt="" callId="1593784540478"><part identity="8:username">'
        "<name>Display Name</name><duration>84.82</duration></part></partlist>"
    )
    removed = (
        "<deletemember><eventtime>1594467133727</eventtime><initiator>8:username</initiator>"
        "<target>8:username2</target></deletemember>"
    )
    data = _skype_doc(
        [
            event("1", "Event/Call", call),
            event("2", "ThreadActivity/AddMember", add("username2", 1594467205492)),
            event("3", "ThreadActivity/DeleteMember", removed),
            event(
                "4",
                "ThreadActivity/AddMember",
                add("a", 1594467300000) + add("b", 1594467301000) + add("c", 1594467302000),
            ),
        ]
    )
    found = [
        r
        for r in get("skype").parse(BytesSource(data, "messages.json"), ImportOptions())
        if isinstance(r, Message)
    ]
    assert [m.kind for m in found] == ["system"] * 6
    assert [m.text for m in found] == [
        "Call ended (1 min 25 s): Display Name",
        "username added username2",
        "username removed username2",
        "username added a",
        "username added b",
        "username added c",
    ]
    batch = found[3:]
    assert [m.message_id for m in batch] == ["4", "4", "4"]
    assert [m.sent_at.second for m in batch if m.sent_at] == [0, 1, 2]
    assert len({(m.text, m.locator.pointer) for m in found}) == 6
