"""Sextortion signals: which stage of the known script a message shows, and why.

The method is rules and lexicons, one pattern file per language
(``analysis/data/signals/<lang>.yaml``), so every flag can be explained by the words that
triggered it, runs offline on a CPU, and a new language is a data file, not code.

Stages, in the order the script usually runs:

* ``contact``: a fake-profile opener (flattery, "mutual friends", asks your age);
* ``platform_switch``: asks to move to another app (Snapchat, WhatsApp, Telegram...);
* ``image_request``: asks for pictures or video, or to turn the camera on;
* ``threat``: to send images to friends, family, followers or school, to "ruin your life",
  follower-list screenshots, fake news articles or accusations;
* ``payment_demand``: money, with amount and method (gift card, crypto, Cash App, Western Union,
  MoneyGram, bank) in ``details`` when the text names them;
* ``deadline``: countdowns and urgency;
* ``escalation``: harassment, insults, goading, incitement to self-harm.

Text that talks *about* sextortion (safety advice, news, a quoted threat) is recognised by the
pack's ``context`` frames and gets no stages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from unshared.analysis.anchors import AnchorSet, fold
from unshared.analysis.disguise import Plain, undisguise
from unshared.analysis.prefilter import PatternFilter
from unshared.analysis.signal_rules import (
    KEY_STAGES,
    STAGES,
    LanguagePack,
    Rule,
    available_languages,
    load_pack,
)
from unshared.model import Signal

__all__ = [
    "DISGUISED",
    "DISGUISED_NOTE",
    "KEY_STAGES",
    "STAGES",
    "available_languages",
    "detect_payments_made",
    "detect_signals",
    "payment_details",
    "possible_stages",
    "rule_reading",
]

_MAX_QUOTE = 80
_SPACES = re.compile(r"\s+")


def detect_signals(text: str, lang: str = "en") -> list[Signal]:
    """Every stage ``text`` shows, each with the reason it was flagged.

    At most one signal per stage, in stage order. ``reason`` reads like
    ``threat — says the images will be sent to people you know: "send them to … followers"``;
    ``details`` always holds the ``rule`` id, and for ``payment_demand`` also ``amount``,
    ``currency`` and ``method`` when the text names them. ``lang`` picks the pattern file.
    """
    return rule_reading(text, lang)[0]


def rule_reading(text: str, lang: str = "en") -> tuple[list[Signal], bool]:
    """:func:`detect_signals` and whether a ``context`` frame (text *about* sextortion) matched.

    The learned scorer takes both as features (see :mod:`unshared.analysis.signal_reader`).
    The rules read the plain form of the text (:func:`~unshared.analysis.disguise.undisguise`:
    look-alike letters, zero-width characters, ``s3nd``, ``s e n d``); spans point into ``text``.
    """
    pack = load_pack(lang)
    if not text or not text.strip():
        return [], False
    plain = undisguise(text)
    signals, about = _rule_reading(plain.text, pack)
    if plain.changed:
        signals = [_in_original(s, plain) for s in signals]
    return signals, about


DISGUISED = (
    "disguised",
    "written with disguised letters (look-alike characters, hidden spaces or digits for"
    " letters); read as plain words",
)
"""The detail a signal carries when its message's letters were disguised."""


DISGUISED_NOTE = " (read past disguised letters)"
"""Added to the reason of a signal on a message whose letters were disguised."""


def _in_original(signal: Signal, plain: Plain) -> Signal:
    start, end = plain.span(signal.start, signal.end)
    return replace(
        signal,
        reason=signal.reason + DISGUISED_NOTE,
        start=start,
        end=end,
        details=(*signal.details, DISGUISED),
    )


