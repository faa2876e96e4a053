"""Google Chat from Google Takeout: ``Google Chat/Groups/<group>/messages.json`` (+ group_info.json).

``messages.json`` is ``{"messages": [{"creator": {"name", "email", "user_type"}, "created_date":
"Monday, 3 July 2023 at 14:02:11 UTC", "text", "attached_files": [{"original_name",
"export_name"}], "quoted_message_metadata", "reactions", "updated_date", "deleted_date",
"message_id", "topic_id"}]}``. ``group_info.json`` holds the group ``name`` and ``members``; in a whole Takeout,
``Google Chat/Users/User <id>/user_info.json`` names the account holder, whose side is the victim's.
A single messages.json or the Takeout zip (every group in it) can be added; messages are streamed.
The creator's e-mail is kept as ``sender_id`` and ``Participant.platform_id``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any, BinaryIO, ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.formats.discord import attachment_kind
from unshared.importers.readers.archive import Archive, is_zip, open_archive, require_member
from unshared.importers.readers.jsonreader import expect_list, json_head, loads, pointer, walk
from unshared.importers.readers.records import Roster, as_str, obj, people
from unshared.importers.readers.times import assume, fixed_offset
from unshared.model import Attachment, Locator, Message, Reaction, Record

_MEMBER = re.compile(r"(?:^|/)Google Chat/Groups/([^/]+)/messages\.json$")
#: The account holder's own record in a Takeout: ``{"user": {"name", "email", "user_type"}}``.
_USER_INFO = re.compile(r"(?:^|/)Google Chat/Users/[^/]+/user_info\.json$")
_ZONE = re.compile(r"\s+(?:UTC|GMT)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$")
_FORMATS = (
    "%A, %d %B %Y at %H:%M:%S",
    "%A, %B %d, %Y at %I:%M:%S %p",
    "%A, %d %B %Y, %H:%M:%S",
    "%A, %B %d, %Y, %I:%M:%S %p",
)


def chat_time(value: Any, options: ImportOptions) -> tuple[datetime | None, bool]:
    """Takeout's long dates, e.g. "Monday, 3 July 2023 at 14:02:11 UTC" (US order too)."""
    if not isinstance(value, str):
        return None, False
    text = " ".join(value.replace("\u202f", " ").replace("\u00a0", " ").split())
    zone: tzinfo | None = None
    m = _ZONE.search(text)
    if m:
        text = text[: m.start()]
        zone = fixed_offset(m.group(1), m.group(2), m.group(3) or "0") if m.group(1) else UTC
    for fmt in _FORMATS:
        try:
            stamp = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return (stamp.replace(tzinfo=zone), False) if zone else assume(stamp, options)
    return None, False


