"""Skype "Export files" download: ``messages.json``, bare or inside the export ``.tar``.

Structure (documented by Skyperious' ``SkypeExport``)::

    {"userId": "8:live:me", "exportDate": "...", "conversations": [
        {"id": "8:live:bob", "displayName": "Bob", "properties": {...},
         "threadProperties": {"members": "[\\"8:live:a\\", ...]", "topic": ...},
         "MessageList": [{"id", "from", "displayName", "originalarrivaltime", "messagetype",
                          "content", "conversationid", "properties": {"edittime", "deletetime"}}]}]}

Exports run to gigabytes, so the file is streamed (:mod:`.jsonwalk`): one message in memory at
a time. Skype ids (``8:live:...``) are kept unchanged as ``sender_id`` and
``Participant.platform_id``, beside the display name.
"""

from __future__ import annotations

import html
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from typing import Any, BinaryIO, ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.formats.skype_markup import render
from unshared.importers.readers.archive import Archive, is_tar, open_archive
from unshared.importers.readers.jsonreader import expect_list, json_head, pointer, walk
from unshared.importers.readers.records import Roster, as_str, hash_member
from unshared.importers.readers.times import from_unix, parse_iso
from unshared.model import Attachment, Locator, Message, MessageKind, Record

_SKYPE_KEYS = re.compile(r'"(?:MessageList|originalarrivaltime|exportDate)"\s*:')
_SYSTEM_TYPES = ("ThreadActivity/", "Event/", "Notice", "PopCard", "InviteFreeRelationship")
_SKIP_TYPES = ("Control/",)


def _find_member(source: Source) -> str | None:
    """Name of messages.json inside a tar, reading only headers."""
    try:
        with source.open() as fh, tarfile.open(fileobj=fh, mode="r:") as tar:
            for count, info in enumerate(tar):
                if info.isfile() and info.name.rsplit("/", 1)[-1] == "messages.json":
                    return info.name
                if count > 100_000:
                    break
    except (tarfile.TarError, OSError, EOFError, ValueError):
        return None
    return None


