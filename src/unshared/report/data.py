"""A read-only snapshot of everything a report needs, taken through a small read interface.

:func:`collect` is the only part of the report that reads a case, and it reads only through
:class:`CaseReader` (the few read methods of :class:`unshared.casefile.Case`), so the report can be
built and tested from any object that answers them. The model builder (:mod:`unshared.report.build`)
works on the :class:`CaseData` it returns and does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from unshared import __version__
from unshared.casefile import Event, ExhibitInfo, StoredMessage
from unshared.model import Participant

__all__ = ["CaseData", "CaseReader", "collect", "SETTING_KEYS"]

SETTING_KEYS = ("age", "region", "title", "victim_name", "timezone")


class _Settings(Protocol):
    @property
    def age(self) -> int | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def timezone(self) -> str | None: ...


class _Victims(Protocol):
    @property
    def names(self) -> tuple[str, ...]: ...


class CaseReader(Protocol):
    """What :func:`collect` reads: an open case, or anything that answers the same."""

    @property
    def path(self) -> Path: ...
    def meta(self) -> dict[str, str]: ...
    def settings(self) -> _Settings: ...
    def victims(self) -> _Victims: ...
    def messages(self) -> Iterable[StoredMessage]: ...
    def participants(self) -> list[Participant]: ...
    def identifiers(self) -> Iterable[tuple[int | None, dict[str, Any]]]: ...
    def signals(self) -> Iterable[tuple[int, dict[str, Any]]]: ...
    def exhibits(self) -> list[ExhibitInfo]: ...
    def fingerprints(self) -> list[dict[str, Any]]: ...
    def events(self) -> Iterable[Event]: ...


def _utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


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
    generated_at: str = field(default_factory=_utcnow)
    tool_version: str = __version__
    #: The names and ids that are the person reporting (the case's one answer).
    victims: tuple[str, ...] = ()


def collect(case: CaseReader) -> CaseData:
    """Read the case once into a :class:`CaseData` snapshot."""
    typed = case.settings()
    victims = case.victims().names
    values = {
        "age": typed.age,
        "region": typed.region,
        "title": typed.title,
        "timezone": typed.timezone,
        "victim_name": victims[0] if victims else None,
    }
    settings = {key: str(value) for key, value in values.items() if value is not None}
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
        victims=tuple(victims),
    )
