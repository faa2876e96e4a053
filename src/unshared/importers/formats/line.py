"""LINE chat history saved as text (chat > ≡ menu > Other settings > Export chat history).

LINE writes a banner, then the date once per day as a heading, then one tab-separated line per
message::

    [LINE] Chat history with Mia            (groups: "Chat history in ..."; Japanese
    Saved on: 2026/12/03 09:14               "[LINE] Miaとのトーク履歴", German "Chatverlauf mit")

    2026/12/02(Wed)                         (also "2026.12.02 Wednesday", "Wed, 12/02/2026",
    21:26	Mia	hey its Mia                   "Mi., 02.12.2026")
    21:27	Lee	"two lines                    (a message over several lines is quoted)
    of text"
    21:30	Mia joined the group                (two columns: a notice)

Times are 24-hour or 12-hour ("9:30 PM", "9:30PM", "午後9:30"). A day heading in the
``dd/mm/yyyy`` or ``mm/dd/yyyy`` form is read by the English weekday LINE prints beside it when
one order alone matches it, else by a day over 12 elsewhere in the file's head, else month first
(LINE's US form) and marked ``ambiguous_date``. Times carry no offset: the user's zone is applied
and marked assumed. In a one-to-one chat ("Chat history with Mia") Mia is the other side and the
other name is the person who saved it, the victim's side.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import ClassVar

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.text import iter_lines, sniff_text
from unshared.importers.readers.times import assume
from unshared.model import Attachment, Locator, Message, Participant, Record, Side

__all__ = ["LineImporter"]

PLATFORM = "line"
_BANNER = re.compile(
    r"^\ufeff?(?:\[LINE\]\s*)?(?:"
    r"Chat history (?P<kind>with|in) (?P<en>.+)"
    r"|(?P<ja>.+?)(?P<ja_kind>との|の)トーク履歴"
    r"|Chatverlauf (?:mit|in) (?P<de>.+)"
    r"|Historial de chat con (?P<es>.+)"
    r"|Historique (?:de discussion|des discussions) avec (?P<fr>.+)"
    r"|(?:ประวัติการแชทกับ|ประวัติการสนทนากับ) ?(?P<th>.+)"
    r")\s*$"
)
_SAVED = re.compile(
    r"^(Saved on|Save date|保存日時|Gespeichert am|Guardado el|Enregistré le)\s*[:：]"
)
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})\s*(?:[(（][^)）]*[)）]|\s+\S+)?\s*$")
_WD_NUM = re.compile(r"^(?P<wd>[^\W\d_]{2,12})\.?,?\s+(\d{1,2})([/.])(\d{1,2})\3(\d{4})\s*$")
_TIME = re.compile(
    r"^(?P<pre>午前|午後)?(?P<h>\d{1,2}):(?P<m>\d{2})(?:[\s\u202f\u00a0]*(?P<ap>[AaPp])\.?[Mm]\.?)?\t(?P<rest>.*)$"
)
_WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_MEDIA = {
    "[photo]": "photo",
    "[image]": "photo",
    "[写真]": "photo",
    "[foto]": "photo",
    "[video]": "video",
    "[動画]": "video",
    "[sticker]": "sticker",
    "[スタンプ]": "sticker",
    "[gif]": "gif",
    "[file]": "file",
    "[ファイル]": "file",
    "[voice message]": "audio",
    "[audio]": "audio",
    "[ボイスメッセージ]": "audio",
    "[contact]": "contact",
    "[連絡先]": "contact",
    "[location]": "location",
    "[位置情報]": "location",
}
_UNSENT = re.compile(r"^(you )?unsent a message\.?$|^メッセージの送信を取り消しました$", re.I)
_EVENT = re.compile(
    r"^☎|^\[(call|通話)\]$|^call time |^通話時間|^(no answer|canceled the call|missed call)\.?$"
    r"|\b(joined the group|left the group|invited|has left|changed the group name to)\b"
    r"|(グループに参加しました|グループから退出しました|を招待しました|が退出しました)$",
    re.I,
)
_MAX_SENDER = 100


def _order_hint(text: str) -> str | None:
    """ "dmy" or "mdy" when a numeric day heading in ``text`` has a first or second field over 12."""
    for line in text.splitlines():
        m = _WD_NUM.match(line.strip())
        if m:
            a, b = int(m.group(2)), int(m.group(4))
            if a > 12 >= b:
                return "dmy"
            if b > 12 >= a:
                return "mdy"
    return None


@dataclass
class _Pending:
    day: date | None
    ambiguous: bool
    clock: time | None
    sender: str | None
    head: str
    line: int
    offset: int
    more: list[str] = field(default_factory=list)


@register
class LineImporter:
    name: ClassVar[str] = "line"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 45

    def sniff(self, source: Source) -> None:
        text = sniff_text(source.head(), source.name)
        lines = [ln.strip("\r") for ln in text.splitlines()[:200]]
        banner = any(_BANNER.match(ln) for ln in lines[:3])
        messages = sum(1 for ln in lines if _TIME.match(ln))
        headings = sum(1 for ln in lines if _YMD.match(ln) or _WD_NUM.match(ln.strip()))
        if (banner and messages >= 1) or (headings >= 1 and messages >= 3):
            return
        raise WrongFormat("not a LINE chat history (.txt)", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        hint = _order_hint(sniff_text(source.head(), source.name))
        conversation = re.sub(r"\.txt$", "", PurePosixPath(source.name).name) or source.name
        other: str | None = None
        seen: set[str] = set()
        day: date | None = None
        ambiguous = False
        pending: _Pending | None = None
        count = 0
        with source.open() as stream:
            for number, offset, raw in iter_lines(stream, source.name):
                line = raw.rstrip("\r")
                if number <= 3 and (b := _BANNER.match(line)):
                    title = next(
                        (b.group(k) for k in ("en", "ja", "de", "es", "fr", "th") if b.group(k)),
                        None,
                    )
                    if title:
                        conversation = title.strip()
                        one_to_one = b.group("kind") == "with" or b.group("ja_kind") == "との"
                        one_to_one = one_to_one or bool(b.group("de") and "mit" in line)
                        other = conversation if one_to_one else None
                    continue
                if number <= 4 and _SAVED.match(line):
                    continue
                heading = self._heading(line, hint)
                if heading is not None:
                    if pending is not None:
                        yield from self._emit(pending, conversation, other, options, seen)
                        count += 1
                        pending = None
                    day, ambiguous = heading
                    continue
                m = _TIME.match(line)
                if m is not None:
                    if pending is not None:
                        yield from self._emit(pending, conversation, other, options, seen)
                        count += 1
                    sender, head = self._split(m.group("rest"))
                    pending = _Pending(day, ambiguous, self._clock(m), sender, head, number, offset)
                elif pending is not None:
                    pending.more.append(re.sub(r"^\t{1,2}", "", line))
                elif line.strip():
                    raise ParseError(
                        "text before the first dated LINE message",
                        path=source.name,
                        where=f"line {number}",
                    )
        if pending is not None:
            yield from self._emit(pending, conversation, other, options, seen)
            count += 1
        if count == 0:
            raise ParseError("no LINE messages found", path=source.name)

    @staticmethod
    def _heading(line: str, hint: str | None) -> tuple[date, bool] | None:
        stripped = line.strip()
        m = _YMD.match(stripped)
        try:
            if m is not None:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), False
            w = _WD_NUM.match(stripped)
            if w is None:
                return None
            a, b, year = int(w.group(2)), int(w.group(4)), int(w.group(5))
            if w.group(3) == ".":  # dd.mm.yyyy is day first wherever LINE writes it
                return date(year, b, a), False
            options: list[tuple[str, date]] = []
            for order, (d, mo) in (("dmy", (a, b)), ("mdy", (b, a))):
                try:
                    options.append((order, date(year, mo, d)))
                except ValueError:
                    continue
            if not options:
                return None
            weekday = _WEEKDAYS.get(w.group("wd").lower().rstrip("."))
            fits = [o for o in options if weekday is None or o[1].weekday() == weekday]
            pick = fits if len(fits) == 1 else [o for o in options if o[0] == hint] or options
            chosen = next((o for o in pick if o[0] == "mdy"), pick[0])
            certain = len(options) == 1 or len(fits) == 1 or hint is not None or a == b
            return chosen[1], not certain
        except ValueError:
            return None

    @staticmethod
    def _clock(m: re.Match[str]) -> time | None:
        hour, minute = int(m.group("h")), int(m.group("m"))
        pm = (m.group("ap") or "").lower() == "p" or m.group("pre") == "午後"
        if m.group("ap") or m.group("pre"):
            hour = hour % 12 + (12 if pm else 0)
        try:
            return time(hour, minute)
        except ValueError:
            return None

    @staticmethod
    def _split(rest: str) -> tuple[str | None, str]:
        sender, tab, body = rest.partition("\t")
        if tab and 0 < len(sender.strip()) <= _MAX_SENDER:
            return sender.strip(), body
        return None, rest

    @staticmethod
    def _emit(
        p: _Pending,
        conversation: str,
        other: str | None,
        options: ImportOptions,
        seen: set[str],
    ) -> Iterator[Record]:
        lines = [p.head, *p.more]
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        text = "\n".join(lines)
        if len(lines) > 1 and text.startswith('"') and text.endswith('"'):
            text = text[1:-1].replace('""', '"')
        flags: set[str] = set()
        if p.ambiguous:
            flags.add("ambiguous_date")
        attachments: tuple[Attachment, ...] = ()
        kind = "message"
        sender = p.sender
        stripped = text.strip()
        if sender is None or _EVENT.search(stripped):
            kind = "system"
        elif stripped.lower() in _MEDIA:
            attachments = (Attachment(kind=_MEDIA[stripped.lower()], omitted=True),)
        elif _UNSENT.match(stripped):
            flags.add("unsent")
        sent_at: datetime | None = None
        assumed = False
        if p.day is not None and p.clock is not None:
            sent_at, assumed = assume(datetime.combine(p.day, p.clock), options)
        else:
            flags.add("unreadable_date")
        if sender and kind == "message" and sender not in seen:
            seen.add(sender)
            side: Side = "unknown"
            if sender in options.me:
                side = "victim"
            elif other is not None:
                side = "other" if sender == other else "victim"
            yield Participant(PLATFORM, conversation, sender, side=side)
        yield Message(
            platform=PLATFORM,
            conversation=conversation,
            sender=sender if kind == "message" else None,
            text=text
            if kind == "message" or sender is None or sender in text
            else f"{sender}: {text}",
            locator=Locator(line=p.line, offset=p.offset),
            sent_at=sent_at,
            time_assumed=assumed,
            kind=kind,  # type: ignore[arg-type]
            attachments=attachments,
            flags=frozenset(flags),
        )