def _rule_reading(text: str, pack: LanguagePack) -> tuple[list[Signal], bool]:
    if not text.strip():
        return [], False
    # The patterns that can match at all: those RE2 finds in one pass over the text (a
    # superset, see prefilter.py), or failing that, those whose every anchor set is in it.
    lp = _pattern_filter(pack).possible(text)
    if lp is None:
        anchor_set = _anchor_set(pack)
        lp = anchor_set.live(anchor_set.present(fold(text)))
    if any(id(p) in lp and p.search(text) for p in pack.context):
        return [], True
    jest = any(id(p) in lp and p.search(text) for p in pack.jest) and not any(
        id(p) in lp and p.search(text) for p in pack.jest_unless
    )

    found: dict[str, tuple[Rule, list[re.Match[str]]]] = {}
    waiting: list[Rule] = []
    # Rules in pack order, only those whose every pattern can match; a stage's ``unless``
    # patterns are tried once, when its first live rule comes up.
    checked: dict[int, bool] = {}
    for g, rule in [(g, rule) for g, rule, ids in _rule_order(pack) if ids <= lp]:
        group = pack.stages[g]
        if group.stage in found:
            continue
        if g not in checked:
            checked[g] = any(id(p) in lp and p.search(text) for p in group.unless)
        if checked[g]:
            continue
        if rule.needs:
            waiting.append(rule)
            continue
        matches = _apply(rule, text, jest)
        if matches:
            found[group.stage] = (rule, matches)
    # Rules that need another stage run once the first pass knows which stages are present.
    present = set(found)
    for rule in waiting:
        if rule.stage in found or not (rule.needs & present):
            continue
        matches = _apply(rule, text, jest)
        if matches:
            found[rule.stage] = (rule, matches)

    signals: list[Signal] = []
    for stage in STAGES:
        if stage not in found:
            continue
        rule, matches = found[stage]
        details: list[tuple[str, str]] = [("rule", rule.id)]
        if stage == "payment_demand":
            details.extend(payment_details(text, pack))
        signals.append(
            Signal(
                stage=stage,
                reason=f"{rule.label}: {_quote(matches)}",
                start=min(m.start() for m in matches),
                end=max(m.end() for m in matches),
                details=tuple(details),
            )
        )
    return signals, False


ABOUT = len(STAGES)
"""Bit of :func:`possible_stages` for a ``context`` frame (text *about* sextortion)."""


def possible_stages(text: str, lang: str = "en") -> int | None:
    """Bits (``1 << STAGES.index(stage)``, and ``1 << ABOUT``) of every stage a rule might find
    in ``text`` and of a context frame that might match: a superset of what :func:`rule_reading`
    can give, from the patterns the pre-filter calls possible (a rule needs all of its patterns,
    a rule that ``needs`` another stage needs a rule of that stage). ``None``: not known."""
    pack = load_pack(lang)
    lp = _pattern_filter(pack).possible(undisguise(text).text)
    if lp is None:
        return None
    index = _rule_index(pack)
    mask = index.masks.get(lp)
    if mask is None:
        if len(index.masks) >= 1 << 16:
            index.masks.clear()
        mask = index.masks[lp] = _mask(index, lp)
    return mask


def _mask(index: _RuleIndex, lp: frozenset[int]) -> int:
    first = 0
    later: list[tuple[int, int]] = []
    for k in {k for pid in lp for k in index.by_pattern.get(pid, ())}:
        bit, ids, needs = index.rules[k]
        if ids <= lp:
            if needs:
                later.append((bit, needs))
            else:
                first |= bit
    mask = first
    for bit, needs in later:
        if needs & first:
            mask |= bit
    if not lp.isdisjoint(index.context):
        mask |= 1 << ABOUT
    return mask


@dataclass(frozen=True)
class _RuleIndex:
    rules: list[tuple[int, frozenset[int], int]]  # stage bit, pattern ids, bits of needs
    by_pattern: dict[int, tuple[int, ...]]  # pattern id -> rules (numbers) using it
    context: frozenset[int]
    masks: dict[frozenset[int], int] = field(default_factory=dict)  # answers already worked out


_RULE_INDEX: dict[int, tuple[LanguagePack, _RuleIndex]] = {}


def _rule_index(pack: LanguagePack) -> _RuleIndex:
    return _per_pack(_RULE_INDEX, pack, _build_rule_index)


