"""The guide's plain data: answers in, a plan of steps out. No I/O here.

A :class:`Plan` is what ``unshared guide --format json`` prints::

    {"steps": [{"id", "title", "why", "actions": [...],
                "contacts": [{"name", "phone", "text", "url", "hours", "source", "checked"}]}]}

Answers are tri-state where a person may not know: ``True`` (yes), ``False`` (no) and ``None``
(not sure, or skipped). Nothing is pre-answered, and an unknown age takes the under-18 path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ADULT_AGE",
    "AGE_MAX",
    "AGE_MIN",
    "REGION_NAMES",
    "PAYMENT_METHODS",
    "PLATFORMS",
    "REGIONS",
    "Answers",
    "Contact",
    "Plan",
    "Region",
    "Source",
    "Step",
]

Region = Literal["UK", "US", "IE", "CA", "AU"]
REGIONS: tuple[Region, ...] = ("UK", "US", "IE", "CA", "AU")
REGION_NAMES: dict[Region, str] = {
    "UK": "United Kingdom",
    "US": "United States",
    "IE": "Ireland",
    "CA": "Canada",
    "AU": "Australia",
}
PAYMENT_METHODS: tuple[str, ...] = (
    "western_union",
    "moneygram",
    "bank_transfer",
    "card",
    "gift_card",
    "crypto",
    "cash_app",
    "paypal",
)
PLATFORMS: tuple[str, ...] = (
    "instagram",
    "facebook",
    "snapchat",
    "skype",
    "tiktok",
    "discord",
    "telegram",
    "whatsapp",
    "x",
    "youtube",
)
ADULT_AGE = 18
AGE_MIN = 1
AGE_MAX = 120


@dataclass(frozen=True, slots=True)
class Answers:
    """What the person told us. ``None`` means not sure, or not answered.

    ``age`` is in years; an unknown age takes the under-18 path (the safe one). ``in_danger``
    is immediate danger to someone's life, not "the blackmail is still going on".
    """

    age: int | None = None
    region: Region = "UK"
    in_danger: bool | None = None
    self_harm_thoughts: bool | None = None
    deadline: bool | None = None
    images_shared: bool | None = None
    paid: bool | None = None
    payment_methods: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    account_suspended: bool | None = None

    @property
    def under_18(self) -> bool:
        """Under 18, or the age is not known."""
        return self.age is None or self.age < ADULT_AGE

    @property
    def plan_age(self) -> int:
        """The age used to pick services: an unknown age counts as 17."""
        return ADULT_AGE - 1 if self.age is None else self.age

    @property
    def urgent(self) -> bool:
        return self.in_danger is True

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "in_danger": self.in_danger,
            "self_harm_thoughts": self.self_harm_thoughts,
            "age": self.age,
            "deadline": self.deadline,
            "images_shared": self.images_shared,
            "paid": self.paid,
            "payment_methods": list(self.payment_methods),
            "platforms": list(self.platforms),
            "account_suspended": self.account_suspended,
        }


@dataclass(frozen=True, slots=True)
class Source:
    """Where a piece of advice comes from and when it was last checked against it.

    ``verified`` is false when the check could not confirm every detail (see ``note``).
    """

    url: str
    checked: str
    verified: bool = True
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """A service to call, message or visit. ``phone`` is as people dial it locally; ``text``
    says how to reach it by text message ("Text SHOUT to 85258"), when it can be."""

    id: str
    name: str
    phone: str | None
    url: str | None
    hours: str | None
    source: str
    checked: str
    verified: bool = True
    phone_region: str = "GB"
    min_age: int | None = None
    max_age: int | None = None
    note: str | None = None
    text: str | None = None

    def suits(self, age: int) -> bool:
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phone": self.phone,
            "text": self.text,
            "url": self.url,
            "hours": self.hours,
            "source": self.source,
            "checked": self.checked,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Contact:
        return cls(
            id=str(data.get("name", "")),
            name=str(data.get("name", "")),
            phone=data.get("phone"),
            text=data.get("text"),
            url=data.get("url"),
            hours=data.get("hours"),
            source=str(data.get("source", "")),
            checked=str(data.get("checked", "")),
        )


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    why: str
    actions: tuple[str, ...]
    contacts: tuple[Contact, ...] = ()
    sources: tuple[Source, ...] = field(default=(), compare=False)

    @property
    def text(self) -> str:
        """The words a person reads (title, why and actions), for readability checks."""
        return "\n".join([self.title + ".", self.why, *self.actions])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "why": self.why,
            "actions": list(self.actions),
            "contacts": [c.to_dict() for c in self.contacts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(
            id=str(data["id"]),
            title=str(data.get("title", "")),
            why=str(data.get("why", "")),
            actions=tuple(str(a) for a in data.get("actions", [])),
            contacts=tuple(Contact.from_dict(c) for c in data.get("contacts", [])),
        )


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...]
    region: Region = "UK"

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"steps": [s.to_dict() for s in self.steps]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(steps=tuple(Step.from_dict(s) for s in data.get("steps", [])))
