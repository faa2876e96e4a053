"""Android text messages saved by the app "SMS Backup & Restore" (SyncTech): ``sms-*.xml``.

The file is one ``<smses>`` element holding ``<sms>`` elements (one text each: ``address``,
``contact_name``, ``date`` in Unix milliseconds, ``type`` 1 received / 2 sent / 3 draft / 4 outbox
/ 5 failed / 6 queued, ``body``) and ``<mms>`` elements (``msg_box`` 1 received / 2 sent, with
``<parts><part ct=... text=... data=...>`` and ``<addrs><addr address=... type=137|151|130>``,
137 being the sender). Backups reach gigabytes, so the file is read with the standard library's
streaming expat parser: memory stays flat, and every message keeps the line and byte offset where
its element starts. A document type declaration is refused (no entity expansion). Pictures and
videos inside an MMS are hashed (SHA-256 and size) in memory, never written anywhere.

The backup comes from the phone of the person who made it, so texts they sent (type 2, msg_box 2)
are the victim's side, named "Me".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.times import from_unix
from unshared.model import Attachment, Locator, Message, Participant, Record, Side

__all__ = ["SmsBackupImporter"]

PLATFORM = "sms"
ME = "Me"
_CHUNK = 1 << 20
_SMS_KIND = {
    "1": "received",
    "2": "sent",
    "3": "draft",
    "4": "outbox",
    "5": "failed",
    "6": "queued",
}
_MMS_FROM = "137"
_NULL = {"", "null", "(Unknown)"}


def _value(attrs: dict[str, str], key: str) -> str | None:
    value = attrs.get(key)
    return None if value is None or value in _NULL else value


def _kind(mime: str) -> str:
    major = mime.split("/", 1)[0]
    return {"image": "photo", "video": "video", "audio": "audio"}.get(major, "file")


@dataclass
class _Mms:
    attrs: dict[str, str]
    line: int
    offset: int
    texts: list[str] = field(default_factory=list)
    parts: list[Attachment] = field(default_factory=list)
    sender: str | None = None


class _Reader:
    """Feeds expat in chunks and collects finished records in document order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.out: list[tuple[str, dict[str, str], int, int] | _Mms] = []
        self.depth = 0
        self.root: str | None = None
        self.mms: _Mms | None = None

    def _where(self) -> tuple[int, int]:
        return self.parser.CurrentLineNumber, self.parser.CurrentByteIndex

    def _doctype(self, *_args: object) -> None:
        line, _ = self._where()
        raise ParseError(
            "a document type declaration is not part of this format",
            path=self.name,
            where=f"line {line}",
        )

    def _entity(self, *_args: object) -> None:
        self._doctype()

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            self.root = tag
            if tag != "smses":
                raise ParseError(f"the root element is <{tag}>, not <smses>", path=self.name)
            return
        if self.depth > 8:
            line, _ = self._where()
            raise ParseError("elements nested too deep", path=self.name, where=f"line {line}")
        line, offset = self._where()
        if self.depth == 2 and tag == "sms":
            self.out.append(("sms", attrs, line, offset))
        elif self.depth == 2 and tag == "mms":
            self.mms = _Mms(attrs, line, offset)
        elif self.mms is not None and tag == "part":
            self._part(attrs)
        elif self.mms is not None and tag == "addr" and attrs.get("type") == _MMS_FROM:
            self.mms.sender = _value(attrs, "address")

    def _part(self, attrs: dict[str, str]) -> None:
        assert self.mms is not None
        mime = (attrs.get("ct") or "").lower()
        if mime == "application/smil":
            return
        if mime.startswith("text/plain") and _value(attrs, "text") is not None:
            self.mms.texts.append(attrs["text"])
            return
        data = attrs.get("data")
        digest = size = None
        if data:
            try:
                raw = base64.b64decode(data, validate=False)
            except (binascii.Error, ValueError):
                raw = b""
            digest, size = hashlib.sha256(raw).hexdigest(), len(raw)
        name = _value(attrs, "cl") or _value(attrs, "name") or _value(attrs, "fn")
        if data or name:
            self.mms.parts.append(
                Attachment(
                    kind=_kind(mime),
                    name=name,
                    mime=mime or None,
                    size=size,
                    member_sha256=digest,
                    omitted=not data,
                )
            )

    def _end(self, tag: str) -> None:
        if self.depth == 2 and tag == "mms" and self.mms is not None:
            self.out.append(self.mms)
            self.mms = None
        self.depth -= 1

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except xml.parsers.expat.ExpatError as exc:
            raise ParseError(
                f"broken XML ({xml.parsers.expat.errors.messages[exc.code]})",
                path=self.name,
                where=f"line {exc.lineno}, column {exc.offset}",
            ) from exc
        except LookupError as exc:  # the XML declaration names an encoding Python does not know
            raise ParseError(
                f"the file says it is in an encoding that does not exist ({exc})",
                path=self.name,
                where="line 1 (the XML declaration)",
            ) from exc


