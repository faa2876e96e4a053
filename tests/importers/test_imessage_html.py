"""imessage-exporter's HTML output (``-f html``), in the layout of the tool's own example page."""

from __future__ import annotations

from pathlib import Path

from .builders import read_as


def test_messages_threads_reactions_announcements_and_attachments(data_dir: Path) -> None:
    page = data_dir / "importers" / "imessage" / "+447700900123.html"
    messages, people = read_as(page, "imessage-html")
    first, reply, renamed, photo = messages
    assert first.sender == "+447700900123" and first.conversation == "+447700900123"
    assert first.text == "I have your video.\nPay £500 or it goes to everyone"
    assert [(r.actor, r.reaction) for r in first.reactions] == [("Me", "disliked")]
    assert first.time_assumed and first.sent_at is not None and first.sent_at.hour == 21
    assert reply.sender == "Me" and reply.text == "please stop" and "reply" in reply.flags
    assert renamed.kind == "system"
    assert renamed.text == "+447700900123 renamed the conversation to pay up"
    assert photo.attachments[0].name == "IMG_0001.jpeg" and photo.text == "[photo]"
    assert {"reply", "sms"} <= photo.flags
    assert {p.name: p.side for p in people} == {"+447700900123": "unknown", "Me": "victim"}
