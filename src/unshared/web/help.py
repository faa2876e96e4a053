"""The "get help now" panel: the region's emergency and crisis numbers, from the guide data."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from unshared.guide.model import Region

__all__ = ["help_contacts"]


@lru_cache(maxsize=8)
def help_contacts(region: Region) -> dict[str, Any]:
    from unshared.guide.loader import default_guide

    data = default_guide()
    info = data.regions.get(region) or data.regions["UK"]
    # Shown on every page, before the age is known: lines that suit every age (issue 16).
    contacts = [info.emergency, *info.help_now]
    return {
        "region": info.name,
        "emergency": info.emergency,
        "contacts": contacts,
    }
