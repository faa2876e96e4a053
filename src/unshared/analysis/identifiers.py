"""Identifiers police need (stub: filled by the identifiers issue)."""

from __future__ import annotations

from unshared.model import Identifier


def extract_identifiers(text: str, region: str = "GB") -> list[Identifier]:
    """Every identifier in ``text``; phone numbers are read for ``region`` (ISO 3166 alpha-2)."""
    return []
