"""Training the signal scorer (needs scikit-learn and scipy; never imported by the CLI).

``tools/train_signals.py`` calls :func:`train` on the labelled corpus in ``tests/data/signals``
and writes ``analysis/data/signals/scorer.npz`` (the corpus is read by
:mod:`unshared.analysis.signal_corpus`). Everything is deterministic (fixed folds from
a hash of each line's group, liblinear with a fixed seed, float16 weights, a zip with fixed
dates), so the same corpus gives the same file.

The threshold is chosen on out-of-fold scores (5 folds, grouped by source so
quotes from one e-mail or one article never sit on both sides), which is the dev split: the
highest recall on the key stages with at most ``max_benign`` of the benign look-alikes flagged,
that share read as the mean over the corpus files they come from
(:data:`~unshared.analysis.signal_choice.BY_SOURCE`; the choosing is in that module).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.analysis.signal_blend import blend_for
from unshared.analysis.signal_choice import (
    BY_SOURCE,
    choose,
    choose_gate,
    choose_other,
    choose_pick,
    flagged,
    measure,
)
from unshared.analysis.signal_context import fit_context_shift, in_context, shifted
from unshared.analysis.signal_corpus import (
    TRAIN_ONLY,
    TRANSLATED,
    Row,
    corpus_hash,
    load_corpus,
    with_context_copies,
)
from unshared.analysis.signal_encoder import DEV_FOLD, EncoderModel, latin
from unshared.analysis.signal_rules import KEY_STAGES, STAGES
from unshared.analysis.signal_scorer import (
    BITS,
    FEATURES,
    RULE_FEATURES,
    ScorerModel,
    context_bucket,
    featurise,
    sigmoid,
)
from unshared.analysis.signals import rule_reading

__all__ = ["Row", "TrainResult", "load_corpus", "train"]

FOLDS = 5
C = 16.0  # chosen with the third blind set held out: as good as 64 there, and 2-3x faster
CLASS_WEIGHT: str | None = None
RULE_SCALE = 0.3  # the rules' inputs enter at this scale, so the words keep a say
COUNT_FLOOR = 120  # see ScorerModel.count_floor (at 60, "who is this" read as coercion once the
# fifth to seventh batches were in)
NB_ALPHA = 1.0  # smoothing of nb_scale's counts (0.25 and 4 measured no better)
TRAIN_ONLY_WEIGHT = 2.0
"""How much each of those lines weighs in the fit: everyday messages are most of what a chat holds,
and one copy of each was not enough to keep three-word lines ("who is this") from reading as
threats."""


@dataclass
class TrainResult:
    model: ScorerModel
    report: dict[str, Any] = field(default_factory=dict)


def _fold(group: str) -> int:
    return int(hashlib.sha256(group.encode()).hexdigest(), 16) % FOLDS


def encoder_rows(rows: Sequence[Row]) -> list[Row]:
    """What ``tools/train_encoder.py`` trains on: off its dev fold, read alone, :func:`latin`."""
    return [r for r in rows if _fold(r.group) != DEV_FOLD and not r.context and latin(r.text)]


def rule_inputs(rows: Sequence[Row]) -> tuple[npt.NDArray[np.float64], list[set[str]]]:
    """The rules' view of each row: the :data:`RULE_FEATURES` and the stages they flag."""
    out = np.zeros((len(rows), len(RULE_FEATURES)))
    fired: list[set[str]] = []
    cache: dict[tuple[str, str], tuple[list[Any], bool]] = {}
    for i, r in enumerate(rows):
        key = (r.text, r.lang)
        if key not in cache:
            cache[key] = rule_reading(r.text, r.lang)
        signals, about = cache[key]
        stages = {s.stage for s in signals}
        fired.append(stages)
        for j, stage in enumerate(STAGES):
            out[i, j] = stage in stages
        out[i, len(STAGES)] = about
    return out, fired


