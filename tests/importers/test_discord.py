"""Discord: DiscordChatExporter JSON (real samples), CSV and HTML; the official data package."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unshared.errors import ParseError, UnsharedError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect, get
from unshared.model import Message, Participant


def _all(name: str, source: object, options: ImportOptions | None = None) -> list[object]:
    return list(get(name).parse(source, options or ImportOptions()))  # type: ignore[arg-type]


def _messages(name: str, source: object, options: ImportOptions | None = None) -> list[Message]:
    return [r for r in _all(name, source, options) if isinstance(r, Message)]


def test_real_dce_direct_messages(exports_dir: Path) -> None:
    source = FileSource(exports_dir / "discord" / "chatanalytics_dce_DM_2A_2M.json")
    assert detect(source).name == "discord"
    messages = _messages("discord", source)
    assert len(messages) == 3
    assert [m.sender for m in messages] == ["mlomb", "Someones nickname", "Someones nickname"]
    assert [m.sender_id for m in messages] == [
        "111111111111111111",
        "444444444444444444",
        "444444444444444444",
    ]
    assert messages[0].text == "blah"
    assert messages[0].sent_at == datetime(2019, 1, 4, 17, 52, 39, 762000, tzinfo=UTC)
    assert messages[0].reactions[0].reaction == "👆"
    assert messages[0].reactions[0].actor == "42 people"
    assert messages[0].conversation == "Someones name [530805775262679064]"
    assert "bot" in messages[1].flags
    assert messages[2].kind == "system"
    assert messages[2].text == "Started a call that lasted 251 minutes."
    assert [m.locator.pointer for m in messages] == ["/messages/0", "/messages/1", "/messages/2"]


def test_real_dce_group_chat(exports_dir: Path) -> None:
    source = FileSource(exports_dir / "discord" / "chatanalytics_dce_GC_3A_5M.json")
    records = _all("discord", source)
    messages = [r for r in records if isinstance(r, Message)]
    people = [r for r in records if isinstance(r, Participant)]
    assert len(messages) == 6  # messageCount says 5: it does not count the call
    assert [m.kind for m in messages] == [
        "system",
        "message",
        "system",
        "message",
        "message",
        "system",
    ]
    assert messages[1].sender == "theplant"  # the nickname, not the account name
    assert {p.platform_id: p.name for p in people} == {
        "222222222222222222": "lombi (lombi#8778)",
        "333333333333333333": "theplant (not a plant#6597)",
        "111111111111111111": "mlomb (mlomb#5506)",
    }
    assert messages[3].text == "hey @mlomb whats up, check out https://chatanalytics.app"
    assert messages[4].reply_to == "1064990824305274930"
    assert messages[4].sent_at == datetime(2023, 1, 18, 20, 12, 12, 123000, tzinfo=UTC)
    assert all(not m.attachments for m in messages)


def test_dce_csv(data_dir: Path) -> None:
    source = FileSource(data_dir / "importers" / "discord" / "dce_export.csv")
    assert detect(source).name == "discord"
    messages = _messages("discord", source, ImportOptions(timezone=UTC))
    assert [m.sender for m in messages] == ["scary.guy", "victim_me", "scary.guy"]
    assert messages[0].sender_id == "444444444444444444"
    assert messages[1].text == "please\ndon't"
    assert [m.locator.line for m in messages] == [2, 3, 5]
    assert messages[1].reactions[0].reaction == "😢"
    assert [a.kind for a in messages[2].attachments] == ["photo", "video"]
    assert messages[2].sent_at == datetime(2023, 1, 17, 19, 40, tzinfo=UTC)
    assert messages[2].time_assumed and not messages[0].time_assumed


def test_dce_html(data_dir: Path) -> None:
    source = FileSource(data_dir / "importers" / "discord" / "dce_export.html")
    assert detect(source).name == "discord-html"
    messages = _messages("discord-html", source, ImportOptions(timezone=UTC))
    assert len(messages) == 3
    assert [m.sender for m in messages] == ["Scary", "Scary", "victim_me"]
    assert messages[1].sender_id == "444444444444444444"
    assert messages[0].text == "I have your pics & your friends list"
    assert messages[0].conversation == "Direct Messages / Private / scary.guy"
    assert messages[1].text == "pay $500" and "edited" in messages[1].flags
    assert messages[1].attachments[0].name == "proof.png"
    assert messages[1].sent_at == datetime(2023, 1, 17, 19, 34, tzinfo=UTC)
    assert all(m.time_assumed for m in messages)
    assert messages[2].reply_to == "1064990824305274931"
    assert messages[2].reactions[0].reaction == "😠"


def _package(path: Path, *, json_messages: bool = False) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "account/user.json",
            json.dumps({"id": "111111111111111111", "username": "victim_me", "discriminator": "0"}),
        )
        zf.writestr(
            "messages/index.json",
            json.dumps({"530805775262679064": "Direct Message with scary.guy#0"}),
        )
        zf.writestr(
            "messages/c530805775262679064/channel.json",
            json.dumps({"id": "530805775262679064", "type": 1, "recipients": ["1", "4"]}),
        )
        if json_messages:
            rows = [
                {
                    "ID": "9001",
                    "Timestamp": "2023-05-01 12:00:00",
                    "Contents": "stop",
                    "Attachments": "",
                },
                {
                    "ID": "9002",
                    "Timestamp": "2023-05-01 12:01:00",
                    "Contents": "",
                    "Attachments": "https://cdn.discordapp.com/attachments/1/2/screen.png",
                },
            ]
            zf.writestr("messages/c530805775262679064/messages.json", json.dumps(rows))
        else:
            zf.writestr(
                "messages/c530805775262679064/messages.csv",
                "ID,Timestamp,Contents,Attachments\n"
                '9001,2020-10-13 19:55:27.284000+00:00,"stop, please",\n'
                "9002,2020-10-13 19:56:00.000000+00:00,,https://cdn.discordapp.com/attachments/1/2/screen.png\n",
            )
        zf.writestr(
            "messages/c99/channel.json",
            json.dumps({"id": "99", "name": "general", "guild": {"id": "5", "name": "Server"}}),
        )
        zf.writestr(
            "messages/c99/messages.csv",
            "ID,Timestamp,Contents,Attachments\n9100,2020-10-14 08:00:00+00:00,hi all,\n",
        )
    return path


@pytest.mark.parametrize("json_messages", [False, True])
def test_official_data_package(tmp_path: Path, json_messages: bool) -> None:
    source = FileSource(_package(tmp_path / "package.zip", json_messages=json_messages))
    assert detect(source).name == "discord-package"
    records = _all("discord-package", source, ImportOptions(timezone=UTC))
    messages = [r for r in records if isinstance(r, Message)]
    people = [r for r in records if isinstance(r, Participant)]
    assert len(messages) == 3
    assert all(m.sender == "victim_me" and m.sender_id == "111111111111111111" for m in messages)
    assert all(p.side == "victim" for p in people)
    dm = [m for m in messages if m.conversation.endswith("[530805775262679064]")]
    assert dm[0].conversation == "Direct Message with scary.guy#0 [530805775262679064]"
    assert dm[0].text == ("stop" if json_messages else "stop, please")
    assert dm[1].attachments[0].kind == "photo"
    assert dm[0].message_id == "9001"
    group = [m for m in messages if m.conversation == "Server / general [99]"]
    assert group and group[0].text == "hi all"
    if json_messages:
        assert dm[0].time_assumed and dm[0].locator.pointer == "/0"
    else:
        assert dm[0].sent_at == datetime(2020, 10, 13, 19, 55, 27, 284000, tzinfo=UTC)
        assert (
            dm[0].locator.line == 2
            and dm[0].locator.member == "messages/c530805775262679064/messages.csv"
        )


@pytest.mark.parametrize("name", ["discord", "discord-html", "discord-package"])
@pytest.mark.parametrize(
    "data", [b"", b"\x00\x01binary\xff", b"some text\n", b'{"a": 1}', b"<html></html>"]
)
def test_sniff_rejects(name: str, data: bytes) -> None:
    with pytest.raises(WrongFormat):
        get(name).sniff(BytesSource(data, "input"))


def test_bad_input_names_the_place(exports_dir: Path) -> None:
    data = (exports_dir / "discord" / "chatanalytics_dce_GC_3A_5M.json").read_bytes()
    with pytest.raises(ParseError, match=r"line \d+, column \d+, byte \d+, json /messages/\d"):
        _messages("discord", BytesSource(data[:2000], "export.json"))
    bad_csv = (
        b'AuthorID,Author,Date,Content,Attachments,Reactions\n"1","a","2020-01-01","\xff\xfe",""\n'
    )
    with pytest.raises(ParseError, match="UTF-8"):
        _messages("discord", BytesSource(bad_csv, "export.csv"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from(["dce_export.csv", "dce_export.html"]),
    cut=st.integers(0, 6000),
    blob=st.binary(max_size=8),
)
def test_fuzz_csv_and_html(which: str, cut: int, blob: bytes) -> None:
    base = (Path(__file__).parents[1] / "data/importers/discord" / which).read_bytes()
    data = base[:cut] + blob + base[cut + len(blob) :]
    name = "discord" if which.endswith("csv") else "discord-html"
    try:
        for m in _messages(name, BytesSource(data, which)):
            assert m.sent_at is None or m.sent_at.tzinfo is not None
    except UnsharedError:
        return
