"""Telegram Desktop "Export chat history" / "Export Telegram data" in JSON (``result.json``).

Two shapes, both streamed:

* one chat: ``{"name", "type", "id", "messages": [...]}``
* the whole account: ``{"personal_information": {...}, "chats": {"list": [chat, ...]},
  "left_chats": {"list": [...]}}``

``text`` is a string or an array of strings and entities (``{"type": "link", "text": ...}``,
``{"type": "text_link", "text": ..., "href": ...}``); they are joined with link targets kept.
``date`` is the exporting computer's local time without an offset; ``date_unixtime`` (newer
exports) is exact and used whenever present. Service messages (joins, calls, pins...) become
``kind="system"``. The HTML export is read by :mod:`.telegram_html`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.archive import (
    is_zip,
    linked_member,
    member_head,
    open_archive,
    shallowest,
    zip_names,
)
from unshared.importers.readers.jsonreader import expect_list, json_head, pointer, walk
from unshared.importers.readers.reactions import first_str, reactions
from unshared.importers.readers.records import Roster, as_str, text_of
from unshared.importers.readers.times import from_unix, parse_iso
from unshared.model import Attachment, Locator, Message, Reaction, Record, Side

_TYPE = re.compile(r'"type"\s*:\s*"(?:message|service)"')
_DATE = re.compile(r'"date(?:_unixtime)?"\s*:')
_ACCOUNT = re.compile(r'"(?:personal_information|chats|left_chats|frequent_contacts)"\s*:')

_MEDIA_KINDS = {
    "sticker": "sticker",
    "voice_message": "audio",
    "audio_file": "audio",
    "video_message": "video",
    "video_file": "video",
    "animation": "gif",
}

_ACTIONS = {
    "joined_telegram": "{actor} joined Telegram",
    "create_group": "{actor} created the group {title}",
    "migrate_to_supergroup": "{actor} converted this group to a supergroup",
    "invite_members": "{actor} invited {members}",
    "remove_members": "{actor} removed {members}",
    "join_group_by_link": "{actor} joined the group by link",
    "edit_group_title": "{actor} changed the group name to {title}",
    "edit_group_photo": "{actor} changed the group photo",
    "delete_group_photo": "{actor} removed the group photo",
    "pin_message": "{actor} pinned a message",
    "clear_history": "History was cleared",
    "screenshot_taken": "{actor} took a screenshot",
    "phone_call": "Phone call{duration}{reason}",
    "group_call": "{actor} started a voice chat",
    "contact_signup": "{actor} joined Telegram",
    "set_messages_ttl": "{actor} set messages to auto-delete",
}


def _descend(path: tuple[str | int, ...]) -> bool:
    n = len(path)
    if n == 0 or path == ("messages",):
        return True
    if path[0] not in ("chats", "left_chats"):
        return False
    return n <= 3 or (n == 4 and path[3] == "messages")


@register
class TelegramImporter:
    name: ClassVar[str] = "telegram"
    platform: ClassVar[str] = "telegram"
    priority: ClassVar[int] = 110

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            member = _result_member(zip_names(source))
            if member is None:
                raise WrongFormat("a zip without a Telegram result.json", path=source.name)
            self._sniff_head(member_head(source, member), source.name)
            return
        self._sniff_head(source.head(), source.name)

    @staticmethod
    def _sniff_head(raw: bytes, name: str) -> None:
        head = json_head(raw)
        if not head.lstrip().startswith("{"):
            raise WrongFormat("not a Telegram result.json", path=name)
        if '"messages"' in head and _TYPE.search(head) and _DATE.search(head):
            if '"guild"' in head or '"sender_name"' in head:
                raise WrongFormat("not a Telegram result.json", path=name)
            return
        if _ACCOUNT.search(head) and '"personal_information"' in head:
            return
        raise WrongFormat("not a Telegram result.json", path=name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        if not is_zip(source):
            with source.open() as stream:
                yield from _Parser(source.name, options).run(walk(stream, source.name, _descend))
            return
        # a ChatExport_<date>/ or DataExport_<date>/ folder, zipped or added as a folder: the
        # result.json nearest the top, its media linked by hash
        with open_archive(source, options) as archive:
            names = archive.names()
            member = _result_member(names)
            if member is None:
                raise ParseError("the archive holds no Telegram result.json", path=source.name)
            present, hashes = set(names), dict[str, str]()

            def link(found: Attachment) -> Attachment:
                return linked_member(archive, present, member, found, hashes)

            parser = _Parser(source.name, options, member, link)
            with archive.open(member) as inner:
                yield from parser.run(walk(inner, source.name, _descend, member=member))


def _result_member(names: list[str]) -> str | None:
    return shallowest(names, lambda n: n == "result.json" or n.endswith("/result.json"))


class _Parser:
    def __init__(
        self,
        name: str,
        options: ImportOptions,
        member: str | None = None,
        link: Callable[[Attachment], Attachment] | None = None,
    ) -> None:
        self.name = name
        self.options = options
        self.member = member
        self.link = link
        self.roster = Roster("telegram", options)
        self.chat_name: str | None = None
        self.chat_id: str | None = None
        self.chat_type: str | None = None
        self.found = False

    def conversation(self) -> str:
        if self.chat_name and self.chat_id:
            return f"{self.chat_name} [{self.chat_id}]"
        return self.chat_name or self.chat_id or self.name

    def run(self, events: Iterator[Any]) -> Iterator[Record]:
        for event in events:
            path = event.path
            n = len(path)
            if n == 0:
                if event.kind == "value" or (event.kind == "start" and event.value != "object"):
                    raise ParseError(
                        "not a Telegram export (expected a JSON object)", path=self.name
                    )
                if event.kind == "end" and not self.found:
                    raise ParseError('not a Telegram export: no "messages" list', path=self.name)
                continue
            if path == ("personal_information",) and isinstance(event.value, dict):
                self.me(event.value)
            elif path == ("messages",) or (n == 4 and path[3] == "messages"):
                self.found = True
                expect_list(event, self.name)
            elif n == 2 and path[1] == "list":
                expect_list(event, self.name)
            elif n == 3 and event.kind == "start":
                if event.value != "object":
                    raise ParseError(
                        "a chat is not a JSON object", path=self.name, where=f"json {event.pointer}"
                    )
                self.chat_name = self.chat_id = self.chat_type = None
            elif n == 1 and event.kind == "value" and path[0] in ("name", "id", "type"):
                self.chat_field(str(path[0]), event.value)
            elif n == 4 and event.kind == "value" and path[3] in ("name", "id", "type"):
                self.chat_field(str(path[3]), event.value)
            elif (n == 2 and path[0] == "messages") or (n == 5 and path[3] == "messages"):
                if event.kind != "value":
                    continue
                yield from self.message(event.value, pointer(path), event.offset)

    def me(self, info: dict[str, Any]) -> None:
        user_id = as_str(info.get("user_id"))
        if user_id:
            self.roster.me.update({user_id, f"user{user_id}"})
        full = " ".join(
            x for x in (info.get("first_name"), info.get("last_name")) if isinstance(x, str) and x
        )
        if full:
            self.roster.me.add(full)

    def chat_field(self, key: str, value: Any) -> None:
        if key == "name":
            self.chat_name = as_str(value)
        elif key == "type":
            self.chat_type = as_str(value)
        else:
            self.chat_id = as_str(value)

    def personal_side(self, sender_id: str | None) -> Side | None:
        """In a one-to-one chat the chat's id is the other person's: anyone else writing in it is
        the account holder who exported it."""
        if self.chat_type != "personal_chat" or not self.chat_id or not sender_id:
            return None
        if not sender_id.startswith("user"):
            return None
        return "other" if sender_id == f"user{self.chat_id}" else "victim"

    def message(self, raw: Any, where: str, offset: int) -> Iterator[Record]:
        if not isinstance(raw, dict):
            raise ParseError(
                "a message is not a JSON object", path=self.name, where=f"json {where}"
            )
        conversation = self.conversation()
        service = raw.get("type") == "service"
        sender = as_str(raw.get("actor") if service else raw.get("from"))
        sender_id = as_str(raw.get("actor_id") if service else raw.get("from_id"))
        if sender or sender_id:
            named = self.roster.side(sender, sender_id)  # --me wins
            side = named if named == "victim" else self.personal_side(sender_id)
            yield from self.roster.add(conversation, sender, sender_id, side=side)
        sent_at = from_unix(raw.get("date_unixtime"))
        assumed = False
        if sent_at is None:
            sent_at, assumed = parse_iso(raw.get("date"), self.options)
        text = text_of(raw.get("text"))
        if service and not text:
            text = _service_text(raw, sender)
        flags: set[str] = set()
        if raw.get("edited") or raw.get("edited_unixtime"):
            flags.add("edited")
        if raw.get("forwarded_from"):
            flags.add("forwarded")
            text = f"[forwarded from {as_str(raw.get('forwarded_from'))}] {text}".rstrip()
        if raw.get("via_bot"):
            flags.add("via_bot")
        attachments = _attachments(raw)
        if self.link is not None:
            attachments = [self.link(a) for a in attachments]
        if not text and attachments:
            a = attachments[0]
            text = f"[{a.kind}: {a.name}]" if a.name else f"[{a.kind}]"
        poll = raw.get("poll")
        if isinstance(poll, dict) and isinstance(poll.get("question"), str):
            text = (text + "\n" if text else "") + f"[poll: {poll['question']}]"
        yield Message(
            platform="telegram",
            conversation=conversation,
            sender=sender,
            sender_id=sender_id,
            text=text,
            locator=Locator(member=self.member, pointer=where, offset=offset),
            sent_at=sent_at,
            time_assumed=assumed,
            kind="system" if service else "message",
            attachments=tuple(attachments),
            message_id=as_str(raw.get("id")),
            reply_to=as_str(raw.get("reply_to_message_id")),
            reactions=_reactions(raw.get("reactions")),
            flags=frozenset(flags),
        )


def _service_text(raw: dict[str, Any], actor: str | None) -> str:
    action = as_str(raw.get("action")) or "service message"
    template = _ACTIONS.get(action, "{actor}: " + action.replace("_", " "))
    members = raw.get("members")
    duration = raw.get("duration_seconds")
    reason = as_str(raw.get("discard_reason"))
    values = {
        "actor": actor or "Someone",
        "title": as_str(raw.get("title")) or "",
        "members": ", ".join(str(m) for m in members) if isinstance(members, list) else "",
        "duration": f" ({duration} s)" if isinstance(duration, int | float) else "",
        "reason": f", {reason}" if reason else "",
    }
    return template.format(**values).strip()


def _attachments(raw: dict[str, Any]) -> list[Attachment]:
    found: list[Attachment] = []

    def where(value: Any) -> tuple[str | None, bool]:
        path = as_str(value)
        if path is None:
            return None, False
        if path.startswith("(File not included") or path.startswith("(File exceeds"):
            return None, True
        return path, False

    if "photo" in raw:
        uri, omitted = where(raw.get("photo"))
        found.append(
            Attachment(
                "photo", name=uri.rsplit("/", 1)[-1] if uri else None, uri=uri, omitted=omitted
            )
        )
    if "file" in raw:
        uri, omitted = where(raw.get("file"))
        media = as_str(raw.get("media_type")) or ""
        kind = _MEDIA_KINDS.get(media, "file")
        size = raw.get("file_size")
        found.append(
            Attachment(
                kind,
                name=as_str(raw.get("file_name"))
                or (as_str(raw.get("sticker_emoji")) if kind == "sticker" else None),
                uri=uri,
                mime=as_str(raw.get("mime_type")),
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                omitted=omitted,
            )
        )
    contact = raw.get("contact_information")
    if isinstance(contact, dict):
        name = " ".join(str(contact.get(k) or "") for k in ("first_name", "last_name")).strip()
        phone = as_str(contact.get("phone_number"))
        found.append(Attachment("contact", name=" ".join(x for x in (name, phone) if x) or None))
    location = raw.get("location_information")
    if isinstance(location, dict):
        lat, lon = location.get("latitude"), location.get("longitude")
        found.append(Attachment("location", name=f"{lat},{lon}", uri=f"geo:{lat},{lon}"))
    return found


def _reactions(value: Any) -> tuple[Reaction, ...]:
    return reactions(
        value,
        emoji=first_str("emoji", "document_id"),
        actors="recent",
        actor=first_str("from", "from_id"),
    )