def _matrix(rows: Sequence[Row], rules: npt.NDArray[np.float64], bits: int) -> Any:
    from scipy import sparse

    f = featurise([r.text for r in rows], bits)
    ctx = np.array([r.context for r in rows])
    scale = 1.0 / np.sqrt(np.maximum(f.counts, COUNT_FLOOR))
    extra = ctx[f.message]
    col = np.concatenate([f.bucket, context_bucket(f.bucket[extra], bits)])
    row = np.concatenate([f.message, f.message[extra]])
    data = scale[row]
    text = sparse.csr_matrix((data, (row, col)), shape=(len(rows), 1 << bits), dtype=np.float64)
    text.sum_duplicates()
    return sparse.hstack([text, sparse.csr_matrix(rules)]).tocsr()


def nb_scale(
    x_text: Any, y: npt.NDArray[np.int_], alpha: float = NB_ALPHA
) -> npt.NDArray[np.float64]:
    """How far each n-gram leans to one side of a head's label, as a column scale (the
    naive-Bayes log-count ratio of NBSVM, Wang and Manning 2012): ``|log((p_j / |p|) / (q_j /
    |q|))|`` with ``p_j`` (``q_j``) the labelled (other) lines holding feature ``j`` plus
    ``alpha``, divided by its mean so the regularisation keeps its scale. The logistic
    regression then starts from what each n-gram says on its own and spends its weight budget
    on the n-grams that lean; the scale is folded into the weights, so reading is unchanged."""
    present = x_text.copy()
    present.data = np.ones_like(present.data)
    p = np.asarray(present[y == 1].sum(axis=0)).ravel() + alpha
    q = np.asarray(present[y == 0].sum(axis=0)).ravel() + alpha
    ratio = np.abs(np.log((p / p.sum()) / (q / q.sum())))
    return np.asarray(ratio / ratio.mean(), dtype=np.float64)


