"""The shared readers: one rule for times without an offset, one reaction reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

import unshared.importers.readers.times as times
from unshared.importers import BytesSource, ImportOptions, get
from unshared.model import Message


@pytest.fixture
def machine_in_tokyo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(times, "local_zone", lambda: ZoneInfo("Asia/Tokyo"))


def _first(fmt: str, data: bytes, name: str) -> Message:
    return next(
        r
        for r in get(fmt).parse(BytesSource(data, name=name), ImportOptions())
        if isinstance(r, Message)
    )


@pytest.mark.usefixtures("machine_in_tokyo")
@pytest.mark.parametrize(
    ("fmt", "data", "name"),
    [
        ("plaintext", b"2024-05-01 12:03 Sam: pay now\n", "pasted.txt"),
        ("whatsapp", b"01/05/2024, 12:03 - Sam: pay now\n", "WhatsApp Chat with Sam.txt"),
        (
            "telegram",
            b'{"name": "Sam", "type": "personal_chat", "id": 1, "messages": [{"id": 1, '
            b'"type": "message", "date": "2024-05-01T12:03:00", "from": "Sam", "text": "pay now"}]}',
            "result.json",
        ),
    ],
    ids=["plaintext", "whatsapp", "telegram"],
)
def test_every_format_gives_a_time_without_offset_the_machine_zone(
    fmt: str, data: bytes, name: str
) -> None:
    msg = _first(fmt, data, name)
    assert msg.time_assumed
    assert msg.sent_at is not None
    assert msg.sent_at.utcoffset() == timedelta(hours=9)
    assert msg.sent_at.replace(tzinfo=None) == datetime(2024, 5, 1, 12, 3)


def test_the_users_zone_wins_over_the_machine_zone(machine_in_tokyo: None) -> None:
    zone = timezone(timedelta(hours=-5))
    msg = next(
        r
        for r in get("plaintext").parse(
            BytesSource(b"2024-05-01 12:03 Sam: pay now\n", name="p.txt"),
            ImportOptions(timezone=zone),
        )
        if isinstance(r, Message)
    )
    assert msg.sent_at == datetime(2024, 5, 1, 12, 3, tzinfo=zone)


@pytest.mark.parametrize(
    "zone",
    [
        ZoneInfo("Europe/London"),
        UTC,
        timezone(timedelta(hours=5, minutes=30)),
        timezone(-timedelta(hours=3, minutes=15)),
    ],
)
def test_the_zone_an_import_records_reads_back_as_the_same_zone(zone: tzinfo) -> None:
    """What an import_run records (``timezone_name``) is read again by the case and by the police
    bundle reader (``timezone_from_name``) as the zone the messages were dated in."""
    name = times.timezone_name(zone)
    back = times.timezone_from_name(name)
    assert back is not None
    when = datetime(2024, 7, 1, 12, 0)
    assert back.utcoffset(when) == zone.utcoffset(when)
    assert times.timezone_from_name(None) is None
    assert times.timezone_from_name("Not/AZone") is None
