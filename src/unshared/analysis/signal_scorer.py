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
import re
import unicodedata
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

__all__ = [
    "BITS",
    "COERCION_HEAD",
    "MODEL_NAME",
    "RULE_FEATURES",
    "Features",
    "ScorerModel",
    "Similar",
    "featurise",
    "load_scorer",
    "normalise",
]

BITS = 18
"""log2 of the hash space (262,144 buckets)."""

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
_CHAR_NS = (3, 4, 5)
_P = 0x100000001B3  # FNV prime: odd, so invertible modulo 2**64
_MIX = 0x9E3779B97F4A7C15
_CTX_MULT = 0x2545F491  # odd: a permutation of the bucket space for context features
_CTX_ADD = 0x5BD1E995
_MASK64 = (1 << 64) - 1
_SEP = 0
_SPACE = 32

# Punctuation and separators become spaces; digits become 0 (so "$500" and "$300" share features).
_PUNCT = '\t\n\r\f\v"“”«»„‘(),.;:[]{}<>*_~^|/\\=+-–—…·•\0'
_TABLE: dict[int, str] = {ord(c): " " for c in _PUNCT}
_TABLE.update({ord(str(d)): "0" for d in range(10)})


def _accent_folds() -> dict[int, str]:
    """Latin letters with accents, marks or dots -> the plain ASCII letter ("ș" -> "s", "ẚ" ->
    "a", "î" -> "i"); letters of their own ("ß", "ø", "æ", "ł") have none and stay."""
    folds: dict[int, str] = {}
    for lo, hi in ((0xC0, 0x24F), (0x1E00, 0x1EFF)):
        for cp in range(lo, hi + 1):
            parts = unicodedata.normalize("NFKD", chr(cp))
            base = parts[0]
            if (
                len(parts) > 1
                and base.isascii()
                and base.isalpha()
                and all(unicodedata.category(c) in ("Mn", "Lm", "Sk") for c in parts[1:])
            ):
                folds[cp] = base.lower()
    return folds


_FOLDS = _accent_folds()
# Accented letters beyond Latin-1's (which has those of French, Spanish, German, Italian,
# Portuguese, Dutch and the Nordic languages); "œ", "ł" and the like are letters, not accents.
_RARE_ACCENT = re.compile("[" + "".join(chr(cp) for cp in sorted(_FOLDS) if cp > 0xFF) + "]")
FEATURES = 2
"""The featuriser's version, kept in a model's ``meta``; 2 reads sprayed accents (see
:func:`_unsprayed`); a model of version 1 (before 2026-12-05 noon) is read as it was trained."""


def _unsprayed(lowered: str) -> str:
    """A message with two or more letters carrying accents beyond Latin-1's, read without any
    accents. Spam sprays stray accents over English words so filters miss them ("Thîș meanș that
    î can șee", "ẚnd nexṭ pảrt"); French, Spanish or German text keeps its accents (a Polish or
    Romanian message loses them, in training as at run time). One character in, one out."""
    if lowered.isascii() or len(_RARE_ACCENT.findall(lowered)) < 2:
        return lowered
    return lowered.translate(_FOLDS)


_LUT = np.arange(max(_TABLE) + 1, dtype=np.uint64)
for _k, _v in _TABLE.items():
    _LUT[_k] = ord(_v)
_CHUNK = 1024


def normalise(text: str, features: int = FEATURES) -> str:
    """The plain form (:func:`~unshared.analysis.disguise.undisguise`), lower case, punctuation
    to spaces, digits to 0 (and, from features version 2, letters without accents); one
    character of the plain form in, one (or more) out."""
    lowered = undisguise(text).text.lower()
    if features >= 2:
        lowered = _unsprayed(lowered)
    return " " + lowered.translate(_TABLE) + " "


@dataclass(frozen=True, slots=True)
class Features:
    """Hashed features of a batch: ``message[i]`` owns ``bucket[i]``; ``norm`` per message."""

    bucket: npt.NDArray[np.int64]
    message: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]  # 0 char n-gram, 1 word, 2 word bigram (for reasons)
    start: npt.NDArray[np.int64]  # first code point of the feature within its message's norm
    end: npt.NDArray[np.int64]
    blocks: tuple[int, ...]  # offsets of the blocks (one per feature kind), each sorted by message


