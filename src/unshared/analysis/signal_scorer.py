"""The learned signal scorer: hashed character and word n-grams, linear models over them.

Plain numpy at run time (scikit-learn is used only by ``tools/train_signals.py`` to fit the
weights). The weights live in ``analysis/data/signals/scorer.npz`` inside the package; nothing
is downloaded. A batch of messages is featurised at once with vectorised polynomial hashes over
the code points of the normalised text:

* character 3-, 4- and 5-grams (spaces included, so short phrases count too);
* word unigrams and bigrams;
* the same features again, in a second hash space, when a message follows a threat or a demand
  from the same sender (``context``): "nice neighbourhood you live in" alone is small talk,
  after "I will send this to your family" it is intimidation.

and, as further inputs, what the rules say: which stages a rule fired for, and whether the
text talks *about* sextortion (advice, news). A stage's score is
``sigmoid(bias + (sum of the weights of the message's n-gram features) / sqrt(n) + rule terms)``
with ``n`` the number of n-gram features: one logistic regression per stage, and one more, the
*coercion* head, for "is this a threat, a demand, a deadline or intimidation at all?". The
coercion head learns from every coercive line at once (about twice the examples of the largest
stage), so it holds better on words it has not seen; it decides whether a message gets key-stage
signals, and the stage models say which (:mod:`unshared.analysis.signal_decision`). The
threshold applies to it.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.analysis.disguise import undisguise
from unshared.analysis.signal_features import (
    BITS,
    FEATURES,
    SCORE_CHARS,
    Features,
    context_bucket,
    featurise,
    normalise,
    scored_part,
    word_spans,
)

__all__ = [
    "BITS",
    "COERCION_HEAD",
    "FEATURES",
    "SCORE_CHARS",
    "context_bucket",
    "MODEL_NAME",
    "RULE_FEATURES",
    "Features",
    "ScorerModel",
    "Similar",
    "featurise",
    "load_scorer",
    "normalise",
]

RULE_FEATURES: tuple[str, ...] = (
    "rule:contact",
    "rule:platform_switch",
    "rule:image_request",
    "rule:threat",
    "rule:payment_demand",
    "rule:deadline",
    "rule:escalation",
    "about_sextortion",
)
"""Inputs from the rules: a rule fired for each stage, and the text talks *about* sextortion."""

COERCION_HEAD = "coercion"
"""The head that reads a message as coercive (any key stage) or not; its column follows the stages'."""

MODEL_NAME = "scorer.npz"
_CHUNK = 1024


@dataclass(frozen=True, slots=True)
class Similar:
    """A labelled example close to a message, shown as "reads like"."""

    text: str
    source: str
    score: float


