"""X (Twitter) direct messages from the account archive ("Download an archive of your data").

The archive is a zip whose ``data/`` folder holds JavaScript files: ``direct-messages.js``
(one-to-one) and ``direct-messages-group.js`` (groups), each ``window.YTD.<name>.part0 = [...]``
around a JSON array of ``{"dmConversation": {"conversationId", "messages": [...]}}``. Each entry
of ``messages`` has one key: ``messageCreate`` (``id``, ``senderId``, ``recipientId`` in one-to-one
chats, ``createdAt`` ISO time in UTC, ``text``, ``urls``, ``mediaUrls``, ``reactions``,
``editHistory`` in newer archives), or an event (``joinConversation``, ``participantsJoin``,
``participantsLeave``, ``conversationNameUpdate``, ``reactionCreate``, ...), kept as a system
record. Large archives are streamed with the shared JSON reader, one message at a time.

X gives senders as numeric ids. ``data/account.js`` names the archive's owner (the person
reporting: their side is the victim's); every other id keeps its number, with
``https://x.com/i/user/<id>`` as its profile link, which resolves to the account even after a
rename. Media sent in a chat are in ``data/direct_messages_media/`` (``<messageId>-<name>``):
they are linked by name and hashed, never copied. A bare ``direct-messages.js`` file is read too.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.archive import Archive, is_zip, open_archive, zip_names
from unshared.importers.readers.jsonreader import Path, pointer, walk
from unshared.importers.readers.records import as_str, hash_member, obj
from unshared.importers.readers.times import parse_iso
from unshared.model import Attachment, Locator, Message, Participant, Reaction, Record

__all__ = ["XDirectMessagesImporter", "profile_url"]

PLATFORM = "x"
_PREFIX = re.compile(rb"^\s*window\.YTD\.(direct_messages(?:_group)?)\.part\d+\s*=\s*")
_DM_MEMBER = re.compile(r"(?:^|/)data/direct-messages(?:-group)?(?:-part\d+)?\.js$")
_ACCOUNT = re.compile(r"(?:^|/)data/account\.js$")
_MEDIA = re.compile(r"(?:^|/)data/direct_messages(?:_group)?_media/(\d+)-([^/]+)$")
_PREFIX_ANY = re.compile(rb"^\s*window\.YTD\.[A-Za-z_]+\.part\d+\s*=\s*")
_MAX_ACCOUNT_BYTES = 1 << 20


def profile_url(user_id: str) -> str:
    """A link that opens the X account with this numeric id, whatever its current name."""
    return f"https://x.com/i/user/{user_id}"


def _skip_prefix(stream: BinaryIO, name: str) -> int:
    """Move ``stream`` past ``window.YTD...= `` and return how many bytes that was."""
    head = stream.read(256)
    m = _PREFIX_ANY.match(head)
    if m is None:
        raise ParseError("no 'window.YTD...' line at the start", path=name, where="line 1")
    stream.seek(m.end())
    return m.end()


def _descend(path: Path) -> bool:
    return len(path) <= 1 or path[1:] in (("dmConversation",), ("dmConversation", "messages"))


def _account(archive: Archive, member: str | None) -> tuple[str | None, str | None, str | None]:
    """(account id, @username, display name) of the archive's owner."""
    if member is None or archive.size(member) > _MAX_ACCOUNT_BYTES:
        return None, None, None
    raw = archive.read(member)
    m = _PREFIX_ANY.match(raw)
    try:
        data = json.loads(raw[m.end() if m else 0 :].decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ParseError("broken JSON", path=member) from None
    first = obj(obj(data[0]).get("account")) if isinstance(data, list) and data else {}
    username = as_str(first.get("username"))
    return (
        as_str(first.get("accountId")),
        f"@{username}" if username else None,
        as_str(first.get("accountDisplayName")),
    )


class _Parser:
    def __init__(
        self,
        name: str,
        options: ImportOptions,
        owner: tuple[str | None, str | None, str | None],
        media: dict[str, dict[str, tuple[str, str, int]]],
        member: str | None,
        shift: int,
    ) -> None:
        self.name = name
        self.options = options
        self.owner_id, self.owner_handle, self.owner_name = owner
        self.seen: set[tuple[str, str]] = set()
        self.media = media
        self.member = member
        self.shift = shift
        self.conversation: str | None = None

    def _person(self, user_id: str | None) -> tuple[str | None, str | None]:
        """(shown name, profile link) for a sender id."""
        if user_id is None:
            return None, None
        if user_id == self.owner_id:
            return self.owner_handle or self.owner_name or user_id, None
        return user_id, profile_url(user_id)

    def run(self, events: Iterator[Any]) -> Iterator[Record]:
        for event in events:
            path = event.path
            if event.kind == "value" and path[1:] == ("dmConversation", "conversationId"):
                self.conversation = as_str(event.value)
            elif event.kind == "start" and path[1:] == ("dmConversation",):
                self.conversation = None
            elif (
                event.kind == "value"
                and len(path) == 4
                and path[1:3]
                == (
                    "dmConversation",
                    "messages",
                )
            ):
                yield from self._entry(event.value, path, event.offset)
            elif event.kind == "value" and len(path) == 1 and not isinstance(event.value, dict):
                raise ParseError(
                    "an entry is not a conversation object",
                    path=self.name,
                    where=f"json {pointer(path)}",
                )

    def _entry(self, entry: Any, path: Path, offset: int) -> Iterator[Record]:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ParseError(
                "a message entry is not an object with one key",
                path=self.name,
                where=f"json {pointer(path)}",
            )
        ((kind, body),) = entry.items()
        body = obj(body)
        locator = Locator(member=self.member, pointer=pointer(path), offset=offset + self.shift)
        sent_at, assumed = parse_iso(body.get("createdAt"), self.options)
        if kind == "messageCreate":
            yield from self._message(body, locator, sent_at, assumed)
            return
        actor = as_str(body.get("initiatingUserId")) or as_str(body.get("senderId"))
        conversation = self.conversation or as_str(body.get("conversationId")) or "X messages"
        words = re.sub(r"(?<!^)([A-Z])", r" \1", kind).lower()
        details = [words]
        if actor:
            details.append(f"by {self._person(actor)[0]}")
        users = [u for u in (as_str(x) for x in body.get("userIds") or []) if u]
        if users:
            details.append("users " + ", ".join(self._person(u)[0] or u for u in users))
        if as_str(body.get("name")):
            details.append(f"name {body['name']}")
        yield Message(
            platform=PLATFORM,
            conversation=conversation,
            sender=None,
            text=": ".join([details[0], " ".join(details[1:])]) if len(details) > 1 else words,
            locator=locator,
            sent_at=sent_at,
            time_assumed=assumed,
            kind="system",
            flags=frozenset({kind}),
        )

    def _message(
        self, body: dict[str, Any], locator: Locator, sent_at: Any, assumed: bool
    ) -> Iterator[Record]:
        sender_id = as_str(body.get("senderId"))
        recipient = as_str(body.get("recipientId"))
        conversation = (
            self.conversation
            or "-".join(sorted(x for x in (sender_id, recipient) if x))
            or "X messages"
        )
        sender, link = self._person(sender_id)
        key = (conversation, sender_id or "")
        if sender_id and key not in self.seen:
            self.seen.add(key)
            mine = sender_id == self.owner_id or bool(self.options.me & {sender_id, sender or ""})
            yield Participant(
                PLATFORM,
                conversation,
                sender,
                platform_id=sender_id,
                profile_url=link,
                side="victim" if mine else "unknown",
            )
        msg_id = as_str(body.get("id"))
        raw_text = body.get("text")
        text: str = raw_text if isinstance(raw_text, str) else ""
        for url in body.get("urls") or []:
            short, full = as_str(obj(url).get("url")), as_str(obj(url).get("expanded"))
            if short and full and short in text:
                text = text.replace(short, full)
        atts: list[Attachment] = []
        files = self.media.get(msg_id or "", {})
        for media_url in body.get("mediaUrls") or []:
            url = as_str(media_url) or ""
            file_name = url.rsplit("/", 1)[-1]
            found = files.get(file_name)
            kind = (
                "video"
                if "/dm_video/" in url or file_name.endswith(".mp4")
                else ("gif" if "/dm_gif/" in url else "photo")
            )
            atts.append(
                Attachment(
                    kind=kind,
                    name=file_name or None,
                    uri=found[0] if found else url,
                    size=found[2] if found else None,
                    member_sha256=found[1] if found else None,
                    omitted=found is None,
                )
            )
            if text.endswith(url):
                text = text[: -len(url)].rstrip()
        reactions = tuple(
            Reaction(
                self._person(as_str(obj(r).get("senderId")))[0] or "someone",
                as_str(obj(r).get("reactionKey")) or "reaction",
            )
            for r in body.get("reactions") or []
        )
        flags = {"edited"} if len(body.get("editHistory") or []) > 1 else set()
        yield Message(
            platform=PLATFORM,
            conversation=conversation,
            sender=sender,
            sender_id=sender_id,
            text=text,
            locator=locator,
            sent_at=sent_at,
            time_assumed=assumed,
            attachments=tuple(atts),
            message_id=msg_id,
            reactions=reactions,
            flags=frozenset(flags),
        )


@register
class XDirectMessagesImporter:
    name: ClassVar[str] = "x-dms"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 35

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            if any(_DM_MEMBER.search(n) for n in zip_names(source)):
                return
            raise WrongFormat("not an X archive with direct messages", path=source.name)
        if not _PREFIX.match(source.head(256)):
            raise WrongFormat("not an X direct-messages.js file", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        if not is_zip(source):
            with source.open() as stream:
                shift = _skip_prefix(stream, source.name)
                parser = _Parser(source.name, options, (None, None, None), {}, None, shift)
                yield from parser.run(walk(stream, source.name, _descend))
            return
        with open_archive(source, options) as archive:
            names = archive.names()
            owner = _account(archive, next((n for n in names if _ACCOUNT.search(n)), None))
            media: dict[str, dict[str, tuple[str, str, int]]] = {}
            for n in names:
                if m := _MEDIA.search(n):
                    digest, size = hash_member(archive, n)
                    media.setdefault(m.group(1), {})[m.group(2)] = (n, digest, size)
            dm_members = [n for n in names if _DM_MEMBER.search(n)]
            for member in sorted(dm_members, key=lambda n: ("-group" in n, n)):
                with archive.open(member) as raw:
                    stream = io.BufferedReader(raw, 1 << 16)  # type: ignore[type-var]
                    prefix = _PREFIX_ANY.match(stream.peek(256)[:256])
                    if prefix is None:
                        raise ParseError(
                            "no 'window.YTD...' line at the start", path=source.name, where=member
                        )
                    stream.read(prefix.end())
                    parser = _Parser(source.name, options, owner, media, member, prefix.end())
                    yield from parser.run(walk(stream, source.name, _descend, member=member))