def _build_rule_index(pack: LanguagePack) -> _RuleIndex:
    rules = []
    by_pattern: dict[int, list[int]] = {}
    for k, (_, rule, ids) in enumerate(_rule_order(pack)):
        needs = sum(1 << STAGES.index(s) for s in rule.needs)
        rules.append((1 << STAGES.index(rule.stage), ids, needs))
        for pid in ids:
            by_pattern.setdefault(pid, []).append(k)
    return _RuleIndex(
        rules,
        {pid: tuple(ks) for pid, ks in by_pattern.items()},
        frozenset(id(p) for p in pack.context),
    )


def detect_payments_made(text: str, lang: str = "en") -> list[Signal]:
    """Where a message says money was already paid ("I sent", "I paid", "here is the code").

    Returned as :class:`Signal` with stage ``payment_made`` (not one of :data:`STAGES`: it
    feeds the case summary, not the per-message stages), with amount/method details when named.
    """
    pack = load_pack(lang)
    if not text or not text.strip():
        return []
    plain = undisguise(text)
    for rule in pack.payments_made:
        matches = _apply(rule, plain.text, jest=False)
        if matches:
            details = (("rule", rule.id), *payment_details(plain.text, pack))
            found = Signal(
                stage="payment_made",
                reason=f"{rule.label}: {_quote(matches)}",
                start=matches[0].start(),
                end=matches[-1].end(),
                details=details,
            )
            return [_in_original(found, plain) if plain.changed else found]
    return []


def payment_details(text: str, pack: LanguagePack | str = "en") -> list[tuple[str, str]]:
    """Amount, currency and method(s) named in ``text``, as (key, value) pairs."""
    if isinstance(pack, str):
        pack = load_pack(pack)
    text = undisguise(text).text
    out: list[tuple[str, str]] = []
    amount = _amount(text, pack)
    if amount is not None:
        value, currency = amount
        out.append(("amount", value))
        if currency:
            out.append(("currency", currency))
    methods: list[tuple[int, str]] = []
    for label, pattern in pack.methods:
        m = pattern.search(text)
        if m:
            methods.append((m.start(), label))
    if methods:
        out.append(("method", ", ".join(label for _, label in sorted(methods))))
    return out


# ----------------------------------------------------------------------------- helpers
def _apply(rule: Rule, text: str, jest: bool) -> list[re.Match[str]]:
    if jest and not rule.serious:
        return []
    if rule.unless is not None and rule.unless.search(text):
        return []
    matches: list[re.Match[str]] = []
    for pattern in rule.patterns:
        m = next((m for m in pattern.finditer(text) if not _date_or_code(text, m)), None)
        if m is None:
            return []
        matches.append(m)
    return matches


_T = TypeVar("_T")


def _per_pack(
    cache: dict[int, tuple[LanguagePack, _T]],
    pack: LanguagePack,
    build: Callable[[LanguagePack], _T],
) -> _T:
    """``build(pack)``, made once per pack and kept in ``cache`` (with the pack itself, so an id
    reused by another pack never returns the first one's)."""
    held = cache.get(id(pack))
    if held is None or held[0] is not pack:
        held = cache[id(pack)] = (pack, build(pack))
    return held[1]


_RuleOrder = list[tuple[int, Rule, frozenset[int]]]
_RULE_ORDER: dict[int, tuple[LanguagePack, _RuleOrder]] = {}
_FILTERS: dict[int, tuple[LanguagePack, PatternFilter]] = {}
_ANCHOR_SETS: dict[int, tuple[LanguagePack, AnchorSet]] = {}


def _rule_order(pack: LanguagePack) -> _RuleOrder:
    """(stage group number, rule, ids of its patterns) for every rule, in pack order."""
    return _per_pack(_RULE_ORDER, pack, _build_rule_order)


def _build_rule_order(pack: LanguagePack) -> _RuleOrder:
    return [
        (g, rule, frozenset(id(p) for p in rule.patterns))
        for g, group in enumerate(pack.stages)
        for rule in group.rules
    ]


def _pack_patterns(pack: LanguagePack) -> list[re.Pattern[str]]:
    """Every pattern the rule reading may search (frames, stage ``unless`` lists, rules)."""
    patterns = [*pack.context, *pack.jest, *pack.jest_unless]
    for group in pack.stages:
        patterns += group.unless
        for rule in group.rules:
            patterns += rule.patterns
    return patterns


