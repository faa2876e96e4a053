"""One reader for JSON reactions given as ``[{<emoji>, <actors list> | "count"}]``.

Discord (DiscordChatExporter: ``{"emoji": {"name"}, "users": [{"name", "nickname"}], "count"}``)
and Telegram (``{"emoji", "recent": [{"from", "from_id"}], "count"}``) write reactions the same
way: the people who reacted when the export lists them, else only a count. Each named person
becomes one :class:`~unshared.model.Reaction`; a bare count becomes one reaction by "3 people".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from unshared.importers.readers.records import as_str, people
from unshared.model import Reaction

__all__ = ["first_str", "reactions"]


def reactions(
    value: Any,
    *,
    emoji: Callable[[dict[str, Any]], str | None],
    actors: str,
    actor: Callable[[dict[str, Any]], str | None],
) -> tuple[Reaction, ...]:
    """Reactions from a JSON list: ``emoji(item)`` names the emoji, ``item[actors]`` lists who
    reacted (each read with ``actor``), else ``item["count"]`` says how many."""
    out: list[Reaction] = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        symbol = emoji(item) or "?"
        who = item.get(actors)
        if isinstance(who, list) and who:
            out.extend(Reaction(actor(w) or "?", symbol) for w in who if isinstance(w, dict))
        else:
            out.append(Reaction(people(item.get("count")), symbol))
    return tuple(out)


def first_str(*keys: str) -> Callable[[dict[str, Any]], str | None]:
    """A reader of the first of ``keys`` that holds a scalar."""

    def read(item: dict[str, Any]) -> str | None:
        for key in keys:
            found = as_str(item.get(key))
            if found:
                return found
        return None

    return read
