"""Typed case settings and the one answer to "who is the person reporting?".

Both are read from the log, never from a mutable table: :class:`CaseSettings` folds every
``settings_changed`` event, :class:`Victims` is the newest ``victims_named`` event (the person
said which names are theirs) or, until they have, the participants the exports mark as theirs.
Secrets (a bank's case token) are the only values kept outside the log; the log keeps their SHA-256.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

from unshared.errors import CaseFileError
from unshared.model import Participant, Side

__all__ = ["CaseSettings", "Victims", "bank_token_key", "check_setting_changes"]


@dataclass(frozen=True)
class CaseSettings:
    """What the person told us about the case (all optional; unknown age takes the safe path)."""

    #: The person's age in years, when they gave it.
    age: int | None = None
    #: ISO 3166 country code used to read phone numbers and pick support contacts.
    region: str | None = None
    #: A title for the report instead of the file name.
    title: str | None = None
    #: IANA time zone applied to exports without offsets.
    timezone: str | None = None

    def apply(self, changes: dict[str, Any]) -> CaseSettings:
        return replace(self, **{k: v for k, v in changes.items() if k in _NAMES})


_NAMES = {f.name for f in fields(CaseSettings)}


def check_setting_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised changes; :class:`CaseFileError` names a bad key or value."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in _NAMES:
            raise CaseFileError(f"no setting {key!r}; settings: {', '.join(sorted(_NAMES))}")
        if value is None:
            out[key] = None
        elif key == "age":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 120:
                raise CaseFileError("age must be a whole number of years from 1 to 120")
            out[key] = value
        elif key == "region":
            if not isinstance(value, str) or len(value.strip()) != 2 or not value.isalpha():
                raise CaseFileError("region must be a two-letter country code, for example GB")
            out[key] = value.strip().upper()
        else:
            if not isinstance(value, str) or not value.strip():
                raise CaseFileError(f"{key} must be non-empty text")
            out[key] = value.strip()
    return out


def bank_token_key(bank_url: str) -> str:
    return "bank_token:" + bank_url.rstrip("/")


@dataclass(frozen=True)
class Victims:
    """The names and ids that are the person reporting (the victim's side of the conversation).

    ``recorded`` is true when the person named them (``unshared me CASE NAME``, or the app's
    "which of these is you?"); otherwise they are the participants the exports mark as the
    victim's, which can be wrong or empty.
    """

    names: tuple[str, ...] = ()
    recorded: bool = False

    @cached_property
    def _folded(self) -> frozenset[str]:
        return frozenset(n.casefold() for n in self.names if n)

    @property
    def known(self) -> bool:
        return bool(self.names)

    def matches(self, *values: str | None) -> bool:
        return any(v and v.casefold() in self._folded for v in values)

    def side(self, sender: str | None, sender_id: str | None = None) -> Side:
        """``victim`` or ``other`` for a sender; ``unknown`` for lines without a sender, and for
        everyone while nobody is known to be the victim."""
        if sender is None and sender_id is None:
            return "unknown"
        if not self.names:
            return "unknown"
        return "victim" if self.matches(sender, sender_id) else "other"

    def participant(self, person: Participant) -> Participant:
        """``person`` with its side decided by this answer (a recorded answer overrides the
        export's guess)."""
        if not self.recorded and person.side != "unknown":
            return person
        side = self.side(person.name, person.platform_id)
        return person if side == person.side else replace(person, side=side)

    @classmethod
    def guessed(cls, participants: Iterable[Participant]) -> Victims:
        names: list[str] = []
        for person in participants:
            if person.side == "victim":
                for value in (person.name, person.platform_id):
                    if value and value not in names:
                        names.append(value)
        return cls(tuple(names), recorded=False)
