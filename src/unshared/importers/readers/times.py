"""Times read from exports, and the one rule for times that carry no offset.

The zone applied to a time without an offset is ``ImportOptions.timezone`` when the user gave one
(``--timezone``), else the machine's own zone as a DST-aware :class:`zoneinfo.ZoneInfo` when it can
be named (``TZ`` or ``/etc/localtime``), else the current fixed offset. Messages dated this way are
marked ``time_assumed``. Every format reads naive times through :func:`assume` or :func:`zone_for`.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from unshared.importers.base import ImportOptions

__all__ = [
    "assume",
    "fixed_offset",
    "from_unix",
    "local_zone",
    "parse_iso",
    "timezone_from_name",
    "timezone_name",
    "zone_for",
]


@lru_cache(maxsize=1)
def local_zone() -> tzinfo:
    """The machine's time zone as an IANA zone when it can be named (DST-aware), else its
    current offset."""
    candidates: list[str] = []
    env = os.environ.get("TZ", "").lstrip(":")
    if env:
        candidates.append(env)
    try:
        target = Path("/etc/localtime").resolve()
        if "zoneinfo" in target.parts:
            idx = target.parts.index("zoneinfo")
            candidates.append("/".join(target.parts[idx + 1 :]))
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text().strip())  # Debian's name for it
    except OSError:
        pass
    for key in candidates:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    found = datetime.now().astimezone().tzinfo
    assert found is not None
    return found


def zone_for(options: ImportOptions) -> tzinfo:
    return options.timezone if options.timezone is not None else local_zone()


def assume(naive: datetime, options: ImportOptions) -> tuple[datetime, bool]:
    """(aware time, assumed) for a time read from an export."""
    if naive.tzinfo is not None and naive.utcoffset() is not None:
        return naive, False
    return naive.replace(tzinfo=zone_for(options)), True


def from_unix(value: Any, *, millis: bool = False) -> datetime | None:
    """UTC time from a Unix timestamp (seconds, or milliseconds); None when unreadable."""
    try:
        number = float(value)
        if millis:
            number /= 1000.0
        return datetime.fromtimestamp(number, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


_ISO_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def parse_iso(value: Any, options: ImportOptions) -> tuple[datetime | None, bool]:
    """An ISO 8601 time; (None, False) when it is not one. No offset: the user's zone, assumed."""
    if not isinstance(value, str) or not value.strip():
        return None, False
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        try:  # more than 6 fraction digits (.NET exports) or spaces around
            stamp = datetime.fromisoformat(_ISO_FRACTION.sub(r"\1", value.strip(), count=1))
        except ValueError:
            return None, False
    return assume(stamp, options)


def fixed_offset(sign: str, hours: str, minutes: str) -> timezone:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return timezone(-delta if sign == "-" else delta)


def timezone_name(zone: tzinfo | None) -> str | None:
    """A name :func:`timezone_from_name` reads back: the IANA key, else the fixed offset."""
    if zone is None:
        return None
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = zone.utcoffset(None)
    if offset is None:
        return str(zone)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def timezone_from_name(name: str | None) -> tzinfo | None:
    """The time zone recorded for an import (``Europe/London`` or ``UTC+01:00``), or None."""
    if not name:
        return None
    fixed = re.fullmatch(r"UTC(?:([+-])(\d\d):(\d\d))?", name)
    if fixed:
        sign, hours, minutes = fixed.groups()
        return fixed_offset(sign or "+", hours or "0", minutes)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
