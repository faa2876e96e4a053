"""Every real export sample in ../shared/fixtures/exports/{whatsapp,messenger,instagram,signal}
imports with the message count, senders, times, texts and attachments established by reading
each file by hand (times in UTC: the tests pass timezone=UTC for exports without offsets).

Columns: importer, messages, of which system, attachments, flagged ambiguous_date,
first (sender, time, text start), last (same), senders.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import NamedTuple

import pytest

from unshared.importers import FileSource, ImportOptions, detect
from unshared.model import Message, Participant


class Expect(NamedTuple):
    importer: str
    messages: int
    system: int
    attachments: int
    ambiguous: int
    first: tuple[str | None, str | None, str]
    last: tuple[str | None, str | None, str]
    senders: list[str]


EXPECTED: dict[str, Expect] = {
    "whatsapp/chatanalytics_2A_5M.txt": Expect(
        "whatsapp",
        5,
        0,
        1,
        0,
        ("A", "2021-01-01 12:00:00", "Hi"),
        ("A", "2021-01-01 12:02:00", "This message should be reorder"),
        ["A", "B"],
    ),
    "whatsapp/chatanalytics_4A_11M.txt": Expect(
        "whatsapp",
        14,
        3,
        0,
        14,
        (None, "2020-09-12 23:55:00", "Messages and calls are end-to-"),
        ("Trent", "2020-09-12 23:56:00", "heh"),
        ["Alice", "Bob", "Eve", "Mallory", "Trent"],
    ),
    "whatsapp/chatistics_ios__chat.txt": Expect(
        "whatsapp",
        21,
        1,
        0,
        0,
        ("Alice Placeholder", "2018-01-04 11:53:57", "This is a test message"),
        ("Alice Placeholder", "2019-04-19 16:18:33", "This is the last message of th"),
        ["Alice Placeholder", "John Doe"],
    ),
    "whatsapp/chatistics_ios__chat_2.txt": Expect(
        "whatsapp",
        4,
        0,
        0,
        0,
        ("Peter Doe", "2019-09-17 16:37:47", "This is a message from Peter D"),
        ("John Doe", "2019-09-17 16:39:52", "This is the last message of th"),
        ["John Doe", "Peter Doe"],
    ),
    "whatsapp/chatistics_ios__chat_3.txt": Expect(
        "whatsapp",
        11,
        2,
        0,
        11,
        (None, "2019-11-02 14:18:00", "Messages to this chat and call"),
        ("John Doe", "2019-11-02 14:51:00", "this is a message which contai"),
        [
            "Even longer username with emoticons! 🙈 🙈",
            "John Doe",
            "The final test",
            "Very long username",
            "n",
        ],
    ),
    "whatsapp/chatminer_test_dateformat1.txt": Expect(
        "whatsapp",
        10,
        3,
        0,
        0,
        ("John Doe", "2019-12-24 11:23:00", "."),
        ("+12 345 578", "2017-07-16 19:13:00", "Lorem ipsum."),
        ["+12 345 578", "Jahn Doe", "John Doe", "John-John Doe"],
    ),
    "whatsapp/chatminer_test_dateformat2.txt": Expect(
        "whatsapp",
        4,
        0,
        0,
        0,
        ("John Doe", "2019-09-24 23:30:00", "Lorem ipsum dolor sit amet."),
        ("Jahn Doe", "2019-12-24 11:30:00", "Lorem ipsum dolor sit amet,\nco"),
        ["Jahn Doe", "John Doe", "John-John Doe"],
    ),
    "whatsapp/chatminer_test_dateformat3.txt": Expect(
        "whatsapp",
        4,
        0,
        0,
        0,
        ("John Doe", "2022-12-14 13:34:00", "Lorem ipsum dolor sit amet."),
        ("Jahn Doe", "2022-12-21 17:02:00", "Lorem ipsum dolor sit amet,\nco"),
        ["Jahn Doe", "John Doe", "John-John Doe"],
    ),
    "whatsapp/chatminer_test_dateformat4.txt": Expect(
        "whatsapp",
        4,
        0,
        0,
        3,
        ("John Doe", "2022-10-09 23:37:00", "Lorem ipsum dolor sit amet."),
        ("Jahn Doe", "2022-10-12 14:37:00", "Lorem ipsum dolor sit amet,\nco"),
        ["Jahn Doe", "John Doe", "John-John Doe"],
    ),
    "whatsapp/chatminer_test_ddmmyy_24hrs.txt": Expect(
        "whatsapp",
        9,
        2,
        0,
        0,
        ("John Doe", "2019-01-01 11:25:00", "Lorem ipsum dolor sit amet."),
        ("John Doe", "2021-12-30 22:01:00", "Lorem ipsum dolor sit amet,\nco"),
        ["Jahn Doe", "John Doe", "John Doe 🤓", "John-John Doe", "🤓"],
    ),
    "whatsapp/chatminer_test_mmddyyyy_12hrs.txt": Expect(
        "whatsapp",
        9,
        2,
        0,
        0,
        ("John Doe", "2019-01-01 11:25:00", "Lorem ipsum dolor sit amet."),
        ("John Doe", "2021-12-30 22:01:00", "Lorem ipsum dolor sit amet,\nco"),
        ["Jahn Doe", "John Doe", "John Doe 🤓", "John-John Doe", "🤓"],
    ),
    "whatsapp/chatminer_test_unicode.txt": Expect(
        "whatsapp",
        3,
        0,
        0,
        3,
        ("John Doe", "2022-10-09 22:37:00", "Testing abnormal\xa0unicode"),
        ("🤓", "2022-10-09 22:37:00", "Testing emoji 🤓"),
        ["John Doe", "John Doe 🤓", "🤓"],
    ),
    "whatsapp/chatminer_test_yyyymmdd_24hrs.txt": Expect(
        "whatsapp",
        9,
        2,
        0,
        0,
        ("John Doe", "2019-01-01 11:25:00", "Lorem ipsum dolor sit amet."),
        ("John Doe", "2021-12-30 22:01:00", "Lorem ipsum dolor sit amet,\nco"),
        ["Jahn Doe", "John Doe", "John Doe 🤓", "John-John Doe", "🤓"],
    ),
    "whatsapp/chatminer_testlog_mixed_formats.txt": Expect(
        "whatsapp",
        20,
        3,
        0,
        0,
        ("John Doe", "2019-12-24 11:23:00", "Lorem ipsum dolor sit amet."),
        ("🤓", "2022-09-10 22:37:00", "Testing emoji 🤓"),
        ["+12 345 578", "Jahn Doe", "John Doe", "John Doe 🤓", "John-John Doe", "🤓"],
    ),
    "whatsapp/rwhatsapp_sample_en_GB.txt": Expect(
        "whatsapp",
        9,
        2,
        1,
        0,
        (None, "2017-07-12 22:35:00", "Messages to this group are now"),
        (
            "Johannes Gruber",
            "2018-09-28 13:30:00",
            "🤷\u200d♀🤷🏻\u200d♂🙎\u200d♀🙎\u200d♂🙍\u200d♀🙍\u200d♂💇\u200d♀💇\u200d♂💆\u200d♀💆\u200d",
        ),
        ["Johannes Gruber", "Test"],
    ),
    "whatsapp/wa2sqlite_de_DE_jane_doe.txt": Expect(
        "whatsapp",
        8,
        1,
        2,
        0,
        (None, "2021-02-16 22:10:00", "Nachrichten, die du in diesem "),
        ("Jane Doe", "2021-02-18 05:41:00", "Cool, danke 😃🙏"),
        ["Jane Doe", "John Doe"],
    ),
    "whatsapp/whatstk_pokemon_de_dotdate.txt": Expect(
        "whatsapp",
        20,
        2,
        0,
        0,
        (None, "2016-04-15 15:04:00", "Pokemon Chat: Messages and cal"),
        ("Wobbuffet", "2016-10-31 12:23:00", "Wo-bbu-ffet"),
        [
            "Ash Ketchum",
            "Brock",
            "Jessie & James",
            "Meowth",
            "Misty",
            "Prof. Oak",
            "Raichu",
            "Wobbuffet",
        ],
    ),
    "messenger/chatminer_testlog.json": Expect(
        "messenger",
        2,
        0,
        0,
        0,
        ("Allan Smith", "2022-11-16 19:50:03", "Hello John"),
        ("John Doe", "2022-11-16 19:50:03", "Hello Allan"),
        ["Allan Smith", "John Doe"],
    ),
    "instagram/chatminer_testlog_mojibake.json": Expect(
        "instagram",
        13,
        1,
        4,
        0,
        ("John Doe", "2022-02-28 05:25:43", ""),
        ("John Doe", "2019-12-24 11:23:00", "Testing normal message."),
        ["Jane Doe", "John Doe", "J❤️hn Doe", "Lionel Messi", "❤️"],
    ),
    "signal/chatminer_signal_test_export.txt": Expect(
        "signal",
        2,
        0,
        0,
        0,
        ("Jane Doe", "2019-12-24 12:23:00", "Hello John!"),
        ("John Doe", "2020-01-17 21:49:00", "Hello\nJane!"),
        ["Jane Doe", "John Doe"],
    ),
}


def _load(path: Path, me: frozenset[str] = frozenset()) -> tuple[list[Message], list[Participant]]:
    source = FileSource(path)
    imp = detect(source)
    records = list(imp.parse(source, ImportOptions(timezone=UTC, me=me)))
    return (
        [r for r in records if isinstance(r, Message)],
        [r for r in records if isinstance(r, Participant)],
    )


def _brief(m: Message) -> tuple[str | None, str | None, str]:
    when = m.sent_at.strftime("%Y-%m-%d %H:%M:%S") if m.sent_at else None
    return (m.sender, when, m.text[:30])


def test_every_sample_has_an_expectation(exports_dir: Path) -> None:
    found = {
        f"{sub}/{f.name}"
        for sub in ("whatsapp", "messenger", "instagram", "signal")
        for f in (exports_dir / sub).iterdir()
        if f.name != "whatstk_header_format_support.json"
    }
    assert found == set(EXPECTED)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_real_sample(exports_dir: Path, rel: str) -> None:
    want = EXPECTED[rel]
    source = FileSource(exports_dir / rel)
    assert detect(source).name == want.importer
    messages, participants = _load(exports_dir / rel)
    assert len(messages) == want.messages
    assert sum(m.kind == "system" for m in messages) == want.system
    assert sum(len(m.attachments) for m in messages) == want.attachments
    assert sum("ambiguous_date" in m.flags for m in messages) == want.ambiguous
    assert _brief(messages[0]) == want.first
    assert _brief(messages[-1]) == want.last
    assert sorted({m.sender for m in messages if m.sender}) == want.senders
    assert {p.name for p in participants} >= set(want.senders)
    for m in messages:
        if m.platform in ("messenger", "instagram"):
            assert not m.time_assumed and m.sent_at is not None
        else:
            assert m.time_assumed and m.sent_at is not None and m.sent_at.tzinfo is UTC


def test_whatsapp_attachments_german_and_english(exports_dir: Path) -> None:
    messages, _ = _load(exports_dir / "whatsapp/wa2sqlite_de_DE_jane_doe.txt")
    video = next(m for m in messages if m.attachments and m.attachments[0].kind == "video")
    assert video.attachments[0].name == "VID-20181031-WA0007.mp4"
    assert video.text == "Das hier meine ich"
    contact = next(m for m in messages if m.attachments and m.attachments[0].kind == "contact")
    assert contact.attachments[0].name == "Max Caulfield.vcf" and contact.text == ""
    messages, _ = _load(exports_dir / "whatsapp/rwhatsapp_sample_en_GB.txt")
    omitted = [a for m in messages for a in m.attachments]
    assert omitted and omitted[0].omitted and omitted[0].kind == "other"


def test_whatsapp_multiline_and_pasted_headers(exports_dir: Path) -> None:
    messages, _ = _load(exports_dir / "whatsapp/chatistics_ios__chat.txt")
    # "[1.2.2019, ...]" has a 4-digit year in a 2-digit-year file: it is text inside a message.
    pasted = next(m for m in messages if "not a message on its own" in m.text)
    assert pasted.text.endswith(
        "[1.2.2019, 00:00:00] John Doe: this line is not a message on its own"
    )
    assert pasted.locator.line == 18
    messages, _ = _load(exports_dir / "whatsapp/chatistics_ios__chat_3.txt")
    assert messages[-1].text == (
        "this is a message which contains some dates and colons\n\n\n2/11/19: Arrival\n"
        "12/12/19: Departure"
    )


def test_instagram_mojibake_reactions_and_media(exports_dir: Path) -> None:
    messages, participants = _load(
        exports_dir / "instagram/chatminer_testlog_mojibake.json", me=frozenset({"John Doe"})
    )
    assert messages[0].conversation == "Test Log"
    assert [(r.actor, r.reaction) for r in messages[0].reactions] == [
        ("J❤️hn Doe", "❤️"),
        ("Jane Doe", "💖"),
    ]
    assert messages[0].locator.pointer == "/messages/0"
    kinds = [a.kind for m in messages for a in m.attachments]
    assert kinds == ["audio", "video", "share", "photo"]
    share = next(a for m in messages for a in m.attachments if a.kind == "share")
    assert share.uri == "https://www.instagram.com/p/CmUv48DLvxd/?feed_type=reshare_chaining"
    sides = {p.name: p.side for p in participants}
    assert sides["John Doe"] == "victim" and sides["Jane Doe"] == "unknown"
    assert messages[-1].sent_at is not None
    assert messages[-1].sent_at.isoformat() == "2019-12-24T11:23:00+00:00"
