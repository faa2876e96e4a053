"""iMessage conversations written by ``imessage-exporter`` as HTML (``-f html``): one ``.html``
per conversation, with its files under ``attachments/``.

Each ``div.message`` holds ``div.sent`` (the account holder; with the service, ``iMessage`` or
``SMS``) or ``div.received``; in it ``span.timestamp`` ("Oct 17, 2021 10:31:49 PM", local time,
maybe "(Read by you after 5 seconds)"), ``span.sender``, one ``div.message_part`` per part
(``span.bubble`` text, or ``img``/``video``/``audio`` of an attachment), ``div.reactions``
(``<b>Liked</b> by Me``), ``span.reply_context`` for a reply, and ``div.replies`` with the thread's
replies as nested messages. ``div.announcement`` lines (a group renamed) are system lines. Read
with the standard library's HTML parser, a megabyte at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.formats.discord import attachment_kind
from unshared.importers.readers.htmltree import VOID_ELEMENTS as _VOID
from unshared.importers.readers.records import Roster
from unshared.importers.readers.text import iter_decoded, sniff_text
from unshared.importers.readers.times import assume
from unshared.model import Attachment, Locator, Message, Reaction, Record, Side

PLATFORM = "imessage"
_TIME = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}\s+\d{1,2}:\d\d:\d\d [AP]M")
_REACTION = re.compile(r"^(?P<what>\w+) by (?P<who>.+)$")


@dataclass
class _Item:
    line: int
    depth: int
    mine: bool = False
    announcement: bool = False
    service: str | None = None
    timestamp: str = ""
    sender: str = ""
    parts: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    reply: bool = False
    nested: bool = False


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.done: list[_Item] = []
        self._open: list[_Item] = []  # messages being read, outermost first
        self._stack: list[tuple[str, str | None]] = []
        self._reaction = ""

    def _role(self) -> str | None:
        return next((r for _, r in reversed(self._stack) if r), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        role: str | None = None
        item = self._open[-1] if self._open else None
        if tag == "div" and ("message" in classes or "announcement" in classes):
            new = _Item(self.getpos()[0], len(self._stack), announcement="announcement" in classes)
            new.nested = bool(self._open)
            self._open.append(new)
            role = "announcement" if new.announcement else "message"
        elif item is not None and tag == "div" and classes & {"sent", "received"}:
            item.mine = "sent" in classes
            item.service = next((c for c in classes if c not in ("sent", "received")), None)
        elif item is not None and tag == "span" and "timestamp" in classes:
            role = "timestamp"
        elif item is not None and tag == "span" and "sender" in classes:
            role = "sender"
        elif item is not None and tag == "span" and "bubble" in classes:
            role = "bubble"
            item.parts.append("")
        elif item is not None and tag == "span" and "reaction" in classes:
            role = "reaction"
            self._reaction = ""
        elif item is not None and tag == "span" and "reply_context" in classes:
            item.reply = True
            role = "skip"
        elif item is not None and tag in ("img", "video", "audio", "source") and a.get("src"):
            if self._role() != "reaction":
                src = a["src"] or ""
                name = PurePosixPath(src).name
                item.attachments.append(Attachment(attachment_kind(name), name=name, uri=src))
        elif tag == "br" and item is not None and self._role() == "bubble":
            item.parts[-1] += "\n"
        if tag in _VOID:
            return
        self._stack.append((tag, role))

    def handle_endtag(self, tag: str) -> None:
        if all(t != tag for t, _ in self._stack):
            return
        while self._stack:
            open_tag, role = self._stack.pop()
            if role == "reaction" and self._open:
                m = _REACTION.match(" ".join(self._reaction.split()))
                if m:
                    self._open[-1].reactions.append(
                        Reaction(m.group("who"), m.group("what").lower())
                    )
            if role in ("message", "announcement") and self._open:
                self.done.append(self._open.pop())
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._open:
            return
        item, role = self._open[-1], self._role()
        if role == "timestamp":
            item.timestamp += data
        elif role == "sender":
            item.sender += data
        elif role == "bubble":
            item.parts[-1] += data
        elif role == "reaction":
            self._reaction += data
        elif role == "announcement":
            item.parts.append(data)

    def take(self) -> list[_Item]:
        out, self.done = self.done, []
        return sorted(out, key=lambda i: i.line)


@register
class IMessageHTMLImporter:
    name: ClassVar[str] = "imessage-html"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 61

    def sniff(self, source: Source) -> None:
        head = sniff_text(source.head(), source.name)
        if 'class="message_part"' in head and 'class="timestamp"' in head:
            return
        if re.search(r'class\s*=\s*"announcement"', head) and 'class="timestamp"' in head:
            return
        raise WrongFormat("not an imessage-exporter HTML page", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        title = re.sub(r"\.html?$", "", PurePosixPath(source.name).name, flags=re.IGNORECASE)
        roster = Roster(PLATFORM, options)
        page = _Page()
        found = False
        with source.open() as stream:
            for text in iter_decoded(stream.read, source.name):
                page.feed(text)
                for item in page.take():
                    found = True
                    yield from _records(item, title, options, roster)
        page.close()
        for item in page.take():
            found = True
            yield from _records(item, title, options, roster)
        if not found:
            raise ParseError("no iMessage messages found", path=source.name)


def _records(item: _Item, title: str, options: ImportOptions, roster: Roster) -> Iterator[Record]:
    stamp = _TIME.search(item.timestamp)
    sent_at, assumed = None, False
    if stamp:
        naive = datetime.strptime(" ".join(stamp.group(0).split()), "%b %d, %Y %I:%M:%S %p")
        sent_at, assumed = assume(naive, options)
    locator = Locator(line=item.line)
    if item.announcement:
        words = " ".join(" ".join(item.parts).split())
        yield Message(
            PLATFORM, title, None, words, locator, sent_at=sent_at, time_assumed=assumed,
            kind="system",
        )  # fmt: skip
        return
    sender = " ".join(item.sender.split()) or ("Me" if item.mine else None)
    if sender is not None:
        side: Side | None = "victim" if item.mine else None
        yield from roster.add(title, sender, None, side=side)
    flags = set()
    if item.reply or item.nested:
        flags.add("reply")
    if item.service and item.service.lower() not in ("imessage",):
        flags.add(item.service.lower())
    text = "\n".join(p.strip() for p in item.parts if p.strip())
    if not text and item.attachments:
        text = f"[{item.attachments[0].kind}]"
    yield Message(
        PLATFORM,
        title,
        sender,
        text,
        locator,
        sent_at=sent_at,
        time_assumed=assumed,
        attachments=tuple(item.attachments),
        reactions=tuple(item.reactions),
        flags=frozenset(flags),
    )
