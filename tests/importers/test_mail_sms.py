"""E-mail (.eml, .mbox) and Android SMS Backup & Restore XML: what each keeps, and its limits."""

from __future__ import annotations

import mailbox
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

import unshared.importers.formats.mail as mail_module
from unshared.errors import ParseError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect
from unshared.model import Message, Participant

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"
OPTS = ImportOptions(timezone=UTC)


def _records(path: Path, options: ImportOptions = OPTS) -> list[Message | Participant]:
    source = FileSource(path)
    return list(detect(source).parse(source, options))


def _messages(path: Path, options: ImportOptions = OPTS) -> list[Message]:
    return [r for r in _records(path, options) if isinstance(r, Message)]


def test_eml_keeps_sender_body_and_header_evidence() -> None:
    path = DATA / "email" / "extortion.eml"
    assert detect(FileSource(path)).name == "email"
    body, headers = _messages(path)
    assert body.sender == "Security Team"
    assert body.sender_id == "hacker.payme@example.net"
    assert body.message_id == "<20261202210405.77ff@example.net>"
    assert body.sent_at == datetime(2026, 12, 2, 21, 4, 5, tzinfo=UTC)
    assert not body.time_assumed
    # The plain part, not the HTML alternative, and the subject first.
    assert body.text.startswith("Your account is hacked - last warning\n\nHello.")
    assert "Required amount: USD 2000 in Bitcoin" in body.text
    assert "<b>" not in body.text
    # The attachment is hashed, never copied.
    (att,) = body.attachments
    assert att.name == "proof.pdf" and att.mime == "application/pdf"
    assert att.size == len(b"%PDF-1.4 fake invoice\n")
    assert att.member_sha256 and len(att.member_sha256) == 64
    # Headers police ask for, Received chain whole and in order.
    assert headers.kind == "system" and "email_headers" in headers.flags
    lines = headers.text.splitlines()
    assert "Reply-To: pay.now.4471@example.com" in lines
    assert "Return-Path: <bounce-8812@example.net>" in lines
    received = [ln for ln in lines if ln.startswith("Received:")]
    assert len(received) == 2
    assert "203.0.113.45" in received[0] and "198.51.100.7" in received[1]
    assert headers.locator == body.locator


def test_mbox_reads_each_mail_with_its_place_and_undoes_from_quoting() -> None:
    path = DATA / "email" / "conversation.mbox"
    records = _records(path, ImportOptions(timezone=UTC, me=frozenset({"lee.victim@example.org"})))
    msgs = [r for r in records if isinstance(r, Message) and r.kind == "message"]
    assert [m.message_id for m in msgs] == [
        "<a1@example.com>",
        "<b2@example.org>",
        "<c3@example.com>",
    ]
    assert "\nFrom what you said" in msgs[0].text  # ">From" unquoted
    assert msgs[0].text.startswith("Hi 😊")  # encoded-word subject decoded
    assert msgs[0].time_assumed  # "-0000" means the zone is unknown
    assert msgs[1].reply_to == "<a1@example.com>"
    # HTML-only mail: text without markup or script.
    assert "Send £500 by tonight" in msgs[2].text and "x()" not in msgs[2].text
    # All three share one conversation (Re: prefixes dropped).
    assert {m.conversation for m in msgs} == {"Hi 😊"}
    sides = {p.platform_id: p.side for p in records if isinstance(p, Participant)}
    assert sides["lee.victim@example.org"] == "victim"
    assert sides["anna.k.1999@example.com"] == "unknown"
    # Each locator points at the "From " line that starts the mail in the file.
    raw = path.read_bytes()
    for m in msgs:
        assert m.locator.offset is not None
        assert raw[m.locator.offset :].startswith(b"From MAILER-DAEMON")
        assert raw.count(b"\n", 0, m.locator.offset) + 1 == m.locator.line


def test_mbox_agrees_with_the_standard_library() -> None:
    path = DATA / "email" / "conversation.mbox"
    ours = [m.message_id for m in _messages(path) if m.kind == "message"]
    theirs = [msg["Message-ID"] for msg in mailbox.mbox(path)]
    assert ours == theirs


def test_mbox_refuses_a_single_mail_over_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail_module, "MAX_MESSAGE_BYTES", 1000)
    data = b"From x Mon Dec  2 08:00:00 2026\nFrom: a@b.c\nTo: d@e.f\nSubject: s\n\n" + b"x" * 5000
    source = BytesSource(data, "big.mbox")
    with pytest.raises(ParseError) as err:
        list(detect(source).parse(source, OPTS))
    assert "big.mbox" in str(err.value) and "line 1" in str(err.value)


