"""Language packs for sextortion signals: YAML pattern files compiled once into rules.

Each language lives in ``analysis/data/signals/<lang>.yaml`` (format described at the top of
``en.yaml`` and in docs/signals.md). :func:`load_pack` reads, expands and compiles one pack and
caches it, so every regular expression is compiled once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from unshared.errors import ParseError, UnsharedError

__all__ = [
    "KEY_STAGES",
    "STAGES",
    "LanguagePack",
    "Rule",
    "StageRules",
    "available_languages",
    "compile_pack",
    "load_pack",
]

STAGES: tuple[str, ...] = (
    "contact",
    "platform_switch",
    "image_request",
    "threat",
    "payment_demand",
    "deadline",
    "escalation",
)
"""Every stage, in the order a sextortion conversation usually runs."""

KEY_STAGES: tuple[str, ...] = ("threat", "payment_demand", "deadline", "escalation")
"""The stages an officer or a frightened person needs first."""

_FLAGS = re.IGNORECASE | re.MULTILINE
_VAR = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_LANG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, slots=True)
class Rule:
    """One way a stage shows itself. ``patterns`` must all match (``any`` has one pattern)."""

    id: str
    stage: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    needs: frozenset[str] = frozenset()
    serious: bool = False
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class StageRules:
    stage: str
    rules: tuple[Rule, ...]
    unless: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class LanguagePack:
    """Everything needed to read one language."""

    lang: str
    name: str
    context: tuple[re.Pattern[str], ...]
    jest: tuple[re.Pattern[str], ...]
    stages: tuple[StageRules, ...]
    amount: re.Pattern[str] | None
    currencies: dict[str, str]
    methods: tuple[tuple[str, re.Pattern[str]], ...]
    payments_made: tuple[Rule, ...]
    jest_unless: tuple[re.Pattern[str], ...] = ()


def available_languages() -> list[str]:
    """Language codes that have a pattern file."""
    folder = resources.files("unshared.analysis") / "data" / "signals"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=16)
def load_pack(lang: str) -> LanguagePack:
    """The compiled pack for ``lang`` (cached: patterns compile once per process)."""
    code = (lang or "").strip().lower()
    if not _LANG.match(code) or code not in available_languages():
        raise UnsharedError(
            f"no signal patterns for language {lang!r}; "
            f"available: {', '.join(available_languages())}"
        )
    res = resources.files("unshared.analysis") / "data" / "signals" / f"{code}.yaml"
    name = f"analysis/data/signals/{code}.yaml"
    try:
        data = yaml.safe_load(res.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParseError(f"not valid YAML ({exc})", path=name) from None
    return compile_pack(data, name)


def compile_pack(data: Any, name: str = "<pack>") -> LanguagePack:
    """Check and compile a pack already read from YAML. Errors name the file and the place."""
    if not isinstance(data, dict):
        raise ParseError("a pattern file must be a mapping", path=name)
    variables = _expand_vars(data.get("vars") or {}, name)

    def rx(pattern: Any, where: str) -> re.Pattern[str]:
        if not isinstance(pattern, str) or not pattern:
            raise ParseError("expected a non-empty pattern string", path=name, where=where)
        text = _substitute(pattern, variables, name, where)
        try:
            return re.compile(text, _FLAGS)
        except re.error as exc:
            raise ParseError(f"bad regular expression ({exc})", path=name, where=where) from None

    def rule(raw: Any, stage: str, where: str, index: int) -> Rule:
        if not isinstance(raw, dict):
            raise ParseError("a rule must be a mapping", path=name, where=where)
        rid = str(raw.get("id") or f"{stage}_{index}")
        where = f"{where} {rid}"
        if "any" in raw:
            patterns: tuple[re.Pattern[str], ...] = (rx(raw["any"], where),)
        elif isinstance(raw.get("all"), list) and raw["all"]:
            patterns = tuple(rx(p, f"{where} all[{i}]") for i, p in enumerate(raw["all"]))
        else:
            raise ParseError("a rule needs 'any' or a list 'all'", path=name, where=where)
        needs = frozenset(str(s) for s in raw.get("needs") or ())
        unknown = needs - set(STAGES)
        if unknown:
            raise ParseError(f"unknown stage in needs: {sorted(unknown)}", path=name, where=where)
        unless = raw.get("unless_match")
        return Rule(
            id=rid,
            stage=stage,
            label=str(raw.get("label") or rid),
            patterns=patterns,
            needs=needs,
            serious=bool(raw.get("serious", False)),
            unless=rx(unless, f"{where} unless_match") if unless else None,
        )

    frames = data.get("frames") or {}
    raw_stages = data.get("stages") or {}
    if not isinstance(raw_stages, dict):
        raise ParseError("'stages' must be a mapping", path=name)
    unknown_stages = set(raw_stages) - set(STAGES)
    if unknown_stages:
        raise ParseError(f"unknown stages: {sorted(unknown_stages)}", path=name)
    stages: list[StageRules] = []
    for stage in STAGES:
        body = raw_stages.get(stage) or {}
        rules = tuple(
            rule(r, stage, f"stages.{stage}", i) for i, r in enumerate(body.get("rules") or ())
        )
        unless = tuple(
            rx(p, f"stages.{stage}.unless[{i}]") for i, p in enumerate(body.get("unless") or ())
        )
        stages.append(StageRules(stage, rules, unless))

    payment = data.get("payment") or {}
    methods = tuple(
        (str(label), rx(p, f"payment.methods.{label}"))
        for label, p in (payment.get("methods") or {}).items()
    )
    currencies = {str(k).lower(): str(v) for k, v in (payment.get("currencies") or {}).items()}
    amount = rx(payment["amount"], "payment.amount") if payment.get("amount") else None
    made = tuple(
        rule(r, "payment_made", "payments_made", i)
        for i, r in enumerate(data.get("payments_made") or ())
    )
    return LanguagePack(
        lang=str(data.get("language") or ""),
        name=str(data.get("name") or ""),
        context=tuple(
            rx(p, f"frames.context[{i}]") for i, p in enumerate(frames.get("context") or ())
        ),
        jest=tuple(rx(p, f"frames.jest[{i}]") for i, p in enumerate(frames.get("jest") or ())),
        jest_unless=tuple(
            rx(p, f"frames.jest_unless[{i}]") for i, p in enumerate(frames.get("jest_unless") or ())
        ),
        stages=tuple(stages),
        amount=amount,
        currencies=currencies,
        methods=methods,
        payments_made=made,
    )


def _substitute(pattern: str, variables: dict[str, str], name: str, where: str) -> str:
    def repl(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in variables:
            raise ParseError(f"unknown variable {{{key}}}", path=name, where=where)
        return variables[key]

    return _VAR.sub(repl, pattern)


def _expand_vars(raw: Any, name: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ParseError("'vars' must be a mapping", path=name)
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            raise ParseError("a var must be a string", path=name, where=f"vars.{key}")
        # Vars may use earlier vars only, so expansion always ends.
        out[str(key)] = _substitute(value.strip(), out, name, f"vars.{key}")
    return out
