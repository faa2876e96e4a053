"""Snapchat "My Data" chat history: ``chat_history.json`` (old and new layouts) and
``chat_history.html`` (old layout), bare or inside the download zip.

* Old layout (``json/chat_history.json``)::

    {"Received Saved Chat History": [{"From", "Media Type", "Created", "Text"}],
     "Sent Saved Chat History": [{"To", "Media Type", "Created", "Text"}], ...}

* New layout (``json/chat_history.json``), keyed by conversation::

    {"<username or group id>": [{"From", "Media Type", "Created", "Content",
      "Conversation Title", "IsSender", "Created(microseconds)", "IsSaved", "Media IDs"}]}

``Created`` is ``2022-07-22 19:28:21 UTC``. Snapchat only exports saved chats and metadata of
snaps; media itself is in ``chat_media/`` when the user asked for it. ``STATUS...`` media types
(erased messages, screenshots taken, saves to camera roll) become system messages: a screenshot
notice can matter a great deal in a sextortion case.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO, ClassVar, Literal

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.archive import Archive, is_zip, open_archive, require_member
from unshared.importers.readers.htmltree import Node, stream_html
from unshared.importers.readers.jsonreader import expect_list, json_head, pointer, walk
from unshared.importers.readers.records import Roster, as_str, hash_member
from unshared.importers.readers.text import looks_like_text
from unshared.importers.readers.times import from_unix
from unshared.model import Attachment, Locator, Message, Record

_MEMBER = re.compile(r"(?:^|/)chat_history\.(json|html)$")
_OLD_KEY = re.compile(r"^(Received|Sent) (?:Saved |Unsaved )?Chat History$")
_MEDIA = {
    "MEDIA": "photo",
    "SNAP": "photo",
    "SNAP_VIDEO": "video",
    "VIDEO": "video",
    "NOTE": "audio",
    "STICKER": "sticker",
    "SHARE": "share",
    "SHARESAVEDSTORY": "share",
    "LOCATION": "location",
}
_STATUS = {
    "STATUSERASEDMESSAGE": "A message was deleted",
    "STATUSERASEDSNAPMESSAGE": "A snap was deleted",
    "STATUSSAVETOCAMERAROLL": "A snap or chat was saved to the camera roll",
    "STATUSPARTICIPANTREMOVED": "A participant was removed",
    "STATUSCALLMISSEDAUDIO": "Missed audio call",
    "STATUSCALLMISSEDVIDEO": "Missed video call",
}


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);")


def _unescape(text: str) -> str:
    """Older exports HTML-escape message text (``&#39;``); undo only real entities."""
    return html.unescape(text) if _ENTITY.search(text) else text


def snap_time(raw: dict[str, Any]) -> datetime | None:
    created = as_str(raw.get("Created"))
    if created:
        text = created.replace(" UTC", "").strip()
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
    micro = raw.get("Created(microseconds)")
    if isinstance(micro, int | float) and not isinstance(micro, bool):
        return from_unix(micro / 1e6 if micro > 1e14 else micro / 1e3)
    return None


@register
class SnapchatImporter:
    name: ClassVar[str] = "snapchat"
    platform: ClassVar[str] = "snapchat"
    priority: ClassVar[int] = 120

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            require_member(source, _MEMBER, "a zip without Snapchat chat_history")
            return
        head = source.head()
        if not looks_like_text(head):
            raise WrongFormat("not a Snapchat chat history", path=source.name)
        text = json_head(head)
        if text.lstrip().startswith("{"):
            if re.search(r'"(?:Received|Sent) (?:Saved |Unsaved )?Chat History"\s*:', text):
                return
            if '"Media Type"' in text and ('"IsSender"' in text or '"Conversation Title"' in text):
                return
        elif "<html" in text.lower() and "Chat History" in text and "Media Type" in text:
            return
        raise WrongFormat("not a Snapchat chat history", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        roster = Roster("snapchat", options)
        with ExitStack() as stack:
            if is_zip(source):
                archive = stack.enter_context(open_archive(source, options))
                found = sorted(n for n in archive.names() if _MEMBER.search(n))
                json_members = [n for n in found if n.endswith(".json")]
                picked = json_members or found
                if not picked:
                    raise ParseError("the archive holds no chat_history", path=source.name)
                member = picked[0]
                stream: BinaryIO = stack.enter_context(archive.open(member))  # type: ignore[assignment]
                name = f"{source.name}!{member}"
                link = _media_linker(archive)
            else:
                member, name, link = None, source.name, None
                stream = stack.enter_context(source.open())
            if _is_html(source, member):
                yield from _html(stream, name, member, options, roster)
            else:
                yield from _json(stream, name, member, options, roster, link)


def _is_html(source: Source, member: str | None) -> bool:
    if member is not None:
        return member.endswith(".html")
    return not json_head(source.head(256)).lstrip().startswith("{")


_MEDIA_FILE = re.compile(r"(?:^|/)chat_media/(?:\d{4}-\d{2}-\d{2}_)?([^/]+?)(?:\.\w{2,5})?$")


def _media_linker(archive: Archive) -> Callable[[Attachment], Attachment]:
    """Links an attachment named by its Media ID to ``chat_media/<date>_<id>.<ext>`` by hash."""
    index: dict[str, str] = {}
    for name in archive.names():
        m = _MEDIA_FILE.search(name)
        if m:
            index.setdefault(m.group(1), name)

    def link(found: Attachment) -> Attachment:
        member = index.get(found.name or "")
        if member is None:
            return found
        sha256, size = hash_member(archive, member)
        return replace(found, uri=member, member_sha256=sha256, size=size, omitted=False)

    return link


def _json(
    stream: BinaryIO,
    name: str,
    member: str | None,
    options: ImportOptions,
    roster: Roster,
    link: Callable[[Attachment], Attachment] | None = None,
) -> Iterator[Record]:
    me = sorted(options.me)[0] if options.me else "Me"
    for event in walk(stream, name, lambda path: len(path) <= 1):
        path = event.path
        if not path:
            if event.kind == "value" or (event.kind == "start" and event.value != "object"):
                raise ParseError("not a Snapchat chat history (expected an object)", path=name)
            continue
        key = str(path[0])
        if len(path) == 1:
            expect_list(event, name)
            continue
        raw = event.value
        if not isinstance(raw, dict):
            raise ParseError("a message is not an object", path=name, where=f"json {event.pointer}")
        old = _OLD_KEY.match(key)
        if old:
            sent = old.group(1) == "Sent"
            other = as_str(raw.get("To") if sent else raw.get("From")) or "unknown"
            conversation = other
            sender = me if sent else other
            text = as_str(raw.get("Text")) or ""
        else:
            sent = raw.get("IsSender") is True
            conversation = as_str(raw.get("Conversation Title")) or key
            sender = as_str(raw.get("From")) or (me if sent else key)
            text = as_str(raw.get("Content")) or ""
        ident = None if sender == me and sent else sender
        yield from roster.add(conversation, sender, ident, side="victim" if sent else None)
        locator = Locator(member=member, pointer=pointer(path), offset=event.offset)
        message = _message(raw, conversation, sender, text, locator, sent)
        if link is not None and message.attachments:
            message = replace(message, attachments=tuple(link(a) for a in message.attachments))
        yield message


def _message(
    raw: dict[str, Any], conversation: str, sender: str, text: str, locator: Locator, sent: bool
) -> Message:
    media = (as_str(raw.get("Media Type")) or "TEXT").upper()
    attachments: tuple[Attachment, ...] = ()
    kind = "message"
    flags = {f"snapchat:{media}"}
    if media in _MEDIA:
        ids = [i.strip() for i in (as_str(raw.get("Media IDs")) or "").split("|") if i.strip()]
        attachments = tuple(Attachment(_MEDIA[media], name=i) for i in ids) or (
            Attachment(_MEDIA[media], omitted=True),
        )
    elif media.startswith("STATUS"):
        kind = "system"
        text = text or _STATUS.get(media, media.removeprefix("STATUS").replace("_", " ").lower())
    if raw.get("IsSaved") is True:
        flags.add("saved")
    if sent:
        flags.add("sent_by_account_holder")
    return Message(
        platform="snapchat",
        conversation=conversation,
        sender=sender,
        sender_id=None if sent and sender == "Me" else sender,
        text=_unescape(text),
        locator=locator,
        sent_at=snap_time(raw),
        kind=kind,  # type: ignore[arg-type]
        attachments=attachments,
        flags=frozenset(flags),
    )


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _select(node: Node) -> Literal["node", "open"] | None:
    if node.tag in _HEADINGS or node.tag == "tr":
        return "node"
    return "open" if node.tag == "table" else None


def _html(
    stream: IO[bytes], name: str, member: str | None, options: ImportOptions, roster: Roster
) -> Iterator[Record]:
    """Old ``html/chat_history.html``: a heading per list, then a table with a header row.
    Streamed row by row."""
    me = sorted(options.me)[0] if options.me else "Me"
    heading = ""
    found = False
    columns: list[str] = []
    for node in stream_html(stream, name, _select, member):
        if node.tag in _HEADINGS:
            heading = " ".join(node.text().split())
        elif node.tag == "table":
            found = True
            columns = []
        else:
            cells = [c for c in node.children if isinstance(c, Node) and c.tag in ("td", "th")]
            values = [" ".join(c.text().split()) for c in cells]
            if not columns or all(c.tag == "th" for c in cells):
                columns = values
                continue
            sent = heading.startswith("Sent")
            raw = dict(zip(columns, values, strict=False))
            other = raw.get("To" if sent else "From") or "unknown"
            sender = me if sent else other
            yield from roster.add(other, sender, side="victim" if sent else None)
            text = raw.get("Text") or raw.get("Content") or ""
            locator = Locator(member=member, line=node.line)
            yield _message(raw, other, sender, text, locator, sent)
    if not found:
        raise ParseError("no chat table found in this page", path=name)
