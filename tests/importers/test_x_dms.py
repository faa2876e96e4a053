"""X (Twitter) direct messages: the archive zip and a bare direct-messages.js."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from unshared.errors import ParseError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect
from unshared.importers.formats.x_dms import XDirectMessagesImporter
from unshared.model import Message, Participant

DATA = Path(__file__).resolve().parents[1] / "data" / "importers" / "x"
OPTS = ImportOptions(timezone=UTC)


def _read(path: Path) -> list[Message | Participant]:
    source = FileSource(path)
    imp = detect(source)
    assert imp.name == "x-dms"
    return list(imp.parse(source, OPTS))


def test_archive_names_the_owner_resolves_links_media_and_events() -> None:
    archive = DATA / "twitter-2026-12-03-archive.zip"
    records = _read(archive)
    msgs = [r for r in records if isinstance(r, Message)]
    people = {p.platform_id: p for p in records if isinstance(p, Participant)}
    # The owner from data/account.js is the victim's side, shown by @handle.
    assert people["44196397000"].side == "victim" and people["44196397000"].name == "@lee_runs"
    # Every other sender keeps its number with a link that opens the account.
    other = people["1500000000000000001"]
    assert other.side == "unknown"
    assert other.profile_url == "https://x.com/i/user/1500000000000000001"
    first, reply, threat, join, rename, group_msg = msgs
    assert first.sender == "1500000000000000001"
    assert first.sent_at == datetime(2026, 12, 1, 20, 1, 2, 123000, tzinfo=UTC)
    assert not first.time_assumed
    assert reply.sender == "@lee_runs"
    assert [(r.actor, r.reaction) for r in reply.reactions] == [("1500000000000000001", "like")]
    # t.co links expanded to what the sender typed; the media link replaced by the file.
    assert "https://www.paypal.me/quickcash4471" in threat.text
    assert "ton.twitter.com" not in threat.text
    (photo,) = threat.attachments
    data = b"\xff\xd8\xff\xe0 not a real picture"
    assert photo.member_sha256 == hashlib.sha256(data).hexdigest() and photo.size == len(data)
    assert photo.uri == "data/direct_messages_media/1733000000000000003-Xy12Ab.jpg"
    assert "edited" in threat.flags
    # Group events are kept as what they are.
    assert join.kind == "system" and "participantsJoin" in join.flags
    assert "1500000000000000002" in join.text
    assert rename.kind == "system" and "your friends" in rename.text
    assert group_msg.conversation == "1733000000000077777"
    # Locators name the member and point at the message in it.
    with zipfile.ZipFile(archive) as z:
        raw = z.read("data/direct-messages.js")
    assert threat.locator.member == "data/direct-messages.js"
    assert threat.locator.offset is not None
    assert raw[threat.locator.offset :].lstrip().startswith(b"{\n")
    assert threat.locator.pointer == "/0/dmConversation/messages/2"


def test_bare_file_reads_with_offsets_into_the_file() -> None:
    path = DATA / "direct-messages.js"
    msgs = [r for r in _read(path) if isinstance(r, Message)]
    assert [m.message_id for m in msgs] == [
        "1733000000000000001",
        "1733000000000000002",
        "1733000000000000003",
    ]
    raw = path.read_bytes()
    for m in msgs:
        assert m.locator.offset is not None
        value = json.JSONDecoder().raw_decode(raw[m.locator.offset :].decode())[0]
        assert value["messageCreate"]["id"] == m.message_id
    # Without the archive's account file nobody is marked as the victim.
    assert msgs[2].attachments[0].omitted


def test_not_x_and_broken_x() -> None:
    imp = XDirectMessagesImporter()
    with pytest.raises(WrongFormat):
        imp.sniff(BytesSource(b"[1, 2, 3]", "direct-messages.js"))
    broken = BytesSource(
        b'window.YTD.direct_messages.part0 = [ {"dmConversation": {"messages": [ {"a": 1, "b": 2}',
        "direct-messages.js",
    )
    with pytest.raises(ParseError) as err:
        list(detect(broken).parse(broken, OPTS))
    assert "direct-messages.js" in str(err.value) and "json /0/dmConversation/messages/0" in str(
        err.value
    )
