"""Google Voice from Google Takeout: the HTML files of ``Takeout/Voice/Calls/`` (or the zip).

One file per text thread or call: ``<name or number> - Text - 2023-09-29T23_40_59Z.html`` (texts,
MMS), ``Group Conversation - <time>.html``, ``<name> - Voicemail|Missed|Received|Placed|Recorded
- <time>.html`` (calls). A text file is ``div.hChatLog`` with one ``div.message`` per message:
``abbr.dt[title]`` (ISO time with its offset), ``cite.sender`` with ``a.tel[href=tel:+...]`` and
the name in ``span.fn`` (or ``abbr.fn`` "Me" for the account holder), the text in ``q`` (``br``
for line breaks), then attachments (``img[src]``, ``a.vcard``, ``audio``/``video``). Group files
list ``div.participants``. A call file is ``div.haudio``: the caller in ``.contributor``,
``abbr.published``, ``abbr.duration`` (ISO 8601, "PT22S") and a voicemail's transcript in
``span.full-text``; it becomes one line: a voicemail's words as the caller's message, other calls
as system lines. Everything is read with the standard library's HTML parser, streamed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.archive import is_zip, open_archive, require_member
from unshared.importers.readers.htmltree import VOID_ELEMENTS as _VOID
from unshared.importers.readers.records import Roster
from unshared.importers.readers.text import iter_decoded, sniff_text
from unshared.model import Attachment, Locator, Message, Record, Side

PLATFORM = "google-voice"
_MEMBER = re.compile(r"(?:^|/)Voice/Calls/[^/]+\.html?$", re.IGNORECASE)
_KINDS = ("Text", "Voicemail", "Missed", "Received", "Placed", "Recorded")
_NAME = re.compile(
    r"^(?P<who>.*?)(?: - (?P<kind>" + "|".join(_KINDS) + r"))? - \d{4}-\d\d-\d\dT[\d_]+Z"
)
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")
_CALL_WORDS = {
    "Missed": "missed call",
    "Received": "call received",
    "Placed": "call placed",
    "Recorded": "call recorded",
    "Voicemail": "voicemail",
}


@dataclass
class _Item:
    line: int
    when: str | None = None
    number: str | None = None
    name: str | None = None
    me: bool = False
    text: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    duration: str | None = None


class _Page(HTMLParser):
    """Collects the messages (or the one call) of one Voice page as the parser streams it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[_Item] = []
        self.participants: list[tuple[str, str | None]] = []
        self.call = False
        self._item: _Item | None = None
        self._in: list[
            str
        ] = []  # what the text being read belongs to: q, fn, full-text, participants
        self._stack: list[tuple[str, str | None]] = []
        self._tel: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        role: str | None = None
        if tag == "div" and "message" in classes:
            self._item = _Item(self.getpos()[0])
            self.items.append(self._item)
        elif tag == "div" and "haudio" in classes:
            self.call = True
            self._item = _Item(self.getpos()[0])
            self.items.append(self._item)
        elif tag == "div" and "participants" in classes:
            role = "participants"
        elif tag == "abbr" and classes & {"dt", "published"} and self._item is not None:
            self._item.when = a.get("title")
        elif tag == "abbr" and "duration" in classes and self._item is not None:
            self._item.duration = a.get("title")
        elif tag == "a" and "tel" in classes:
            href = a.get("href") or ""
            self._tel = href[4:] if href.startswith("tel:") else None
            if self._item is not None and self._in[-1:] != ["participants"]:
                self._item.number = self._tel or self._item.number
        elif tag in ("span", "abbr") and "fn" in classes:
            role = "fn"
            if tag == "abbr" and self._item is not None and "participants" not in self._in:
                self._item.me = True
        elif tag == "q" and self._item is not None:
            role = "q"
        elif tag == "span" and "full-text" in classes and self._item is not None:
            role = "full-text"
        elif tag == "br" and self._in[-1:] == ["q"] and self._item is not None:
            self._item.text.append("\n")
        elif tag in ("img", "audio", "video", "a") and self._item is not None:
            self._attachment(tag, a, classes)
        if tag not in _VOID:
            self._stack.append((tag, role))
            if role:
                self._in.append(role)

    def _attachment(self, tag: str, a: dict[str, str | None], classes: set[str]) -> None:
        assert self._item is not None
        if tag == "img" and a.get("src"):
            self._item.attachments.append(Attachment("photo", uri=a["src"]))
        elif tag in ("audio", "video") and a.get("src"):
            kind = "audio" if tag == "audio" else "video"
            self._item.attachments.append(Attachment(kind, uri=a["src"]))
        elif tag == "a" and "vcard" in classes and a.get("href"):
            self._item.attachments.append(Attachment("contact", uri=a["href"]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if all(open_tag != tag for open_tag, _ in self._stack):
            return  # a stray end tag closes nothing
        while self._stack:
            open_tag, role = self._stack.pop()
            if role:
                self._in.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._in:
            return
        role = self._in[-1]
        in_link = any(tag == "a" for tag, _ in self._stack)
        if role == "fn" and "participants" in self._in:
            if data.strip():
                self.participants.append((data.strip(), self._tel))
        elif role == "fn" and in_link and self._item is not None:
            # A sender's or caller's name sits in its tel: link (the page's own title does not).
            self._item.name = ((self._item.name or "") + data).strip()
        elif role in ("q", "full-text") and self._item is not None:
            self._item.text.append(data)


@register
class GoogleVoiceImporter:
    name: ClassVar[str] = "google-voice"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 127

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            require_member(source, _MEMBER, "a zip without Google Voice pages (Voice/Calls/)")
            return
        head = sniff_text(source.head(), source.name)
        if 'class="hChatLog hfeed"' in head or (
            'class="haudio"' in head and ('class="published"' in head or "tel:" in head)
        ):
            return
        raise WrongFormat("not a Google Voice page", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        roster = Roster(PLATFORM, options)
        found = 0
        if not is_zip(source):
            with source.open() as stream:
                page = _read(stream.read, source.name)
            for record in _records(page, source.name, None, roster):
                found += isinstance(record, Message)
                yield record
        else:
            with open_archive(source, options) as archive:
                members = sorted(n for n in archive.names() if _MEMBER.search(n))
                for member in members:
                    with archive.open(member) as stream:
                        page = _read(stream.read, f"{source.name}!{member}")
                    for record in _records(page, PurePosixPath(member).name, member, roster):
                        found += isinstance(record, Message)
                        yield record
        if not found:
            raise ParseError("no Google Voice messages or calls found", path=source.name)


def _read(read: Callable[[int], bytes], name: str) -> _Page:
    """Feed the page to the parser a megabyte at a time (strict UTF-8)."""
    page = _Page()
    for text in iter_decoded(read, name):
        page.feed(text)
    page.close()
    return page


def _records(page: _Page, file_name: str, member: str | None, roster: Roster) -> Iterator[Record]:
    m = _NAME.match(file_name)
    who = (m.group("who") if m else "").strip() or PurePosixPath(file_name).stem
    kind = m.group("kind") if m else None
    if page.participants:
        title = "Group: " + ", ".join(n for n, _ in page.participants if n)
    else:
        title = who
    for item in page.items:
        sender = "Me" if item.me else (item.name or item.number)
        number = item.number
        if sender is not None:
            side: Side | None = "victim" if item.me else None
            yield from roster.add(title, sender, number, side=side)
        text = "".join(item.text).strip()
        message_kind = "message"
        flags: set[str] = set()
        if page.call:
            words = _CALL_WORDS.get(kind or "", "call")
            seconds = _seconds(item.duration)
            label = f"{words}{f' ({seconds})' if seconds else ''}"
            if kind == "Voicemail":
                text = f"[{label}] {text}".strip()
            else:
                message_kind = "system"
                text = label
            flags.add("call")
        elif not text and item.attachments:
            text = f"[{item.attachments[0].kind}]"
        yield Message(
            platform=PLATFORM,
            conversation=title,
            sender=sender,
            sender_id=number,
            text=text,
            locator=Locator(member=member, line=item.line),
            sent_at=_time(item.when),
            kind=message_kind,  # type: ignore[arg-type]
            attachments=tuple(item.attachments),
            flags=frozenset(flags),
        )


def _seconds(value: str | None) -> str | None:
    m = _DURATION.match(value or "")
    if not m or not any(m.groups()):
        return None
    total = int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3) or 0)
    return f"{int(total)} s"


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None
