"""Google Hangouts (Takeout Hangouts.json), both layouts, the zip, and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from unshared.errors import ParseError
from unshared.importers import FileSource, ImportOptions, detect
from unshared.model import Message, Participant

from .builders import read_as
from .hangouts_build import (
    ALEX,
    SMS,
    hangouts_json,
    hangouts_old_json,
    hangouts_takeout_zip,
    new_layout,
)


def _read(path: Path) -> tuple[list[Message], list[Participant]]:
    return read_as(path, "hangouts")


@pytest.mark.parametrize("build", [hangouts_json, hangouts_old_json, hangouts_takeout_zip])
def test_messages_senders_times_and_events(tmp_path: Path, build) -> None:  # type: ignore[no-untyped-def]
    messages, people = _read(build(tmp_path / ("x.zip" if "zip" in build.__name__ else "x.json")))
    first = messages[0]
    assert first.sender == "Alex Offender" and first.sender_id == ALEX
    assert first.text == (
        "I have your video.\nPay £500 or everyone sees it wa.me/447700900123 "
        "(https://wa.me/447700900123)"
    )
    assert first.sent_at == datetime(2024, 3, 12, 21, 4, tzinfo=UTC) and not first.time_assumed
    assert first.message_id == "7-H0Z7-0" and first.locator.pointer
    assert first.conversation == "Alex Offender"
    photo = messages[2]
    assert photo.attachments[0].kind == "photo"
    assert photo.attachments[0].uri == "https://lh3.googleusercontent.com/photo123"
    call, left, renamed = messages[3:6]
    assert call.kind == "system" and call.text.startswith("call ended (42 s)")
    assert left.kind == "system" and left.text == "Sam Me left the conversation"
    assert renamed.text == "renamed the conversation to pay up"
    sides = {p.name: p.side for p in people if p.conversation == "Alex Offender"}
    assert sides == {"Alex Offender": "unknown", "Sam Me": "victim"}


def test_sms_through_hangouts_keeps_the_phone_number(tmp_path: Path) -> None:
    messages, people = _read(hangouts_json(tmp_path / "Hangouts.json"))
    sms = next(m for m in messages if m.text == "sms via hangouts")
    assert sms.sender == "+447700900123" and sms.sender_id == "+447700900123"
    assert any(p.platform_id == "+447700900123" for p in people)
    assert SMS not in {p.platform_id for p in people}


def test_a_cut_off_file_is_one_clear_error(tmp_path: Path) -> None:
    whole = json.dumps(new_layout())
    cut = tmp_path / "Hangouts.json"
    cut.write_text(whole[: len(whole) // 2], encoding="utf-8")
    source = FileSource(cut)
    importer = detect(source)
    with pytest.raises(ParseError) as err:
        list(importer.parse(source, ImportOptions()))
    assert "Hangouts.json" in str(err.value.path)


def test_an_event_that_is_not_an_object_is_named(tmp_path: Path) -> None:
    data = new_layout()
    data["conversations"][0]["events"][1] = "oops"
    path = tmp_path / "Hangouts.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ParseError) as err:
        _read(path)
    assert err.value.where == "json /conversations/0/events/1"