def _pattern_filter(pack: LanguagePack) -> PatternFilter:
    """Every pattern of ``pack`` in one RE2 pass (built once per pack)."""
    return _per_pack(_FILTERS, pack, _build_filter)


def _anchor_set(pack: LanguagePack) -> AnchorSet:
    """The anchors of every pattern of ``pack`` (built once per pack)."""
    return _per_pack(_ANCHOR_SETS, pack, _build_anchor_set)


def _build_filter(pack: LanguagePack) -> PatternFilter:
    return PatternFilter(_pack_patterns(pack))


def _build_anchor_set(pack: LanguagePack) -> AnchorSet:
    return AnchorSet(_pack_patterns(pack))


_NUMERIC = re.compile(r"[$£€]?\s?\d[\d.,]*")


def _number_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole number a match of some of its digits sits in ("5" in "£500" is 500)."""
    while start > 0 and (
        text[start - 1].isdigit()
        or (text[start - 1] in ".," and text[start - 2 : start - 1].isdigit())
    ):
        start -= 1
    while end < len(text) and (
        text[end].isdigit() or (text[end] in ".," and text[end + 1 : end + 2].isdigit())
    ):
        end += 1
    return start, end


_DATE_AFTER = re.compile(r"[:/]\d")
_DATE_BEFORE = re.compile(r"\d[:/]$")


def _date_or_code(text: str, m: re.Match[str]) -> bool:
    """A match that is only a number inside a date or a time ("[12/03/2026 10:41]"): not an
    amount, so not what a rule about money means."""
    if not _NUMERIC.fullmatch(m.group(0).strip()):
        return False
    start, end = _number_span(text, m.start(), m.end())
    return bool(
        _DATE_AFTER.match(text, end) or _DATE_BEFORE.search(text[max(0, start - 2) : start])
    )


def _quote(matches: list[re.Match[str]]) -> str:
    parts: list[str] = []
    for m in sorted(matches, key=lambda m: m.start()):
        start, end = m.start(), m.end()
        if m.group(0)[:1].isdigit() or m.group(0)[-1:].isdigit():
            start, end = _number_span(m.string, start, end)
            if m.string[start - 1 : start] in "£$€" and start > 0:
                start -= 1
        piece = _SPACES.sub(" ", m.string[start:end]).strip()
        if len(piece) > _MAX_QUOTE:
            piece = piece[: _MAX_QUOTE - 1] + "…"
        if piece and piece.lower() not in (p.lower() for p in parts):
            parts.append(piece)
    return " … ".join(f'"{p}"' for p in parts) if parts else '""'


def _amount(text: str, pack: LanguagePack) -> tuple[str, str | None] | None:
    if pack.amount is None:
        return None
    bare: tuple[str, str | None] | None = None
    for m in pack.amount.finditer(text):
        groups = m.groupdict()
        num = groups.get("num") or groups.get("num2")
        if num:
            unit = groups.get("pre") or groups.get("post") or ""
            thousands = bool(groups.get("k") or groups.get("k2"))
            return _number(num, thousands), pack.currencies.get(unit.lower())
        if groups.get("numk"):
            return _number(groups["numk"], True), None
        if bare is None and groups.get("num3") and not _in_number_run(text, m.start(), m.end()):
            bare = (_number(groups["num3"], False), None)
    return bare


_RUN_AFTER = re.compile(r"[ \u00a0.:/-]?\d")
_RUN_BEFORE = re.compile(r"\d[ \u00a0.:/-]?$")
"""A bare number next to these is part of a longer number: a phone number, a date, a time."""


def _in_number_run(text: str, start: int, end: int) -> bool:
    """A bare number that is part of a phone number or code (+44 7700 900123) is no amount."""
    before = text[max(0, start - 2) : start]
    return (
        before[-1:] in ("+", "-", "#")
        or _RUN_BEFORE.search(before) is not None
        or _RUN_AFTER.match(text, end) is not None
    )


def _number(raw: str, thousands: bool) -> str:
    digits = raw.replace(",", "")
    if thousands:
        try:
            value = float(digits) * 1000
        except ValueError:
            return raw
        return str(int(value)) if value.is_integer() else str(value)
    return digits
