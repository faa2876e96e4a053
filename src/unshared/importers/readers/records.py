"""Small helpers shared by the format readers: JSON values, sides, participants, member hashes."""

from __future__ import annotations

import hashlib
from typing import Any

from unshared.importers.base import ImportOptions
from unshared.model import Participant, Side

__all__ = [
    "Roster",
    "people",
    "hash_member",
    "text_of",
    "as_str",
    "obj",
]


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
