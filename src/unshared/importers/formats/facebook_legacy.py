"""Facebook messages from the old "Download a copy of your Facebook data" (before 2018).

Two layouts. Until 2016 one file, ``html/messages.htm``: ``<h1>`` names the account holder, then
one ``div.thread`` per conversation: the participants as text, then for each message a
``div.message`` (``span.user``, ``span.meta`` with the date) followed by the text in a ``p``
after it. In 2017 one page per thread, ``messages/<number>.html``, in the same markup with an
``<h3>`` title ("Conversation with Alex") and "Participants: ...". Senders are names, or
``<number>@facebook.com`` for accounts without one (kept as the profile id). Dates are the
account's own locale: "Wednesday, November 12, 2008 at 8:53pm UTC+01", "Tuesday, 3 January 2017
at 21:04 UTC+01", "Tuesday, January 3, 2017 at 9:04pm PST". Threads list messages newest first;
the file's order is kept (the report sorts by time). Read with the standard library's HTML
parser, a megabyte at a time, messages yielded as they complete.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.archive import is_zip, open_archive, require_member
from unshared.importers.readers.htmltree import VOID_ELEMENTS as _VOID
from unshared.importers.readers.records import Roster
from unshared.importers.readers.text import iter_decoded, sniff_text
from unshared.importers.readers.times import assume
from unshared.model import Locator, Message, Record, Side

PLATFORM = "messenger"
_MEMBER = re.compile(r"(?:^|/)(?:html/messages\.htm|messages/\d+\.html)$", re.IGNORECASE)
_PROFILE = re.compile(r"^(\d{5,20})@facebook\.com$")
_ZONES = {
    "UTC": 0, "GMT": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4,
    "AKST": -9, "AKDT": -8, "HST": -10, "AEST": 10, "AEDT": 11, "IST": 5.5,
}  # fmt: skip
_META = re.compile(
    r"^\w+, (?:(?P<d1>\d{1,2}) (?P<m1>[A-Za-z]+) (?P<y1>\d{4})|(?P<m2>[A-Za-z]+) (?P<d2>\d{1,2}), "
    r"(?P<y2>\d{4})) at (?P<h>\d{1,2}):(?P<mi>\d\d) ?(?P<ap>[ap]m)? ?"
    r"(?:UTC(?P<sign>[+-])(?P<oh>\d{1,2})(?::?(?P<om>\d\d))?|(?P<zone>[A-Z]{2,5}))?$",
    re.IGNORECASE,
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}


@dataclass
class _Item:
    line: int
    thread: int
    sender: str = ""
    meta: str = ""
    text: list[str] = field(default_factory=list)


@dataclass
class _Thread:
    number: int
    people: list[str] = field(default_factory=list)
    title: str = ""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.owner = ""
        self.threads: list[_Thread] = []
        self.done: list[_Item] = []
        self._open: _Item | None = None
        self._role: list[str | None] = []
        self._stack: list[str] = []
        self._thread: _Thread | None = None
        self._depth_in_message = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        role: str | None = None
        if tag == "div" and "thread" in classes:
            self._finish()
            self._thread = _Thread(len(self.threads))
            self.threads.append(self._thread)
            role = "thread"
        elif tag == "div" and "message" in classes and self._thread is not None:
            self._finish()
            self._open = _Item(self.getpos()[0], self._thread.number)
            role = "message"
        elif tag == "span" and "user" in classes:
            role = "user"
        elif tag == "span" and "meta" in classes:
            role = "meta"
        elif tag == "p" and self._open is not None:
            role = "p"
        elif tag == "h1":
            role = "h1"
        elif tag == "h3" and self._thread is not None:
            role = "h3"
        elif tag == "br" and self._role and self._role[-1] == "p" and self._open is not None:
            self._open.text.append("\n")
        if tag in _VOID:
            return
        self._stack.append(tag)
        self._role.append(role)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._stack:
            return  # "<br />", or a stray end tag: nothing it could close
        while self._stack:
            open_tag = self._stack.pop()
            role = self._role.pop()
            if role == "thread":
                self._finish()
                self._thread = None
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        role = next((r for r in reversed(self._role) if r), None)
        if role == "user" and self._open is not None:
            self._open.sender += data
        elif role == "meta" and self._open is not None:
            self._open.meta += data
        elif role == "p" and self._open is not None:
            self._open.text.append(data)
        elif role == "h1":
            self.owner += data
        elif role == "h3" and self._thread is not None:
            self._thread.title += data
        elif role == "thread" and self._thread is not None and self._open is None and data.strip():
            text = data.strip().removeprefix("Participants:").strip()
            self._thread.people += [p.strip() for p in text.split(",") if p.strip()]

    def _finish(self) -> None:
        if self._open is not None:
            self.done.append(self._open)
            self._open = None

    def take(self) -> list[_Item]:
        out, self.done = self.done, []
        return out


@register
class FacebookLegacyImporter:
    name: ClassVar[str] = "facebook-legacy"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 128

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            require_member(source, _MEMBER, "a zip without an old Facebook messages page")
            return
        head = sniff_text(source.head(), source.name)
        if 'class="thread"' in head and 'class="message_header"' in head:
            return
        raise WrongFormat("not an old Facebook messages page", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        roster = Roster(PLATFORM, options)
        found = 0
        if not is_zip(source):
            with source.open() as stream:
                for record in _records(stream.read, source.name, None, options, roster):
                    found += isinstance(record, Message)
                    yield record
        else:
            with open_archive(source, options) as archive:
                for member in sorted(n for n in archive.names() if _MEMBER.search(n)):
                    with archive.open(member) as stream:
                        name = f"{source.name}!{member}"
                        for record in _records(stream.read, name, member, options, roster):
                            found += isinstance(record, Message)
                            yield record
        if not found:
            raise ParseError("no Facebook messages found in this page", path=source.name)


def _records(
    read: Callable[[int], bytes],
    name: str,
    member: str | None,
    options: ImportOptions,
    roster: Roster,
) -> Iterator[Record]:
    page = _Page()
    for text in iter_decoded(read, name):
        page.feed(text)
        for item in page.take():
            yield from _message(item, page, member, options, roster)
    page.close()
    page._finish()
    for item in page.take():
        yield from _message(item, page, member, options, roster)


def _message(
    item: _Item, page: _Page, member: str | None, options: ImportOptions, roster: Roster
) -> Iterator[Record]:
    thread = page.threads[item.thread]
    owner = page.owner.strip()
    others = [p for p in thread.people if p != owner]
    title = thread.title.strip().removeprefix("Conversation with ").strip()
    title = title or ", ".join(others) or f"thread {item.thread + 1}"
    sender = " ".join(item.sender.split()) or None
    profile = _PROFILE.match(sender or "")
    platform_id = profile.group(1) if profile else None
    if sender is not None:
        side: Side | None = "victim" if owner and sender == owner else None
        yield from roster.add(title, sender, platform_id, side=side)
    sent_at, assumed = _time(" ".join(item.meta.split()), options)
    yield Message(
        platform=PLATFORM,
        conversation=title,
        sender=sender,
        sender_id=platform_id,
        text="".join(item.text).strip(),
        locator=Locator(member=member, line=item.line),
        sent_at=sent_at,
        time_assumed=assumed,
        flags=frozenset() if sent_at else frozenset({"unreadable_date"}),
    )


def _time(meta: str, options: ImportOptions) -> tuple[datetime | None, bool]:
    m = _META.match(meta)
    if m is None:
        return None, False
    month = _MONTHS.get((m.group("m1") or m.group("m2") or "").lower())
    if month is None:
        return None, False
    day, year = int(m.group("d1") or m.group("d2")), int(m.group("y1") or m.group("y2"))
    hour, minute = int(m.group("h")), int(m.group("mi"))
    ap = (m.group("ap") or "").lower()
    if ap == "pm" and hour < 12:
        hour += 12
    elif ap == "am" and hour == 12:
        hour = 0
    zone: timezone | None = None
    if m.group("sign"):
        delta = timedelta(hours=int(m.group("oh")), minutes=int(m.group("om") or 0))
        zone = timezone(-delta if m.group("sign") == "-" else delta)
    elif m.group("zone") and m.group("zone").upper() in _ZONES:
        zone = timezone(timedelta(hours=_ZONES[m.group("zone").upper()]))
    try:
        naive = datetime(year, month, day, hour, minute)
    except ValueError:
        return None, False
    if zone is not None:
        return naive.replace(tzinfo=zone), False
    return assume(naive, options)
