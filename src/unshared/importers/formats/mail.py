"""E-mail: one message saved as ``.eml`` (RFC 5322) or a mailbox in ``.mbox`` format.

Mass "I recorded you" extortion and demands sent by mail arrive this way. Each e-mail becomes one
message (sender from ``From``, text from the ``text/plain`` part, else the ``text/html`` part as
text) and one system record that keeps the header evidence police ask for: ``From``, ``Reply-To``,
``Return-Path``, ``To``, ``Date``, ``Message-ID`` and the whole ``Received`` chain, in order.
Attachments are hashed (SHA-256 and size) in memory, never written anywhere.

An mbox is read one e-mail at a time (a ``From `` line starts each, mboxo and mboxrd quoting are
both undone), so a mailbox of gigabytes takes the memory of its largest e-mail, and that is
bounded by :data:`MAX_MESSAGE_BYTES`. Locators give the line and byte offset where each e-mail
starts. Parsing uses the standard library's :mod:`email` package.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import PurePosixPath
from typing import BinaryIO, ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.htmltree import Node, parse_html
from unshared.importers.readers.times import assume
from unshared.model import Attachment, Locator, Message, Participant, Record

__all__ = ["EmailImporter", "MAX_MESSAGE_BYTES"]

PLATFORM = "email"
#: The largest single e-mail read (its attachments included). Mail servers refuse far less.
MAX_MESSAGE_BYTES = 128 * 1024 * 1024
#: Header lines kept as evidence, in this order (each ``Received`` is kept).
EVIDENCE_HEADERS = (
    "From",
    "Sender",
    "Reply-To",
    "Return-Path",
    "To",
    "Cc",
    "Date",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "X-Originating-IP",
    "Authentication-Results",
    "Received",
)

_HEADER = re.compile(rb"^[A-Za-z0-9-]{1,76}:[ \t]?")
_KNOWN = re.compile(
    rb"^(from|to|subject|date|message-id|received|return-path|reply-to|mime-version|"
    rb"content-type|delivered-to|x-[a-z0-9-]+|dkim-signature|authentication-results|cc|sender)"
    rb":",
    re.IGNORECASE,
)
_MBOX_FROM = re.compile(rb"^From \S*.*\d{4}\s*$|^From \S+@\S+")
_QUOTED_FROM = re.compile(rb"^>+From ")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|tr|rv|sv)\s*(\[\d+\])?\s*:\s*)+", re.I)


def _is_mbox(head: bytes) -> bool:
    first = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    return bool(_MBOX_FROM.match(first.rstrip(b"\r")))


def _looks_like_headers(head: bytes) -> bool:
    """The head starts with RFC 5322 header lines and names at least two well-known fields."""
    lines = head.lstrip(b"\r\n").split(b"\n")[:60]
    known = 0
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue
        if not _HEADER.match(line):
            return False
        if _KNOWN.match(line):
            known += 1
    return known >= 2


def _text_from_html(html: str) -> str:
    root = parse_html(html)
    skip = {"script", "style", "head", "title"}
    out: list[str] = []

    def walk(node: Node | str) -> None:
        if isinstance(node, str):
            out.append(node)
            return
        if node.tag in skip:
            return
        if node.tag in {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4"}:
            out.append("\n")
        for child in node.children:
            walk(child)

    walk(root)
    text = "".join(out)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def _decode(raw: bytes, charset: str | None) -> str:
    try:
        return raw.decode(charset or "utf-8", "replace")
    except LookupError:  # an unknown charset name
        return raw.decode("utf-8", "replace")


def _is_attachment(part: EmailMessage) -> bool:
    disposition = str(part.get("Content-Disposition", "")).split(";", 1)[0].strip().lower()
    return disposition == "attachment" or (
        bool(part.get_param("name") or part.get_param("filename", header="content-disposition"))
        and part.get_content_maintype() != "text"
    )


def _leaves(msg: EmailMessage) -> Iterator[EmailMessage]:
    for part in msg.walk():
        if not part.is_multipart():
            yield part


def _body(msg: EmailMessage) -> str:
    """The first text/plain part that is not an attachment, else the first text/html as text."""
    html: str | None = None
    for part in _leaves(msg):
        if _is_attachment(part):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            return _decode(payload, part.get_content_charset()).strip()
        if kind == "text/html" and html is None:
            html = _decode(payload, part.get_content_charset())
    return _text_from_html(html) if html is not None else ""


def _kind(mime: str) -> str:
    major = mime.split("/", 1)[0]
    return {"image": "photo", "video": "video", "audio": "audio"}.get(major, "file")


def _attachments(msg: EmailMessage) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for part in _leaves(msg):
        if not _is_attachment(part):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        mime = part.get_content_type()
        name = part.get_filename()
        found.append(
            Attachment(
                kind=_kind(mime),
                name=_header(name) if name else None,
                mime=mime,
                size=len(data),
                member_sha256=hashlib.sha256(data).hexdigest() if data else None,
            )
        )
    return tuple(found)


def _key(text: str) -> int:
    """A 64-bit key for a Message-ID or an address: an mbox of millions of mails keeps only
    these numbers to link replies and name each person once, not the strings."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    )


