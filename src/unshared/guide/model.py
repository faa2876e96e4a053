"""The guide's plain data: answers in, a plan of steps out. No I/O here.

A :class:`Plan` is what ``unshared guide --format json`` prints::

    {"steps": [{"id", "title", "why", "actions": [...],
                "contacts": [{"name", "phone", "url", "hours", "source", "checked"}]}]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ADULT_AGE",
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


@dataclass(frozen=True, slots=True)
class Answers:
    """What the person told us. ``age`` is in years."""

    age: int
    region: Region = "UK"
    happening_now: bool = False
    in_danger: bool = False
    self_harm_thoughts: bool = False
    images_shared: bool = False
    paid: bool = False
    payment_methods: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    account_suspended: bool = False

    @property
    def under_18(self) -> bool:
        return self.age < ADULT_AGE

    @property
    def urgent(self) -> bool:
        return self.happening_now or self.in_danger

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "happening_now": self.happening_now,
            "in_danger": self.in_danger,
            "self_harm_thoughts": self.self_harm_thoughts,
            "age": self.age,
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
    """A service to call, message or visit. ``phone`` is as people dial it locally."""

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

    def suits(self, age: int) -> bool:
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "phone": self.phone,
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
