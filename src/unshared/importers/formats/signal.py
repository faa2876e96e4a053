"""Signal Desktop chats exported with signal-export (``sigexport``): the Markdown/text chat file.

signal-export writes one line per message, ``[2024-01-31 12:34:56] Name: text`` (older versions:
``[2019-12-24, 12:23]``), then continuation lines; it appends reactions as ``(- Name: 👍 -)``,
stickers as ``(( label ))`` or a ``[label](../exported_stickers/...)`` link, attachments as
``[name](./media/file)`` (``!`` in front for images), quotes as ``> `` lines and deleted messages
as ``(This message was deleted)``. Times have no offset: the user's timezone is applied and
marked assumed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from typing import ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.text import iter_lines, sniff_text
from unshared.importers.readers.times import zone_for
from unshared.model import Attachment, Locator, Message, Participant, Reaction, Record

__all__ = ["SignalImporter"]

PLATFORM = "signal"
EXPORTER = "Me"
_LINE = re.compile(
    r"^\[(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?P<comma>,)? (?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2}))?\] (?P<rest>.*)$"
)
_SENDER = re.compile(r"^(?P<name>[^:\n]{1,120}?): ?(?P<text>.*)$", re.DOTALL)
_REACTIONS = re.compile(r"\n?\(- (?P<list>.*?) -\)\s*$")
_STICKER = re.compile(r"\n?\(\( (?P<label>.*?) \)\)\s*$")
_LINK = re.compile(r"(?P<img>!)?\[(?P<name>[^\]\n]*)\]\((?P<path>\.{1,2}/[^)\n]+)\)\s{0,2}")
_MARKERS = re.compile(r"\]\(\./media/|\]\(\.\./exported_stickers/|\n\(- .+ -\)|\(\( .+ \)\)")
_IMG = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".tif", ".tiff"}
_AUD = {".m4a", ".aac", ".mp3", ".ogg", ".opus", ".wav", ".flac"}
_VID = {".mp4", ".mov", ".mkv", ".webm", ".mpeg"}


def _kind(path: str, image_mark: bool) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    if "exported_stickers/" in path:
        return "sticker"
    if image_mark or suffix in _IMG:
        return "gif" if suffix == ".gif" else "photo"
    if suffix in _AUD:
        return "audio"
    if suffix in _VID:
        return "video"
    return "file"


@dataclass
class _Pending:
    match: re.Match[str]
    line: int
    offset: int
    extra: list[str] = field(default_factory=list)


@register
class SignalImporter:
    name: ClassVar[str] = "signal"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 40

    def sniff(self, source: Source) -> None:
        text = sniff_text(source.head(), source.name)
        lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
        first = _LINE.match(lines[0]) if lines else None
        if first is None or not _SENDER.match(first.group("rest")):
            raise WrongFormat(
                "does not start with a signal-export '[date] Name:' line", path=source.name
            )
        # "[2024-01-31 12:34:56] Name:" is also a (rare) WhatsApp header: without signal-export's
        # own marks (a comma after the date, .md, media links) leave it to WhatsApp.
        if not (
            first.group("comma") or source.name.lower().endswith(".md") or _MARKERS.search(text)
        ):
            raise WrongFormat("no signal-export marks (.md name, media links)", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        zone = zone_for(options)
        conversation = re.sub(r"\.(md|txt)$", "", PurePosixPath(source.name).name) or source.name
        seen: set[str] = set()
        pending: _Pending | None = None
        with source.open() as stream:
            for number, offset, line in iter_lines(stream, source.name):
                m = _LINE.match(line)
                if m is not None:
                    if pending is not None:
                        yield from self._emit(pending, conversation, zone, options, seen)
                    pending = _Pending(m, number, offset)
                elif pending is not None:
                    pending.extra.append(line)
                elif line.strip():
                    raise ParseError(
                        "text before the first '[date] Name:' line",
                        path=source.name,
                        where=f"line {number}",
                    )
        if pending is None:
            raise ParseError("no Signal messages found", path=source.name)
        yield from self._emit(pending, conversation, zone, options, seen)

    @staticmethod
    def _emit(
        p: _Pending, conversation: str, zone: tzinfo, options: ImportOptions, seen: set[str]
    ) -> Iterator[Record]:
        m = p.match
        body = "\n".join([m.group("rest"), *p.extra]).rstrip("\n")
        sm = _SENDER.match(body)
        sender = sm.group("name").strip() if sm else None
        text = sm.group("text") if sm else body
        flags: set[str] = set()
        reactions: list[Reaction] = []
        atts: list[Attachment] = []
        if rm := _REACTIONS.search(text):
            for part in rm.group("list").split(", "):
                actor, _, emoji = part.rpartition(":")
                reactions.append(Reaction(actor.strip(), emoji.strip()))
            text = text[: rm.start()]
        if st := _STICKER.search(text):
            atts.append(Attachment(kind="sticker", name=st.group("label")))
            text = text[: st.start()]
        for lm in _LINK.finditer(text):
            path = lm.group("path")
            atts.append(
                Attachment(kind=_kind(path, bool(lm.group("img"))), name=lm.group("name"), uri=path)
            )
        text = _LINK.sub("", text).rstrip()
        if text == "(This message was deleted)":
            flags.add("deleted")
        if any(ln.startswith("> ") for ln in text.splitlines()):
            flags.add("quote")
        try:
            sent_at: datetime | None = datetime(
                int(m.group("y")),
                int(m.group("mo")),
                int(m.group("d")),
                int(m.group("h")),
                int(m.group("mi")),
                int(m.group("s") or 0),
                tzinfo=zone,
            )
        except ValueError:
            sent_at = None
            flags.add("unreadable_date")
        if sender and sender not in seen:
            seen.add(sender)
            # signal-export writes "Me" for the messages of the account that exported the chat.
            side = "victim" if sender in options.me or sender == EXPORTER else "unknown"
            yield Participant(PLATFORM, conversation, sender, side=side)  # type: ignore[arg-type]
        yield Message(
            platform=PLATFORM,
            conversation=conversation,
            sender=sender,
            text=text,
            locator=Locator(line=p.line, offset=p.offset),
            sent_at=sent_at,
            time_assumed=sent_at is not None,
            kind="message" if sender else "system",
            attachments=tuple(atts),
            reactions=tuple(reactions),
            flags=frozenset(flags),
        )
