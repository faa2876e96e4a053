"""The context shift, fitted at training time (numpy only; called by
:mod:`unshared.analysis.signal_training`).

After a threat or demand from the same sender, the coercion head starts from higher odds: the
model's ``context_shift`` (:attr:`unshared.analysis.signal_scorer.ScorerModel.context_shift`),
one number fitted here on the out-of-fold scores of whole labelled conversations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.analysis.signal_corpus import Row, from_conversation
from unshared.analysis.signal_rules import KEY_STAGES

__all__ = ["SHIFT_LIMIT", "fit_context_shift", "in_context", "shifted"]

SHIFT_LIMIT = 4.0
"""The largest context shift (log-odds) taken, whatever the conversations say."""


def fit_context_shift(
    rows: Sequence[Row], coercion: npt.NDArray[np.float64]
) -> tuple[float, dict[str, Any]]:
    """How much likelier coercion is after a threat or demand from the same sender.

    The words' evidence does not change with context, the odds before reading them do: after
    "I have your video and I will send it to your family", the sender's next message is far
    likelier to be intimidation than a random line is. That change of prior odds is one number,
    fitted by maximum likelihood on the messages of whole conversations that follow the sender's
    threat or demand (their labels say what each is, read in its conversation), from their
    out-of-fold coercion scores ``coercion``. Clamped to [0, :data:`SHIFT_LIMIT`]: context never
    makes a message less likely to be flagged.
    """
    idx = in_context(rows)
    keys = set(KEY_STAGES)
    y = np.array([bool(rows[i].stages & keys) for i in idx], dtype=np.float64)
    z = _logits(coercion[idx])
    shift = 0.0
    for _ in range(50):  # Newton's method on one parameter
        p = _expit(z + shift)
        grad = float(np.sum(y - p))
        hess = float(np.sum(p * (1 - p)))
        if hess <= 1e-9:
            break
        step = grad / hess
        shift += step
        if abs(step) < 1e-6:
            break
    shift = round(min(max(shift, 0.0), SHIFT_LIMIT), 3) if idx else 0.0
    return shift, {
        "messages": len(idx),
        "coercive": int(y.sum()),
        "shift": shift,
        "read": [
            {"text": rows[i].text, "z": round(float(v), 4), "coercive": bool(c)}
            for i, v, c in zip(idx, z, y, strict=True)
        ],
    }


def in_context(rows: Sequence[Row]) -> list[int]:
    """The dev rows that are messages of whole conversations following their sender's threat or
    demand: what the context shift is fitted on and reported for."""
    return [i for i, r in enumerate(rows) if r.context and r.evaluate and from_conversation(r)]


def shifted(probs: npt.NDArray[np.float64], shift: float) -> npt.NDArray[np.float64]:
    return _expit(_logits(probs) + shift)


def _expit(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The logistic function in float64 (:func:`~unshared.analysis.signal_scorer.sigmoid` is
    float32, for scoring)."""
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
    return out


def _logits(probs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    p = np.clip(np.asarray(probs, dtype=np.float64), 1e-6, 1 - 1e-6)
    out: npt.NDArray[np.float64] = np.log(p / (1 - p))
    return out
