"""WhatsApp message headers: the date and time in front of every message, and the file-wide
inference of the day/month order.

One regular expression covers every header in whatstk's catalogue (``%d/%m/%y``, ``%y-%m-%d``,
``[%d.%m.%y %H:%M:%S]``, 12 and 24 hours, 2- and 4-digit years) plus the variants users meet:
Finnish ``12.3.2021 klo 14.05``, Spanish ``p. m.``/``a. m.``, narrow and ordinary no-break spaces
(U+202F, U+00A0) before ``AM``/``PM``, en and em dashes as separators, a trailing dot after the time
(``13:34. -``) and a left-to-right mark (U+200E) in front of the line.

The order of the three date fields cannot be read from one line (``03/04/21``), so
:class:`DateOrder` collects every header of the file and decides once: an order is possible when
every date fits it (a field over 12 is a day, a 4-digit field is the year); among the possible
orders the one that keeps the messages in time order wins (and, between year-first and year-last
readings of two-digit years, the one spanning less time); when that still does not decide, the
file is *ambiguous*: day-first is used and each message whose date would change under the other
order is flagged ``ambiguous_date``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import NamedTuple

__all__ = ["Header", "match_header", "find_headers", "DateOrder", "ORDERS"]

_SP = "[ \u00a0\u202f]"
_HEADER = re.compile(
    r"^[\u200e\u200f\ufeff]?(?P<open>\[)?"
    r"(?P<d1>\d{1,4})(?P<ds>[./\-])(?P<d2>\d{1,2})(?P=ds)(?P<d3>\d{1,4})\.?"
    rf"(?:,{_SP}*|{_SP}+)(?:(?:klo|kl\.|um|à|às|alle|om){_SP}+)?"
    r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    rf"(?:{_SP}*(?P<ampm>(?P<ap>[aApP])\.?{_SP}?[mM]\.?))?\.?"
    rf"(?(open)\]{_SP}?|{_SP}?[-–—]{_SP})"
)

_HEADER_AT_LINE = re.compile(_HEADER.pattern, re.MULTILINE)

ORDERS = ("DMY", "MDY", "YMD", "YDM")
_PREFERENCE = {"DMY": 0, "MDY": 1, "YMD": 2, "YDM": 3}


class Header(NamedTuple):
    raw: tuple[str, str, str]
    hour: int
    minute: int
    second: int
    shape: tuple[bool, str, int, bool, bool]
    end: int
    """Index in the line where the body (``Name: text``) starts."""
    us_clock: bool = False
    """A plain ``AM``/``PM`` marker (not Spanish ``p. m.``): the clock of US-locale phones."""


def match_header(line: str) -> Header | None:
    """The header at the start of ``line``, or None when the line continues a message."""
    m = _HEADER.match(line)
    return None if m is None else _header(m)


def find_headers(text: str) -> Iterator[tuple[int, Header]]:
    """Every header at the start of a line of ``text`` (lines end with ``\\n``), with the index
    of its line: what :func:`match_header` finds line by line, found by one search over a block."""
    for m in _HEADER_AT_LINE.finditer(text):
        header = _header(m)
        if header is not None:
            yield m.start(), header


def _header(m: re.Match[str]) -> Header | None:
    op, d1, ds, d2, d3, h, mi, s, ampm, ap = m.groups()
    hour, minute, second = int(h), int(mi), int(s) if s else 0
    if ap:
        # "13:37:00 p.m." occurs in the wild: a marker after an hour past 12 is redundant.
        if ap in "pP" and hour < 12:
            hour += 12
        elif ap in "aA" and hour == 12:
            hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    if len(d1) > 2:
        year_at = 0
    elif len(d3) > 2:
        year_at = 2
    else:
        year_at = -1
    shape = (op is not None, ds, year_at, s is not None, ap is not None)
    us_clock = ampm is not None and ampm.upper() in ("AM", "PM")
    return Header((d1, d2, d3), hour, minute, second, shape, m.end() - m.start(), us_clock)


@lru_cache(maxsize=1 << 16)
def _readings(raw: tuple[str, str, str]) -> tuple[tuple[str, tuple[int, int, int]], ...]:
    """Every order ``raw`` fits, with its (year, month, day); cached: chats repeat dates."""
    return tuple((o, ymd) for o in ORDERS if (ymd := _ymd(raw, o)) is not None)


def _ymd(raw: tuple[str, str, str], order: str) -> tuple[int, int, int] | None:
    """(year, month, day) of ``raw`` read in ``order``, or None when it does not fit."""
    values = dict(zip(order, raw, strict=True))
    y, mo, d = values["Y"], values["M"], values["D"]
    if len(mo) > 2 or len(d) > 2 or len(y) == 3:
        return None
    if any(len(v) == 4 for k, v in values.items() if k != "Y"):
        return None
    year, month, day = int(y), int(mo), int(d)
    if len(y) <= 2:
        year += 2000
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return year, month, day


@dataclass
class DateOrder:
    """Collects the dates of a whole file, then decides their field order."""

    possible: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDERS, 0))
    backwards: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ORDERS, 0))
    _last: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    _low: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    _high: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)
    _dates: dict[tuple[str, str, str], tuple[tuple[int, int, int] | None, bool]] = field(
        default_factory=dict
    )
    total: int = 0
    order: str = "DMY"
    ambiguous: bool = False
    twelve_hour: bool = False
    """Headers with a plain AM/PM: the clock US-locale phones use, which write the month first."""

    def add(self, raw: tuple[str, str, str], times: int = 1) -> None:
        """Count ``raw`` (seen ``times`` times in a row: a run changes no order or span)."""
        self.total += times
        for order, ymd in _readings(raw):
            self.possible[order] += times
            last = self._last.get(order)
            if last is not None and ymd < last:
                self.backwards[order] += 1
            self._last[order] = ymd
            if order not in self._low or ymd < self._low[order]:
                self._low[order] = ymd
            if order not in self._high or ymd > self._high[order]:
                self._high[order] = ymd

    def _span(self, order: str) -> int:
        low, high = self._low.get(order), self._high.get(order)
        if low is None or high is None:
            return 0
        return (high[0] - low[0]) * 372 + (high[1] - low[1]) * 31 + (high[2] - low[2])

    def decide(self) -> str:
        self._dates.clear()
        best = max(self.possible.values(), default=0)
        fitting = [o for o in ORDERS if self.possible[o] == best and best > 0]
        if not fitting:
            self.order, self.ambiguous = "DMY", False
            return self.order
        fewest = min(self.backwards[o] for o in fitting)
        calm = [o for o in fitting if self.backwards[o] == fewest]
        # Year first or year last (only open with two-digit years): the reading that keeps the
        # chat within the shorter span of time wins; a chat does not jump decades back and forth.
        year_first = [o for o in calm if o[0] == "Y"]
        year_last = [o for o in calm if o[0] != "Y"]
        if year_first and year_last:
            if min(map(self._span, year_first)) < min(map(self._span, year_last)):
                calm = year_first
            else:
                calm = year_last
        calm.sort(key=_PREFERENCE.__getitem__)
        self.order = calm[0]
        # What remains in doubt is a day/month swap.
        swap = {"DMY": "MDY", "MDY": "DMY", "YMD": "YDM", "YDM": "YMD"}[self.order]
        self.ambiguous = swap in calm
        if self.ambiguous:
            # Both readings fit and keep time order. A chat's messages sit close together, so the
            # reading with the shorter span wins ("1/2/24", "1/3/24": 2-3 January, not 1 February
            # to 1 March). With equal spans, a 12-hour clock means a month-first (US) phone.
            mine, other = self._span(self.order), self._span(swap)
            if other < mine or (other == mine and self.twelve_hour and swap == "MDY"):
                self.order = swap
        return self.order

    def date(self, raw: tuple[str, str, str]) -> tuple[tuple[int, int, int] | None, bool]:
        """(year, month, day) in the decided order and whether it is in doubt."""
        found = self._dates.get(raw)
        if found is None:
            found = self._date(raw)
            if len(self._dates) < 1 << 16:
                self._dates[raw] = found
        return found

    def _date(self, raw: tuple[str, str, str]) -> tuple[tuple[int, int, int] | None, bool]:
        readings = _readings(raw)
        ymd = next((y for o, y in readings if o == self.order), None)
        if ymd is None:
            return (readings[0][1], True) if readings else (None, False)
        doubtful = self.ambiguous and ymd[1] != ymd[2]
        return ymd, doubtful


def build_datetime(
    ymd: tuple[int, int, int], header: Header, zone: tzinfo | None = None
) -> datetime | None:
    try:
        return datetime(
            ymd[0], ymd[1], ymd[2], header.hour, header.minute, header.second, tzinfo=zone
        )
    except ValueError:
        return None