@register
class SmsBackupImporter:
    name: ClassVar[str] = "sms_backup"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 30

    def sniff(self, source: Source) -> None:
        head = source.head(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"<?xml"):
            head = head[head.find(b"?>") + 2 :].lstrip()
        while head.startswith((b"<!--", b"<?")):
            end = head.find(b"-->" if head.startswith(b"<!--") else b"?>")
            if end < 0:
                break
            head = head[end + 3 if head.startswith(b"<!--") else end + 2 :].lstrip()
        if not head.startswith((b"<smses", b"<!DOCTYPE smses")):
            raise WrongFormat("not an SMS Backup & Restore file (<smses>)", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        reader = _Reader(source.name)
        seen: set[tuple[str, str]] = set()
        with source.open() as stream:
            while True:
                chunk = stream.read(_CHUNK)
                reader.feed(chunk, final=not chunk)
                for item in reader.out:
                    yield from self._records(item, options, seen)
                reader.out.clear()
                if not chunk:
                    break
        if reader.root is None:
            raise ParseError("no <smses> element", path=source.name)

    @staticmethod
    def _records(
        item: tuple[str, dict[str, str], int, int] | _Mms,
        options: ImportOptions,
        seen: set[tuple[str, str]],
    ) -> Iterator[Record]:
        if isinstance(item, _Mms):
            attrs, line, offset = item.attrs, item.line, item.offset
            sent = attrs.get("msg_box") == "2"
            kind = "sent" if sent else _SMS_KIND.get(attrs.get("msg_box", ""), "received")
            text = "\n".join(item.texts)
            attachments = tuple(item.parts)
            # MMS dates are in seconds in some versions, milliseconds in others.
            raw_date = attrs.get("date", "")
            millis = len(raw_date.strip()) >= 12
        else:
            _tag, attrs, line, offset = item
            kind = _SMS_KIND.get(attrs.get("type", ""), "received")
            sent = kind in {"sent", "outbox", "failed", "queued", "draft"}
            text = attrs.get("body", "")
            attachments = ()
            raw_date, millis = attrs.get("date", ""), True
            if text == "null":
                text = ""
        address = _value(attrs, "address") or "unknown number"
        contact = _value(attrs, "contact_name")
        conversation = contact or address
        group = "~" in address
        if sent:
            sender, sender_id, side = ME, None, "victim"
        else:
            sender_id = (item.sender if isinstance(item, _Mms) else None) or address
            sender = contact if (contact and not group) else sender_id
            side = (
                "victim"
                if sender in options.me or sender_id in options.me
                else ("unknown" if group else "other")
            )
        key = (conversation, sender or "")
        if key not in seen:
            seen.add(key)
            typed_side: Side = side  # type: ignore[assignment]
            yield Participant(
                PLATFORM, conversation, sender, platform_id=sender_id, side=typed_side
            )
        sent_at = from_unix(raw_date, millis=millis) if raw_date.strip() else None
        flags = {kind} if kind not in {"sent", "received"} else set()
        if isinstance(item, _Mms):
            flags.add("mms")
        if raw_date.strip() and sent_at is None:
            flags.add("unreadable_date")
        yield Message(
            platform=PLATFORM,
            conversation=conversation,
            sender=sender,
            sender_id=sender_id,
            text=text,
            locator=Locator(line=line, offset=offset),
            sent_at=sent_at,
            attachments=attachments,
            flags=frozenset(flags),
        )