@register
class SkypeImporter:
    name: ClassVar[str] = "skype"
    platform: ClassVar[str] = "skype"
    priority: ClassVar[int] = 100

    def sniff(self, source: Source) -> None:
        if is_tar(source):
            if _find_member(source) is None:
                raise WrongFormat("a tar archive without messages.json", path=source.name)
            return
        head = json_head(source.head())
        if not head.lstrip().startswith("{") or '"conversations"' not in head:
            raise WrongFormat("not a Skype messages.json", path=source.name)
        if not _SKYPE_KEYS.search(head):
            raise WrongFormat("not a Skype messages.json", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        with ExitStack() as stack:
            member: str | None = None
            if is_tar(source):
                member = _find_member(source)
                if member is None:
                    raise ParseError("the archive holds no messages.json", path=source.name)
                archive = stack.enter_context(open_archive(source, options))
                stream: BinaryIO = stack.enter_context(archive.open(member))  # type: ignore[assignment]
                name = f"{source.name}!{member}"
            else:
                stream = stack.enter_context(source.open())
                name = source.name
            parser = _Parser(name, member, options)
            if member is not None:
                parser.link = _media_linker(archive)
            yield from parser.run(stream)


def _media_linker(archive: Archive) -> Callable[[Attachment], Attachment]:
    """Links a media object (``.../objects/<doc id>``) to ``media/<doc id>.1.<ext>`` by hash."""
    index: dict[str, str] = {}
    for name in archive.names():
        base = name.rsplit("/", 1)[-1]
        if "/media/" in f"/{name}" and not base.endswith(".json"):
            index.setdefault(base.split(".", 1)[0], name)

    def link(found: Attachment) -> Attachment:
        doc_id = (found.uri or "").rstrip("/").rsplit("/", 1)[-1]
        member = index.get(doc_id) if doc_id else None
        if member is None:
            return found
        sha256, size = hash_member(archive, member)
        return replace(found, member_sha256=sha256, size=size)

    return link


def _is_descended(path: tuple[str | int, ...]) -> bool:
    n = len(path)
    if n == 0:
        return True
    if path[0] != "conversations":
        return False
    return n <= 2 or (n == 3 and path[2] == "MessageList")


class _Parser:
    def __init__(self, name: str, member: str | None, options: ImportOptions) -> None:
        self.name = name
        self.member = member
        self.options = options
        self.roster = Roster("skype", options)
        self.link: Callable[[Attachment], Attachment] | None = None
        self.conv_id: str | None = None
        self.conv_title: str | None = None
        self.members: list[str] = []
        self.seen_root = False
        self.count = 0
        self.names: dict[str, str] = {}
        self.titles: dict[str | None, str] = {}
        self.type_flags: dict[str, frozenset[str]] = {}

    def conversation(self, fallback: str | None = None) -> str:
        cached = self.titles.get(fallback)
        if cached is None:
            cached = self.titles[fallback] = self._conversation(fallback)
        return cached

    def _conversation(self, fallback: str | None) -> str:
        ident = self.conv_id or fallback or "unknown conversation"
        title = self.conv_title
        return f"{title} [{ident}]" if title and title != ident else ident

    def run(self, stream: BinaryIO) -> Iterator[Record]:
        for event in walk(stream, self.name, _is_descended):
            path = event.path
            if not path:
                if event.kind == "start" and event.value != "object":
                    raise ParseError("not a Skype export (expected a JSON object)", path=self.name)
                if event.kind == "value":
                    raise ParseError("not a Skype export (expected a JSON object)", path=self.name)
                if event.kind == "end" and not self.seen_root:
                    raise ParseError('not a Skype export: no "conversations" list', path=self.name)
                continue
            if path == ("userId",) and isinstance(event.value, str):
                self.roster.me.add(event.value)
            elif path == ("conversations",):
                self.seen_root = True
                expect_list(event, self.name)
            elif len(path) == 2 and event.kind == "start":
                if event.value != "object":
                    raise ParseError(
                        "a conversation is not a JSON object",
                        path=self.name,
                        where=f"json {event.pointer}",
                    )
                self.conv_id, self.conv_title, self.members = None, None, []
                self.titles.clear()
            elif len(path) == 2 and event.kind == "end":
                yield from self.end_conversation()
            elif len(path) == 3 and path[2] == "MessageList":
                expect_list(event, self.name)
            elif len(path) == 3 and event.kind == "value":
                self.conversation_field(str(path[2]), event.value)
            elif len(path) == 4 and event.kind == "value":
                yield from self.message(event.value, pointer(path), event.offset)

    def conversation_field(self, key: str, value: Any) -> None:
        self.titles.clear()
        if key == "id":
            self.conv_id = as_str(value)
        elif key == "displayName":
            self.conv_title = as_str(value)
        elif key == "threadProperties" and isinstance(value, dict):
            members = value.get("members")
            if isinstance(members, str):
                try:
                    members = json.loads(members)
                except (ValueError, RecursionError):
                    members = None
            if isinstance(members, list):
                self.members = [m for m in members if isinstance(m, str)]
            topic = value.get("topic")
            if isinstance(topic, str) and topic and not self.conv_title:
                self.conv_title = topic

    def flags(self, mtype: str, extra: set[str]) -> frozenset[str]:
        base = self.type_flags.get(mtype)
        if base is None:
            base = frozenset({f"skype:{mtype}"} if mtype else ())
            if len(self.type_flags) < 1000:
                self.type_flags[mtype] = base
        return base | extra if extra else base

    def end_conversation(self) -> Iterator[Record]:
        conversation = self.conversation()
        for member in self.members:
            ident = member if ":" in member else f"8:{member}"
            if (conversation, ident) not in self.roster.seen and (
                conversation,
                member,
            ) not in self.roster.seen:
                yield from self.roster.add(conversation, None, ident)

    def message(self, raw: Any, where: str, offset: int) -> Iterator[Record]:
        locator = Locator(member=self.member, pointer=where, offset=offset)
        if not isinstance(raw, dict):
            raise ParseError(
                "a message is not a JSON object", path=self.name, where=f"json {where}"
            )
        mtype = as_str(raw.get("messagetype")) or ""
        if mtype.startswith(_SKIP_TYPES):
            return
        conversation = self.conversation(as_str(raw.get("conversationid")))
        sender_id = as_str(raw.get("from"))
        display = as_str(raw.get("displayName"))
        if sender_id and display and len(self.names) < 100_000:
            self.names[sender_id] = display
        sender = display or (self.names.get(sender_id) if sender_id else None)
        if sender_id and sender_id.startswith("19:"):
            sender = None  # thread events come "from" the thread itself
        elif sender_id or sender:
            sender = sender or sender_id
            yield from self.roster.add(conversation, sender, sender_id)
        content = raw.get("content")
        content = content if isinstance(content, str) else ""
        flags: set[str] = set()
        if mtype in ("Text", "") or "<" not in content:
            text = html.unescape(content) if "&" in content else content
            attachments, reply_to, system = [], None, False
            events: list[tuple[str, int | None]] = []
        else:
            rendered = render(content, self.names)
            text, attachments = rendered.text, rendered.attachments
            reply_to, system, flags = rendered.reply_to, rendered.system, rendered.flags
            events = rendered.events
        props = raw.get("properties")
        if isinstance(props, dict):
            if props.get("edittime"):
                flags.add("edited")
            if props.get("deletetime"):
                flags.add("unsent")
        sent_at, assumed = parse_iso(raw.get("originalarrivaltime"), self.options)
        if sent_at is None:
            sent_at, assumed = parse_iso(raw.get("composetime"), self.options)
        kind: MessageKind = "system" if system or mtype.startswith(_SYSTEM_TYPES) else "message"
        self.count += 1
        message = Message(
            platform="skype",
            conversation=conversation,
            sender=sender,
            sender_id=sender_id,
            text=text,
            locator=locator,
            sent_at=sent_at,
            time_assumed=assumed,
            kind=kind,
            attachments=tuple(self.link(a) for a in attachments)
            if self.link
            else tuple(attachments),
            message_id=as_str(raw.get("id")),
            reply_to=reply_to,
            flags=self.flags(mtype, flags),
        )
        if kind != "system" or len(events) < 2:
            yield message
            return
        # one record, several events (members added together): one system message each
        for number, (event_text, millis) in enumerate(events, start=1):
            when = from_unix(millis, millis=True) if millis is not None else None
            yield replace(
                message,
                text=event_text,
                sent_at=when or sent_at,
                time_assumed=assumed if when is None else False,
                flags=message.flags | {f"skype:event:{number}/{len(events)}"},
            )
