"""Small helpers shared by the importers in this package: times, sides and participants."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from unshared.importers.base import ImportOptions
from unshared.model import Participant, Side

__all__ = [
    "assume",
    "from_unix",
    "parse_iso",
    "Roster",
    "people",
    "hash_member",
    "text_of",
    "as_str",
    "obj",
]


def assume(naive: datetime, options: ImportOptions) -> tuple[datetime, bool]:
    """(aware time, assumed) for a time read from an export."""
    if naive.tzinfo is not None and naive.utcoffset() is not None:
        return naive, False
    if options.timezone is not None:
        return naive.replace(tzinfo=options.timezone), True
    try:
        # this machine's zone with the offset in force on that date (summer time included)
        return naive.replace(tzinfo=None).astimezone(), True
    except (OverflowError, OSError, ValueError):
        return naive.replace(tzinfo=UTC), True


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


def obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty dict (for optional nested fields)."""
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str | None:
    """A scalar as text (ids are numbers in some exports); None for None/containers."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def text_of(value: Any) -> str:
    """Text from a string or a list of strings / {"text": ...} parts (Telegram entities)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts: list[str] = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                text = part.get("text")
                parts.append(text if isinstance(text, str) else "")
                href = part.get("href")
                if isinstance(href, str) and href and href != text:
                    parts.append(f" ({href})")
        return "".join(parts)
    return ""


def hash_member(archive: Any, member: str) -> tuple[str, int]:
    """SHA-256 and size of one archive member, read in chunks (media are never copied)."""
    digest = hashlib.sha256()
    size = 0
    with archive.open(member) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def people(count: object) -> str:
    """Reaction actor when an export gives only a count: "1 person", "3 people"."""
    if isinstance(count, int) and not isinstance(count, bool):
        return "1 person" if count == 1 else f"{count} people"
    if isinstance(count, str) and count.strip().isdigit():
        return people(int(count))
    return "someone"


class Roster:
    """Participants already announced per conversation, so each is yielded once."""

    def __init__(self, platform: str, options: ImportOptions, me: set[str] | None = None) -> None:
        self.platform = platform
        self.me = set(options.me) | (me or set())
        self.seen: set[tuple[str, str]] = set()

    def side(self, *names: str | None) -> Side:
        return "victim" if any(n is not None and n in self.me for n in names) else "unknown"

    def add(
        self,
        conversation: str,
        name: str | None,
        platform_id: str | None = None,
        *,
        side: Side | None = None,
    ) -> tuple[Participant, ...]:
        """The participant the first time it is seen in this conversation, else nothing."""
        key = (conversation, platform_id or name or "")
        if key in self.seen or key[1] == "":
            return ()
        self.seen.add(key)
        return (
            Participant(
                self.platform,
                conversation,
                name,
                platform_id=platform_id,
                side=side or self.side(name, platform_id),
            ),
        )
