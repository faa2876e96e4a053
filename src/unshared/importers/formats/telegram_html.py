"""Telegram Desktop HTML export: ``messages.html``, ``messages2.html``, ... (a file or a zip).

Each page holds up to 1000 messages as ``<div class="message default clearfix" id="message123">``
with ``from_name``, ``pull_right date details`` (the ``title`` has the full date, e.g.
``07.05.2021 12:03:44 UTC+02:00``; older exports omit the offset), ``text``, ``reply_to``,
``forwarded body`` and media blocks. A message with class ``joined`` continues the previous
sender. Day separators (``id="message-1"``) are skipped. Pages are small, so each page is read
whole with the lenient stdlib :mod:`html.parser`; the locator is the member and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from typing import IO, ClassVar, Literal

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.archive import is_zip, linked_member, open_archive, require_member
from unshared.importers.readers.htmltree import Node as _Node
from unshared.importers.readers.htmltree import stream_html
from unshared.importers.readers.records import Roster
from unshared.importers.readers.text import looks_like_text
from unshared.importers.readers.times import assume, fixed_offset
from unshared.model import Attachment, Locator, Message, Record

_PAGE = re.compile(r"(?:^|/)messages(\d*)\.html$")
_TITLE = re.compile(
    r"(\d{2})\.(\d{2})\.(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?: UTC([+-])(\d{2}):?(\d{2}))?"
)
_MEDIA = [
    ("sticker", "sticker"),
    ("animated", "gif"),
    ("voice_message", "audio"),
    ("audio_file", "audio"),
    ("video", "video"),
    ("photo", "photo"),
    ("contact", "contact"),
    ("location", "location"),
    ("poll", "other"),
    ("file", "file"),
]


def _rich_text(node: _Node) -> str:
    parts: list[str] = []
    for c in node.children:
        if isinstance(c, str):
            parts.append(c)
        elif c.tag == "br":
            parts.append("\n")
        elif c.tag == "a":
            inner = _rich_text(c)
            href = c.attrs.get("href", "")
            keep = href and not href.startswith("#") and href.strip() != inner.strip()
            parts.append(f"{inner} ({href})" if keep else inner)
        else:
            parts.append(_rich_text(c))
    return "".join(parts)


def _clean(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


def _date(title: str, options: ImportOptions) -> tuple[datetime | None, bool]:
    m = _TITLE.search(title)
    if m is None:
        return None, False
    d, mo, y, h, mi, s, sign, oh, om = m.groups()
    try:
        stamp = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
        if sign:
            return stamp.replace(tzinfo=fixed_offset(sign, oh, om)), False
    except ValueError:
        return None, False
    return assume(stamp, options)


@register
class TelegramHtmlImporter:
    name: ClassVar[str] = "telegram-html"
    platform: ClassVar[str] = "telegram"
    priority: ClassVar[int] = 111

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            require_member(source, _PAGE, "a zip without Telegram messages.html")
            return
        head = source.head()
        if not looks_like_text(head):
            raise WrongFormat("not a Telegram HTML export", path=source.name)
        text = head.decode("utf-8", "replace")
        if "<html" not in text.lower() or not re.search(r'class="(?:page_wrap|history)', text):
            raise WrongFormat("not a Telegram HTML export", path=source.name)
        if "Exported Data" not in text and 'class="message ' not in text:
            raise WrongFormat("not a Telegram HTML export", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        roster = Roster("telegram", options)
        if not is_zip(source):
            with source.open() as fh:
                yield from _page(fh, source.name, None, options, roster)
            return
        with ExitStack() as stack:
            archive = stack.enter_context(open_archive(source, options))
            pages = []
            for name in archive.names():
                m = _PAGE.search(name)
                if m:
                    pages.append(
                        (name.rsplit("/", 1)[0] if "/" in name else "", int(m.group(1) or 1), name)
                    )
            if not pages:
                raise ParseError("the archive holds no Telegram messages.html", path=source.name)
            names = set(archive.names())
            hashes: dict[str, str] = {}

            def link(page: str, found: Attachment) -> Attachment:
                return linked_member(archive, names, page, found, hashes)

            for _dir, _n, name in sorted(pages):
                with archive.open(name) as page:
                    yield from _page(page, source.name, name, options, roster, link)


def _select(node: _Node) -> Literal["node", "open"] | None:
    if node.tag != "div":
        return None
    classes = node.classes
    if "message" in classes or "page_header" in classes:
        return "node"
    return "open" if "history" in classes else None


def _page(
    stream: IO[bytes],
    name: str,
    member: str | None,
    options: ImportOptions,
    roster: Roster,
    link_media: Callable[[str, Attachment], Attachment] | None = None,
) -> Iterator[Record]:
    """The messages of one ``messages.html`` page, streamed element by element."""
    conversation = member.rsplit("/", 2)[0] if member and "/" in member else name
    found = False
    last_sender: str | None = None
    for node in stream_html(stream, name, _select, member):
        if "page_header" in node.classes:
            title_node = node.first("text")
            title = _clean(title_node.text()) if title_node is not None else ""
            conversation = title or conversation
            continue
        found = True
        if "history" in node.classes:
            continue
        ident = node.attrs.get("id", "")
        if not ident.startswith("message") or ident.startswith("message-"):
            continue
        locator = Locator(member=member, line=node.line)
        message_id = ident[len("message") :] or None
        if "service" in node.classes:
            body = node.first("details")
            yield Message(
                platform="telegram",
                conversation=conversation,
                sender=None,
                text=_clean(body.text()) if body is not None else "",
                locator=locator,
                kind="system",
                message_id=message_id,
            )
            continue
        from_node = node.first("from_name", skip="forwarded")
        if from_node is not None:
            last_sender = _clean(
                "".join(c for c in from_node.children if isinstance(c, str))
            ) or _clean(from_node.text())
        elif "joined" not in node.classes:
            last_sender = None
        sender = last_sender
        if sender:
            yield from roster.add(conversation, sender)
        date_node = node.first("date")
        sent_at, assumed = (
            _date(date_node.attrs.get("title", ""), options) if date_node else (None, False)
        )
        flags: set[str] = set()
        text_node = node.first("text")
        text = _clean(_rich_text(text_node)) if text_node is not None else ""
        forwarded = node.first("forwarded")
        if forwarded is not None:
            flags.add("forwarded")
            origin = forwarded.first("from_name")
            if origin is not None:
                who = _clean("".join(c for c in origin.children if isinstance(c, str)))
                text = f"[forwarded from {who}] {text}".rstrip()
        reply_to = None
        reply = node.first("reply_to")
        if reply is not None:
            for link in reply.walk():
                m = re.search(
                    r"go_to_message(\d+)",
                    link.attrs.get("href", "") + link.attrs.get("onclick", ""),
                )
                if m:
                    reply_to = m.group(1)
                    break
        attachments = _media(node)
        if link_media is not None and member is not None:
            attachments = [link_media(member, a) for a in attachments]
        if not text and attachments:
            a = attachments[0]
            text = f"[{a.kind}: {a.name}]" if a.name else f"[{a.kind}]"
        yield Message(
            platform="telegram",
            conversation=conversation,
            sender=sender,
            text=text,
            locator=locator,
            sent_at=sent_at,
            time_assumed=assumed,
            attachments=tuple(attachments),
            message_id=message_id,
            reply_to=reply_to,
            flags=frozenset(flags),
        )

    if not found:
        raise ParseError("no Telegram messages found in this page", path=name, where=member)


def _media(node: _Node) -> list[Attachment]:
    found: list[Attachment] = []
    for child in node.walk():
        classes = " ".join(sorted(child.classes))
        is_link = child.tag == "a" and ("_wrap" in classes or "media" in classes)
        is_block = child.tag == "div" and "media" in child.classes
        if not (is_link or is_block):
            continue
        kind = next((k for key, k in _MEDIA if key in classes), "file")
        href = child.attrs.get("href") or None
        title = child.first("title")
        status = child.first("status")
        omitted = status is not None and "not included" in status.text().lower()
        name = href.rsplit("/", 1)[-1] if href else (_clean(title.text()) if title else None)
        found.append(Attachment(kind, name=name or None, uri=href, omitted=omitted))
        if is_link:
            break  # the link wraps the block that describes the same file
    return found[:1] if found else []
