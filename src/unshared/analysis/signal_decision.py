"""Which stages a message shows, from the scorer's probabilities per head (pure).

The reader (:mod:`unshared.analysis.signal_reader`) and the training's dev figures
(:mod:`unshared.analysis.signal_training`) both decide with :func:`decide`, so the threshold
chosen at training time means what it means at run time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["decide", "key_stages"]


def key_stages(
    probs: Sequence[float] | npt.NDArray[np.floating[Any]],
    stages: Sequence[str],
    keys: Sequence[str],
    pick: float,
    named_only: bool = False,
) -> list[str]:
    """Which key stages a message the coercion head flagged shows: those whose own probability
    reaches ``pick``, or else the likeliest one (a coercive message always names a stage), unless
    ``named_only``: then none."""
    scored = [(float(probs[j]), s) for j, s in enumerate(stages) if s in keys]
    chosen = [s for p, s in scored if p >= pick]
    if chosen or not scored or named_only:
        return chosen
    return [max(scored, key=lambda ps: ps[0])[1]]


def decide(
    probs: Sequence[float] | npt.NDArray[np.floating[Any]],
    stages: Sequence[str],
    keys: Sequence[str],
    threshold: float,
    other: float,
    pick: float,
    bare: float | None = None,
    ruled: Collection[str] = (),
) -> list[tuple[str, float]]:
    """The stages a message shows, in ``stages`` order, each with its score, from the heads'
    probabilities (the stages', then the coercion head's): the stages not in ``keys`` by their
    own probability and ``other``; the ``keys`` when the coercion head reaches ``threshold``
    (:func:`key_stages` says which), scored with the coercion head's probability, the one the
    threshold applies to. The reader and the training's dev figures both decide with this.

    ``bare`` is the coercion head's probability without the context shift, for a message that
    follows a threat or demand from the same sender: when only the shift lifts it to the
    threshold, the message must also name a stage by its own probability (context raises the
    odds that a message is coercive; which stage it shows must still come from its words, so an
    "ok" after a threat is not made a threat).

    ``ruled`` are the stages a rule found in the message: a key stage among them is shown
    whenever the coercion head flags the message, whatever its stage model says ("pay $500 in
    gift cards or I post it" after a threat is still a threat: the rule quotes the words)."""
    coercive = float(probs[len(stages)])
    named_only = bare is not None and bare < threshold
    chosen = (
        set(key_stages(probs, stages, keys, pick, named_only)) if coercive >= threshold else set()
    )
    if chosen:
        chosen |= set(ruled) & set(keys)
    out: list[tuple[str, float]] = []
    for j, stage in enumerate(stages):
        if stage in chosen:
            out.append((stage, coercive))
        elif stage not in keys and float(probs[j]) >= other:
            out.append((stage, float(probs[j])))
    return out