@dataclass
class ScorerModel:
    """Weights over the hashed features for each stage and the coercion head, with the
    threshold chosen on the dev split.

    Columns: the stages, then :data:`COERCION_HEAD` (together the *heads*), then the gate (does
    the message look like anything the rules care about, words only)."""

    stages: tuple[str, ...]
    weights: npt.NDArray[np.float32]  # (2**bits, heads + 1): the last column is the gate
    bias: npt.NDArray[np.float32]  # (heads + 1,)
    threshold: float
    rule_weights: npt.NDArray[np.float32]  # (len(RULE_FEATURES), heads)
    bits: int = BITS
    meta: dict[str, Any] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    _index: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
    _stage_indexes: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = field(
        default_factory=dict
    )

    @property
    def heads(self) -> int:
        """Columns with a meaning of their own: the stages and the coercion head."""
        return len(self.stages) + 1

    @property
    def count_floor(self) -> int:
        """A message's feature sum is divided by the square root of its number of features, but
        never of fewer than this: a short line ("who is this") is not read as if each of its few
        common words weighed as much as a long threat's whole wording."""
        return int(self.meta.get("count_floor", 1))

    @property
    def features(self) -> int:
        """The featuriser version the weights were trained with (:data:`FEATURES`)."""
        return int(self.meta.get("features", 1))

    @property
    def context_shift(self) -> float:
        """Log-odds added to the coercion head when a message follows a threat or demand from
        the same sender: how much likelier coercion is there, estimated at training time on the
        labelled conversations (0 for a model from before it existed)."""
        return float(self.meta.get("context_shift", 0.0))

    @property
    def coercion(self) -> int:
        """The coercion head's column."""
        return len(self.stages)

    # ------------------------------------------------------------------ scoring
    def logits(
        self, texts: Sequence[str], context: Sequence[bool] | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Own logits and the extra logit added when a message follows coercion, per stage
        (for the coercion head it includes :attr:`context_shift`).

        Both have shape ``(len(texts), heads + 1)``; the context part is computed for every
        message (cheap) so the caller can decide the context message by message.
        """
        n = len(texts)
        own = np.zeros((n, self.weights.shape[1]), dtype=np.float32)
        ctx = np.zeros_like(own)
        want_ctx = context is None or any(context)
        for lo in range(0, n, _CHUNK):
            hi = min(n, lo + _CHUNK)
            f = featurise([scored_part(t) for t in texts[lo:hi]], self.bits, features=self.features)
            scale = (1.0 / np.sqrt(np.maximum(f.counts, self.count_floor))).astype(np.float32)
            scale = scale[:, None]
            own[lo:hi] = self._sum(f, f.bucket, hi - lo) * scale + self.bias
            if want_ctx:
                ctx[lo:hi] = self._sum(f, context_bucket(f.bucket, self.bits), hi - lo) * scale
        if want_ctx:
            ctx[:, self.coercion] += np.float32(self.context_shift)
        return own, ctx

    def _sum(self, f: Features, bucket: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.float32]:
        out = np.zeros((n, self.weights.shape[1]), dtype=np.float32)
        gathered = np.take(self.weights, bucket, axis=0)  # much faster than fancy indexing
        everyone = np.arange(n)
        for lo, hi in itertools.pairwise(f.blocks):
            if hi == lo:
                continue
            owner = f.message[lo:hi]
            starts = np.searchsorted(owner, everyone)
            present = starts < len(owner)
            present[present] = owner[starts[present]] == everyone[present]
            sums = np.add.reduceat(gathered[lo:hi], np.minimum(starts, len(owner) - 1), axis=0)
            out[present] += sums[present]
        return out

    def scores(
        self, texts: Sequence[str], context: Sequence[bool] | None = None
    ) -> npt.NDArray[np.float32]:
        """Probabilities per head (the stages, then coercion), each message scored with its
        ``context`` flag (the rules' inputs aside)."""
        own, ctx = self.logits(texts, context)
        if context is not None:
            own = own + ctx * np.asarray(context, dtype=np.float32)[:, None]
        return sigmoid(own[:, : self.heads])

    # ------------------------------------------------------------------ reasons
    def weighty_words(
        self,
        text: str,
        stage: str,
        top: int = 3,
        *,
        context: bool = False,
        features: Features | None = None,
    ) -> list[str]:
        """The words of ``text`` whose features pushed ``stage`` (or the coercion head) up the most
        (``features``: those of its plain form with spans, when the caller has them already)."""
        plain = undisguise(scored_part(text)).text
        return self._weighty(plain, stage, top, context, features)

    def _weighty(
        self, text: str, stage: str, top: int, context: bool, features: Features | None
    ) -> list[str]:
        """:meth:`weighty_words` of the plain form ``text`` (disguise undone, cut to the part
        scored)."""
        j = self.coercion if stage == COERCION_HEAD else self.stages.index(stage)
        f = features if features is not None else self._spanned(text)
        norm = normalise(text, self.features)
        w = self.weights[f.bucket, j]
        if context:
            w = w + self.weights[context_bucket(f.bucket, self.bits), j]
        words: dict[tuple[int, int], float] = {}
        spans = word_spans(norm)
        # The words a feature [a, b) covers: spans are sorted and apart, so those from the first
        # that ends after a to the last that starts before b.
        span_starts = [sp[0] for sp in spans]
        span_ends = [sp[1] for sp in spans]
        for weight, a, b in zip(w.tolist(), f.start.tolist(), f.end.tolist(), strict=True):
            covered = spans[bisect_right(span_ends, a) : bisect_left(span_starts, b)]
            for sp in covered:
                words[sp] = words.get(sp, 0.0) + weight / len(covered)
        ranked = sorted(words.items(), key=lambda kv: -kv[1])
        out: list[str] = []
        same = len(text.lower()) == len(text)  # then norm[i] is text[i - 1]
        for (a, b), weight in ranked:
            word = text[a - 1 : b - 1] if same else norm[a:b]
            if weight <= 0 or word in out or len(word) < 2:
                continue
            out.append(word)
            if len(out) == top:
                break
        return out

    def reasons(
        self, text: str, stage: str, *, context: bool = False, features: Features | None = None
    ) -> tuple[list[Similar], list[str]]:
        """What :meth:`similar` (the closest example) and :meth:`weighty_words` say about a
        flagged ``text``, from one reading of its features (``features``: those of its plain
        form with spans, :meth:`spanned`, when the caller has them already)."""
        plain = undisguise(scored_part(text)).text
        f = features if features is not None else self._spanned(plain)
        return self.similar(text, stage, features=f), self._weighty(plain, stage, 3, context, f)

    def _spanned(self, plain: str) -> Features:
        return featurise([plain], self.bits, spans=True, features=self.features)

    def spanned(self, texts: Sequence[str]) -> Features:
        """The features :meth:`reasons` reads, of many texts at once (one batch costs about
        what one text does; :meth:`Features.of` gives each text's)."""
        plain = [undisguise(scored_part(t)).text for t in texts]
        return featurise(plain, self.bits, spans=True, features=self.features)

    def similar(
        self, text: str, stage: str, top: int = 1, *, features: Features | None = None
    ) -> list[Similar]:
        """The labelled examples of ``stage`` sharing the most positive evidence with ``text``
        (``features``: its :func:`featurise` features, when the caller has them already)."""
        if not self.examples:
            return []
        j = self.stages.index(stage)
        ex_bucket, ex_owner = self._stage_index(j)
        f = (
            features
            if features is not None
            else featurise([scored_part(text)], self.bits, features=self.features)
        )
        query = np.unique(f.bucket)
        pos = np.maximum(self.weights[query, j], 0.0)
        keep = pos > 0
        query, pos = query[keep], pos[keep]
        if len(query) == 0:
            return []
        lo = np.searchsorted(ex_bucket, query, "left")
        hi = np.searchsorted(ex_bucket, query, "right")
        lengths = hi - lo
        if lengths.sum() == 0:
            return []
        rep = np.repeat(np.arange(len(query)), lengths)
        # Every index from lo to hi of each query, one after the other (no Python loop).
        flat = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths - lo, lengths)
        gain = np.bincount(ex_owner[flat], weights=pos[rep], minlength=len(self.examples))
        # The first of the largest gains (what a stable sort puts first), without sorting them all.
        best = [int(np.argmax(gain))] if top == 1 else np.argsort(-gain, kind="stable")[:top]
        return [
            Similar(self.examples[i]["text"], self.examples[i].get("source", ""), float(gain[i]))
            for i in best
            if gain[i] > 0
        ]

    def _stage_index(self, j: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The part of :meth:`_example_index` that can give ``stage`` ``j`` a gain: examples of
        that stage, buckets with a positive weight for it (2% to 35% of the whole, by stage, so a
        flagged message's "reads like" searches that much). Same order, so the same sums."""
        if j not in self._stage_indexes:
            bucket, owner, mask = self._example_index()
            keep = ((mask[owner] >> j) & 1).astype(bool) & (self.weights[bucket, j] > 0)
            self._stage_indexes[j] = (bucket[keep], owner[keep])
        return self._stage_indexes[j]

    def _example_index(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        if self._index is None:
            f = featurise([e["text"] for e in self.examples], self.bits, features=self.features)
            # (bucket, example) pairs sorted by bucket then example, each once: one number per
            # pair, sorted, repeats dropped (np.unique took a second, by rows or by hashing).
            n = max(1, len(self.examples))
            key = np.sort(f.bucket * n + f.message)
            key = key[np.concatenate(([True], key[1:] != key[:-1]))] if len(key) else key
            pairs = (key // n, key % n)
            mask = np.array(
                [
                    sum(1 << self.stages.index(s) for s in e["stages"] if s in self.stages)
                    for e in self.examples
                ],
                dtype=np.int64,
            )
            self._index = (pairs[0], pairs[1], mask)
        return self._index

    # ------------------------------------------------------------------ storage
    def save(self, path: Any) -> None:
        """Write the model: the float16 weights (the whole table when most rows are non-zero,
        else those rows and their numbers) in a zip with fixed dates: same training, same bytes."""
        rows = np.nonzero(np.any(self.weights != 0, axis=1))[0].astype(np.uint32)
        dense = 2 * len(rows) > len(self.weights)
        meta = dict(self.meta)
        meta.update(stages=list(self.stages), bits=self.bits, threshold=self.threshold)
        blob = json.dumps(
            {"meta": meta, "examples": self.examples}, ensure_ascii=False, sort_keys=True
        ).encode()
        arrays = {
            "rows": np.zeros(0, dtype=np.uint32) if dense else rows,
            # + 0 turns -0.0 into 0.0: a zero is the same bytes however it was reached
            "weights": (self.weights if dense else self.weights[rows]).astype(np.float16) + 0,
            "bias": self.bias.astype(np.float32),
            "rule_weights": self.rule_weights.astype(np.float32),
            "blob": np.frombuffer(blob, dtype=np.uint8),
        }
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, array in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, buf.getvalue(), compresslevel=9)

    @classmethod
    def read(cls, fh: Any) -> ScorerModel:
        with np.load(fh, allow_pickle=False) as data:
            blob = json.loads(bytes(data["blob"]).decode())
            meta = blob["meta"]
            stages = tuple(meta["stages"])
            bits = int(meta["bits"])
            stored = data["weights"]
            if len(stored) == 1 << bits and not len(data["rows"]):
                weights = stored.astype(np.float32)  # the whole table
            else:
                weights = np.zeros((1 << bits, stored.shape[1]), dtype=np.float32)
                weights[data["rows"].astype(np.int64)] = stored.astype(np.float32)
            bias = data["bias"].astype(np.float32)
            rule_weights = data["rule_weights"].astype(np.float32)
        return cls(
            stages=stages,
            weights=weights,
            bias=bias,
            threshold=float(meta["threshold"]),
            rule_weights=rule_weights,
            bits=bits,
            meta=meta,
            examples=blob["examples"],
        )


def sigmoid(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    with np.errstate(over="ignore"):
        return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@lru_cache(maxsize=1)
def load_scorer() -> ScorerModel:
    """The packaged model (read once per process)."""
    res = resources.files("unshared.analysis") / "data" / "signals" / MODEL_NAME
    with res.open("rb") as fh:
        return ScorerModel.read(fh)
