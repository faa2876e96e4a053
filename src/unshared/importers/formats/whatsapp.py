"""WhatsApp "Export chat": Android ``WhatsApp Chat with X.txt``, iOS ``_chat.txt``, and either one
zipped with its media ("Attach media").

The text is read twice, streaming: the first pass collects every header to decide the day/month
order and the file's header shape (see :mod:`whatsapp_header`); the second pass yields messages.
A line whose header has another shape than nearly all the others (a pasted or forwarded header
inside a message) continues the previous message, as the app itself shows it.

Each message keeps its line number and byte offset (and the member name inside a zip). Times have
no offset in these exports: the user's timezone is applied and ``time_assumed`` is set.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import PurePosixPath
from typing import IO, BinaryIO, ClassVar, cast

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.formats.whatsapp_header import (
    DateOrder,
    Header,
    build_datetime,
    find_headers,
    match_header,
)
from unshared.importers.formats.whatsapp_lang import (
    attachment_line,
    edited_mark,
    sender_event,
    system_notice,
)
from unshared.importers.formats.whatsapp_split import Pending, split_blocks, split_lines
from unshared.importers.readers.archive import (
    Archive,
    is_zip,
    member_head,
    shallowest,
    with_member,
    zip_names,
)
from unshared.importers.readers.text import iter_blocks, sniff_text
from unshared.importers.readers.times import zone_for
from unshared.model import Attachment, Locator, Message, Participant, Record, Side

__all__ = ["WhatsAppImporter", "chat_member"]

PLATFORM = "whatsapp"
_SENDER = re.compile(r"^(?P<name>[^:\n]{1,120}?):(?: (?P<text>.*)|(?P<bare>\.?))$", re.DOTALL)
_TITLE = re.compile(
    r"^(?:WhatsApp Chat (?:with|mit|con|avec|com|met) |WhatsApp-Chat mit |Chat de WhatsApp con )"
    r"(?P<title>.+?)(?:\.txt|\.zip)?$",
    re.IGNORECASE,
)
_MINORITY_SHARE = 0.75
"""When one header shape covers at least this share of headers, other shapes are message text."""


def chat_member(names: list[str]) -> str | None:
    """The chat text inside a WhatsApp zip: ``_chat.txt`` (iOS) or ``WhatsApp Chat ....txt``, at
    any depth (a chat folder zipped again, or added as a folder), the one nearest the top."""
    found = shallowest(names, lambda n: PurePosixPath(n).name == "_chat.txt")
    found = found or shallowest(
        names, lambda n: n.lower().endswith(".txt") and "whatsapp" in PurePosixPath(n).name.lower()
    )
    if found:
        return found
    texts = [n for n in names if n.lower().endswith(".txt")]
    return texts[0] if len(texts) == 1 else None


def conversation_title(name: str) -> str:
    base = PurePosixPath(name).name
    m = _TITLE.match(base)
    if m:
        return m.group("title")
    return re.sub(r"\.(txt|zip)$", "", base, flags=re.IGNORECASE) or base


@dataclass
class _Scan:
    overall: DateOrder = field(default_factory=DateOrder)
    by_shape: dict[tuple[bool, str, int, bool, bool], DateOrder] = field(default_factory=dict)
    shapes: Counter[tuple[bool, str, int, bool, bool]] = field(default_factory=Counter)
    accepted: set[tuple[bool, str, int, bool, bool]] | None = None
    """Header shapes that start messages; None accepts all (mixed-format files)."""
    order: DateOrder = field(default_factory=DateOrder)

    def add(self, header: Header, times: int = 1) -> None:
        self.shapes[header.shape] += times
        self.overall.add(header.raw, times)
        per = self.by_shape.get(header.shape)
        if per is None and len(self.by_shape) < 16:
            per = self.by_shape[header.shape] = DateOrder(twelve_hour=header.us_clock)
        if per is not None:
            per.add(header.raw, times)

    def decide(self) -> None:
        total = sum(self.shapes.values())
        if total:
            shape, count = self.shapes.most_common(1)[0]
            if count / total >= _MINORITY_SHARE and shape in self.by_shape:
                self.accepted = {shape}
                self.order = self.by_shape[shape]
            else:
                self.order = self.overall
        self.order.decide()


@register
class WhatsAppImporter:
    name: ClassVar[str] = "whatsapp"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 50

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            names = zip_names(source)
            member = chat_member(names)
            if member is None:
                raise WrongFormat("no WhatsApp chat text in this zip", path=source.name)
            self._sniff_text(member_head(source, member), source.name)
            return
        self._sniff_text(source.head(), source.name)

    @staticmethod
    def _sniff_text(head: bytes, name: str) -> None:
        text = sniff_text(head, name)
        lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
        if not lines or match_header(lines[0]) is None:
            raise WrongFormat("does not start with a WhatsApp date header", path=name)
        first = match_header(lines[0])
        assert first is not None
        # A first system line is fine, but something must look like "Name: text" soon.
        body = lines[0][first.end :]
        if not (
            _SENDER.match(body)
            or len(lines) == 1
            or system_notice(body.lstrip("\u200e"))
            or any((h := match_header(ln)) and _SENDER.match(ln[h.end :]) for ln in lines[1:])
        ):
            raise WrongFormat("no 'Name: message' lines after WhatsApp headers", path=name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        if is_zip(source):
            yield from self._parse_zip(source, options)
            return
        title = conversation_title(source.name)
        scan = self._scan(source.open, source.name)
        yield from self._records(source.open, source.name, None, title, scan, options, None)

    def _parse_zip(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        with Archive(source, options) as archive:
            names = archive.names()
            member = chat_member(names)
            if member is None:
                raise ParseError("no WhatsApp chat text in this zip", path=source.name)
            media = {PurePosixPath(n).name: n for n in names if n != member}
            hashes: dict[str, str] = {}

            def link(att: Attachment) -> Attachment:
                found = media.get(att.name or "")
                return att if found is None else with_member(archive, att, found, hashes)

            def opener() -> AbstractContextManager[IO[bytes]]:
                return archive.open(member)

            title = conversation_title(source.name if member.endswith("_chat.txt") else member)
            scan = self._scan(opener, source.name)
            yield from self._records(opener, source.name, member, title, scan, options, link)

    @staticmethod
    def _scan(
        opener: Callable[[], AbstractContextManager[IO[bytes]] | BinaryIO], name: str
    ) -> _Scan:
        scan = _Scan()
        # Messages of one day share a date: count runs of the same date and shape at once.
        run: Header | None = None
        times = 0
        with _ctx(opener()) as stream:
            for block in iter_blocks(cast(BinaryIO, stream), name):
                for _, header in find_headers(block.text):
                    if run is not None and header.raw == run.raw and header.shape == run.shape:
                        times += 1
                        continue
                    if run is not None:
                        scan.add(run, times)
                    run, times = header, 1
        if run is not None:
            scan.add(run, times)
        scan.decide()
        return scan

    def _records(
        self,
        opener: Callable[[], AbstractContextManager[IO[bytes]] | BinaryIO],
        name: str,
        member: str | None,
        title: str,
        scan: _Scan,
        options: ImportOptions,
        link: Callable[[Attachment], Attachment] | None,
    ) -> Iterator[Record]:
        zone = zone_for(options)
        seen: set[str] = set()
        found = 0

        def records(pendings: Iterator[Pending]) -> Iterator[Record]:
            nonlocal found
            for pending in pendings:
                found += 1
                message = self._emit(pending, title, member, scan, zone, link)
                sender = message.sender
                if sender is not None and sender not in seen:
                    seen.add(sender)
                    side: Side = "victim" if sender in options.me else "unknown"
                    yield Participant(PLATFORM, title, sender, side=side)
                yield message

        with _ctx(opener()) as stream:
            blocks = split_blocks(cast(BinaryIO, stream), name, member, scan.accepted)
            if blocks is not None:
                yield from records(blocks)
        if blocks is None:  # UTF-16 text: line by line
            with _ctx(opener()) as stream:
                yield from records(split_lines(cast(BinaryIO, stream), name, member, scan.accepted))
        if not found:
            raise ParseError("no WhatsApp messages found", path=name)

    @staticmethod
    def _emit(
        p: Pending,
        title: str,
        member: str | None,
        scan: _Scan,
        zone: tzinfo,
        link: Callable[[Attachment], Attachment] | None,
    ) -> Message:
        flags: set[str] = set()
        header = p.header
        ymd, doubtful = scan.order.date(header.raw)
        sent_at = build_datetime(ymd, header, zone) if ymd else None
        if doubtful:
            flags.add("ambiguous_date")
        if sent_at is None:
            flags.add("unreadable_date")
        body = p.body.lstrip("\u200e\u200f")
        sender: str | None = None
        kind = "message"
        attachments: tuple[Attachment, ...] = ()
        extra = p.extra
        if ":" not in body or system_notice(body):
            kind = "system"
            # iOS puts the chat's name in front of its notices: "Name: \u200eMessages and calls..."
            named = _SENDER.match(body)
            if named is not None and (named.group("text") or "").startswith("\u200e"):
                body = (named.group("text") or "").lstrip("\u200e")
            text = "\n".join([body, *extra]) if extra else body
        else:
            m = _SENDER.match(body)
            if m is None:
                kind = "system"
                text = "\n".join([body, *extra]) if extra else body
            else:
                sender = m.group("name").strip()
                first = m.group("text")
                first = (m.group("bare") or "") if first is None else first
                event = sender_event(first.strip("\u200e "))
                att = attachment_line(first) if event is None else None
                if event is not None:
                    kind = "system"
                    flags.add(event)
                    first = first.strip("\u200e ")
                if att is not None:
                    attachments = (link(att) if link and att.name else att,)
                    text = "\n".join(extra)
                else:
                    text = "\n".join([first, *extra]) if extra else first
        text = text.rstrip("\n")
        unedited = edited_mark(text)
        if unedited is not None:
            text = unedited
            flags.add("edited")
        return Message(
            platform=PLATFORM,
            conversation=title,
            sender=sender,
            text=text,
            locator=Locator(member=member, line=p.line, offset=p.offset),
            sent_at=sent_at,
            time_assumed=sent_at is not None,
            kind=kind,  # type: ignore[arg-type]
            attachments=attachments,
            flags=frozenset(flags) if flags else _NO_FLAGS,
        )


_NO_FLAGS: frozenset[str] = frozenset()


def _ctx(
    value: AbstractContextManager[IO[bytes]] | BinaryIO,
) -> AbstractContextManager[IO[bytes]] | BinaryIO:
    if isinstance(value, AbstractContextManager):
        return value
    return nullcontext(value)  # pragma: no cover
