"""The guide's questions, and checking a person's answers into :class:`Answers`.

This is the one place the shells (CLI prompts, app form, answers files) read the questions, the
answer fields and the allowed values from. Pure: the caller reads the file; this module only looks
at the parsed mapping. Every problem is a :class:`~unshared.errors.ParseError` that names the
file and the field.

Nothing is pre-answered and every question can be skipped: a skipped question, or "not sure",
is ``None``. An unknown age takes the under-18 path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from unshared.errors import ParseError
from unshared.guide.model import (
    AGE_MAX,
    AGE_MIN,
    PAYMENT_METHODS,
    PLATFORMS,
    REGION_NAMES,
    REGIONS,
    Answers,
    Region,
)

__all__ = [
    "FIELDS",
    "NOT_SURE",
    "QUESTIONS",
    "Question",
    "normalise_region",
    "parse_answers",
    "parse_yes_no",
]

NOT_SURE = "not_sure"
YES_NO_NOT_SURE: tuple[tuple[str, str], ...] = (
    ("yes", "Yes"),
    ("no", "No"),
    (NOT_SURE, "Not sure"),
)
YES_NO: tuple[tuple[str, str], ...] = (("yes", "Yes"), ("no", "No"))

Kind = Literal["region", "yes_no", "age", "many"]


@dataclass(frozen=True, slots=True)
class Question:
    """One question as every shell asks it. ``choices`` are (value, words) pairs."""

    field: str
    text: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()
    hint: str | None = None
    skippable: bool = True


QUESTIONS: tuple[Question, ...] = (
    Question(
        "region",
        "Where do you live?",
        "region",
        tuple(REGION_NAMES.items()),
        "If you skip this, the plan uses UK services.",
    ),
    Question(
        "in_danger",
        "Is your life, or anyone else's, in danger right now?",
        "yes_no",
        YES_NO_NOT_SURE,
        "For example, someone could be hurt or could hurt themselves soon.",
    ),
    Question(
        "self_harm_thoughts",
        "Are you having thoughts of hurting yourself or ending your life?",
        "yes_no",
        YES_NO_NOT_SURE,
        "If yes, the plan starts with people you can talk to right now.",
    ),
    Question(
        "age", "How old are you?", "age", (), "If you skip this, the plan is made for under 18s."
    ),
    Question(
        "deadline",
        "Have they given you a deadline, like tonight or in a few hours?",
        "yes_no",
        YES_NO_NOT_SURE,
    ),
    Question(
        "images_shared",
        "Have they already posted or sent the images anywhere?",
        "yes_no",
        YES_NO_NOT_SURE,
    ),
    Question("paid", "Have you sent them any money?", "yes_no", YES_NO_NOT_SURE),
    Question("payment_methods", "If you paid, how?", "many", ()),
    Question("platforms", "Where did they contact you?", "many", ()),
    Question(
        "account_suspended",
        "Have you already paused (deactivated) your own account?",
        "yes_no",
        YES_NO,
    ),
)

LIST_FIELDS = {"payment_methods": PAYMENT_METHODS, "platforms": PLATFORMS}
BOOL_FIELDS = tuple(q.field for q in QUESTIONS if q.kind == "yes_no")
FIELDS = tuple(q.field for q in QUESTIONS)
# Older answers files said "happening_now"; it meant "call the emergency number now".
LEGACY_FIELDS = {"happening_now": "in_danger"}

_REGION_ALIASES = {"GB": "UK", "USA": "US", "IRL": "IE", "CAN": "CA", "AUS": "AU"}
_YES = {"yes", "y", "true", "yeah", "yep"}
_NO = {"no", "n", "false", "nope"}
_UNSURE = {NOT_SURE, "not sure", "unsure", "don't know", "dont know", "?", "skip", ""}


def normalise_region(value: str) -> Region | None:
    """``uk``/``GB`` → ``UK``; ``None`` when it is not a region the guide knows."""
    key = value.strip().upper()
    key = _REGION_ALIASES.get(key, key)
    return key if key in REGIONS else None


def parse_yes_no(value: Any) -> tuple[bool, bool | None]:
    """``(understood, answer)``: yes → True, no → False, not sure / skipped → None."""
    if value is None or isinstance(value, bool):
        return True, value
    if isinstance(value, str):
        word = value.strip().lower().replace("’", "'")
        if word in _YES:
            return True, True
        if word in _NO:
            return True, False
        if word in _UNSURE:
            return True, None
    return False, None


def _age(value: Any, path: str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(f"must be a whole number of years, not {value!r}", path=path, where="age")
    if not AGE_MIN <= value <= AGE_MAX:
        raise ParseError(
            f"must be between {AGE_MIN} and {AGE_MAX}, not {value}", path=path, where="age"
        )
    return value


def parse_answers(data: Any, *, path: str | None = None) -> Answers:
    """Validate a mapping of answers. Every field may be left out (not sure / skipped)."""
    if not isinstance(data, Mapping):
        raise ParseError(
            "the answers must be a mapping of field: value (YAML or JSON object)", path=path
        )
    known = (*FIELDS, *LEGACY_FIELDS)
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise ParseError(
            f"unknown field (known fields: {', '.join(FIELDS)})", path=path, where=unknown[0]
        )
    age = _age(data.get("age"), path)

    region_value = data.get("region") or "UK"
    region = normalise_region(region_value) if isinstance(region_value, str) else None
    if region is None:
        raise ParseError(
            f"must be one of {', '.join(REGIONS)}, not {region_value!r}", path=path, where="region"
        )

    flags: dict[str, bool | None] = {}
    for name in (*BOOL_FIELDS, *LEGACY_FIELDS):
        understood, answer = parse_yes_no(data.get(name))
        if not understood:
            raise ParseError(
                f"must be yes, no or not sure (true, false or empty), not {data[name]!r}",
                path=path,
                where=name,
            )
        flags[name] = answer
    for old, new in LEGACY_FIELDS.items():
        # The old files asked two urgent questions; either yes meant "call the emergency number".
        if flags[old] is True or (flags[new] is None and flags[old] is not None):
            flags[new] = flags[old]

    lists: dict[str, tuple[str, ...]] = {}
    for name, allowed in LIST_FIELDS.items():
        raw = data.get(name) or []
        if isinstance(raw, str):
            raw = [part for part in raw.replace(",", " ").split() if part]
        if isinstance(raw, tuple):
            raw = list(raw)
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

    paid = True if lists["payment_methods"] else flags["paid"]
    return Answers(
        age=age,
        region=region,
        in_danger=flags["in_danger"],
        self_harm_thoughts=flags["self_harm_thoughts"],
        deadline=flags["deadline"],
        images_shared=flags["images_shared"],
        paid=paid,
        payment_methods=lists["payment_methods"],
        platforms=lists["platforms"],
        account_suspended=flags["account_suspended"],
    )