def _fit(x: Any, rows: Sequence[Row]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One logistic regression per stage, then the coercion head (any key stage) over the
    n-grams scaled by :func:`nb_scale` (the rules' inputs unscaled). Out of fold the scale lifted
    the coercion head (coercive dev lines flagged 4,116 -> 4,307 of 5,650 at the same <= 5%
    benign); given to the stage heads too, it cost contact, platform-switch and escalation
    recall, so they keep the plain n-grams."""
    from sklearn.linear_model import LogisticRegression

    keys = set(KEY_STAGES)
    labels = [[stage in r.stages for r in rows] for stage in STAGES]
    labels.append([bool(r.stages & keys) for r in rows])
    weights = np.zeros((x.shape[1], len(labels)))
    bias = np.zeros(len(labels))
    sample_weight = np.array([TRAIN_ONLY_WEIGHT if r.origin in TRAIN_ONLY else 1.0 for r in rows])
    n_text = x.shape[1] - len(RULE_FEATURES)
    for j, flags in enumerate(labels):
        y = np.array(flags, dtype=int)
        if y.sum() == 0:
            bias[j] = -10.0
            continue
        scale: npt.NDArray[np.float64] | None = None
        fitted_on = x
        if j == len(STAGES):  # the coercion head; the stage heads read x as it is
            scale = np.concatenate([nb_scale(x[:, :n_text], y), np.ones(len(RULE_FEATURES))])
            fitted_on = x.copy()
            fitted_on.data *= scale[fitted_on.indices]
        clf = LogisticRegression(
            C=C,
            class_weight=CLASS_WEIGHT,
            solver="liblinear",
            dual=True,
            random_state=0,
            max_iter=5000,
        )
        clf.fit(fitted_on, y, sample_weight=sample_weight)
        weights[:, j] = clf.coef_[0] if scale is None else clf.coef_[0] * scale
        bias[j] = clf.intercept_[0]
    return weights, bias


def _fit_gate(x: Any, y: npt.NDArray[np.int_]) -> tuple[npt.NDArray[np.float64], float]:
    """Words only: does this message look like anything the rules or the labels care about?"""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(
        C=C, class_weight="balanced", solver="liblinear", dual=True, random_state=0, max_iter=5000
    )
    clf.fit(x, y)
    return clf.coef_[0], float(clf.intercept_[0])


def train(
    root: Path,
    *,
    max_benign: float = 0.05,
    bits: int = BITS,
    encoder: EncoderModel | None = None,
) -> TrainResult:
    """Fit the scorer on the corpus under ``root``; the threshold from out-of-fold scores; the
    blend with ``encoder`` (None: the packaged one) on its dev fold."""
    base = load_corpus(root)
    rows = with_context_copies(base)
    rules, fired = rule_inputs(rows)
    x = _matrix(rows, rules * RULE_SCALE, bits)
    n_text = 1 << bits
    xt = x[:, :n_text]
    y_gate = np.array([bool(r.stages) or bool(f) for r, f in zip(rows, fired, strict=True)], int)
    folds = np.array([_fold(r.group) for r in rows])
    heads = len(STAGES) + 1
    oof = np.zeros((len(rows), heads))
    oof_words = np.zeros((len(rows), heads))
    oof_gate = np.zeros(len(rows))
    for k in range(FOLDS):
        train_idx = np.nonzero(folds != k)[0]
        test_idx = np.nonzero(folds == k)[0]
        w, b = _fit(x[train_idx], [rows[i] for i in train_idx])
        oof[test_idx] = sigmoid((x[test_idx] @ w + b).astype(np.float32))
        oof_words[test_idx] = sigmoid((xt[test_idx] @ w[:n_text] + b).astype(np.float32))
        wg, bg = _fit_gate(xt[train_idx], y_gate[train_idx])
        oof_gate[test_idx] = sigmoid((xt[test_idx] @ wg + bg).astype(np.float32))
    coercion = len(STAGES)
    shift, shift_report = fit_context_shift(rows, oof[:, coercion])
    unshifted = oof[:, coercion].copy()
    after = np.array([r.context for r in rows])
    # Each row's coercion probability without the shift when it is read in context, else NaN.
    bare_all = np.where(after, unshifted, np.nan)
    bare_words_all = np.where(after, oof_words[:, coercion], np.nan)
    for probs in (oof, oof_words):
        probs[after, coercion] = shifted(probs[after, coercion], shift)
    dev_idx = [i for i, r in enumerate(rows) if r.evaluate]
    ordinary_idx = [i for i, r in enumerate(rows) if r.origin in TRAIN_ONLY and not r.context]
    dev = [rows[i] for i in dev_idx]
    dev_probs = oof[dev_idx]
    dev_rules = [fired[i] for i in dev_idx]
    bare, bare_words = bare_all[dev_idx], bare_words_all[dev_idx]
    threshold, chosen = choose(dev, dev_probs, max_benign, bare=bare, ruled=dev_rules)
    pick = choose_pick(dev, dev_probs, threshold, bare, dev_rules)
    other = choose_other(dev, dev_probs)
    gate = choose_gate(
        dev,
        dev_probs,
        oof_words[dev_idx],
        oof_gate[dev_idx],
        threshold,
        other,
        max_benign,
        pick,
        (bare, bare_words),
        dev_rules,
    )
    opened = oof_gate[dev_idx] >= gate
    dev_probs = np.where(opened[:, None], dev_probs, oof_words[dev_idx])
    ran = [f if o else set() for f, o in zip(dev_rules, opened.tolist(), strict=True)]
    got = flagged(dev_probs, threshold, other, pick, np.where(opened, bare, bare_words), ran)
    chosen = measure(dev, got)
    in_ctx = in_context(rows)
    plain = oof[in_ctx].copy()
    plain[:, coercion] = unshifted[in_ctx]
    for name, probs, no_shift in (
        ("without", plain, None),
        ("with", oof[in_ctx], bare_all[in_ctx]),
    ):
        hit = np.array(
            [bool(g & set(KEY_STAGES)) for g in flagged(probs, threshold, other, pick, no_shift)]
        )
        coercive = np.array([bool(rows[i].stages & set(KEY_STAGES)) for i in in_ctx], bool)
        shift_report[f"{name}_shift"] = {
            "coercive_flagged": int((hit & coercive).sum()),
            "other_flagged": int((hit & ~coercive).sum()),
        }
    report: dict[str, Any] = {
        "threshold": threshold,
        "pick": pick,
        "threshold_other": other,
        "gate": gate,
        "gate_open_dev": float(np.mean(oof_gate[dev_idx] >= gate)),
        "rows": len(base),
        "dev": chosen,
        "dev_rules_only": measure(dev, dev_rules),
        "context_shift": shift_report,
        "ordinary_flagged": _ordinary_flagged(rows, oof, threshold, other, pick),
        "per_language": {},
        "per_origin": {},
    }
    for key, name in (("per_language", "lang"), ("per_origin", "origin")):
        for value in sorted({getattr(r, name) for r in dev}):
            idx = [i for i, r in enumerate(dev) if getattr(r, name) == value]
            report[key][value] = {
                "scorer": measure([dev[i] for i in idx], [got[i] for i in idx]),
                "rules": measure([dev[i] for i in idx], [dev_rules[i] for i in idx]),
            }
    blend, report["blend"] = blend_for(
        dev,
        unshifted[dev_idx],
        threshold,
        max_benign,
        encoder,
        after[dev_idx] * shift,
        ([rows[i] for i in ordinary_idx], unshifted[ordinary_idx]),
        by_source=BY_SOURCE,
    )
    weights, bias = _fit(x, rows)
    wg, bg = _fit_gate(xt, y_gate)
    table = np.concatenate([weights[:n_text], wg[:, None]], axis=1)
    model = ScorerModel(
        stages=STAGES,
        weights=table.astype(np.float16).astype(np.float32),
        bias=np.append(bias, bg).astype(np.float32),
        threshold=threshold,
        rule_weights=(weights[n_text:] * RULE_SCALE).astype(np.float32),
        bits=bits,
        meta={
            "version": 2,
            "features": FEATURES,
            "trained_on": len(base),
            "corpus_sha256": corpus_hash(root),
            "dev": "out-of-fold scores, 5 folds grouped by source",
            "max_benign": max_benign,
            "C": C,
            "rule_scale": RULE_SCALE,
            "count_floor": COUNT_FLOOR,
            "nb_alpha": NB_ALPHA,
            "threshold_other": other,
            "pick": pick,
            "gate": gate,
            "context_shift": shift,
            "dev_key_recall": round(chosen["key_recall"], 4),
            "dev_benign_rate": round(chosen["benign_rate"], 4),
            "dev_benign_rate_by_source": round(chosen["benign_rate_by_source"], 4),
            "budget": "mean over sources" if BY_SOURCE else "pooled",
            **blend,
        },
        examples=_examples(base),
    )
    return TrainResult(model, report)


def _ordinary_flagged(
    rows: Sequence[Row], oof: npt.NDArray[np.float64], threshold: float, other: float, pick: float
) -> dict[str, int]:
    """Out of fold: how many ordinary chat lines (:data:`TRAIN_ONLY`, read alone) get a key stage."""
    idx = [i for i, r in enumerate(rows) if r.origin in TRAIN_ONLY and not r.context]
    got = flagged(oof[idx], threshold, other, pick)
    return {"lines": len(idx), "flagged": sum(1 for g in got if g & set(KEY_STAGES))}


def _examples(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """The labelled offender lines shown as "reads like" (deduplicated, in corpus order); never a
    translation, whose source page holds the words in another language."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for r in rows:
        if r.is_benign or not r.stages or r.text in seen or r.origin.startswith(TRANSLATED):
            continue
        seen.add(r.text)
        out.append({"text": r.text, "stages": sorted(r.stages), "source": r.source})
    return out
