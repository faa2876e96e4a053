"""The "get help now" panel: the region's emergency and crisis numbers, from the guide data."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from unshared.guide.model import Region

__all__ = ["help_contacts"]


@lru_cache(maxsize=64)
def help_contacts(region: Region, age: int | None = None) -> dict[str, Any]:
    """Before the age is known: lines that suit every age (issue 16). Once it is known, the
    region's crisis lines for that age come first (Childline for a 15-year-old in the UK)."""
    from unshared.guide.loader import default_guide

    data = default_guide()
    info = data.regions.get(region) or data.regions["UK"]
    for_age = [
        c for c in (*info.crisis, *info.trusted_adult_line) if age is not None and c.suits(age)
    ]
    contacts = [info.emergency]
    for contact in (*for_age, *info.help_now):
        if all(contact.id != c.id for c in contacts):
            contacts.append(contact)
    return {
        "region": info.name,
        "emergency": info.emergency,
        "contacts": contacts,
    }