@register
class GoogleChatImporter:
    name: ClassVar[str] = "google-chat"
    platform: ClassVar[str] = "google-chat"
    priority: ClassVar[int] = 125

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            require_member(source, _MEMBER, "a zip without Google Chat messages")
            return
        head = json_head(source.head())
        shaped = head.lstrip().startswith("{") and '"messages"' in head and '"creator"' in head
        if shaped and ('"created_date"' in head or '"topic_id"' in head):
            return
        raise WrongFormat("not a Google Chat messages.json", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        roster = Roster("google-chat", options)
        if not is_zip(source):
            with source.open() as stream:
                yield from _messages(stream, source.name, None, source.name, options, roster)
            return
        with open_archive(source, options) as archive:
            names = set(archive.names())
            groups = sorted((m.group(1), n) for n in names if (m := _MEMBER.search(n)))
            if not groups:
                raise ParseError("the archive holds no Google Chat messages", path=source.name)
            for info_name in sorted(n for n in names if _USER_INFO.search(n)):
                roster.me.update(_account_holder(archive, info_name, source.name))
            for group, member in groups:
                title = group
                info_name = member.rsplit("/", 1)[0] + "/group_info.json"
                if info_name in names:
                    info = loads(archive.read(info_name), source.name, info_name)
                    if isinstance(info, dict):
                        title = _title(info, group)
                with archive.open(member) as stream:
                    yield from _messages(
                        stream,  # type: ignore[arg-type]
                        f"{source.name}!{member}",
                        member,
                        title,
                        options,
                        roster,
                    )


def _account_holder(archive: Archive, member: str, name: str) -> set[str]:
    """The Takeout owner's e-mail and name from ``user_info.json``: their side is the victim's.
    A broken file only loses that hint; one nested too deep is refused like any other."""
    try:
        info = loads(archive.read(member), name, member)
    except ParseError:
        return set()
    user = info.get("user") if isinstance(info, dict) else None
    if not isinstance(user, dict):
        return set()
    return {v for v in (as_str(user.get("email")), as_str(user.get("name"))) if v}


def _title(info: dict[str, Any], group: str) -> str:
    name = as_str(info.get("name"))
    if name:
        return f"{name} [{group}]"
    members = info.get("members")
    if isinstance(members, list):
        names = [as_str(m.get("name")) for m in members if isinstance(m, dict)]
        if any(names):
            return f"{', '.join(n for n in names if n)} [{group}]"
    return group


def _messages(
    stream: BinaryIO,
    name: str,
    member: str | None,
    conversation: str,
    options: ImportOptions,
    roster: Roster,
) -> Iterator[Record]:
    found = False
    for event in walk(stream, name, lambda path: path in ((), ("messages",))):
        path = event.path
        if not path:
            if event.kind == "value" or (event.kind == "start" and event.value != "object"):
                raise ParseError("not a Google Chat messages.json (expected an object)", path=name)
            if event.kind == "end" and not found:
                raise ParseError('not a Google Chat export: no "messages"', path=name)
            continue
        if path == ("messages",):
            found = True
            expect_list(event, name)
            continue
        if len(path) != 2 or path[0] != "messages" or event.kind != "value":
            continue
        raw = event.value
        if not isinstance(raw, dict):
            raise ParseError("a message is not an object", path=name, where=f"json {event.pointer}")
        creator = obj(raw.get("creator"))
        sender = as_str(creator.get("name"))
        email = as_str(creator.get("email"))
        if sender or email:
            yield from roster.add(conversation, sender or email, email)
        yield _message(
            raw, conversation, sender or email, email, member, pointer(path), event.offset, options
        )


def _message(
    raw: dict[str, Any],
    conversation: str,
    sender: str | None,
    email: str | None,
    member: str | None,
    where: str,
    offset: int,
    options: ImportOptions,
) -> Message:
    sent_at, assumed = chat_time(raw.get("created_date"), options)
    flags: set[str] = set()
    if raw.get("updated_date"):
        flags.add("edited")
    if raw.get("deleted_date") or raw.get("message_state") == "DELETED":
        flags.add("unsent")
    attachments: list[Attachment] = []
    for item in raw.get("attached_files") or []:
        if isinstance(item, dict):
            original = as_str(item.get("original_name")) or as_str(item.get("export_name")) or ""
            exported = as_str(item.get("export_name"))
            attachments.append(
                Attachment(attachment_kind(original), name=original or None, uri=exported)
            )
    for item in raw.get("annotations") or []:
        if isinstance(item, dict) and isinstance(item.get("url_metadata"), dict):
            url = item["url_metadata"].get("url")
            link = (
                url.get("private_do_not_access_or_else_safe_url_wrapped_value")
                if isinstance(url, dict)
                else url
            )
            if isinstance(link, str):
                attachments.append(
                    Attachment("link", name=as_str(item["url_metadata"].get("title")), uri=link)
                )
    reactions: list[Reaction] = []
    for item in raw.get("reactions") or []:
        if isinstance(item, dict):
            emoji = obj(item.get("emoji"))
            symbol = as_str(emoji.get("unicode")) or "?"
            actors = item.get("reactor_emails")
            if isinstance(actors, list) and actors:
                reactions.extend(Reaction(str(a), symbol) for a in actors)
            else:
                reactions.append(Reaction(people(None), symbol))
    text = as_str(raw.get("text")) or ""
    quoted = raw.get("quoted_message_metadata")
    if isinstance(quoted, dict) and as_str(quoted.get("text")):
        who = (
            quoted.get("creator", {}).get("name")
            if isinstance(quoted.get("creator"), dict)
            else None
        )
        text = f"> {who + ': ' if who else ''}{quoted['text']}\n{text}"
    if not text and attachments:
        first = attachments[0]
        text = f"[{first.kind}: {first.name}]" if first.name else f"[{first.kind}]"
    return Message(
        platform="google-chat",
        conversation=conversation,
        sender=sender,
        sender_id=email,
        text=text,
        locator=Locator(member=member, pointer=where, offset=offset),
        sent_at=sent_at,
        time_assumed=assumed,
        attachments=tuple(attachments),
        message_id=as_str(raw.get("message_id")),
        reactions=tuple(reactions),
        flags=frozenset(flags),
    )
