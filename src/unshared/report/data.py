"""A read-only snapshot of everything a report needs, taken from an open case.

:func:`collect` is the only part of the report that reads the case; the model builder
(:mod:`unshared.report.model`) works on the :class:`CaseData` it returns and does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from unshared import __version__
from unshared.casefile.log import Event
from unshared.casefile.store import Case, ExhibitInfo, StoredMessage, utcnow
from unshared.model import Participant

__all__ = ["CaseData", "collect", "SETTING_KEYS"]

SETTING_KEYS = ("age", "region", "title", "victim_name", "timezone")


@dataclass(frozen=True)
class CaseData:
    """The case as the report sees it: plain values, no open handles."""

    name: str
    meta: dict[str, str]
    settings: dict[str, str]
    messages: list[StoredMessage]
    participants: list[Participant]
    identifiers: list[tuple[int | None, dict[str, Any]]]
    signals: list[tuple[int, dict[str, Any]]]
    exhibits: list[ExhibitInfo]
    fingerprints: list[dict[str, Any]]
    events: list[Event]
    generated_at: str = field(default_factory=utcnow)
    tool_version: str = __version__


def collect(case: Case) -> CaseData:
    """Read the case once into a :class:`CaseData` snapshot."""
    settings = {}
    for key in SETTING_KEYS:
        value = case.setting(key)
        if value is not None:
            settings[key] = value
    return CaseData(
        name=case.path.name,
        meta=case.meta(),
        settings=settings,
        messages=list(case.messages()),
        participants=case.participants(),
        identifiers=list(case.identifiers()),
        signals=list(case.signals()),
        exhibits=case.exhibits(),
        fingerprints=case.fingerprints(),
        events=list(case.events()),
    )
