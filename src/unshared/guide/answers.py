"""Check a person's answers (from a file or the prompts) and turn them into :class:`Answers`.

Pure: the caller reads the file; this module only looks at the parsed mapping. Every problem is a
:class:`~unshared.errors.ParseError` that names the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unshared.errors import ParseError
from unshared.guide.model import PAYMENT_METHODS, PLATFORMS, REGIONS, Answers, Region

__all__ = ["FIELDS", "normalise_region", "parse_answers"]

BOOL_FIELDS = (
    "happening_now",
    "in_danger",
    "self_harm_thoughts",
    "images_shared",
    "paid",
    "account_suspended",
)
LIST_FIELDS = {"payment_methods": PAYMENT_METHODS, "platforms": PLATFORMS}
FIELDS = ("region", *BOOL_FIELDS[:3], "age", *BOOL_FIELDS[3:5], *LIST_FIELDS, BOOL_FIELDS[5])

_REGION_ALIASES = {"GB": "UK", "USA": "US", "IRL": "IE", "CAN": "CA", "AUS": "AU"}


def normalise_region(value: str) -> Region | None:
    """``uk``/``GB`` → ``UK``; ``None`` when it is not a region the guide knows."""
    key = value.strip().upper()
    key = _REGION_ALIASES.get(key, key)
    return key if key in REGIONS else None


def _bool(value: Any, name: str, path: str | None) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"yes", "no", "true", "false"}:
        return value.strip().lower() in {"yes", "true"}
    raise ParseError(f"must be true or false (yes or no), not {value!r}", path=path, where=name)


def parse_answers(data: Any, *, path: str | None = None) -> Answers:
    """Validate a mapping of answers. ``age`` is required; the rest default to no / none / UK."""
    if not isinstance(data, Mapping):
        raise ParseError(
            "the answers must be a mapping of field: value (YAML or JSON object)", path=path
        )
    unknown = sorted(str(k) for k in data if k not in FIELDS)
    if unknown:
        raise ParseError(
            f"unknown field (known fields: {', '.join(FIELDS)})", path=path, where=unknown[0]
        )
    if "age" not in data:
        raise ParseError("missing: give the age in years", path=path, where="age")
    age = data["age"]
    if isinstance(age, bool) or not isinstance(age, int):
        raise ParseError(f"must be a whole number of years, not {age!r}", path=path, where="age")
    if not 0 < age <= 120:
        raise ParseError(f"must be between 1 and 120, not {age}", path=path, where="age")

    region_value = data.get("region", "UK")
    region = normalise_region(region_value) if isinstance(region_value, str) else None
    if region is None:
        raise ParseError(
            f"must be one of {', '.join(REGIONS)}, not {region_value!r}", path=path, where="region"
        )

    flags = {name: _bool(data[name], name, path) for name in BOOL_FIELDS if name in data}

    lists: dict[str, tuple[str, ...]] = {}
    for name, allowed in LIST_FIELDS.items():
        raw = data.get(name) or []
        if isinstance(raw, str):
            raw = [part for part in raw.replace(",", " ").split() if part]
        if not isinstance(raw, list):
            raise ParseError(f"must be a list, not {raw!r}", path=path, where=name)
        seen: list[str] = []
        for index, item in enumerate(raw):
            value = str(item).strip().lower() if isinstance(item, str) else None
            if value not in allowed:
                raise ParseError(
                    f"{item!r} is not one of {', '.join(allowed)}",
                    path=path,
                    where=f"{name}[{index}]",
                )
            if value not in seen:
                seen.append(value)
        lists[name] = tuple(seen)

    paid = flags.get("paid", False) or bool(lists["payment_methods"])
    return Answers(
        age=age,
        region=region,
        happening_now=flags.get("happening_now", False),
        in_danger=flags.get("in_danger", False),
        self_harm_thoughts=flags.get("self_harm_thoughts", False),
        images_shared=flags.get("images_shared", False),
        paid=paid,
        payment_methods=lists["payment_methods"],
        platforms=lists["platforms"],
        account_suspended=flags.get("account_suspended", False),
    )
