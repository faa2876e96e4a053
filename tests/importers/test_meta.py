"""Messenger and Instagram: DYI zips split over message_N.json, e2ee export, HTML, bad input."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from unshared.errors import ParseError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect, get
from unshared.importers.formats.meta_dyi import fix_text
from unshared.importers.readers.jsonreader import walk
from unshared.model import Message, Participant

from .builders import FAKE_JPEG, meta_zip


def records(source: BytesSource | FileSource, fmt: str | None = None) -> list[object]:
    imp = get(fmt) if fmt else detect(source)
    return list(imp.parse(source, ImportOptions(timezone=UTC, me=frozenset({"Robin"}))))


def messages(source: BytesSource | FileSource, fmt: str | None = None) -> list[Message]:
    return [r for r in records(source, fmt) if isinstance(r, Message)]


def test_fix_text_repairs_only_mojibake() -> None:
    assert fix_text("J\u00e2\u009d\u00a4\u00ef\u00b8\u008fhn") == "J❤️hn"
    assert fix_text("Grüße") == "Grüße"  # proper latin-1 text that is not UTF-8 bytes: kept
    assert fix_text("❤️ already fine") == "❤️ already fine"


@pytest.mark.parametrize("platform", ["messenger", "instagram"])
def test_dyi_zip_threads_split_over_files(tmp_path: Path, platform: str) -> None:
    source = FileSource(meta_zip(tmp_path / f"{platform}.zip", platform))
    assert detect(source).name == platform
    recs = records(source)
    msgs = [r for r in recs if isinstance(r, Message)]
    assert len(msgs) == 6
    assert {m.platform for m in msgs} == {platform}
    assert msgs[0].conversation == "Kai Sämple"
    assert msgs[0].locator.member and msgs[0].locator.member.endswith("message_1.json")
    assert msgs[0].locator.pointer == "/messages/0"
    assert msgs[3].locator.member and msgs[3].locator.member.endswith("message_2.json")
    assert msgs[0].text == "message 5 ❤️" and msgs[0].sender == "Kai Sämple"
    assert msgs[0].sent_at == datetime.fromtimestamp(1_700_000_000 + 5 * 60, UTC)
    assert not msgs[0].time_assumed
    photos = [a for m in msgs for a in m.attachments]
    assert [a.name for a in photos] == ["p3.jpg", "p0.jpg"]
    assert photos[1].member_sha256 == hashlib.sha256(FAKE_JPEG).hexdigest()
    assert photos[0].member_sha256 == hashlib.sha256(FAKE_JPEG + b"3").hexdigest()
    people = [r for r in recs if isinstance(r, Participant)]
    assert sorted((p.name, p.side) for p in people) == [
        ("Kai Sämple", "unknown"),
        ("Robin", "victim"),
    ]
    other = "instagram" if platform == "messenger" else "messenger"
    with pytest.raises(WrongFormat):
        get(other).sniff(source)


def _dyi(messages: list[dict[str, object]]) -> bytes:
    doc = {"participants": [{"name": "A"}, {"name": "B"}], "messages": messages, "title": "T"}
    return json.dumps(doc).encode()


def test_messenger_kinds_unsent_calls_stickers_shares() -> None:
    data = _dyi(
        [
            {"sender_name": "A", "timestamp_ms": 1, "content": "x", "is_unsent": True, "type": "Generic"},
            {"sender_name": "A", "timestamp_ms": 2, "content": "A called you.", "call_duration": 0, "type": "Call"},
            {"sender_name": "A", "timestamp_ms": 3, "sticker": {"uri": "messages/stickers_used/s.png"}},
            {"sender_name": "B", "timestamp_ms": 4, "gifs": [{"uri": "g/1.gif"}], "files": [{"uri": "f/a.pdf"}]},
            {"sender_name": "B", "timestamp_ms": 5, "content": "B added A to the group.", "type": "Subscribe"},
            {"sender_name": "A", "timestamp_ms": 6, "share": {"link": "https://example.org/x"}, "type": "Share"},
        ]
    )  # fmt: skip
    m = messages(BytesSource(data, name="message_1.json"))
    assert "unsent" in m[0].flags
    assert m[1].kind == "system" and {"call", "missed_call"} <= m[1].flags
    assert m[2].attachments[0].kind == "sticker"
    assert [a.kind for a in m[3].attachments] == ["file", "gif"]
    assert m[4].kind == "system"
    assert m[5].attachments[0].kind == "share" and m[5].attachments[0].name is None


def test_e2ee_export(data_dir: Path) -> None:
    source = FileSource(data_dir / "importers/messenger_e2ee.json")
    assert detect(source).name == "messenger"
    recs = records(source)
    m = [r for r in recs if isinstance(r, Message)]
    assert len(m) == 4 and m[0].conversation == "Robin Example"
    assert m[0].text == "Are you there? 😊" and m[0].sender == "Kai Sample"
    assert m[0].sent_at == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    assert m[1].attachments[0].kind == "photo" and m[1].reactions[0].reaction == "😮"
    assert "unsent" in m[2].flags
    assert {p.name for p in recs if isinstance(p, Participant)} == {"Robin Example", "Kai Sample"}


@pytest.mark.parametrize("platform", ["messenger", "instagram"])
def test_html_export(data_dir: Path, platform: str) -> None:
    source = FileSource(data_dir / f"importers/{platform}_message_1.html")
    assert detect(source).name == f"{platform}-html"
    m = messages(source)
    assert len(m) == 3 and {x.platform for x in m} == {platform}
    assert m[0].text == "Send the money or I post the video."
    assert m[0].sent_at == datetime(2024, 6, 1, 10, 1, 5, tzinfo=UTC) and m[0].time_assumed
    assert m[1].attachments[0].kind == "photo" and m[1].attachments[0].name == "123_n.jpg"
    assert m[2].text == "No. I'm reporting this.\nLeave me alone."
    assert m[2].sent_at == datetime(2024, 6, 1, 12, 15, tzinfo=UTC)
    assert m[2].locator.line and m[2].locator.line > m[0].locator.line  # type: ignore[operator]


def test_truncated_json_names_file_and_offset(exports_dir: Path) -> None:
    data = (exports_dir / "instagram/chatminer_testlog_mojibake.json").read_bytes()
    with pytest.raises(ParseError) as err:
        messages(BytesSource(data[:1500], name="message_1.json"), "instagram")
    assert "message_1.json" in str(err.value) and "byte" in str(err.value)


def test_wrong_encoding_in_json() -> None:
    data = _dyi([{"sender_name": "A", "timestamp_ms": 1, "content": "é"}]).replace(
        b"\\u00e9", "é".encode("latin-1")
    )
    with pytest.raises(ParseError, match="UTF-8"):
        messages(BytesSource(data, name="message_1.json"), "messenger")


def test_streaming_reader_across_chunk_boundaries() -> None:
    import unshared.importers.readers.jsonreader as jr

    items = [{"i": i, "s": "é" * (i % 7)} for i in range(3000)]
    data = json.dumps({"head": 1, "messages": items, "tail": [1, 2]}).encode()
    old = jr._CHUNK
    jr._CHUNK = 97  # force many chunk boundaries
    try:
        events = list(walk(io.BytesIO(data), "x", lambda p: p in ((), ("messages",))))
    finally:
        jr._CHUNK = old
    got = [e.value for e in events if len(e.path) == 2 and e.kind == "value"]
    assert got == items
    assert [e.path[0] for e in events if len(e.path) == 1 and e.kind == "value"] == ["head", "tail"]


@pytest.mark.parametrize(
    "data", [b"Shopping list\nmilk\neggs\n", bytes(range(256)) * 4, b'{"items": [1, 2]}']
)
def test_non_exports_are_refused_by_name(data: bytes) -> None:
    with pytest.raises(WrongFormat) as err:
        detect(BytesSource(data, name="notes.bin"))
    assert "notes.bin" in str(err.value)
