"""How the sentence encoder's reading joins the n-gram scorer's (pure; chosen at training time).

The coercion head's logit ``z`` (n-grams, the rules' inputs, the context shift) and the encoder's
logit ``e`` (:mod:`unshared.analysis.signal_encoder`) are mixed as ``(1 - weight) * z + weight * e
+ offset``. ``weight`` and the blend's own threshold were chosen on the dev fold the encoder never
trained on (the best recall with at most 5% of the benign look-alikes flagged); ``offset`` moves
that threshold onto the scorer's, so :func:`~unshared.analysis.signal_decision.decide` and a
``--threshold`` given by the user mean what they meant before.

The encoder costs milliseconds a message, so it is asked only about messages whose n-gram
reading reaches ``gate`` (in probability); below it a message keeps the n-gram reading. The gate
was chosen on the same fold: the highest that costs at most half a point of recall and keeps to
the benign budgets. The offset is the one the file stores (six decimals), checked to keep to the
budget as the mix is computed, so the gate search never fails on a row at the cut's edge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.analysis.signal_corpus import Row
from unshared.analysis.signal_encoder import EncoderModel, reads
from unshared.analysis.signal_rules import KEY_STAGES
from unshared.analysis.signal_scorer import logit

__all__ = ["Blend"]


@dataclass(frozen=True, slots=True)
class Blend:
    weight: float
    offset: float
    gate: float  # a probability of the n-gram reading

    @property
    def gate_logit(self) -> float:
        return -math.inf if self.gate <= 0.0 else logit(self.gate)

    def mix(self, z: float, e: float) -> float:
        """The blended coercion logit."""
        return (1.0 - self.weight) * z + self.weight * e + self.offset

    def mix_all(
        self, z: npt.NDArray[np.float64], e: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        return np.asarray((1.0 - self.weight) * z + self.weight * e + self.offset, dtype=np.float64)

    def as_meta(self) -> dict[str, float]:
        return {"weight": self.weight, "offset": self.offset, "gate": self.gate}

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any] | None) -> Blend | None:
        if not meta:
            return None
        return cls(float(meta["weight"]), float(meta["offset"]), float(meta["gate"]))


WEIGHTS = tuple(round(0.1 * k, 1) for k in range(10))
GATES = (0.3, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03, 0.02, 0.01, 0.005, 0.0)
GATE_LOSS = 0.005
ORDINARY_SHARE = 0.5
"""The blend may flag at most this share of the benign budget among the ordinary chat messages
(out of fold, coercion head at the threshold), or as many as the words alone flag if that is
more: the encoder has no count floor, and short everyday lines ("This is the last message of
this file") can read to it like a last warning. With the budget of 5%, at most one everyday
message in 40. The cap was once 1.5 times the words' own share; when new training made the
words quieter on everyday chat (1.5% to 1.05%, sets ab-af on 2026-12-06), that cap fell with
them and forced the encoder's weight from 0.5 to 0.1, though the encoder flagged no more
everyday messages than before."""


def budget_weights(
    benign: npt.NDArray[np.bool_], sources: Sequence[str] | None = None
) -> npt.NDArray[np.float64]:
    """Each benign row's share of the look-alike budget (the rest 0). Pooled (``sources`` None)
    every benign row weighs the same; with ``sources``, each source's rows share an equal part,
    so the rate is the mean over sources of each one's share flagged."""
    weights = np.zeros(len(benign), dtype=np.float64)
    if not benign.any():
        return weights
    if sources is None:
        weights[benign] = 1.0 / int(benign.sum())
        return weights
    names = np.asarray(list(sources), dtype=object)
    kinds = sorted({str(n) for n in names[benign]})
    for name in kinds:
        rows = benign & (names == name)
        weights[rows] = 1.0 / (len(kinds) * int(rows.sum()))
    return weights


def _best_cut(
    m: npt.NDArray[np.float64],
    coercive: npt.NDArray[np.bool_],
    weights: npt.NDArray[np.float64],
    max_benign: float,
    kept: npt.NDArray[np.bool_],
    kept_flag: npt.NDArray[np.bool_],
) -> tuple[float, float]:
    """The cut on ``m`` with the best recall of ``coercive`` while the benign rows flagged weigh
    at most ``max_benign`` (``weights``: :func:`budget_weights`): (recall, cut). Rows in ``kept``
    are not mixed: ``kept_flag`` says whether they are flagged, whatever the cut."""
    room = max_benign - float(weights[kept & kept_flag].sum())
    mixed = (weights > 0) & ~kept
    order = np.argsort(-m[mixed], kind="stable")
    ranked, cum = m[mixed][order], np.cumsum(weights[mixed][order])
    # the cut sits just above the highest benign value that would overspend the budget
    allowed = int(np.searchsorted(cum, room + 1e-12, side="right"))
    if room < -1e-12:
        cut = math.inf
    elif allowed < len(ranked):
        cut = float(np.nextafter(ranked[allowed], np.inf))
    else:
        cut = -math.inf
    flagged = np.where(kept, kept_flag, m >= cut)
    return float(flagged[coercive].mean()), cut


def choose_blend(
    z: npt.NDArray[np.float64],
    e: npt.NDArray[np.float64],
    coercive: npt.NDArray[np.bool_],
    benign: npt.NDArray[np.bool_],
    threshold: float,
    max_benign: float,
    shift: npt.NDArray[np.float64] | None = None,
    ordinary: npt.NDArray[np.bool_] | None = None,
    short: npt.NDArray[np.bool_] | None = None,
    sources: Sequence[str] | None = None,
) -> tuple[Blend, dict[str, Any]]:
    """The blend for dev rows with n-gram logits ``z`` and encoder logits ``e``: the weight and
    cut with the best recall at <= ``max_benign`` benign flagged, then the highest gate that
    costs at most :data:`GATE_LOSS` of that recall. ``threshold`` is the n-gram scorer's;
    ``shift``: the context shift each row is read with, added after the mix (the encoder reads
    a message alone, so mixing would dilute what context says); ``ordinary``: rows of everyday
    chat (not look-alikes), of which the blend may flag at most :data:`ORDINARY_SHARE` of
    ``max_benign``; ``short``: rows the encoder is not asked about (too short, or in a script
    it cannot read: :func:`~unshared.analysis.signal_encoder.reads`), which keep the words'
    reading; ``sources``: each row's source, when the budget is the mean over sources
    (:func:`budget_weights`)."""
    add = np.zeros_like(z) if shift is None else shift
    ords = np.zeros_like(coercive) if ordinary is None else ordinary
    tz = logit(threshold)
    ord_alone = float((z + add >= tz)[ords].mean()) if ords.any() else 0.0
    ord_cap = max(ORDINARY_SHARE * max_benign, ord_alone + 1e-9)

    def ord_rate(flags: npt.NDArray[np.bool_]) -> float:
        return float(flags[ords].mean()) if ords.any() else 0.0

    best: tuple[float, float, float] | None = None
    per_weight: dict[str, dict[str, float]] = {}
    kept = np.zeros_like(coercive) if short is None else short
    kept_flag = z + add >= tz
    weights = budget_weights(benign, sources)
    for w in WEIGHTS:
        m = (1.0 - w) * z + w * e + add
        recall, cut = _best_cut(m, coercive, weights, max_benign, kept, kept_flag)
        ordinary_rate = ord_rate(np.where(kept, kept_flag, m >= cut))
        per_weight[str(w)] = {"recall": round(recall, 4), "ordinary": round(ordinary_rate, 4)}
        if (ordinary_rate > ord_cap and w > 0) or not math.isfinite(cut):
            continue
        if best is None or recall > best[0] + 1e-9:
            best = (recall, w, cut)
    assert best is not None
    recall, weight, cut = best
    room = max_benign - float(weights[kept & kept_flag].sum())
    offset = _stored_offset(weight, tz - cut, z, e, add, tz, np.where(kept, 0.0, weights), room)
    blend = Blend(weight, offset, 0.0)
    mixed = blend.mix_all(z, e) + add
    z = z + add
    gate = 0.0
    chosen = {
        "recall": recall,
        "benign_rate": float((mixed[benign] >= tz).mean()),
        "budget_rate": float(weights[mixed >= tz].sum()),
        "ordinary_rate": ord_rate(mixed >= tz),
    }
    for g in GATES:
        asked = z >= logit(g) if g > 0 else np.ones_like(z, dtype=bool)
        if short is not None:
            asked = asked & ~short
        got = np.where(asked, mixed, z) >= tz
        r, b = float(got[coercive].mean()), float(weights[got].sum())
        if r >= recall - GATE_LOSS and b <= max_benign + 1e-12 and ord_rate(got) <= ord_cap:
            gate = g
            chosen = {
                "recall": r,
                "benign_rate": float(got[benign].mean()),
                "budget_rate": b,
                "ordinary_rate": ord_rate(got),
                "asked": float(asked[~ords].mean()),
            }
            break
    alone = z >= tz
    report = {
        "rows": len(z),
        "coercive": int(coercive.sum()),
        "benign": int(benign.sum()),
        "ordinary": int(ords.sum()),
        "scorer_alone": {
            "recall": float(alone[coercive].mean()),
            "benign_rate": float(alone[benign].mean()),
            "ordinary_rate": ord_alone,
        },
        "blended": chosen,
        "recall_per_weight": per_weight,
    }
    return Blend(weight, offset, gate), report


def _stored_offset(
    weight: float,
    offset: float,
    z: npt.NDArray[np.float64],
    e: npt.NDArray[np.float64],
    add: npt.NDArray[np.float64],
    tz: float,
    weights: npt.NDArray[np.float64],
    room: float,
) -> float:
    """``offset`` as the file keeps it (six decimals), lowered a millionth at a time until the
    benign rows the mix reads (``weights`` > 0) that it flags weigh at most ``room``, the mix
    computed as :meth:`Blend.mix_all` computes it. ``tz - cut`` alone could flag the benign row
    on the cut's edge (the rounding, and the sum taken in another order); then no gate kept to
    the budget, and training fell back to asking the encoder about every message."""
    off = round(offset, 6)
    read = weights > 0
    zb, eb, ab, wb = z[read], e[read], add[read], weights[read]
    while float(wb[Blend(weight, off, 0.0).mix_all(zb, eb) + ab >= tz].sum()) > room + 1e-12:
        off = round(off - 1e-6, 6)
    return off


def blend_on_dev(
    texts: list[str],
    z: npt.NDArray[np.float64],
    coercive: npt.NDArray[np.bool_],
    benign: npt.NDArray[np.bool_],
    dev_logits: Mapping[bytes, float],
    threshold: float,
    max_benign: float,
    shift: npt.NDArray[np.float64] | None = None,
    ordinary: npt.NDArray[np.bool_] | None = None,
    sources: Sequence[str] | None = None,
) -> tuple[Blend | None, dict[str, Any]]:
    """:func:`choose_blend` on the dev rows the encoder scored (its dev fold): ``texts`` with
    their out-of-fold n-gram logits ``z``; ``dev_logits`` by :func:`~unshared.analysis.
    signal_encoder.text_key`. None when there are none."""
    from unshared.analysis.signal_encoder import text_key

    scored = [(i, dev_logits.get(text_key(t))) for i, t in enumerate(texts)]
    keep = [i for i, value in scored if value is not None]
    short = np.array([not reads(texts[i]) for i in keep])
    if not keep or not coercive[keep].any() or not benign[keep].any():
        return None, {}
    e = np.array([value for _, value in scored if value is not None], dtype=np.float64)
    add = None if shift is None else shift[keep]
    ords = None if ordinary is None else ordinary[keep]
    kinds = None if sources is None else [sources[i] for i in keep]
    return choose_blend(
        z[keep], e, coercive[keep], benign[keep], threshold, max_benign, add, ords, short, kinds
    )


def blend_for(
    dev: Sequence[Row],
    probs: npt.NDArray[np.float64],
    threshold: float,
    max_benign: float,
    encoder: EncoderModel | None = None,
    shift: npt.NDArray[np.float64] | None = None,
    ordinary: tuple[Sequence[Row], npt.NDArray[np.float64]] | None = None,
    by_source: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The model's ``blend`` meta with ``encoder`` (None: the packaged one), chosen on the dev
    rows of its dev fold (``probs``: their out-of-fold coercion-head probabilities without the
    context shift; ``shift``: the shift each is read with; ``ordinary``: everyday chat rows and
    their probabilities, read alone; ``by_source``: the budget is the mean over the rows'
    origins), and its report; nothing when there is no encoder."""
    from unshared.analysis.signal_encoder import load_encoder

    encoder = encoder if encoder is not None else load_encoder()
    if encoder is None:
        return {}, {}
    extra_rows, extra_probs = ordinary if ordinary is not None else ([], np.zeros(0))
    rows = [*dev, *extra_rows]
    p = np.clip(np.concatenate([probs, extra_probs]).astype(np.float64), 1e-7, 1 - 1e-7)
    add = np.concatenate(
        [shift if shift is not None else np.zeros(len(dev)), np.zeros(len(extra_rows))]
    )
    ords = np.array([False] * len(dev) + [True] * len(extra_rows))
    blend, report = blend_on_dev(
        [r.text for r in rows],
        np.log(p / (1 - p)),
        np.array([bool(r.stages & set(KEY_STAGES)) for r in rows]),
        np.array([r.is_benign for r in rows]) & ~ords,
        encoder.dev,
        threshold,
        max_benign,
        add,
        ords,
        [r.origin for r in rows] if by_source else None,
    )
    if blend is None:
        return {}, report
    return {"blend": blend.as_meta(), "encoder_sha256": encoder.sha256}, report