LINK_WINDOW = 100_000
"""Replies are linked to the last this many mails (and senders named once among the last this
many): memory stays flat however large the mbox. A reply to an older mail starts a conversation
named by its subject without Re:, which is usually the same name."""


class _Recent:
    """A set of keys that forgets the oldest past :data:`LINK_WINDOW`."""

    def __init__(self) -> None:
        self._keys: OrderedDict[int, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def add(self, key: int) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        if len(self._keys) > LINK_WINDOW:
            self._keys.popitem(last=False)


class _Threads:
    """Message-ID -> conversation name for the last :data:`LINK_WINDOW` mails."""

    def __init__(self) -> None:
        self._of: OrderedDict[int, str] = OrderedDict()

    def get(self, message_id: str) -> str | None:
        return self._of.get(_key(message_id))

    def put(self, message_id: str, name: str) -> None:
        key = _key(message_id)
        self._of[key] = name
        self._of.move_to_end(key)
        if len(self._of) > LINK_WINDOW:
            self._of.popitem(last=False)


def _header(value: object) -> str:
    """A header value as text, RFC 2047 encoded words decoded when they can be."""
    text = str(value)
    try:
        return str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeError, MessageError):
        # A damaged or unknown charset in an encoded word: keep the header as it was written.
        return text


def _address(value: str | None) -> tuple[str | None, str | None]:
    """(display name or address, address) of the first mailbox in a header value."""
    if not value:
        return None, None
    pairs = getaddresses([value])
    if not pairs:
        return value.strip() or None, None
    name, raw_addr = pairs[0]
    addr = raw_addr.strip().lower() or None
    return (name.strip() or addr or value.strip() or None), addr


def _header_text(msg: EmailMessage) -> str:
    lines: list[str] = []
    for field in EVIDENCE_HEADERS:
        for value in msg.get_all(field, []):
            lines.append(f"{field}: {' '.join(_header(value).split())}")
    return "\n".join(lines)


def _safe_header(msg: EmailMessage, field: str) -> str | None:
    value = msg.get(field)
    return _header(value) if value is not None else None


class _Mail:
    """One e-mail's bytes with where it starts in the exhibit."""

    __slots__ = ("data", "line", "offset")

    def __init__(self, data: bytes, line: int, offset: int) -> None:
        self.data = data
        self.line = line
        self.offset = offset


def _split_mbox(stream: BinaryIO, name: str) -> Iterator[_Mail]:
    """Each e-mail of an mbox, with ``>From`` quoting undone (mboxo and mboxrd).

    As in the standard library's :class:`mailbox.mbox`, every line that starts with ``From ``
    begins a new e-mail.
    """
    buf: list[bytes] = []
    size = 0
    start_line = start_offset = 0
    line_no = offset = 0
    for raw in stream:
        line_no += 1
        here, offset = offset, offset + len(raw)
        if raw.startswith(b"From "):
            if buf or line_no > 1:
                yield _Mail(b"".join(buf), start_line, start_offset)
            buf, size = [], 0
            start_line, start_offset = line_no, here
            continue
        if line_no == 1:
            raise ParseError("an mbox starts with a 'From ' line", path=name, where="line 1")
        if _QUOTED_FROM.match(raw):
            raw = raw[1:]
        size += len(raw)
        if size > MAX_MESSAGE_BYTES:
            raise ParseError(
                f"one e-mail is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB",
                path=name,
                where=f"line {start_line}, byte {start_offset}",
            )
        buf.append(raw)
    if line_no:
        yield _Mail(b"".join(buf), start_line, start_offset)


def _read_one(stream: BinaryIO, name: str) -> Iterator[_Mail]:
    data = stream.read(MAX_MESSAGE_BYTES + 1)
    if len(data) > MAX_MESSAGE_BYTES:
        raise ParseError(
            f"the e-mail is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB", path=name
        )
    yield _Mail(data, 1, 0)


