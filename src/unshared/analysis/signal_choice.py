"""Choosing the scorer's operating points on the dev split (pure; used by training only).

:func:`choose` picks the coercion threshold: the best recall on the key stages with at most
``max_benign`` of the benign look-alikes flagged, that share read by :func:`budget` (the mean over
the corpus files they come from, :data:`BY_SOURCE`). :func:`choose_pick`, :func:`choose_other`
and :func:`choose_gate` pick the stage models' cut, the threshold of the stages that are not key,
and the gate that lets the rules run. :func:`flagged` reads probabilities as the reader decides,
and :func:`measure` gives recall per stage and the look-alikes flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.analysis.signal_corpus import Row
from unshared.analysis.signal_decision import decide
from unshared.analysis.signal_rules import KEY_STAGES, STAGES

__all__ = [
    "BY_SOURCE",
    "GATE_LOSS",
    "budget",
    "choose",
    "choose_gate",
    "choose_other",
    "choose_pick",
    "flagged",
    "measure",
]

THRESHOLDS = tuple(round(float(x), 3) for x in np.arange(0.30, 0.981, 0.01))
PICKS = tuple(round(float(x), 3) for x in np.arange(0.05, 0.951, 0.05))
GATES = (0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03, 0.02, 0.01, 0.005, 0.0)
GATE_LOSS = 0.005  # the gate may cost at most half a point of key-stage recall on the dev split
BY_SOURCE = True
"""The look-alike budget is the mean over corpus files (``Row.origin``) of each one's share
flagged, not the pooled share: each folded-in set of hard look-alikes then moves the threshold by
its part in a mean over some 75 files, not by its number of lines (with the pooled share, folding
in 1,700 lines of phishing, negotiation replies and quoted news raised the threshold from 0.53 to
0.56 and cost three points of recall on the landed models' dev fold, 2026-12-07)."""


def choose_gate(
    rows: Sequence[Row],
    with_rules: npt.NDArray[np.float64],
    without_rules: npt.NDArray[np.float64],
    gate: npt.NDArray[np.float64],
    threshold: float,
    other: float,
    max_benign: float,
    pick: float = 0.5,
    bare: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
    ruled: Sequence[set[str]] | None = None,
) -> float:
    """The highest gate (fewest rule runs) that costs at most ``GATE_LOSS`` of key recall
    (``bare``: the coercion probabilities without the context shift, with and without rules;
    ``ruled``: the stages the rules found, which count only where the gate lets them run)."""
    found = ruled if ruled is not None else [set()] * len(rows)
    full = measure(
        rows, flagged(with_rules, threshold, other, pick, bare[0] if bare else None, found)
    )
    for g in GATES:
        opened = gate >= g
        probs = np.where(opened[:, None], with_rules, without_rules)
        no_shift = np.where(opened, bare[0], bare[1]) if bare else None
        ran = [f if o else set() for f, o in zip(found, opened.tolist(), strict=True)]
        m = measure(rows, flagged(probs, threshold, other, pick, no_shift, ran))
        others = [s for s in STAGES if s not in KEY_STAGES]
        lost = max(full["stages"][s]["recall"] - m["stages"][s]["recall"] for s in others)
        if (
            m["key_recall"] >= full["key_recall"] - GATE_LOSS
            and lost <= 2 * GATE_LOSS
            and budget(m) <= max_benign
        ):
            return g
    return 0.0


def measure(rows: Sequence[Row], got: Sequence[set[str]]) -> dict[str, Any]:
    """Recall and precision per stage, and the share of benign look-alikes flagged."""
    stages: dict[str, dict[str, float]] = {}
    for stage in STAGES:
        tp = sum(1 for r, g in zip(rows, got, strict=True) if stage in r.stages and stage in g)
        fn = sum(1 for r, g in zip(rows, got, strict=True) if stage in r.stages and stage not in g)
        fp = sum(1 for r, g in zip(rows, got, strict=True) if stage not in r.stages and stage in g)
        stages[stage] = {
            "support": tp + fn,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
        }
    benign = [g for r, g in zip(rows, got, strict=True) if r.is_benign]
    flagged = sum(1 for g in benign if g & set(KEY_STAGES))
    per_source: dict[str, list[bool]] = {}
    for r, g in zip(rows, got, strict=True):
        if r.is_benign:
            per_source.setdefault(r.origin, []).append(bool(g & set(KEY_STAGES)))
    coercive = [g for r, g in zip(rows, got, strict=True) if r.stages & set(KEY_STAGES)]
    return {
        "lines": len(rows),
        "coercive": len(coercive),
        "coercive_flagged": sum(1 for g in coercive if g & set(KEY_STAGES)),
        "stages": stages,
        "benign": len(benign),
        "benign_flagged": flagged,
        "benign_rate": flagged / len(benign) if benign else 0.0,
        "benign_rate_by_source": (
            float(np.mean([np.mean(v) for v in per_source.values()])) if per_source else 0.0
        ),
        "key_recall": float(np.mean([stages[s]["recall"] for s in KEY_STAGES])),
    }


def budget(m: dict[str, Any]) -> float:
    """The share of look-alikes the budget counts (:data:`BY_SOURCE`)."""
    return float(m["benign_rate_by_source"] if BY_SOURCE else m["benign_rate"])


def choose(
    rows: Sequence[Row],
    probs: npt.NDArray[np.float64],
    max_benign: float,
    pick: float = 0.5,
    bare: npt.NDArray[np.float64] | None = None,
    ruled: Sequence[set[str]] | None = None,
) -> tuple[float, dict[str, Any]]:
    """The threshold with the best key-stage recall at <= ``max_benign`` benign flagged."""
    best: tuple[float, float, dict[str, Any]] | None = None
    for t in THRESHOLDS:
        m = measure(rows, flagged(probs, t, pick=pick, bare=bare, ruled=ruled))
        if budget(m) > max_benign:
            continue
        other = np.mean([m["stages"][s]["recall"] for s in STAGES if s not in KEY_STAGES])
        key = m["key_recall"] + 0.25 * float(other)
        if best is None or key > best[0] + 1e-9:
            best = (key, t, m)
    if best is None:
        raise RuntimeError(f"no threshold keeps benign flags under {max_benign:.0%}")
    return best[1], best[2]


def flagged(
    probs: npt.NDArray[np.float64],
    threshold: float,
    other: float | None = None,
    pick: float = 0.5,
    bare: npt.NDArray[np.float64] | None = None,
    ruled: Sequence[set[str]] | None = None,
) -> list[set[str]]:
    """The stages each row shows, as the reader decides (:func:`~unshared.analysis.
    signal_decision.decide`, the coercion head in the last column); ``other`` for the stages that
    are not key (``threshold`` if None); ``bare``: each row's coercion probability without the
    context shift (NaN for a row read alone); ``ruled``: the stages the rules found in each row
    (none where they did not run)."""
    cut = threshold if other is None else other
    no_shift = [
        None if b is None or np.isnan(b) else float(b)
        for b in (bare if bare is not None else [None] * len(probs))
    ]
    found: Sequence[set[str]] = ruled if ruled is not None else [set()] * len(probs)
    return [
        {s for s, _ in decide(p, STAGES, KEY_STAGES, threshold, cut, pick, b, f)}
        for p, b, f in zip(probs, no_shift, found, strict=True)
    ]


def choose_pick(
    rows: Sequence[Row],
    probs: npt.NDArray[np.float64],
    threshold: float,
    bare: npt.NDArray[np.float64] | None = None,
    ruled: Sequence[set[str]] | None = None,
) -> float:
    """The stage models' cut once the coercion head has flagged a message: the best mean F1 of
    the key stages on the dev split."""
    return _best_f1(
        rows,
        KEY_STAGES,
        PICKS,
        lambda t: flagged(probs, threshold, 1.0, pick=t, bare=bare, ruled=ruled),
    )


def choose_other(rows: Sequence[Row], probs: npt.NDArray[np.float64]) -> float:
    """The threshold for contact, platform_switch and image_request: the best F1 on the dev split."""
    others = [s for s in STAGES if s not in KEY_STAGES]
    return _best_f1(rows, others, THRESHOLDS, lambda t: flagged(probs, 1.0, t))


def _best_f1(
    rows: Sequence[Row],
    stages: Sequence[str],
    grid: Sequence[float],
    got: Callable[[float], list[set[str]]],
) -> float:
    """The value of ``grid`` whose flags (``got``) give ``stages`` the best mean F1 (the first
    of equals)."""
    best = (-1.0, 0.5)
    for t in grid:
        m = measure(rows, got(t))
        f1s = []
        for s in stages:
            r, p = m["stages"][s]["recall"], m["stages"][s]["precision"]
            f1s.append(2 * r * p / (r + p) if r + p else 0.0)
        if float(np.mean(f1s)) > best[0] + 1e-9:
            best = (float(np.mean(f1s)), t)
    return best[1]
