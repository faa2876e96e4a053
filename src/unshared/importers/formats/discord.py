"""Discord: DiscordChatExporter (DCE) JSON and CSV exports.

* JSON: ``{"guild", "channel", "messages": [{"id", "type", "timestamp", "timestampEdited",
  "content", "author": {"id", "name", "discriminator", "nickname", "isBot"}, "attachments",
  "embeds", "stickers", "reactions", "mentions", "reference": {"messageId"}}]}``, streamed.
* CSV: ``AuthorID,Author,Date,Content,Attachments,Reactions`` (one row per message).

Author ids (snowflakes) are kept as ``sender_id``; the nickname shown in the app is the sender,
and the account name (``name#discriminator``) is kept on the participant. The HTML export is in
:mod:`.discord_html`; the official "Request my data" package in :mod:`.discord_package`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.jsonreader import json_head, pointer, walk
from unshared.importers.readers.reactions import first_str, reactions
from unshared.importers.readers.records import Roster, as_str, obj, people
from unshared.importers.readers.text import sniff_text
from unshared.importers.readers.times import assume, parse_iso
from unshared.model import Attachment, Locator, Message, Reaction, Record

_USER_TYPES = {"Default", "Reply", "ThreadStarterMessage", "ChatInputCommand", "ContextMenuCommand"}
_CSV_HEADER = re.compile(r'^\ufeff?"?AuthorID"?,"?Author"?,"?Date"?,"?Content"?', re.IGNORECASE)
_CSV_DATES = ("%d-%b-%y %I:%M %p", "%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S")
_REACTION = re.compile(r"\s*(.+?)\s*\((\d+)\)\s*$")


def attachment_kind(name: str, mime: str | None = None) -> str:
    lowered = (mime or name).lower()
    if re.search(r"image/(gif)|\.gif\b", lowered):
        return "gif"
    if re.search(r"image/|\.(png|jpe?g|webp|heic|bmp)\b", lowered):
        return "photo"
    if re.search(r"video/|\.(mp4|mov|webm|mkv|avi)\b", lowered):
        return "video"
    if re.search(r"audio/|\.(mp3|ogg|wav|m4a|opus|flac)\b", lowered):
        return "audio"
    return "file"


def dce_time(value: Any, options: ImportOptions) -> tuple[datetime | None, bool]:
    """DCE dates: ISO with offset (current) or the locale short forms of older versions."""
    stamp, assumed = parse_iso(value, options)
    if stamp is not None or not isinstance(value, str):
        return stamp, assumed
    for fmt in _CSV_DATES:
        try:
            return assume(datetime.strptime(value.strip(), fmt), options)
        except ValueError:
            continue
    return None, False


def _descend(path: tuple[str | int, ...]) -> bool:
    return path in ((), ("messages",))


@register
class DiscordChatExporterImporter:
    name: ClassVar[str] = "discord"
    platform: ClassVar[str] = "discord"
    priority: ClassVar[int] = 105

    def sniff(self, source: Source) -> None:
        head = json_head(source.head())
        if head.lstrip().startswith("{"):
            if all(f'"{k}"' in head for k in ("guild", "channel", "messages")):
                return
            raise WrongFormat("not a DiscordChatExporter JSON export", path=source.name)
        text = sniff_text(source.head(4096), source.name)
        if not _CSV_HEADER.match(text):
            raise WrongFormat("not a DiscordChatExporter export", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        head = json_head(source.head(4096))
        if head.lstrip().startswith("{"):
            with source.open() as stream:
                yield from _JsonParser(source.name, options).run(
                    walk(stream, source.name, _descend)
                )
        else:
            with source.open() as stream:
                yield from _csv(stream, source.name, options)


class _JsonParser:
    def __init__(self, name: str, options: ImportOptions) -> None:
        self.name = name
        self.options = options
        self.roster = Roster("discord", options)
        self.guild: dict[str, Any] = {}
        self.channel: dict[str, Any] = {}
        self.found = False

    def conversation(self) -> str:
        channel = as_str(self.channel.get("name")) or "channel"
        ident = as_str(self.channel.get("id"))
        guild = as_str(self.guild.get("name"))
        title = channel if not guild or guild == "Direct Messages" else f"{guild} / {channel}"
        return f"{title} [{ident}]" if ident else title

    def run(self, events: Iterator[Any]) -> Iterator[Record]:
        for event in events:
            path = event.path
            if not path:
                if event.kind == "value" or (event.kind == "start" and event.value != "object"):
                    raise ParseError(
                        "not a DiscordChatExporter export (expected an object)", path=self.name
                    )
                if event.kind == "end" and not self.found:
                    raise ParseError(
                        'not a DiscordChatExporter export: no "messages"', path=self.name
                    )
            elif path == ("guild",) and isinstance(event.value, dict):
                self.guild = event.value
            elif path == ("channel",) and isinstance(event.value, dict):
                self.channel = event.value
            elif path == ("messages",):
                self.found = True
                if event.kind == "value" and event.value is not None:
                    raise ParseError(
                        '"messages" is not a list', path=self.name, where="json /messages"
                    )
            elif len(path) == 2 and event.kind == "value":
                yield from self.message(event.value, pointer(path), event.offset)

    def message(self, raw: Any, where: str, offset: int) -> Iterator[Record]:
        if not isinstance(raw, dict):
            raise ParseError(
                "a message is not a JSON object", path=self.name, where=f"json {where}"
            )
        conversation = self.conversation()
        author = obj(raw.get("author"))
        sender_id = as_str(author.get("id"))
        username = as_str(author.get("name"))
        nickname = as_str(author.get("nickname")) or username
        disc = as_str(author.get("discriminator"))
        account = f"{username}#{disc}" if username and disc and disc != "0000" else username
        if sender_id or nickname:
            label = nickname if not account or account == nickname else f"{nickname} ({account})"
            side = self.roster.side(nickname, username, sender_id, account)
            yield from self.roster.add(conversation, label, sender_id, side=side)
        sent_at, assumed = parse_iso(raw.get("timestamp"), self.options)
        mtype = as_str(raw.get("type")) or "Default"
        flags: set[str] = set()
        if raw.get("timestampEdited"):
            flags.add("edited")
        if raw.get("isPinned"):
            flags.add("pinned")
        if author.get("isBot"):
            flags.add("bot")
        if mtype not in _USER_TYPES:
            flags.add(f"discord:{mtype}")
        text = as_str(raw.get("content")) or ""
        attachments = _attachments(raw)
        extra = [
            f"[{a.kind}: {a.name}]" for a in attachments if a.kind in ("sticker", "link") and a.name
        ]
        if extra:
            text = "\n".join([text, *extra]).strip()
        reference = obj(raw.get("reference"))
        yield Message(
            platform="discord",
            conversation=conversation,
            sender=nickname,
            sender_id=sender_id,
            text=text,
            locator=Locator(pointer=where, offset=offset),
            sent_at=sent_at,
            time_assumed=assumed,
            kind="message" if mtype in _USER_TYPES else "system",
            attachments=tuple(attachments),
            message_id=as_str(raw.get("id")),
            reply_to=as_str(reference.get("messageId")),
            reactions=_reactions(raw.get("reactions")),
            flags=frozenset(flags),
        )


def _attachments(raw: dict[str, Any]) -> list[Attachment]:
    out: list[Attachment] = []
    for item in raw.get("attachments") or []:
        if isinstance(item, dict):
            name = as_str(item.get("fileName")) or ""
            size = item.get("fileSizeBytes")
            out.append(
                Attachment(
                    attachment_kind(name),
                    name=name or None,
                    uri=as_str(item.get("url")),
                    size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                )
            )
    for item in raw.get("stickers") or []:
        if isinstance(item, dict):
            out.append(
                Attachment(
                    "sticker", name=as_str(item.get("name")), uri=as_str(item.get("sourceUrl"))
                )
            )
    for item in raw.get("embeds") or []:
        if isinstance(item, dict) and (item.get("url") or item.get("title")):
            out.append(
                Attachment("link", name=as_str(item.get("title")), uri=as_str(item.get("url")))
            )
    return out


def _reactions(value: Any) -> tuple[Reaction, ...]:
    return reactions(
        value,
        emoji=lambda item: as_str(obj(item.get("emoji")).get("name")),
        actors="users",
        actor=first_str("nickname", "name"),
    )


def _csv(stream: Any, name: str, options: ImportOptions) -> Iterator[Record]:
    roster = Roster("discord", options)
    conversation = name.rsplit(".", 1)[0]
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", errors="strict")
    reader = csv.reader(text)
    line = 1
    try:
        header = next(reader, None)
        if not header or [h.lower() for h in header[:4]] != [
            "authorid",
            "author",
            "date",
            "content",
        ]:
            raise ParseError(
                "not a DiscordChatExporter CSV (unexpected header)", path=name, where="line 1"
            )
        columns = {h.lower(): i for i, h in enumerate(header)}
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(row):
                continue
            cell = {k: (row[i] if i < len(row) else "") for k, i in columns.items()}
            sender_id = cell.get("authorid") or None
            sender = cell.get("author") or None
            if sender_id or sender:
                yield from roster.add(conversation, sender, sender_id)
            sent_at, assumed = dce_time(cell.get("date"), options)
            attachments = tuple(
                Attachment(attachment_kind(url), name=url.rsplit("/", 1)[-1].split("?")[0], uri=url)
                for url in (u.strip() for u in (cell.get("attachments") or "").split(","))
                if url
            )
            reactions = []
            for part in (cell.get("reactions") or "").split(","):
                m = _REACTION.match(part)
                if m:
                    reactions.append(Reaction(people(m.group(2)), m.group(1)))
            yield Message(
                platform="discord",
                conversation=conversation,
                sender=sender.rsplit("#", 1)[0]
                if sender and re.search(r"#\d{4}$", sender)
                else sender,
                sender_id=sender_id,
                text=cell.get("content") or "",
                locator=Locator(line=line),
                sent_at=sent_at,
                time_assumed=assumed,
                attachments=attachments,
                reactions=tuple(reactions),
            )
    except UnicodeDecodeError as exc:
        raise ParseError(
            "not valid UTF-8 (is this the right file?)",
            path=name,
            where=f"near line {line}, {exc.reason}",
        ) from None
    except csv.Error as exc:
        raise ParseError(f"broken CSV: {exc}", path=name, where=f"line {line}") from None
    finally:
        text.detach()
