"""How a signal that the scorer raised without a rule explains itself.

A rule's signal quotes the rule's words. The scorer's names the closest labelled example
("reads like: ...") and the words that weighed most, and says when the message was read after the
sender's threat or demand, so the officer can always see why.
"""

from __future__ import annotations

from unshared.analysis.signal_scorer import Features, ScorerModel

__all__ = ["excerpt", "scorer_reason"]


def excerpt(text: str, width: int = 70) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def scorer_reason(
    model: ScorerModel, text: str, stage: str, after: bool, features: Features | None = None
) -> str:
    """The scorer's reason for ``stage`` on ``text`` (``after``: read after coercion)."""
    parts: list[str] = []
    if after:
        parts.append("after a threat or demand from the same sender")
    similar, words = model.reasons(text, stage, context=after, features=features)
    if similar:
        parts.append(f'reads like: "{excerpt(similar[0].text)}"')
    if words:
        parts.append("words that weighed most: " + ", ".join(f'"{w}"' for w in words))
    return "; ".join(parts) or "the scorer's estimate"
