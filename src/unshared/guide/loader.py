"""Adapter: read the guide's YAML files and check them into a :class:`GuideData`.

This is the only module of the guide that touches files. Every record that names a contact, a
number or a claim must carry ``source`` (a URL) and ``checked`` (YYYY-MM-DD); a file that breaks
that rule is refused with a :class:`~unshared.errors.ParseError` naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml

from unshared.errors import InputFileError, ParseError
from unshared.guide.answers import parse_answers
from unshared.guide.content import (
    Action,
    GuideData,
    PaymentInfo,
    PlatformInfo,
    RegionInfo,
    StepText,
)
from unshared.guide.model import (
    PAYMENT_METHODS,
    PLATFORMS,
    REGIONS,
    Answers,
    Contact,
    Region,
    Source,
)

__all__ = ["DATA_FILES", "data_dir", "default_guide", "load_guide", "read_answers"]

DATA_FILES = ("services.yaml", "regions.yaml", "steps.yaml", "platforms.yaml", "payments.yaml")
REGION_ROLES = (
    "help_now",
    "crisis",
    "police",
    "child_report",
    "adult_report",
    "trusted_adult_line",
    "remove_under18",
    "takedown_adult",
    "remove_adult",
    "escalation",
    "support",
    "money",
    "bank",
)
REQUIRED_STEPS = (
    "emergency",
    "crisis",
    "trusted-adult",
    "stay-calm",
    "posted",
    "dont-pay",
    "payment",
    "scam-tricks",
    "keep-everything",
    "protect-accounts",
    "report-platforms",
    "platform",
    "police",
    "remove-images-under18",
    "stopncii",
    "support",
)
_PHONE_REGION = {"UK": "GB"}


def data_dir() -> Path:
    """The folder of the YAML files shipped with the package."""
    return Path(str(resources.files("unshared.guide") / "data"))


class _File:
    """Field access on one parsed YAML file that names the file and field in every error."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputFileError("the guide data file is missing", path=self.path) from None
        try:
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else None
            raise ParseError(f"not valid YAML ({exc})", path=self.path, where=where) from None
        if not isinstance(self.data, dict):
            raise ParseError("must be a mapping of id: entry", path=self.path)

    def fail(self, where: str, message: str) -> ParseError:
        return ParseError(message, path=self.path, where=where)

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, "must be a mapping")
        return value

    def text(
        self, entry: Mapping[str, Any], key: str, where: str, *, optional: bool = False
    ) -> Any:
        value = entry.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "missing or empty text")
        return value.strip()

    def texts(self, entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = entry.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(f"{where}.{key}", "must be a non-empty list of sentences")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{where}.{key}[{i}]", "must be a sentence")
        return tuple(s.strip() for s in value)

    def url(self, entry: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
        value = self.text(entry, key, where, optional=optional)
        if value is not None and not value.startswith(("https://", "http://")):
            raise self.fail(f"{where}.{key}", f"must be a web address, not {value!r}")
        return value

    def date(self, entry: Mapping[str, Any], where: str) -> str:
        value = entry.get("checked")
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not isinstance(value, str):
            raise self.fail(f"{where}.checked", "missing: give the date it was last checked")
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(
                f"{where}.checked", f"must be a date YYYY-MM-DD, not {value!r}"
            ) from None
        return value

    def flag(self, entry: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = entry.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", "must be true or false")
        return value

    def age(self, entry: Mapping[str, Any], key: str, where: str) -> int | None:
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(f"{where}.{key}", "must be a whole number of years")
        return value

    def source(self, entry: Mapping[str, Any], where: str) -> Source:
        return Source(
            url=self.url(entry, "url", where),
            checked=self.date(entry, where),
            verified=self.flag(entry, "verified", where, True),
            note=self.text(entry, "note", where, optional=True),
        )

    def sources(self, entry: Mapping[str, Any], where: str) -> tuple[Source, ...]:
        value = entry.get("sources")
        if not isinstance(value, list) or not value:
            raise self.fail(f"{where}.sources", "missing: every step needs at least one source")
        return tuple(
            self.source(self.mapping(s, f"{where}.sources[{i}]"), f"{where}.sources[{i}]")
            for i, s in enumerate(value)
        )

    def contact(self, key: str, entry: Mapping[str, Any], where: str) -> Contact:
        phone = entry.get("phone")
        if phone is not None and not isinstance(phone, str):
            raise self.fail(f"{where}.phone", "write the number in quotes, as text")
        return Contact(
            id=key,
            name=self.text(entry, "name", where),
            phone=phone,
            url=self.url(entry, "url", where, optional=True),
            hours=self.text(entry, "hours", where, optional=True),
            source=self.url(entry, "source", where),
            checked=self.date(entry, where),
            verified=self.flag(entry, "verified", where, True),
            phone_region=str(entry.get("phone_region", "GB")),
            min_age=self.age(entry, "min_age", where),
            max_age=self.age(entry, "max_age", where),
            note=self.text(entry, "note", where, optional=True),
            text=self.text(entry, "text", where, optional=True),
        )


def _actions(
    f: _File, entry: Mapping[str, Any], where: str, key: str = "actions"
) -> tuple[Action, ...]:
    """A list of sentences, each a string or ``{text, when: [conditions]}``.

    ``title`` and ``why`` may be one string or such a list (variants: the first that holds).
    """
    value = entry.get(key)
    if key != "actions" and isinstance(value, str) and value.strip():
        return (Action(value.strip()),)
    if not isinstance(value, list) or not value:
        raise f.fail(f"{where}.{key}", "must be a non-empty list")
    out = []
    for i, item in enumerate(value):
        here = f"{where}.{key}[{i}]"
        if isinstance(item, str):
            out.append(Action(item.strip()))
            continue
        item = f.mapping(item, here)
        when = item.get("when", [])
        if not isinstance(when, list) or not all(isinstance(w, str) for w in when):
            raise f.fail(f"{here}.when", "must be a list of conditions")
        out.append(Action(f.text(item, "text", here), tuple(when)))
    return tuple(out)


def load_guide(folder: Path | None = None) -> GuideData:
    """Read and check every data file in ``folder`` (the packaged data by default)."""
    folder = folder or data_dir()
    services_file = _File(folder / "services.yaml")
    services = {
        str(key): services_file.contact(str(key), services_file.mapping(entry, str(key)), str(key))
        for key, entry in services_file.data.items()
    }

    def service(f: _File, key: Any, where: str) -> Contact:
        if not isinstance(key, str) or key not in services:
            raise f.fail(where, f"{key!r} is not a service in services.yaml")
        return services[key]

    regions_file = _File(folder / "regions.yaml")
    regions: dict[Region, RegionInfo] = {}
    for code in REGIONS:
        if code not in regions_file.data:
            raise regions_file.fail(code, "missing region")
        entry = regions_file.mapping(regions_file.data[code], code)
        roles: dict[str, tuple[Contact, ...]] = {}
        for role in REGION_ROLES:
            ids = entry.get(role)
            if not isinstance(ids, list):
                raise regions_file.fail(f"{code}.{role}", "must be a list of service ids")
            roles[role] = tuple(
                service(regions_file, k, f"{code}.{role}[{i}]") for i, k in enumerate(ids)
            )
        for i, contact in enumerate(roles["help_now"]):
            if contact.min_age is not None or contact.max_age is not None:
                raise regions_file.fail(
                    f"{code}.help_now[{i}]",
                    "shown before the age is known: it must suit every age (no min_age/max_age)",
                )
        regions[code] = RegionInfo(
            code=code,
            name=regions_file.text(entry, "name", code),
            emergency=service(regions_file, entry.get("emergency"), f"{code}.emergency"),
            escalation_action=regions_file.text(entry, "escalation_action", code, optional=True),
            **roles,
        )

    steps_file = _File(folder / "steps.yaml")
    steps: dict[str, StepText] = {}
    for key in REQUIRED_STEPS:
        if key not in steps_file.data:
            raise steps_file.fail(key, "missing step")
    for key, raw in steps_file.data.items():
        entry = steps_file.mapping(raw, str(key))
        templated = key in ("platform", "payment")
        steps[str(key)] = StepText(
            id=str(key),
            title=_actions(steps_file, entry, str(key), "title"),
            why=_actions(steps_file, entry, str(key), "why"),
            actions=() if templated else _actions(steps_file, entry, str(key)),
            sources=steps_file.sources(entry, str(key)),
        )

    platforms_file = _File(folder / "platforms.yaml")
    platforms: dict[str, PlatformInfo] = {}
    for key in PLATFORMS:
        if key not in platforms_file.data:
            raise platforms_file.fail(key, "missing platform")
        entry = platforms_file.mapping(platforms_file.data[key], key)
        help_entry = platforms_file.mapping(entry.get("help"), f"{key}.help")
        platforms[key] = PlatformInfo(
            id=key,
            name=platforms_file.text(entry, "name", key),
            report=platforms_file.texts(entry, "report", key),
            pause=platforms_file.texts(entry, "pause", key),
            help=platforms_file.contact(f"{key}.help", help_entry, f"{key}.help"),
            title=platforms_file.text(entry, "title", key, optional=True),
        )

    payments_file = _File(folder / "payments.yaml")
    payments: dict[str, PaymentInfo] = {}
    for key in PAYMENT_METHODS:
        if key not in payments_file.data:
            raise payments_file.fail(key, "missing payment method")
        entry = payments_file.mapping(payments_file.data[key], key)
        contacts: list[tuple[Contact, tuple[Region, ...]]] = []
        for i, raw in enumerate(entry.get("contacts") or []):
            here = f"{key}.contacts[{i}]"
            item = payments_file.mapping(raw, here)
            limit = item.get("regions", [])
            if not isinstance(limit, list) or any(r not in REGIONS for r in limit):
                raise payments_file.fail(f"{here}.regions", f"must list regions from {REGIONS}")
            if "service" in item:
                contact = service(payments_file, item["service"], f"{here}.service")
            else:
                contact = payments_file.contact(f"{key}.{i}", item, here)
            contacts.append((contact, tuple(cast(list[Region], limit))))
        if not contacts:
            raise payments_file.fail(f"{key}.contacts", "needs at least one sourced contact")
        payments[key] = PaymentInfo(
            id=key,
            name=payments_file.text(entry, "name", key),
            check=payments_file.texts(entry, "check", key),
            cancel=payments_file.texts(entry, "cancel", key),
            note=payments_file.texts(entry, "note", key),
            contacts=tuple(contacts),
        )

    return GuideData(services, regions, steps, platforms, payments)


@lru_cache(maxsize=1)
def default_guide() -> GuideData:
    """The packaged guide data, read once per process."""
    return load_guide()


def phone_region(region: Region) -> str:
    return _PHONE_REGION.get(region, region)


def read_answers(path: Path) -> Answers:
    """Read an answers file (YAML or JSON) and check it; errors name the file and the field."""
    spath = str(path)
    if not path.exists():
        raise InputFileError("no such answers file", path=spath)
    if path.is_dir():
        raise InputFileError("this is a folder, not an answers file", path=spath)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text: give a YAML or JSON file", path=spath) from None
    except OSError as exc:
        raise InputFileError(f"cannot read the file ({exc.strerror})", path=spath) from None
    if not text.strip():
        raise ParseError("the file is empty: give the answers as YAML or JSON", path=spath)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or "broken syntax"
        raise ParseError(f"not valid YAML or JSON ({problem})", path=spath, where=where) from None
    return parse_answers(data, path=spath)
