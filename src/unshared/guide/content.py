"""The guide's advice as typed data (what the YAML files hold), with no I/O.

:mod:`unshared.guide.loader` reads and checks the files and builds a :class:`GuideData`;
:mod:`unshared.guide.flow` turns it and a person's answers into a plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from unshared.guide.model import Contact, Region, Source

__all__ = ["Action", "GuideData", "PaymentInfo", "PlatformInfo", "RegionInfo", "StepText"]


@dataclass(frozen=True, slots=True)
class Action:
    """One line of advice, shown only when every condition in ``when`` holds."""

    text: str
    when: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StepText:
    """A step's words. ``title`` and ``why`` are variants: the first whose conditions hold."""

    id: str
    title: tuple[Action, ...]
    why: tuple[Action, ...]
    actions: tuple[Action, ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class RegionInfo:
    code: Region
    name: str
    emergency: Contact
    help_now: tuple[Contact, ...]
    crisis: tuple[Contact, ...]
    police: tuple[Contact, ...]
    child_report: tuple[Contact, ...]
    adult_report: tuple[Contact, ...]
    trusted_adult_line: tuple[Contact, ...]
    remove_under18: tuple[Contact, ...]
    takedown_adult: tuple[Contact, ...]
    remove_adult: tuple[Contact, ...]
    escalation: tuple[Contact, ...]
    support: tuple[Contact, ...]
    money: tuple[Contact, ...]
    bank: tuple[Contact, ...]
    escalation_action: str | None = None


@dataclass(frozen=True, slots=True)
class PlatformInfo:
    id: str
    name: str
    report: tuple[str, ...]
    pause: tuple[str, ...]
    help: Contact
    title: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentInfo:
    id: str
    name: str
    check: tuple[str, ...]
    cancel: tuple[str, ...]
    note: tuple[str, ...]
    # (contact, regions it applies to; empty = everywhere)
    contacts: tuple[tuple[Contact, tuple[Region, ...]], ...]


@dataclass(frozen=True, slots=True)
class GuideData:
    services: dict[str, Contact]
    regions: dict[Region, RegionInfo]
    steps: dict[str, StepText]
    platforms: dict[str, PlatformInfo]
    payments: dict[str, PaymentInfo]

    def all_contacts(self) -> list[Contact]:
        """Every contact the data can show (services, platform help, payment contacts)."""
        out = list(self.services.values())
        out += [p.help for p in self.platforms.values()]
        out += [c for p in self.payments.values() for c, _ in p.contacts]
        return out
