"""The app's plain words for what the analysis finds (issue 15 item 11): what a thing is called
on screen, before any technical detail (which is folded away for the officer)."""

from __future__ import annotations

from typing import Any

from unshared.usecases.analyse import kind_label

__all__ = ["VALIDITY_WORDS", "identifier_rows", "is_harm"]

VALIDITY_WORDS = {
    "valid": "Checked: a real number",
    "invalid": "May be mistyped: check it against the chat",
    "shape": "Looks right",
}
SIDE_WORDS = {"other": "Them", "victim": "You"}


def identifier_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The identifier table with its words: what it is, whose it is, whether it checks out."""
    out = []
    for row in rows:
        sides = row.get("sides") or []
        side = next((SIDE_WORDS[s] for s in ("other", "victim") if s in sides), "Not sure")
        out.append(
            {
                **row,
                "what": kind_label(row["kind"]),
                "check": VALIDITY_WORDS.get(row.get("valid", "shape"), "Looks right"),
                "whose": side,
            }
        )
    return out


def is_harm(signal: dict[str, Any]) -> bool:
    """A message telling the person to harm themselves (a caring note goes beside it)."""
    details = signal.get("details") or {}
    return details.get("rule") == "self_harm" or "harm yourself" in str(signal.get("reason", ""))
