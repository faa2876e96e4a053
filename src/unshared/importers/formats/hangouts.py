"""Google Hangouts from Google Takeout: ``Takeout/Hangouts/Hangouts.json`` (or the Takeout zip).

Two layouts exist. Since 2018: ``{"conversations": [{"conversation": {"conversation":
{"participant_data": [...], "name", "self_conversation_state"}}, "events": [...]}]}``. Before:
``{"conversation_state": [{"conversation_state": {"conversation": {...}, "event": [...]}}]}``.
Each event has ``sender_id.gaia_id``, ``timestamp`` (microseconds since 1970, UTC), ``event_id``
and one of ``chat_message`` (text ``segment``s: TEXT, LINK, LINE_BREAK; ``attachment`` with an
``embed_item``, e.g. a photo's URL), ``hangout_event`` (calls), ``membership_change`` or
``conversation_rename``. Participants carry ``fallback_name`` and, for SMS through Hangouts, a
``phone_number.e164``; the account holder is ``self_conversation_state.self_read_state
.participant_id`` and is the victim's side.

The file is streamed: each conversation's header is decoded whole (it is small), then its events
one by one. Files reach gigabytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.archive import is_zip, open_archive, require_member
from unshared.importers.readers.jsonreader import Path, expect_list, json_head, pointer, walk
from unshared.importers.readers.records import Roster, as_str, obj
from unshared.model import Attachment, Locator, Message, Record, Side

PLATFORM = "hangouts"
_MEMBER = re.compile(r"(?:^|/)Hangouts/Hangouts\.json$", re.IGNORECASE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CALLS = {"START_HANGOUT": "call started", "END_HANGOUT": "call ended"}


def _layout(path: Path) -> tuple[str, int] | None:
    """("new"|"old", depth of the conversation's own level) when ``path`` is inside one."""
    if len(path) >= 2 and path[0] == "conversations" and isinstance(path[1], int):
        return "new", 2
    if len(path) >= 3 and path[0] == "conversation_state" and path[2] == "conversation_state":
        return "old", 3
    return None


def _descend(path: Path) -> bool:
    if path in ((), ("conversations",), ("conversation_state",)):
        return True
    if len(path) == 2 and path[0] in ("conversations", "conversation_state"):
        return True
    if len(path) == 3 and path[0] == "conversations" and path[2] == "events":
        return True
    if len(path) == 3 and path[0] == "conversation_state" and path[2] == "conversation_state":
        return True
    return len(path) == 4 and path[0] == "conversation_state" and path[3] == "event"


class _Conversation:
    """Who is in one conversation: names by id, the account holder, the title."""

    def __init__(self, header: dict[str, Any], fallback: str) -> None:
        self.names: dict[str, str] = {}
        self.phones: dict[str, str] = {}
        for person in header.get("participant_data") or []:
            if not isinstance(person, dict):
                continue
            pid = as_str(obj(person.get("id")).get("gaia_id"))
            if not pid:
                continue
            phone = as_str(obj(person.get("phone_number")).get("e164"))
            name = as_str(person.get("fallback_name"))
            if phone:
                self.phones[pid] = phone
            if name or phone:
                self.names[pid] = name or phone or pid
        state = obj(obj(header.get("self_conversation_state")).get("self_read_state"))
        self.me = as_str(obj(state.get("participant_id")).get("gaia_id"))
        others = [n for pid, n in self.names.items() if pid != self.me]
        self.title = as_str(header.get("name")) or ", ".join(others) or fallback

    def who(self, gaia: str | None) -> str | None:
        return None if gaia is None else self.names.get(gaia, gaia)


@register
class HangoutsImporter:
    name: ClassVar[str] = "hangouts"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 126

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            require_member(source, _MEMBER, "a zip without Hangouts/Hangouts.json")
            return
        head = json_head(source.head()).lstrip()
        if head.startswith("{") and (
            ('"conversations"' in head and ('"conversation_id"' in head or '"events"' in head))
            or '"conversation_state"' in head
        ):
            return
        raise WrongFormat("not a Google Hangouts export (Hangouts.json)", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        roster = Roster(PLATFORM, options)
        if not is_zip(source):
            with source.open() as stream:
                yield from _events(stream, source.name, None, options, roster)
            return
        with open_archive(source, options) as archive:
            members = sorted(n for n in archive.names() if _MEMBER.search(n))
            if not members:
                raise ParseError("the archive holds no Hangouts/Hangouts.json", path=source.name)
            for member in members:
                with archive.open(member) as stream:
                    yield from _events(
                        stream,  # type: ignore[arg-type]
                        f"{source.name}!{member}",
                        member,
                        options,
                        roster,
                    )


def _events(
    stream: BinaryIO, name: str, member: str | None, options: ImportOptions, roster: Roster
) -> Iterator[Record]:
    current: _Conversation | None = None
    found = False
    for event in walk(stream, name, _descend, member=member):
        path = event.path
        if not path:
            if event.kind == "value" or (event.kind == "start" and event.value != "object"):
                raise ParseError("not a Hangouts export (expected an object)", path=name)
            if event.kind == "end" and not found:
                raise ParseError(
                    'not a Hangouts export: no "conversations" or "conversation_state"', path=name
                )
            continue
        if path in (("conversations",), ("conversation_state",)):
            found = True
            expect_list(event, name)
            continue
        layout = _layout(path)
        if layout is None or event.kind != "value":
            if layout is not None and len(path) == 2 and event.kind == "start":
                current = None  # a new conversation begins
            continue
        kind, depth = layout
        rest = path[depth:]
        if rest == ("conversation",):
            header = obj(event.value)
            if kind == "new":
                header = obj(header.get("conversation")) or header
            current = _Conversation(header, f"conversation {path[1]}")
            if current.me:
                roster.me.add(current.me)
        elif len(rest) == 2 and rest[0] in ("events", "event"):
            raw = event.value
            if not isinstance(raw, dict):
                raise ParseError(
                    "an event is not an object", path=name, where=f"json {pointer(path)}"
                )
            conv = current or _Conversation({}, f"conversation {path[1]}")
            yield from _record(raw, conv, member, pointer(path), event.offset, options, roster)


def _record(
    raw: dict[str, Any],
    conv: _Conversation,
    member: str | None,
    where: str,
    offset: int,
    options: ImportOptions,
    roster: Roster,
) -> Iterator[Record]:
    gaia = as_str(obj(raw.get("sender_id")).get("gaia_id"))
    sender = conv.who(gaia)
    platform_id = conv.phones.get(gaia or "") or gaia
    if sender is not None:
        side: Side | None = "victim" if gaia is not None and gaia in roster.me else None
        yield from roster.add(conv.title, sender, platform_id, side=side)
    kind = "message"
    flags: set[str] = set()
    attachments: list[Attachment] = []
    text = ""
    content = obj(obj(raw.get("chat_message")).get("message_content"))
    call = obj(raw.get("hangout_event"))
    change = obj(raw.get("membership_change"))
    rename = obj(raw.get("conversation_rename"))
    if content or raw.get("chat_message") is not None:
        text = _segments(content.get("segment"))
        attachments = _attachments(content.get("attachment"))
        if not text and attachments:
            first = attachments[0]
            text = f"[{first.kind}]"
    elif call:
        kind = "system"
        what = as_str(call.get("event_type")) or "call"
        text = _CALLS.get(what, what.replace("_", " ").lower())
        seconds = as_str(call.get("hangout_duration_secs"))
        if seconds:
            text += f" ({seconds} s)"
        media = as_str(call.get("media_type"))
        if media:
            text += f", {media.replace('_', ' ').lower()}"
        flags.add("call")
    elif change:
        kind = "system"
        ids = [as_str(obj(p).get("gaia_id")) for p in change.get("participant_id") or []]
        names = ", ".join(conv.who(i) or "someone" for i in ids if i) or "someone"
        verb = "joined" if as_str(change.get("type")) == "JOIN" else "left"
        text = f"{names} {verb} the conversation"
    elif rename:
        kind = "system"
        text = f"renamed the conversation to {as_str(rename.get('new_name')) or '(no name)'}"
    else:
        kind = "system"
        text = (as_str(raw.get("event_type")) or "event").replace("_", " ").lower()
    yield Message(
        platform=PLATFORM,
        conversation=conv.title,
        sender=sender,
        sender_id=platform_id,
        text=text,
        locator=Locator(member=member, pointer=where, offset=offset),
        sent_at=_time(raw.get("timestamp")),
        kind=kind,  # type: ignore[arg-type]
        attachments=tuple(attachments),
        message_id=as_str(raw.get("event_id")),
        flags=frozenset(flags),
    )


def _segments(value: Any) -> str:
    parts: list[str] = []
    for seg in value if isinstance(value, list) else []:
        if not isinstance(seg, dict):
            continue
        kind = as_str(seg.get("type"))
        if kind == "LINE_BREAK":
            parts.append("\n")
            continue
        text = as_str(seg.get("text")) or ""
        target = as_str(obj(seg.get("link_data")).get("link_target"))
        parts.append(text)
        if kind == "LINK" and target and target != text and target not in text:
            parts.append(f" ({target})")
    return "".join(parts)


def _attachments(value: Any) -> list[Attachment]:
    out: list[Attachment] = []
    for item in value if isinstance(value, list) else []:
        embed = obj(obj(item).get("embed_item"))
        types = [str(t) for t in embed.get("type") or [] if isinstance(t, str)]
        photo = obj(embed.get("plus_photo"))
        place = obj(embed.get("place_v2") or embed.get("place"))
        if photo:
            media = (as_str(photo.get("media_type")) or "PHOTO").lower()
            kind = "video" if "video" in media else "photo"
            out.append(Attachment(kind, uri=as_str(photo.get("url"))))
        elif place:
            out.append(
                Attachment("location", name=as_str(place.get("name")), uri=as_str(place.get("url")))
            )
        elif types:
            out.append(Attachment("other", name=types[0].lower()))
    return out


def _time(value: Any) -> datetime | None:
    raw = as_str(value)
    if raw is None or not raw.strip().isdigit():
        return None
    try:
        return _EPOCH + timedelta(microseconds=int(raw.strip()))
    except OverflowError:
        return None
