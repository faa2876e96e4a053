"""How far the rules could lift a message's scores: per bit mask of the stages whose rules might
fire (:func:`~unshared.analysis.signals.possible_stages`), the sum of the positive rule weights,
per head. The reader uses it as a bound, told before any rule runs. Pure (no I/O)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from unshared.analysis.signal_rules import STAGES
from unshared.analysis.signal_scorer import RULE_FEATURES
from unshared.analysis.signals import ABOUT

__all__ = ["EVERY_STAGE", "reach_table", "rows_below"]

EVERY_STAGE = (1 << (ABOUT + 1)) - 1


@lru_cache(maxsize=4)
def _table(key: bytes, shape: tuple[int, int]) -> npt.NDArray[np.float32]:
    weights = np.frombuffer(key, dtype=np.float32).reshape(shape)
    positive = np.maximum(weights, 0.0)
    rows = [RULE_FEATURES.index(f"rule:{s}") for s in STAGES]
    rows.append(RULE_FEATURES.index("about_sextortion"))
    table = np.zeros((EVERY_STAGE + 1, shape[1]), dtype=np.float32)
    for mask in range(EVERY_STAGE + 1):
        picked = [rows[k] for k in range(len(rows)) if mask >> k & 1]
        table[mask] = positive[picked].sum(axis=0)
    return table


def rows_below(
    values: npt.NDArray[np.float32], limit: npt.NDArray[np.float32]
) -> npt.NDArray[np.bool_]:
    """Rows whose every value is under its column's limit."""
    below: npt.NDArray[np.bool_] = np.all(values < limit, axis=1)
    return below


def reach_table(rule_weights: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Per bit mask of :func:`possible_stages`: the sum of the positive rule weights of those
    stages (and of the context frame), per stage column."""
    weights = np.ascontiguousarray(rule_weights, dtype=np.float32)
    return _table(weights.tobytes(), weights.shape)
