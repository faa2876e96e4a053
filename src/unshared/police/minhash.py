"""MinHash signatures and LSH banding over millions of short texts at once, in numpy. Pure.

The method is datasketch's (MinHash over a set's elements, banded LSH for a Jaccard threshold;
datasketch is the reference in the tests), vectorised over every line at once: datasketch builds
one Python object per line, about 170 microseconds and several KB each, which for the ~3 million
distinct offender lines of 100,000 cases would take most of the time and memory of a
re-clustering. Elements are 64-bit BLAKE2b hashes of word 3-grams; each of ``num_perm``
permutations is a multiply-shift hash (odd 64-bit multiplier, the top 32 bits kept).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["signatures", "similar_groups", "shingles"]

U32 = npt.NDArray[np.uint32]


def shingles(words: Sequence[str]) -> list[int]:
    """64-bit hashes of the word 3-grams (the whole text when it has fewer than 3 words)."""
    grams = [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]
    return [
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams
    ]


def _permutations(
    num_perm: int, seed: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, num_perm, dtype=np.uint64)
    return a, b


def signatures(texts: Sequence[str], num_perm: int = 64, seed: int = 1) -> U32:
    """One row of ``num_perm`` minimum hash values per text (texts are split on spaces)."""
    from array import array

    lengths = np.empty(len(texts), dtype=np.int64)
    flat = array("Q")
    for i, text in enumerate(texts):
        hashed = shingles(text.split())
        lengths[i] = len(hashed)
        flat.extend(hashed)
    values = np.frombuffer(flat, dtype=np.uint64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    a, b = _permutations(num_perm, seed)
    out = np.empty((len(texts), num_perm), dtype=np.uint32)
    chunk = 1 << 13  # texts per step (bounded memory: their shingles x num_perm)
    for lo in range(0, len(texts), chunk):
        hi = min(len(texts), lo + chunk)
        first, last = int(starts[lo]), int(starts[hi - 1] + lengths[hi - 1])
        with np.errstate(over="ignore"):
            permuted = (values[first:last, None] * a[None, :] + b[None, :]) >> np.uint64(32)
        out[lo:hi] = np.minimum.reduceat(permuted.astype(np.uint32), starts[lo:hi] - first, axis=0)
    return out


@lru_cache(maxsize=8)
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) with bands * rows <= num_perm, minimising false positives and negatives
    around ``threshold`` as datasketch's MinHashLSH does (equal weights)."""
    from scipy.integrate import quad

    best, pick = float("inf"), (1, num_perm)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = quad(lambda s, r=r, b=b: 1 - (1 - s ** float(r)) ** float(b), 0.0, threshold)[0]
            fn = quad(
                lambda s, r=r, b=b: 1 - (1 - (1 - s ** float(r)) ** float(b)), threshold, 1.0
            )[0]
            if fp + fn < best:
                best, pick = fp + fn, (b, r)
    return pick


def similar_groups(sig: U32, threshold: float) -> npt.NDArray[np.int64]:
    """A group number per row: rows whose estimated Jaccard with a bucket-mate is at least
    ``threshold`` in one of the LSH bands share a group (transitively)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n, num_perm = sig.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # Bands tuned for a lower threshold than asked: more candidates, each then checked against
    # ``threshold`` on the whole signature, so near-duplicates are almost never missed.
    bands, rows = _bands(max(0.3, threshold - 0.2), num_perm)
    rng = np.random.default_rng(7)
    mult = rng.integers(0, 2**63, rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    src: list[npt.NDArray[np.int64]] = []
    dst: list[npt.NDArray[np.int64]] = []
    for band in range(bands):
        block = sig[:, band * rows : (band + 1) * rows].astype(np.uint64)
        with np.errstate(over="ignore"):
            keys = (block * mult[None, :]).sum(axis=1, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        new = np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]])
        head = order[np.maximum.accumulate(np.where(new, np.arange(n), 0))]
        pair = head != order
        if not pair.any():
            continue
        a, b = head[pair], order[pair]
        agree = (sig[a] == sig[b]).mean(axis=1) >= threshold
        src.append(a[agree])
        dst.append(b[agree])
    if not src:
        return np.arange(n, dtype=np.int64)
    s, d = np.concatenate(src), np.concatenate(dst)
    graph = coo_matrix((np.ones(len(s), dtype=np.int8), (s, d)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    grouped: npt.NDArray[np.int64] = np.asarray(labels, dtype=np.int64)
    return grouped
