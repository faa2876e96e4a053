"""Meta "Download Your Information" in HTML (Messenger and Instagram share one page template).

Each message is a ``div`` whose class list holds ``_a6-g`` (2022 onwards) or ``_2lej`` (older);
inside it the sender (``_a6-h``/``_2lek``), the content (``_a6-p``/``_2let``: text, ``img``,
``video``, ``audio`` and ``a`` links) and the time (``_a6-o``/``_2lem``, e.g. ``Nov 16, 2022
8:30:03 pm``). The page is fed to :class:`html.parser.HTMLParser` in chunks, so memory stays
bounded. The times carry no offset: the user's timezone is applied and marked assumed. Unlike the
JSON, the HTML is written in proper UTF-8 (no mojibake).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import IO

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source
from unshared.importers.formats.meta_dyi import head_platform
from unshared.importers.readers.archive import Archive, is_zip, zip_names
from unshared.importers.readers.text import sniff_text
from unshared.importers.readers.times import zone_for
from unshared.model import Attachment, Locator, Message, Participant, Record

__all__ = ["sniff_html", "parse_html", "html_members"]

_MSG = {"_a6-g", "_2lej"}
_SENDER = {"_a6-h", "_2lek"}
_CONTENT = {"_a6-p", "_2let"}
_TIME = {"_a6-o", "_2lem"}
_MARKERS = re.compile(r"_a6-g|_2lej|_2lek|_a6-h")
_THREAD = re.compile(r"(?:^|/)messages/[^/]+/[^/]+/message_(?P<n>\d+)\.html$")
_WHEN = re.compile(
    r"(?P<mon>[A-Z][a-z]{2})[a-z]* (?P<d>\d{1,2}), (?P<y>\d{4}),? "
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s?(?P<ap>[AaPp][Mm])?"
)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_TAG_KINDS = {"img": "photo", "video": "video", "audio": "audio"}


def html_members(names: list[str]) -> list[str]:
    found = sorted(
        (str(PurePosixPath(n).parent), int(m.group("n")), n)
        for n in names
        if (m := _THREAD.search(n))
    )
    return [n for _t, _n, n in found]


def sniff_html(source: Source, platform: str) -> None:
    if is_zip(source):
        names = zip_names(source)
        members = html_members(names)
        if not members or any(n.endswith("message_1.json") for n in names):
            raise WrongFormat("no HTML message threads in this zip", path=source.name)
        ig = any(n.startswith("your_instagram_activity/") or "instagram" in n for n in names)
        if ("instagram" if ig else "messenger") != platform:
            raise WrongFormat(f"not a {platform} export", path=source.name)
        return
    head = source.head()
    text = sniff_text(head, source.name)
    if "<html" not in text[:4096].lower() or not _MARKERS.search(text):
        raise WrongFormat("not a Meta HTML message page", path=source.name)
    if head_platform(head, getattr(source, "origin", "")) != platform:
        raise WrongFormat(f"not a {platform} page", path=source.name)


def parse_when(text: str, zone: tzinfo) -> datetime | None:
    m = _WHEN.search(text)
    if m is None or m.group("mon")[:3] not in _MONTHS:
        return None
    hour = int(m.group("h"))
    ap = (m.group("ap") or "").lower()
    if ap == "pm" and hour < 12:
        hour += 12
    elif ap == "am" and hour == 12:
        hour = 0
    try:
        return datetime(
            int(m.group("y")),
            _MONTHS[m.group("mon")[:3]],
            int(m.group("d")),
            hour,
            int(m.group("mi")),
            int(m.group("s") or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None


@dataclass
class _Msg:
    line: int
    depth: int
    sender: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    when: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.current: _Msg | None = None
        self.part: str | None = None
        self.part_depth = 0
        self.done: list[_Msg] = []
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag == "title":
            self.in_title = True
        if tag in ("br", "img", "hr", "meta", "link", "input", "source"):
            self._void(tag, a)
            return
        self.depth += 1
        if tag == "div" and classes & _MSG and self.current is None:
            self.current = _Msg(self.getpos()[0], self.depth)
        elif self.current is not None and self.part is None:
            for name, marks in (("sender", _SENDER), ("text", _CONTENT), ("when", _TIME)):
                if classes & marks:
                    self.part, self.part_depth = name, self.depth
        if self.current is not None and self.part == "text":
            if tag in ("video", "audio") and a.get("src"):
                self._media(_TAG_KINDS[tag], a["src"] or "")
            elif tag == "a" and (a.get("href") or "").startswith(("http://", "https://")):
                self.current.attachments.append(Attachment(kind="link", uri=a["href"]))
            elif tag == "div" and self.current.text and self.current.text[-1] != "\n":
                self.current.text.append("\n")

    def _void(self, tag: str, a: dict[str, str | None]) -> None:
        if self.current is None or self.part != "text":
            return
        if tag == "img" and a.get("src"):
            self._media("photo", a["src"] or "")
        elif tag == "br":
            self.current.text.append("\n")

    def _media(self, kind: str, src: str) -> None:
        assert self.current is not None
        if src.lower().endswith(".gif"):
            kind = "gif"
        self.current.attachments.append(
            Attachment(kind=kind, name=PurePosixPath(src).name, uri=src)
        )

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in ("br", "img", "hr", "meta", "link", "input", "source"):
            return
        if self.part is not None and self.depth == self.part_depth:
            self.part = None
        if self.current is not None and self.depth == self.current.depth:
            self.done.append(self.current)
            self.current = None
        self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.current is not None and self.part is not None:
            getattr(self.current, self.part).append(data)


def parse_html(source: Source, options: ImportOptions, platform: str) -> Iterator[Record]:
    if is_zip(source):
        with Archive(source, options) as archive:
            for member in html_members(archive.names()):
                with archive.open(member) as fh:
                    yield from _page(fh, source.name, member, options, platform)
        return
    with source.open() as fh:
        yield from _page(fh, source.name, None, options, platform)


def _page(
    fh: IO[bytes], name: str, member: str | None, options: ImportOptions, platform: str
) -> Iterator[Record]:
    zone = zone_for(options)
    page = _Page()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    seen: set[str] = set()
    offset = 0
    total = 0
    eof = False
    while not eof:
        raw = fh.read(1 << 20)
        eof = not raw
        try:
            page.feed(decoder.decode(raw, final=eof))
        except UnicodeDecodeError as exc:
            raise ParseError(
                "not valid UTF-8 text", path=name, where=f"{member or ''} byte {offset + exc.start}"
            ) from None
        offset += len(raw)
        if eof:
            page.close()
        conversation = " ".join("".join(page.title).split()) or (member or name)
        for msg in page.done:
            total += 1
            sender = " ".join("".join(msg.sender).split()) or None
            if sender and sender not in seen:
                seen.add(sender)
                side = "victim" if sender in options.me else "unknown"
                yield Participant(platform, conversation, sender, side=side)  # type: ignore[arg-type]
            when = parse_when("".join(msg.when), zone)
            text = "\n".join(ln.strip() for ln in "".join(msg.text).splitlines() if ln.strip())
            yield Message(
                platform=platform,
                conversation=conversation,
                sender=sender,
                text=text,
                locator=Locator(member=member, line=msg.line),
                sent_at=when,
                time_assumed=when is not None,
                attachments=tuple(msg.attachments),
                flags=frozenset() if when else frozenset({"unreadable_date"}),
            )
        page.done.clear()
    if total == 0:
        raise ParseError("no messages found in this HTML page", path=name, where=member)
