"""Analyse a case: identifiers police need and the warning signs, kept up to date.

:func:`bring_up_to_date` is the one place that decides whether analysis must run; every use case
that shows or writes what analysis found (identifiers, the report, the bundle, platform drafts)
calls it first, so nothing made from a case can be older than the case's messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from unshared.analysis import signal_rules
from unshared.casefile import Case
from unshared.casefile.events import AnalysisRun
from unshared.errors import InputFileError
from unshared.model import Identifier, Signal

__all__ = [
    "kind_label",
    "DEFAULT_REGION",
    "KEY_STAGES",
    "AnalysisState",
    "LineFindings",
    "analyse_case",
    "analysis_state",
    "bring_up_to_date",
    "check_lines",
    "identifiers",
    "key_messages",
    "phone_region_code",
    "reanalyse_as_of",
    "what_they_used",
]

DEFAULT_REGION = "GB"
#: The stages that make a message a key message for the person helping (one source: the rules).
KEY_STAGES = signal_rules.KEY_STAGES


def phone_region_code(value: str) -> str:
    """The ISO 3166 country code for reading phone numbers without a +country code (UK -> GB);
    :class:`InputFileError` when libphonenumber does not know it."""
    import phonenumbers

    code = value.strip().upper()
    if code == "UK":
        code = "GB"
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise InputFileError(f"{value!r} is not a country code (try GB, US, IE, AU, NG...)")
    return code


@dataclass(frozen=True)
class AnalysisState:
    """Where the case's analysis stands: the region it used (None: never analysed) and whether
    evidence was read, set aside or the victim named after it."""

    region: str | None
    stale: bool

    def needs_run(self, region: str | None) -> bool:
        if self.region is None or self.stale:
            return True
        return region is not None and region.upper() != self.region


def analysis_state(case: Case) -> AnalysisState:
    """The newest ``analysis_run`` and whether the case changed after it."""
    last = case.last_analysis()
    if last is None:
        return AnalysisState(None, stale=True)
    region = (last[1].region or DEFAULT_REGION).upper()
    from unshared.analysis.case_analysis import analyser

    return AnalysisState(region, stale=case.needs_analysis(region, analyser()))


def _analyse(
    case: Case,
    region: str,
    *,
    until: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Any:
    """Analyse the case as it is (or as it was at event ``until``): the messages read then, and
    the case's one answer to who the person reporting is, which overrides the exports' guesses."""
    from unshared.analysis.case_analysis import analyse

    return analyse(
        case.participants(until=until),
        ((stored.id, stored.message) for stored in case.messages(until=until)),
        case.victims(until=until),
        region,
        progress=progress,
    )


def analyse_case(
    case: Case, region: str = DEFAULT_REGION, *, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Analyse every message and participant and store the results (logged as ``analysis_run``).

    Returns the logged summary: counts per kind and stage, message count, region. The evidence
    itself is never touched; only the derived identifiers and signals are replaced.
    """
    found = _analyse(case, region, progress=progress)
    case.replace_analysis(found.identifiers, found.signals, found.summary)
    summary: dict[str, Any] = found.summary
    return summary


def reanalyse_as_of(
    case: Case, seq: int, run: AnalysisRun
) -> tuple[list[tuple[int | None, Identifier]], list[tuple[int, Signal]]] | None:
    """The analysis the case would have had at event ``seq`` (for ``unshared verify``); None when
    that run was made by another version of the analysis, which today's cannot reproduce."""
    from unshared.analysis.case_analysis import analyser

    if run.analyser != analyser():
        return None
    found = _analyse(case, run.region or DEFAULT_REGION, until=seq)
    return found.identifiers, found.signals


def bring_up_to_date(
    case: Case,
    region: str | None = None,
    *,
    refresh: bool = False,
    progress: Callable[[int], None] | None = None,
    starting: Callable[[int], None] | None = None,
) -> dict[str, Any] | None:
    """Analyse the case unless its analysis is current; returns the new summary, or None.

    ``region`` (ISO country for phone numbers) defaults to the region of the last analysis, else
    GB; a different region analyses again. ``starting`` is told how many messages will be read,
    just before a run starts.
    """
    state = analysis_state(case)
    if not refresh and not state.needs_run(region):
        return None
    chosen = (region or state.region or DEFAULT_REGION).upper()
    if starting is not None:
        starting(case.message_count())
    return analyse_case(case, chosen, progress=progress)


def identifiers(
    case: Case,
    region: str | None = None,
    *,
    refresh: bool = False,
    progress: Callable[[int], None] | None = None,
    starting: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """``unshared identifiers``: one row per identifier (kind, value, validity, where found,
    sides, uses), the offender's first; analysis brought up to date first."""
    from unshared.analysis.case_analysis import identifier_table

    bring_up_to_date(case, region, refresh=refresh, progress=progress, starting=starting)
    return identifier_table(case.identifiers())


def key_messages(case: Case) -> list[dict[str, Any]]:
    """Messages with a threat, demand, deadline or harassment, each with its signals (oldest
    first). Reads the stored analysis; call :func:`bring_up_to_date` first."""
    flagged: dict[int, dict[str, Any]] = {}
    for message_id, signal in case.signals():
        if signal["stage"] in KEY_STAGES:
            entry = flagged.setdefault(message_id, {"message": None, "signals": []})
            entry["signals"].append(signal)
    if flagged:
        for stored in case.messages():
            if stored.id in flagged:
                flagged[stored.id]["message"] = stored.message
    return [flagged[key] for key in sorted(flagged)]


@dataclass(frozen=True)
class LineFindings:
    """What one line of text holds: identifiers and warning signs."""

    line: int
    text: str
    identifiers: list[Identifier]
    signals: list[Signal]


def check_lines(
    lines: Iterable[tuple[int, str]],
    region: str,
    *,
    context: int = 0,
    threshold: float | None = None,
    encoder: bool = True,
) -> Iterator[LineFindings]:
    """``unshared scan``: check any text, one message a line, without a case.

    With ``context`` > 0 each line is read after the ``context`` lines before it (as one
    sender's messages); ``threshold`` overrides the signals' default threshold; ``encoder=False``
    reads without the sentence encoder (faster, finds fewer).
    """
    from itertools import islice

    from unshared.analysis.identifiers import extract_identifiers
    from unshared.analysis.signal_reader import SignalReader

    reader = SignalReader(context=context, threshold=threshold, use_encoder=encoder)
    it = iter(lines)
    while batch := list(islice(it, 1024)):
        found = reader.read([text for _, text in batch])
        for (number, text), signals in zip(batch, found, strict=True):
            yield LineFindings(number, text, extract_identifiers(text, region), signals)


def kind_label(kind: str) -> str:
    """What an identifier kind is called in words ("Bitcoin address", "Skype ID")."""
    from unshared.report.model import KIND_LABELS

    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def own_flagged(case: Case) -> int:
    """How many of the person's own messages read as a threat or a demand alone, by the newest
    analysis (they get no stage; a number with no threat from anyone else suggests the wrong
    name is marked as theirs). Call :func:`bring_up_to_date` first."""
    last = case.last_analysis()
    return last[1].own_flagged if last is not None else 0


def what_they_used(
    case: Case, region: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The app's "what they used" step: the identifier table and the key messages, with the
    analysis brought up to date first."""
    table = identifiers(case, region)
    return table, key_messages(case)