@register
class EmailImporter:
    name: ClassVar[str] = "email"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 30

    def sniff(self, source: Source) -> None:
        head = source.head(16384)
        if b"\x00" in head:
            raise WrongFormat("not a text file", path=source.name)
        if _is_mbox(head):
            rest = head.lstrip(b"\r\n").split(b"\n", 1)
            if len(rest) == 2 and _looks_like_headers(rest[1]):
                return
            raise WrongFormat("a 'From ' line without mail headers after it", path=source.name)
        if _looks_like_headers(head):
            return
        raise WrongFormat("does not start with e-mail headers", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        # compat32 keeps header values as the raw strings they are: evidence, and no structured
        # header parsing that can fail on a malformed address deep in the standard library.
        parser = BytesParser(_class=EmailMessage, policy=policy.compat32)
        seen = _Recent()
        threads = _Threads()
        count = 0
        with source.open() as stream:
            mbox = _is_mbox(source.head(16384))
            mails = _split_mbox(stream, source.name) if mbox else _read_one(stream, source.name)
            for mail in mails:
                if not mail.data.strip():
                    continue
                try:
                    msg = parser.parsebytes(mail.data)
                except (ValueError, IndexError, LookupError) as exc:
                    raise ParseError(
                        f"unreadable e-mail ({exc})",
                        path=source.name,
                        where=f"line {mail.line}, byte {mail.offset}",
                    ) from exc
                assert isinstance(msg, EmailMessage)
                count += 1
                yield from self._records(msg, mail, source.name, options, seen, threads)
        if count == 0:
            raise ParseError("no e-mails found", path=source.name)

    @staticmethod
    def _records(
        msg: EmailMessage,
        mail: _Mail,
        name: str,
        options: ImportOptions,
        seen: _Recent,
        threads: _Threads,
    ) -> Iterator[Record]:
        sender, sender_addr = _address(_safe_header(msg, "From"))
        subject = " ".join((_safe_header(msg, "Subject") or "").split())
        message_id = (_safe_header(msg, "Message-ID") or "").strip() or None
        in_reply = (_safe_header(msg, "In-Reply-To") or "").strip() or None
        # A reply joins the thread of the mail it answers (In-Reply-To, else the last
        # References id); otherwise the subject without Re:/Fwd: names the thread.
        parents = [in_reply, *reversed((_safe_header(msg, "References") or "").split())]
        conversation = next((t for p in parents if p and (t := threads.get(p))), None) or (
            _SUBJECT_PREFIX.sub("", subject) or PurePosixPath(name).name
        )
        if message_id:
            threads.put(message_id, conversation)
        sent_at: datetime | None = None
        assumed = False
        flags: set[str] = set()
        date = _safe_header(msg, "Date")
        if date:
            try:
                sent_at, assumed = assume(parsedate_to_datetime(date), options)
            except (TypeError, ValueError, IndexError):
                flags.add("unreadable_date")
        locator = Locator(line=mail.line, offset=mail.offset)
        key = sender_addr or sender
        if key and _key(key) not in seen:
            seen.add(_key(key))
            mine = bool(options.me & {sender or "", sender_addr or ""})
            yield Participant(
                PLATFORM,
                conversation,
                sender,
                platform_id=sender_addr,
                side="victim" if mine else "unknown",
            )
        for field in ("To", "Cc"):
            for _n, addr in getaddresses([_safe_header(msg, field) or ""]):
                addr = addr.strip().lower()
                if addr and "@" in addr and _key(addr) not in seen:
                    seen.add(_key(addr))
                    mine = addr in options.me
                    yield Participant(
                        PLATFORM,
                        conversation,
                        addr,
                        platform_id=addr,
                        side="victim" if mine else "unknown",
                    )
        text = _body(msg)
        if subject:
            text = f"{subject}\n\n{text}" if text else subject
        yield Message(
            platform=PLATFORM,
            conversation=conversation,
            sender=sender,
            sender_id=sender_addr,
            text=text,
            locator=locator,
            sent_at=sent_at,
            time_assumed=assumed,
            attachments=_attachments(msg),
            message_id=message_id,
            reply_to=in_reply,
            flags=frozenset(flags),
        )
        headers = _header_text(msg)
        if headers:
            yield Message(
                platform=PLATFORM,
                conversation=conversation,
                sender=None,
                text="E-mail headers kept as evidence:\n" + headers,
                locator=locator,
                sent_at=sent_at,
                time_assumed=assumed,
                kind="system",
                message_id=f"{message_id}#headers" if message_id else None,
                flags=frozenset({"email_headers"}),
            )
