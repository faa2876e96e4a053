"""Discord's own data package ("Request all of my data"), a zip.

Layout (older packages lower-case, newer ones capitalised)::

    account/user.json                      {"id", "username", "discriminator", "global_name"}
    messages/index.json                    {"<channel id>": "Direct Message with name#0", ...}
    messages/c<channel id>/channel.json    {"id", "type", "name", "recipients", "guild": {...}}
    messages/c<channel id>/messages.csv    ID,Timestamp,Contents,Attachments
    messages/c<channel id>/messages.json   [{"ID", "Timestamp", "Contents", "Attachments"}]

The package holds only the messages the account holder sent, so every message's sender is the
account holder (the victim's own words: their side of the conversation). Older packages name
the folder ``messages/<id>`` without the ``c``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.formats.discord import attachment_kind
from unshared.importers.readers.archive import Archive, is_zip, open_archive, require_member
from unshared.importers.readers.jsonreader import loads, pointer, walk
from unshared.importers.readers.records import Roster, as_str, obj
from unshared.importers.readers.times import parse_iso
from unshared.model import Attachment, Locator, Message, Record

_MESSAGES = re.compile(r"(?:^|/)messages/c?(\d+)/messages\.(csv|json)$", re.IGNORECASE)


def _small_json(archive: Archive, member: str | None, name: str) -> Any:
    if member is None:
        return None
    return loads(archive.read(member), name, member)


@register
class DiscordPackageImporter:
    name: ClassVar[str] = "discord-package"
    platform: ClassVar[str] = "discord"
    priority: ClassVar[int] = 106

    def sniff(self, source: Source) -> None:
        if not is_zip(source):
            raise WrongFormat("not a Discord data package", path=source.name)
        require_member(source, _MESSAGES, "not a Discord data package")

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        with open_archive(source, options) as archive:
            names = archive.names()
            lower = {n.lower(): n for n in names}
            user_member = next(
                (n for k, n in lower.items() if k.endswith("account/user.json")), None
            )
            user = _small_json(archive, user_member, source.name) or {}
            index_member = next(
                (n for k, n in lower.items() if k.endswith("messages/index.json")), None
            )
            index = _small_json(archive, index_member, source.name) or {}
            if not isinstance(index, dict):
                index = {}
            me_id = as_str(user.get("id")) if isinstance(user, dict) else None
            me_name = None
            if isinstance(user, dict):
                me_name = as_str(user.get("global_name")) or as_str(user.get("username"))
            roster = Roster("discord", options, {x for x in (me_id, me_name) if x})
            channels = sorted(
                (m.group(1), n, m.group(2).lower()) for n in names if (m := _MESSAGES.search(n))
            )
            if not channels:
                raise ParseError("the package holds no messages", path=source.name)
            for channel_id, member, ext in channels:
                folder = member.rsplit("/", 1)[0]
                info = _small_json(
                    archive, lower.get(f"{folder}/channel.json".lower()), source.name
                )
                conversation = _conversation(channel_id, info, index)
                yield from roster.add(conversation, me_name, me_id, side="victim")
                reader = _rows_csv if ext == "csv" else _rows_json
                with archive.open(member) as stream:
                    for where, row in reader(stream, f"{source.name}!{member}"):
                        yield _message(row, where, member, conversation, me_name, me_id, options)


def _conversation(channel_id: str, info: Any, index: dict[str, Any]) -> str:
    title = as_str(index.get(channel_id))
    if not title and isinstance(info, dict):
        guild = obj(info.get("guild"))
        name = as_str(info.get("name"))
        gname = as_str(guild.get("name"))
        title = f"{gname} / {name}" if gname and name else name
        if not title and isinstance(info.get("recipients"), list):
            title = "Direct messages with " + ", ".join(str(r) for r in info["recipients"])
    return f"{title} [{channel_id}]" if title else channel_id


def _rows_csv(stream: Any, name: str) -> Iterator[tuple[Locator, dict[str, str]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    line = 1
    try:
        header = next(reader, None) or []
        keys = [h.strip().lower() for h in header]
        if "timestamp" not in keys or "contents" not in keys:
            raise ParseError("unexpected messages.csv header", path=name, where="line 1")
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if any(row):
                yield (
                    Locator(line=line),
                    {k: row[i] if i < len(row) else "" for i, k in enumerate(keys)},
                )
    except UnicodeDecodeError:
        raise ParseError("not valid UTF-8", path=name, where=f"near line {line}") from None
    except csv.Error as exc:
        raise ParseError(f"broken CSV: {exc}", path=name, where=f"line {line}") from None
    finally:
        text.detach()


def _rows_json(stream: Any, name: str) -> Iterator[tuple[Locator, dict[str, str]]]:
    for event in walk(stream, name, lambda path: path == ()):
        if event.kind == "start" and not event.path and event.value != "array":
            raise ParseError("messages.json is not a list", path=name)
        if event.kind == "value" and not event.path:
            raise ParseError("messages.json is not a list", path=name)
        if event.kind == "value" and len(event.path) == 1:
            if not isinstance(event.value, dict):
                raise ParseError(
                    "a message is not an object", path=name, where=f"json {event.pointer}"
                )
            row = {str(k).lower(): as_str(v) or "" for k, v in event.value.items()}
            yield Locator(pointer=pointer(event.path), offset=event.offset), row


def _message(
    row: dict[str, str],
    where: Locator,
    member: str,
    conversation: str,
    me_name: str | None,
    me_id: str | None,
    options: ImportOptions,
) -> Message:
    sent_at, assumed = parse_iso(row.get("timestamp"), options)
    urls = [u for u in re.split(r"[\s,]+", row.get("attachments") or "") if u]
    attachments = tuple(
        Attachment(attachment_kind(u), name=u.rsplit("/", 1)[-1].split("?")[0], uri=u) for u in urls
    )
    return Message(
        platform="discord",
        conversation=conversation,
        sender=me_name or "account holder",
        sender_id=me_id,
        text=row.get("contents") or "",
        locator=Locator(member=member, line=where.line, pointer=where.pointer, offset=where.offset),
        sent_at=sent_at,
        time_assumed=assumed,
        attachments=attachments,
        message_id=row.get("id") or None,
        flags=frozenset({"sent_by_account_holder"}),
    )
