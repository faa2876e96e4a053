"""Measuring signal detection against a labelled set (used by the tests and docs/signals.md).

A labelled line is a mapping with ``text``, ``stages`` (the stages a careful reader sees) and
``is_benign`` (a hard look-alike that must not be flagged with a key stage).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from benchmarks.evaluation.labelled import Counts

from unshared.analysis.signal_rules import KEY_STAGES, STAGES
from unshared.analysis.signals import detect_signals
from unshared.model import Signal

__all__ = ["Evaluation", "StageScore", "copies", "evaluate", "line_key"]


def line_key(text: str) -> str:
    """A line with case, punctuation and spacing aside: a quote copied from another page (or
    with another apostrophe) gives the same key."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    return " ".join(re.findall(r"\w+", text))


def copies(known: Iterable[str], new: Iterable[str]) -> list[str]:
    """The lines of ``new`` that copy a line of ``known`` or an earlier line of ``new``: the same
    :func:`line_key`, or (for lines of four words or more) at least 80% of the words of the two
    lines together. A copy would sit on both sides of a fold and flatter the dev figures.

    Two word sets sharing 80% of their union share a word among the first ``n - ceil(0.8 n) + 1``
    of each, words taken rarest first (prefix filtering), so only lines sharing such a word are
    compared: the same answer as comparing every pair, in seconds on 20,000 lines."""
    known, new = list(known), list(new)
    keys = [line_key(t) for t in known + new]
    freq = Counter(w for k in keys for w in set(k.split()))

    def prefix(words: frozenset[str]) -> list[str]:
        n = len(words)
        return sorted(words, key=lambda w: (freq[w], w))[: n - (4 * n + 4) // 5 + 1]

    seen = set(keys[: len(known)])
    pool: list[frozenset[str]] = []
    index: dict[str, list[int]] = {}

    def add(words: frozenset[str]) -> None:
        for w in prefix(words):
            index.setdefault(w, []).append(len(pool))
        pool.append(words)

    for key in keys[: len(known)]:
        if len(words := frozenset(key.split())) >= 4:
            add(words)
    found: list[str] = []
    for text, key in zip(new, keys[len(known) :], strict=True):
        words = frozenset(key.split())
        near = False
        if len(words) >= 4 and key not in seen:
            candidates = {i for w in prefix(words) for i in index.get(w, ())}
            near = any(len(words & pool[i]) >= 0.8 * len(words | pool[i]) for i in candidates)
        if key in seen or near:
            found.append(text)
        seen.add(key)
        if len(words) >= 4:
            add(words)
    return found


@dataclass
class StageScore(Counts):
    stage: str = ""

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class Evaluation:
    lines: int = 0
    benign: int = 0
    benign_flagged: int = 0
    stages: dict[str, StageScore] = field(
        default_factory=lambda: {s: StageScore(stage=s) for s in STAGES}
    )
    misses: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)

    @property
    def benign_flag_rate(self) -> float:
        """Share of benign look-alikes flagged with a key stage (threat, demand, ...)."""
        return self.benign_flagged / self.benign if self.benign else 0.0

    def table(self) -> str:
        """A Markdown table of precision and recall per stage."""
        rows = ["| stage | support | precision | recall |", "|---|---:|---:|---:|"]
        for s in self.stages.values():
            rows.append(f"| {s.stage} | {s.support} | {s.precision:.2f} | {s.recall:.2f} |")
        rows.append(
            f"\nBenign look-alikes flagged with a key stage: {self.benign_flagged}/{self.benign}"
            f" ({self.benign_flag_rate:.1%})"
        )
        return "\n".join(rows)


def evaluate(
    rows: Iterable[Mapping[str, Any]],
    detect: Callable[[str, str], list[Signal]] = detect_signals,
) -> Evaluation:
    """Score ``detect`` on labelled ``rows``; each row may name its ``lang`` (default en)."""
    ev = Evaluation()
    for row in rows:
        ev.lines += 1
        expected = set(row.get("stages") or ())
        got = {s.stage for s in detect(str(row["text"]), str(row.get("lang") or "en"))}
        for stage, score in ev.stages.items():
            if stage in got and stage in expected:
                score.tp += 1
            elif stage in got:
                score.fp += 1
            elif stage in expected:
                score.fn += 1
        if row.get("is_benign"):
            ev.benign += 1
            if got & set(KEY_STAGES):
                ev.benign_flagged += 1
        if got != expected:
            ev.misses.append(
                (str(row.get("id", "")), str(row["text"]), sorted(expected), sorted(got))
            )
    return ev