def _mix(h: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.int64]:
    h = h ^ (h >> np.uint64(29))
    h = h * np.uint64(_MIX)
    h = h ^ (h >> np.uint64(32))
    return (h >> np.uint64(64 - bits)).astype(np.int64)


@lru_cache(maxsize=4)
def _powers(length: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """P**i and P**-i modulo 2**64 for i < length (cached; grows by doubling)."""
    inv = pow(_P, -1, 1 << 64)
    pw = np.full(length, _P, dtype=np.uint64)
    pw[0] = 1
    ipw = np.full(length, inv, dtype=np.uint64)
    ipw[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(pw, dtype=np.uint64), np.cumprod(ipw, dtype=np.uint64)


SCORE_CHARS = 8192
"""Characters of one message the scorer reads (the rules read all of it). A chat message is far
shorter; a giant one (an 11 MB pasted line) would otherwise cost gigabytes of features, and its
wording is judged well enough from its first pages."""


def _head(text: str) -> str:
    return text if len(text) <= SCORE_CHARS else text[:SCORE_CHARS]


def featurise(
    texts: Sequence[str], bits: int = BITS, *, spans: bool = False, features: int = FEATURES
) -> Features:
    """Hashed features of every text's plain form (vectorised over the whole batch), as the
    featuriser of version ``features`` made them."""
    lowered = [undisguise(t).text.lower().replace("\0", " ") for t in texts]
    if features >= 2:
        lowered = [_unsprayed(t) for t in lowered]
    # " text1 \0 text2 \0": every message padded with spaces, then a separator.
    joined = " " + " \0 ".join(lowered) + " \0"
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
        np.uint64
    )
    is_sep = codes == _SEP
    small = codes < len(_LUT)
    codes[small] = _LUT[codes[small]]  # punctuation to spaces, digits to 0 (as normalise does)
    length = len(codes)
    size = 1 << max(10, (length + 1).bit_length())
    pw, ipw = _powers(size)
    msg = np.cumsum(is_sep) - is_sep  # message index of every position (separator: its own)
    buckets: list[npt.NDArray[np.int64]] = []
    owners: list[npt.NDArray[np.int64]] = []
    kinds: list[npt.NDArray[np.int8]] = []
    starts: list[npt.NDArray[np.int64]] = []
    ends: list[npt.NDArray[np.int64]] = []
    offsets = np.zeros(len(lowered) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(t) + 3 for t in lowered])
    with np.errstate(over="ignore"):
        # Character n-grams: h = sum c[i+k] * P**k, salted by n.
        h = np.zeros(length, dtype=np.uint64)
        bad = np.zeros(length, dtype=bool)
        for k in range(max(_CHAR_NS)):
            n = k + 1
            count = length - k
            if count <= 0:
                break
            h[:count] += codes[k:] * pw[k]
            bad[:count] |= is_sep[k:]
            if n in _CHAR_NS:
                ok = ~bad[:count]
                idx = np.nonzero(ok)[0]
                buckets.append(_mix(h[idx] + np.uint64(n * 0x1F3), bits))
                owners.append(msg[idx])
                kinds.append(np.zeros(len(idx), dtype=np.int8))
                if spans:
                    starts.append(idx)
                    ends.append(idx + n)
        # Words: maximal runs of non-space, non-separator code points.
        boundary = is_sep | (codes == _SPACE)
        inside = ~boundary
        edge = np.diff(inside.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
        w_start = np.nonzero(edge == 1)[0]
        w_end = np.nonzero(edge == -1)[0]
        if len(w_start):
            g = np.zeros(length + 1, dtype=np.uint64)
            np.cumsum(codes * ipw[:length], out=g[1:])
            wh = (g[w_end] - g[w_start]) * pw[w_start]  # sum c[j] * P**(j - start)
            wmsg = msg[w_start]
            buckets.append(_mix(wh + np.uint64(0xA11CE), bits))
            owners.append(wmsg)
            kinds.append(np.ones(len(wh), dtype=np.int8))
            if spans:
                starts.append(w_start)
                ends.append(w_end)
            same = wmsg[1:] == wmsg[:-1]
            b_idx = np.nonzero(same)[0]
            bh = wh[b_idx] * np.uint64(_MIX) + wh[b_idx + 1] + np.uint64(0xB16)
            buckets.append(_mix(bh, bits))
            owners.append(wmsg[b_idx])
            kinds.append(np.full(len(b_idx), 2, dtype=np.int8))
            if spans:
                starts.append(w_start[b_idx])
                ends.append(w_end[b_idx + 1])
    blocks = tuple(np.cumsum([0, *(len(b) for b in buckets)]).tolist())
    bucket = np.concatenate(buckets)
    message = np.concatenate(owners)
    kind = np.concatenate(kinds)
    counts = np.bincount(message, minlength=len(lowered)).astype(np.int64)
    if spans:
        start = np.concatenate(starts) - offsets[message]
        end = np.concatenate(ends) - offsets[message]
    else:
        start = end = np.zeros(0, dtype=np.int64)
    return Features(bucket, message, counts, kind, start, end, blocks)


def context_bucket(bucket: npt.NDArray[np.int64], bits: int = BITS) -> npt.NDArray[np.int64]:
    """Where a feature goes when the message follows a threat or demand (a permutation)."""
    mask = (1 << bits) - 1
    return (bucket * _CTX_MULT + _CTX_ADD) & mask


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
            f = featurise([_head(t) for t in texts[lo:hi]], self.bits, features=self.features)
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
        self, text: str, stage: str, top: int = 3, *, context: bool = False
    ) -> list[str]:
        """The words of ``text`` whose features pushed ``stage`` (or the coercion head) up the most."""
        j = self.coercion if stage == COERCION_HEAD else self.stages.index(stage)
        text = undisguise(_head(text)).text
        f = featurise([text], self.bits, spans=True, features=self.features)
        norm = normalise(text, self.features)
        w = self.weights[f.bucket, j]
        if context:
            w = w + self.weights[context_bucket(f.bucket, self.bits), j]
        words: dict[tuple[int, int], float] = {}
        spans = _word_spans(norm)
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

    def similar(self, text: str, stage: str, top: int = 1) -> list[Similar]:
        """The labelled examples of ``stage`` sharing the most positive evidence with ``text``."""
        if not self.examples:
            return []
        j = self.stages.index(stage)
        ex_bucket, ex_owner, ex_stage_mask = self._example_index()
        f = featurise([_head(text)], self.bits, features=self.features)
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
        owners = ex_owner[flat]
        gain = np.bincount(owners, weights=pos[rep], minlength=len(self.examples))
        gain = gain * ((ex_stage_mask >> j) & 1)
        # The first of the largest gains (what a stable sort puts first), without sorting them all.
        best = [int(np.argmax(gain))] if top == 1 else np.argsort(-gain, kind="stable")[:top]
        return [
            Similar(self.examples[i]["text"], self.examples[i].get("source", ""), float(gain[i]))
            for i in best
            if gain[i] > 0
        ]

    def _example_index(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        if self._index is None:
            f = featurise([e["text"] for e in self.examples], self.bits, features=self.features)
            pairs = np.unique(np.stack([f.bucket, f.message]), axis=1)
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


def _word_spans(norm: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = -1
    for i, ch in enumerate(norm):
        if ch == " ":
            if start >= 0:
                spans.append((start, i))
                start = -1
        elif start < 0:
            start = i
    if start >= 0:
        spans.append((start, len(norm)))
    return spans


@lru_cache(maxsize=1)
def load_scorer() -> ScorerModel:
    """The packaged model (read once per process)."""
    res = resources.files("unshared.analysis") / "data" / "signals" / MODEL_NAME
    with res.open("rb") as fh:
        return ScorerModel.read(fh)
