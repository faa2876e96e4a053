"""Plain pasted text: ``Name: message`` lines, optionally with a time in front.

The fallback importer for a conversation a victim copied out of an app by hand. Accepted lines:

* ``Name: text``
* ``[12:03] Name: text`` or ``12:03 Name: text``
* ``2024-05-01 12:03 Name: text`` / ``2024-05-01T12:03:00+01:00 Name: text``

A line that does not start a message continues the previous one (multi-line messages). Times with
no offset get the user's timezone and are marked assumed; a time with no date stays a time of day
on the unknown date and is not given a ``sent_at``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from unshared.errors import WrongFormat
from unshared.importers.base import ExpectedForm, ImportOptions, Source, register
from unshared.importers.readers.text import iter_lines, sniff_text
from unshared.importers.readers.times import assume
from unshared.model import Locator, Message, Participant, Record

_STAMP = (
    r"(?:\[?(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?\]?"
    r"|\[?(?P<tod>\d{1,2}:\d{2}(?::\d{2})?)\]?)"
)
_LINE = re.compile(rf"^\s*(?:{_STAMP}\s*[-–]?\s*)?(?P<name>[^:\n]{{1,40}}?)\s*:\s(?P<text>.*)$")
EXPECTED = (
    "pasted text is read as one message per line in the form 'Name: message' "
    "(a time in front is fine: '2024-05-01 12:03 Name: message'); "
    "put the sender's name before each message and add it again"
)
_NOT_A_NAME = re.compile(r"https?$|^\d+$|[<>{}\[\]]")


def _match(line: str) -> re.Match[str] | None:
    m = _LINE.match(line)
    if m is None or _NOT_A_NAME.search(m.group("name")):
        return None
    return m


@register
class PlainTextImporter:
    name: ClassVar[str] = "plaintext"
    platform: ClassVar[str] = "text"
    priority: ClassVar[int] = 1000

    def sniff(self, source: Source) -> None:
        text = sniff_text(source.head(), source.name)
        lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
        hits = sum(1 for ln in lines if _match(ln))
        if not lines or hits < max(1, len(lines) // 2):
            if text.lstrip()[:1] in ("{", "[", "<"):  # data or markup, not pasted words
                raise WrongFormat("no 'Name: message' lines found", path=source.name)
            raise ExpectedForm(EXPECTED, path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        conversation = source.name
        seen: set[str] = set()
        current: dict[str, object] | None = None
        with source.open() as stream:
            for number, offset, line in iter_lines(stream, source.name):
                m = _match(line)
                if m is None:
                    if current is not None and line.strip():
                        current["text"] = f"{current['text']}\n{line}"
                    continue
                if current is not None:
                    yield self._message(current, conversation)
                sender = m.group("name").strip()
                if sender not in seen:
                    seen.add(sender)
                    side = "victim" if sender in options.me else "unknown"
                    yield Participant("text", conversation, sender, side=side)  # type: ignore[arg-type]
                sent_at, assumed = None, False
                if m.group("date"):
                    stamp = f"{m.group('date')}T{m.group('time')}"
                    tz = m.group("tz")
                    try:
                        if tz:
                            sent_at = datetime.fromisoformat(
                                stamp + ("+00:00" if tz == "Z" else tz)
                            )
                        else:
                            sent_at, assumed = assume(datetime.fromisoformat(stamp), options)
                    except ValueError:  # "2024-13-45 25:61": looks like a time, is not one
                        sent_at, assumed = None, False
                current = {
                    "sender": sender,
                    "text": m.group("text"),
                    "line": number,
                    "offset": offset,
                    "sent_at": sent_at,
                    "assumed": assumed,
                    "tod": m.group("tod"),
                }
        if current is not None:
            yield self._message(current, conversation)

    @staticmethod
    def _message(data: dict[str, object], conversation: str) -> Message:
        flags = frozenset({f"time_of_day:{data['tod']}"}) if data["tod"] else frozenset()
        return Message(
            platform="text",
            conversation=conversation,
            sender=str(data["sender"]),
            text=str(data["text"]),
            locator=Locator(line=int(data["line"]), offset=int(data["offset"])),  # type: ignore[call-overload]
            sent_at=data["sent_at"],  # type: ignore[arg-type]
            time_assumed=bool(data["assumed"]),
            flags=flags,
        )
