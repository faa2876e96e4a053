"""DiscordChatExporter HTML export (``HtmlDark`` / ``HtmlLight``).

Messages are grouped by author: the first message of a group carries the header
(``chatlog__author`` with ``data-user-id`` and ``title="name#1234"``, ``chatlog__timestamp`` with a
long local date in ``title``); later ones only a ``chatlog__short-timestamp``. Both current
(``chatlog__message-container``) and older (``chatlog__messages`` / ``chatlog__author-name``)
layouts are read. The dates are rendered in the exporting computer's locale and zone with no
offset, so they get the user's timezone and are marked assumed; a date in a locale we cannot read
leaves ``sent_at`` empty and is kept in the ``shown_time:`` flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, ClassVar, Literal

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.formats.discord import attachment_kind
from unshared.importers.readers.htmltree import Node, stream_html
from unshared.importers.readers.records import Roster, people
from unshared.importers.readers.text import looks_like_text
from unshared.importers.readers.times import assume
from unshared.model import Attachment, Locator, Message, Reaction, Record

_FORMATS = (
    "%A, %B %d, %Y %I:%M %p",
    "%A, %B %d, %Y %I:%M:%S %p",
    "%A, %d %B %Y %H:%M",
    "%A, %d %B %Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%d-%b-%y %I:%M %p",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
_SCROLL = re.compile(r"scrollToMessage\(event,\s*'(\d+)'\)")


def _time(text: str, options: ImportOptions) -> tuple[datetime | None, bool]:
    value = " ".join(text.split())
    for fmt in _FORMATS:
        try:
            return assume(datetime.strptime(value, fmt), options)
        except ValueError:
            continue
    return None, False


def _cls(node: Node, name: str) -> bool:
    return name in node.classes


def _find(node: Node, name: str) -> Node | None:
    return node.first(name)


@register
class DiscordHtmlImporter:
    name: ClassVar[str] = "discord-html"
    platform: ClassVar[str] = "discord"
    priority: ClassVar[int] = 107

    def sniff(self, source: Source) -> None:
        head = source.head()
        if not looks_like_text(head):
            raise WrongFormat("not a DiscordChatExporter HTML export", path=source.name)
        text = head.decode("utf-8", "replace")
        if "<html" not in text.lower() or "chatlog" not in text:
            raise WrongFormat("not a DiscordChatExporter HTML export", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        with source.open() as fh:
            yield from _page(fh, source.name, options)


_AUTHOR = ("chatlog__author", "chatlog__author-name")


def _select(node: Node) -> Literal["node", "open"] | None:
    classes = node.classes
    if "data-message-id" in node.attrs or "preamble__entry" in classes:
        return "node"
    if any(c in classes for c in _AUTHOR):
        return "node"
    if any(c.startswith("chatlog__message") for c in classes):
        return "open"
    return None


def _page(stream: IO[bytes], name: str, options: ImportOptions) -> Iterator[Record]:
    """The messages of a DiscordChatExporter page, streamed element by element."""
    entries: list[str] = []
    conversation: str | None = None
    roster = Roster("discord", options)
    author: tuple[str | None, str | None, str | None] = (None, None, None)
    found = marked = False
    for node in stream_html(stream, name, _select):
        if "preamble__entry" in node.classes:
            entries.append(" ".join(node.text().split()))
            continue
        if conversation is None:
            conversation = " / ".join(e for e in entries if e) or name
        if "data-message-id" not in node.attrs:
            if any(c in node.classes for c in _AUTHOR):
                author = _author(node)
            else:
                marked = True  # a chatlog__message* container
            continue
        found = True
        inner = _find(node, "chatlog__author") or _find(node, "chatlog__author-name")
        if inner is not None:
            author = _author(inner)
        sender, account, user_id = author
        if sender or user_id:
            label = sender if not account or account == sender else f"{sender} ({account})"
            yield from roster.add(conversation, label, user_id)
        yield _message(node, conversation, sender, user_id, options)
    if not found and not marked:
        raise ParseError("no Discord messages found in this page", path=name)


def _text(node: Node) -> str:
    """Visible message text, without the "(edited)" marker."""
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        elif not _cls(child, "chatlog__edited-timestamp"):
            parts.append(_text(child))
    return "\n".join(line.strip() for line in "".join(parts).strip().splitlines())


def _author(node: Node) -> tuple[str | None, str | None, str | None]:
    name = " ".join(node.text().split()) or None
    return name, node.attrs.get("title") or None, node.attrs.get("data-user-id") or None


def _message(
    node: Node, conversation: str, sender: str | None, sender_id: str | None, options: ImportOptions
) -> Message:
    stamp = _find(node, "chatlog__timestamp") or _find(node, "chatlog__short-timestamp")
    flags: set[str] = set()
    sent_at, assumed = None, False
    if stamp is not None:
        shown = stamp.attrs.get("title") or stamp.text()
        sent_at, assumed = _time(shown, options)
        if sent_at is None:
            sent_at, assumed = _time(stamp.text(), options)
        if sent_at is None and shown.strip():
            flags.add("shown_time:" + " ".join(shown.split()))
    if _find(node, "chatlog__edited-timestamp") is not None:
        flags.add("edited")
    content = _find(node, "chatlog__content")
    text = _text(content) if content is not None else ""
    attachments: list[Attachment] = []
    for child in node.walk():
        if _cls(child, "chatlog__attachment"):
            link = next((n for n in child.walk() if n.tag == "a" and n.attrs.get("href")), None)
            media = next(
                (n for n in child.walk() if n.tag in ("img", "video", "audio", "source")), None
            )
            uri = (link.attrs.get("href") if link else None) or (
                media.attrs.get("src") if media else None
            )
            if uri:
                name = uri.rsplit("/", 1)[-1].split("?")[0]
                attachments.append(Attachment(attachment_kind(name), name=name, uri=uri))
        elif _cls(child, "chatlog__sticker"):
            img = next((n for n in child.walk() if n.tag == "img"), None)
            attachments.append(
                Attachment(
                    "sticker",
                    name=child.attrs.get("title") or None,
                    uri=img.attrs.get("src") if img else None,
                )
            )
    reactions: list[Reaction] = []
    for child in node.walk():
        if _cls(child, "chatlog__reaction"):
            img = next((n for n in child.walk() if n.tag == "img"), None)
            emoji = (img.attrs.get("alt") if img else None) or child.attrs.get("title") or "?"
            count = _find(child, "chatlog__reaction-count")
            reactions.append(Reaction(people(count.text() if count else None), emoji))
    reply_to = None
    ref = _find(node, "chatlog__reference-link") or _find(node, "chatlog__reference")
    if ref is not None:
        for n in [ref, *ref.walk()]:
            m = _SCROLL.search(n.attrs.get("onclick", ""))
            if m:
                reply_to = m.group(1)
                break
    system = _find(node, "chatlog__system-notification-content") is not None
    if system and not text:
        notice = _find(node, "chatlog__system-notification-content")
        text = " ".join(notice.text().split()) if notice else ""
    return Message(
        platform="discord",
        conversation=conversation,
        sender=sender,
        sender_id=sender_id,
        text=text,
        locator=Locator(line=node.line),
        sent_at=sent_at,
        time_assumed=assumed,
        kind="system" if system else "message",
        attachments=tuple(attachments),
        message_id=node.attrs.get("data-message-id") or None,
        reply_to=reply_to,
        reactions=tuple(reactions),
        flags=frozenset(flags),
    )
