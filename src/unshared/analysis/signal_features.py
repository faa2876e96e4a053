"""Hashed n-gram features of messages for the learned signal scorer (:mod:`signal_scorer`).

A batch of messages is featurised at once with vectorised polynomial hashes over the code points
of each message's plain form (:func:`~unshared.analysis.disguise.undisguise`), lower-cased, with
punctuation as spaces and digits as 0: character 3-, 4- and 5-grams (spaces included), word
unigrams and word bigrams, each hashed into ``2**bits`` buckets. No I/O, plain numpy.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from unshared.analysis.disguise import undisguise

__all__ = [
    "BITS",
    "FEATURES",
    "SCORE_CHARS",
    "Features",
    "context_bucket",
    "featurise",
    "normalise",
    "scored_part",
    "word_spans",
]

BITS = 18
"""log2 of the hash space (262,144 buckets)."""

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

    def of(self, i: int) -> Features:
        """Message ``i``'s features alone: what :func:`featurise` gives for its text by itself
        (the same order, spans and count), taken from a batch's."""
        cuts = [
            (
                lo + int(np.searchsorted(self.message[lo:hi], i, "left")),
                lo + int(np.searchsorted(self.message[lo:hi], i, "right")),
            )
            for lo, hi in itertools.pairwise(self.blocks)
        ]
        idx = np.concatenate([np.arange(a, b) for a, b in cuts]) if cuts else np.zeros(0, int)
        spans = len(self.start) == len(self.bucket)
        return Features(
            self.bucket[idx],
            np.zeros(len(idx), dtype=np.int64),
            np.array([len(idx)], dtype=np.int64),
            self.kind[idx],
            self.start[idx] if spans else self.start,
            self.end[idx] if spans else self.end,
            tuple(np.cumsum([0, *(b - a for a, b in cuts)]).tolist()),
        )


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


def scored_part(text: str) -> str:
    """The part of ``text`` the scorer reads (its first :data:`SCORE_CHARS` characters)."""
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


def word_spans(norm: str) -> list[tuple[int, int]]:
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
