"""iMessage conversations written by the open-source ``imessage-exporter`` tool as text
(``imessage-exporter -f txt``): one ``.txt`` file per conversation, named after it.

Each message is its time (``May 17, 2022  5:29:42 PM``, the hour padded with a space, in the
Mac's local time, sometimes followed by ``(Read by you after 1 hour, 49 seconds)``), the sender
on the next line (``Me`` for the account holder, else a contact name, number or address), then its
lines: the text, an attachment's path or ``Attachment missing!``, ``Reactions:`` with lines such
as ``Loved by Me``, an edit history (``Edited 1 minute later: ...``), ``They deleted a message.``,
and ``This message responded to an earlier message.``; replies follow indented by four spaces.
A renamed group is one line: ``<time> <who> renamed the conversation to <name>``. A blank line
ends each message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.formats.discord import attachment_kind
from unshared.importers.readers.records import Roster
from unshared.importers.readers.text import iter_lines, sniff_text
from unshared.importers.readers.times import assume
from unshared.model import Attachment, Locator, Message, Reaction, Record, Side

PLATFORM = "imessage"
_TIME = r"(?P<time>[A-Z][a-z]{2} \d{2}, \d{4} [ \d]\d:\d\d:\d\d [AP]M)"
_HEADER = re.compile(rf"^(?P<indent>(?:    )?){_TIME}(?: \(Read by [^)]* after [^)]*\))?$")
_RENAMED = re.compile(
    rf"^(?P<indent>(?:    )?){_TIME} (?P<who>.+?) renamed the conversation to (?P<name>.*)$"
)
_REACTION = re.compile(
    r"^(?P<what>Loved|Liked|Disliked|Laughed|Emphasized|Questioned|\w+) by (?P<who>.+)$"
)
_EDITED = re.compile(r"^Edited .+ later: (?P<text>.*)$")
_DELETED = re.compile(r"^(?:They|You|.+) deleted a message\.$")
_TIMED = re.compile(rf"^{_TIME} (?P<text>.*)$")
"""The first version of an edited message, after its own time."""
_REPLY_NOTE = "This message responded to an earlier message."


@dataclass
class _Pending:
    line: int
    offset: int
    time: str
    reply: bool
    sender: str | None = None
    lines: list[str] = field(default_factory=list)
    renamed: tuple[str, str] | None = None


@register
class IMessageTextImporter:
    name: ClassVar[str] = "imessage-txt"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 60

    def sniff(self, source: Source) -> None:
        text = sniff_text(source.head(), source.name)
        lines = [ln.rstrip("\r") for ln in text.splitlines()[:3]]
        if (
            len(lines) >= 2
            and _HEADER.match(lines[0])
            and not lines[0].startswith(" ")
            and lines[1].strip()
        ):
            return
        if lines and _RENAMED.match(lines[0]):
            return
        raise WrongFormat("not an imessage-exporter text file", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        title = re.sub(r"\.txt$", "", PurePosixPath(source.name).name, flags=re.IGNORECASE)
        roster = Roster(PLATFORM, options)
        found = False
        pending: _Pending | None = None
        with source.open() as stream:
            for number, offset, line in iter_lines(stream, source.name):
                renamed = _RENAMED.match(line)
                header = _HEADER.match(line)
                if header or renamed:
                    if pending is not None:
                        found = True
                        yield from _records(pending, title, options, roster)
                    m = header or renamed
                    assert m is not None
                    pending = _Pending(number, offset, m.group("time"), bool(m.group("indent")))
                    if renamed:
                        pending.renamed = (renamed.group("who"), renamed.group("name"))
                    continue
                if pending is None:
                    if line.strip():
                        raise ParseError(
                            "text before the first message time",
                            path=source.name,
                            where=f"line {number}",
                        )
                    continue
                body = line[4:] if pending.reply and line.startswith("    ") else line
                if pending.sender is None and pending.renamed is None:
                    pending.sender = body.strip() or None
                else:
                    pending.lines.append(body)
        if pending is not None:
            found = True
            yield from _records(pending, title, options, roster)
        if not found:
            raise ParseError("no messages found", path=source.name)


def _records(p: _Pending, title: str, options: ImportOptions, roster: Roster) -> Iterator[Record]:
    try:
        naive = datetime.strptime(" ".join(p.time.split()), "%b %d, %Y %I:%M:%S %p")
        sent_at, assumed = assume(naive, options)
    except ValueError:
        sent_at, assumed = None, False
    locator = Locator(line=p.line, offset=p.offset)
    if p.renamed is not None:
        who, name = p.renamed
        yield Message(
            PLATFORM, title, who, f"renamed the conversation to {name}", locator,
            sent_at=sent_at, time_assumed=assumed, kind="system",
        )  # fmt: skip
        return
    flags: set[str] = {"reply"} if p.reply else set()
    text: list[str] = []
    attachments: list[Attachment] = []
    reactions: list[Reaction] = []
    in_reactions = False
    lines = list(p.lines)
    while lines and not lines[-1].strip():
        lines.pop()
    for line in lines:
        stripped = line.strip()
        if stripped == "Reactions:":
            in_reactions = True
            continue
        if in_reactions:
            m = _REACTION.match(stripped)
            if m:
                reactions.append(Reaction(m.group("who"), m.group("what").lower()))
                continue
            in_reactions = False
        if stripped == _REPLY_NOTE:
            flags.add("reply")
        elif stripped == "Attachment missing!":
            attachments.append(Attachment("other", omitted=True))
        elif stripped.startswith(("/", "~/")) and "/Attachments/" in stripped:
            name = PurePosixPath(stripped).name
            attachments.append(Attachment(attachment_kind(name), name=name, uri=stripped))
        elif _DELETED.match(stripped):
            flags.add("unsent")
        elif (edited := _EDITED.match(stripped)) is not None:
            flags.add("edited")
            text.append(edited.group("text"))
        elif (first := _TIMED.match(stripped)) is not None:
            text.append(first.group("text"))
        else:
            text.append(line)
    sender = p.sender
    if sender is not None:
        side: Side | None = "victim" if sender == "Me" else None
        yield from roster.add(title, sender, None, side=side)
    body = "\n".join(text).strip("\n")
    if not body and attachments:
        body = f"[{attachments[0].kind}]"
    yield Message(
        PLATFORM,
        title,
        sender,
        body,
        locator,
        sent_at=sent_at,
        time_assumed=assumed,
        attachments=tuple(attachments),
        reactions=tuple(reactions),
        flags=frozenset(flags),
    )
