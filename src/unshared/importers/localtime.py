"""The timezone applied to export times that carry no offset.

``ImportOptions.timezone`` when the user gave one (``--timezone``), else the machine's own zone as
a DST-aware :class:`zoneinfo.ZoneInfo` when it can be named (``TZ`` or ``/etc/localtime``), else the
current fixed offset. Messages dated this way are marked ``time_assumed``.
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from unshared.importers.base import ImportOptions

__all__ = ["local_zone", "zone_for"]


@lru_cache(maxsize=1)
def local_zone() -> tzinfo:
    """The machine's timezone, DST-aware when it can be named."""
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
