"""Sextortion signals (stub: filled by the signals issue)."""

from __future__ import annotations

from unshared.model import Signal


def detect_signals(text: str, lang: str = "en") -> list[Signal]:
    """Every stage ``text`` shows, each with the reason it was flagged."""
    return []