def test_text_that_is_not_mail_is_not_taken_for_mail() -> None:
    imp = mail_module.EmailImporter()
    for data in (b"Anna: hello\nLee: hi\n", b"From here we walk.\nNo headers.\n", b"\x00\x01"):
        with pytest.raises(WrongFormat):
            imp.sniff(BytesSource(data, "x.txt"))


SMS = DATA / "sms" / "sms-20261203091402.xml"


def test_sms_backup_reads_texts_and_mms_with_sides_and_places() -> None:
    assert detect(FileSource(SMS)).name == "sms_backup"
    records = _records(SMS)
    msgs = [r for r in records if isinstance(r, Message)]
    assert len(msgs) == 5
    first, reply, threat, mms, group = msgs
    assert first.sender == "Mia" and first.sender_id == "+447700900123"
    assert first.sent_at == datetime.fromtimestamp(1796290000, tz=UTC)
    assert reply.sender == "Me" and reply.text == "hi Mia & hello"
    assert (
        threat.text
        == "Pay £300 by Western Union or I send the pics to your family.\nYou have 2 hours"
    )
    assert mms.text == "this is the screenshot of your friends list"
    (photo,) = mms.attachments
    assert (
        photo.kind == "photo"
        and photo.name == "IMG_0001.jpg"
        and photo.size
        and photo.member_sha256
    )
    assert "mms" in mms.flags
    # A group MMS: the sender from the addr of type 137; seconds-resolution date read as seconds.
    assert group.sender == "+447700900999"
    assert group.sent_at == datetime.fromtimestamp(1796300200, tz=UTC)
    sides = {(p.name, p.side) for p in records if isinstance(p, Participant)}
    assert ("Me", "victim") in sides and ("Mia", "other") in sides
    raw = SMS.read_bytes()
    for m in msgs:
        assert m.locator.offset is not None
        assert raw[m.locator.offset :].startswith((b"<sms ", b"<mms "))


def test_sms_backup_agrees_with_elementtree() -> None:
    root = ET.parse(SMS).getroot()
    bodies = [e.get("body") for e in root if e.tag == "sms"]
    ours = [m.text for m in _messages(SMS) if "mms" not in m.flags]
    assert ours == bodies


def test_sms_backup_refuses_entities_and_names_broken_places() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><smses><sms body="&b;" /></smses>'
    )
    for data, where in (
        (bomb, "line 1"),
        (b"<smses>\n<sms body='x' date='1'>\n</smses>", "line 3"),
        # Found by the contract fuzzing: an encoding name that does not exist.
        (b"<?xml version='1.0' encoding='UTG-8' ?>\n<smses><sms body='x' /></smses>", "line 1"),
    ):
        source = BytesSource(data, "sms.xml")
        with pytest.raises(ParseError) as err:
            list(detect(source).parse(source, OPTS))
        assert "sms.xml" in str(err.value) and where in str(err.value)


def test_a_damaged_charset_in_a_header_keeps_the_header_as_written() -> None:
    """Fuzzing found an encoded word whose charset name is not text ("=?\\xfftf-8?q?hi?="):
    email.errors.CharsetError escaped the importer."""
    from unshared.importers import BytesSource, ImportOptions, get

    data = (
        b"From: a@example.com\nTo: b@example.org\nSubject: =?\xfftf-8?q?hi?=\n"
        b"Date: Mon, 1 Jan 2024 00:00:00 +0000\n\nbody\n"
    )
    records = list(get("email").parse(BytesSource(data, name="x.eml"), ImportOptions()))
    assert any("body" in getattr(r, "text", "") for r in records)


def test_replies_are_linked_within_a_window_so_memory_stays_flat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unshared.importers import BytesSource, ImportOptions, get
    from unshared.importers.formats import mail
    from unshared.model import Message

    monkeypatch.setattr(mail, "LINK_WINDOW", 2)

    def one(n: int, subject: str, reply_to: str | None = None) -> bytes:
        extra = f"In-Reply-To: <{reply_to}@x>\n" if reply_to else ""
        return (
            f"From x{n}@example.com Mon Jan  1 00:00:00 2024\nFrom: x{n}@example.com\n"
            f"Subject: {subject}\nMessage-ID: <m{n}@x>\n{extra}"
            f"Date: Mon, 1 Jan 2024 00:00:0{n} +0000\n\nbody {n}\n\n"
        ).encode()

    data = (
        one(1, "first thread") + one(2, "second") + one(3, "third")
        + one(4, "Re: something else", "m3") + one(5, "Re: old one", "m1")
    )  # fmt: skip
    found = [r for r in get("email").parse(BytesSource(data, name="x.mbox"), ImportOptions())
             if isinstance(r, Message) and r.kind == "message"]  # fmt: skip
    by_body = {m.text.strip().splitlines()[-1]: m.conversation for m in found}
    assert by_body["body 4"] == "third"  # within the window: joins the thread it answers
    assert by_body["body 5"] == "old one"  # past it: named by its own subject
