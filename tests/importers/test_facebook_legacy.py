"""Old Facebook downloads: html/messages.htm and the 2017 per-thread pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from .builders import read_as
from .facebook_legacy_build import facebook_legacy_zip, facebook_messages_htm


def test_messages_htm_threads_senders_dates_and_sides(tmp_path: Path) -> None:
    messages, people = read_as(facebook_messages_htm(tmp_path / "messages.htm"), "facebook-legacy")
    first = messages[0]
    assert first.conversation == "Alex Offender" and first.sender == "Alex Offender"
    assert first.text == "Pay £300 or the video goes to your family\nlast chance"
    assert first.sent_at == datetime(2017, 1, 3, 21, 6, tzinfo=timezone(timedelta(hours=1)))
    assert not first.time_assumed and first.platform == "messenger"
    old = messages[2]
    assert old.sender_id == "100004321098765"  # an account without a name: its profile id
    assert old.sent_at == datetime(2008, 11, 12, 20, 53, tzinfo=timezone(timedelta(hours=1)))
    kim = messages[3]
    assert kim.conversation == "Kim Friend"
    assert kim.sent_at is not None and kim.sent_at.astimezone(UTC) == datetime(
        2017, 1, 3, 5, 4, tzinfo=UTC
    )
    sides = {(p.conversation, p.name): p.side for p in people}
    assert sides[("Alex Offender", "Sam Victim")] == "victim"
    assert sides[("Alex Offender", "Alex Offender")] == "unknown"


def test_the_download_zip_reads_both_layouts(tmp_path: Path) -> None:
    messages, _ = read_as(
        facebook_legacy_zip(tmp_path / "facebook-samvictim.zip"), "facebook-legacy"
    )
    assert len(messages) == 5
    thread = [m for m in messages if m.locator.member == "facebook-samvictim/messages/1234567.html"]
    assert [m.text for m in thread] == ["send the money"]
    assert thread[0].conversation == "Alex Offender"


def test_a_date_in_another_language_is_kept_empty_and_flagged(tmp_path: Path) -> None:
    page = tmp_path / "messages.htm"
    page.write_text(
        facebook_messages_htm(tmp_path / "x.htm")
        .read_text()
        .replace("Tuesday, 3 January 2017 at 21:06 UTC+01", "mardi 3 janvier 2017, 21:06 UTC+01"),
        encoding="utf-8",
    )
    messages, _ = read_as(page, "facebook-legacy")
    assert messages[0].sent_at is None and "unreadable_date" in messages[0].flags


def test_stray_end_tags_and_self_closed_breaks_lose_nothing(tmp_path: Path) -> None:
    page = tmp_path / "messages.htm"
    page.write_text(
        facebook_messages_htm(tmp_path / "x.htm")
        .read_text()
        .replace("please no", "please</b> no</span><br/>stop"),
        encoding="utf-8",
    )
    messages, _ = read_as(page, "facebook-legacy")
    assert [m.text for m in messages][1] == "please no\nstop"
    assert len(messages) == 4
