"""Compiled loops for the PDQ index (numba): build by counting sort, probe, filter, check.

A look-up is a few thousand random reads (directory, entries, the surviving hashes); in numpy each
step would build an intermediate array per query. These loops do the same work without them and
release the GIL, so a batch runs on several threads. The build is a stable counting sort per
table, so it needs no index arrays beside the index itself. The tests compare the results with
brute force (numpy) and with faiss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

__all__ = [
    "bucket_offsets", "chunks_of", "entry", "fill_entries", "found", "passes", "probe_batch", "put",
    "scan_batch", "split_offsets",
]  # fmt: skip

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


@njit(inline="always", cache=True)
def _popcount(x: Any) -> Any:
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return (x * _H01) >> np.uint64(56)


@njit(inline="always", cache=True)
def _distance(codes64: Any, row: Any, q: Any) -> Any:
    return (
        _popcount(codes64[row, 0] ^ q[0])
        + _popcount(codes64[row, 1] ^ q[1])
        + _popcount(codes64[row, 2] ^ q[2])
        + _popcount(codes64[row, 3] ^ q[3])
    )


@njit(inline="always", cache=True)
def _chunk(words: Any, start: int, width: int) -> Any:
    """Bits ``start .. start + width`` (width <= 32) of a hash held as 4 little-endian words."""
    w = start >> 6
    b = start & 63
    v = np.int64(words[w] >> np.uint64(b))
    if b + width > 64:
        v |= np.int64(words[w + 1] << np.uint64(64 - b))
    return v & ((np.int64(1) << width) - 1)


@njit(nogil=True, cache=True)
def chunks_of(codes64: Any, starts: Any, widths: Any) -> Any:
    """Every chunk of each hash: ``(n, tables) int64``."""
    out = np.empty((codes64.shape[0], len(starts)), np.int64)
    for r in range(codes64.shape[0]):
        for t in range(len(starts)):
            out[r, t] = _chunk(codes64[r], starts[t], widths[t])
    return out


@njit(inline="always", cache=True)
def entry(words: Any, first: int, pos: int, width: int) -> Any:
    """Entry ``pos`` of a table packed at ``width`` bits from word ``first`` of ``words``."""
    bit = np.int64(pos) * width
    w = first + (bit >> 6)
    off = np.uint64(bit & 63)
    # Both words, without a branch on whether the entry straddles them (it does about a third of
    # the time, at random: a mispredicted branch costs more than the second read, which is in the
    # same or the next cache line; every table has a next word). ``<< 1 << (63 - off)`` is
    # ``<< (64 - off)`` that gives 0 when ``off`` is 0.
    v = (words[w] >> off) | ((words[w + 1] << np.uint64(1)) << (np.uint64(63) - off))
    return np.int64(v & ((np.uint64(1) << np.uint64(width)) - np.uint64(1)))


@njit(inline="always", cache=True)
def put(words: Any, first: int, pos: int, width: int, value: Any) -> None:
    """Write entry ``pos`` (``value`` < 2**width) of a table packed at ``width`` bits from word
    ``first`` of ``words``, where it is still zeros: the inverse of :func:`entry`."""
    v = np.uint64(value)
    bit = np.int64(pos) * width
    w = first + (bit >> 6)
    off = bit & 63
    words[w] |= v << np.uint64(off)
    if off + width > 64:
        words[w + 1] |= v >> np.uint64(64 - off)


@njit(inline="always", cache=True)
def _small_popcount(x: Any) -> Any:
    """Bits set in ``x`` < 256."""
    x = x - ((x >> 1) & 0x55)
    x = (x & 0x33) + ((x >> 2) & 0x33)
    return (x + (x >> 4)) & 0x0F


@njit(inline="always", cache=True)
def passes(e: Any, fb: int, qf: int, room: int) -> bool:
    """Whether entry ``e``'s filter bits (its low ``fb``) differ from ``qf`` in ``room`` or fewer."""
    return bool(_small_popcount((e & ((np.int64(1) << fb) - 1)) ^ qf) <= room)


@njit(nogil=True, cache=True)
def probe_batch(
    queries64: Any,  # (Q, 4) uint64
    chunks: Any,  # (Q, tables) int64: each query's chunks
    threshold: int,
    codes64: Any,  # (n, 4) uint64, the hashes in row order
    shifts: Any,  # per table: chunk width - directory bits
    fbits: Any,  # per table: filter bits kept in each entry
    nblocks: int,
    buckets: int,
    base_flat: Any,
    rel_flat: Any,
    words: Any,  # uint64: every table's entries, row << fbits | the chunk's next fbits bits
    first: Any,  # per table: its first word
    widths: Any,  # per table: bits an entry
    tids: Any,
    masks: Any,
    slack: Any,
    out: Any,  # (capacity, 3) int64: query, row, distance
) -> int:
    """How many (query, row, distance) lie within ``threshold``; the first ``len(out)`` of them
    are written to ``out`` (call again with a larger ``out`` if the count is larger). A row may
    come more than once for a query."""
    k = 0
    cap = out.shape[0]
    nprobes = len(tids)
    starts = np.empty(nprobes, np.int64)  # every probed bucket's entries
    ends = np.empty(nprobes, np.int64)
    for qi in range(queries64.shape[0]):
        q = queries64[qi]
        # First where every bucket lies: independent reads with no branch on their values, so
        # the processor has many of these cache misses in flight at once.
        for p in range(nprobes):
            t = tids[p]
            key = (chunks[qi, t] >> shifts[t]) ^ masks[p]
            bt = t * nblocks
            rt = t * (buckets + 1)
            starts[p] = np.int64(base_flat[bt + (key >> 4)]) + rel_flat[rt + key]
            ends[p] = np.int64(base_flat[bt + ((key + 1) >> 4)]) + rel_flat[rt + key + 1]
        # Then the entries, filtered on their key bits, and the rows that pass, in full.
        for p in range(nprobes):
            if starts[p] == ends[p]:
                continue
            t = tids[p]
            fb = fbits[t]
            qf = (chunks[qi, t] >> (shifts[t] - fb)) & ((np.int64(1) << fb) - 1)
            room = slack[p]
            for pos in range(starts[p], ends[p]):
                e = entry(words, first[t], pos, widths[t])
                if fb and not passes(e, fb, qf, room):
                    continue
                hit = e >> fb
                d = np.int64(_distance(codes64, hit, q))
                if d <= threshold:
                    if k < cap:
                        out[k, 0], out[k, 1], out[k, 2] = qi, hit, d
                    k += 1
    return k


@njit(nogil=True, cache=True)
def bucket_offsets(codes64: Any, start: int, width: int, shift: int, buckets: int) -> Any:
    """Where each directory bucket of a table starts (``buckets + 1`` offsets)."""
    offsets = np.zeros(buckets + 1, np.uint32)  # a segment has fewer than 2**32 rows
    for r in range(codes64.shape[0]):
        offsets[(_chunk(codes64[r], start, width) >> shift) + 1] += 1
    for b in range(buckets):
        offsets[b + 1] += offsets[b]
    return offsets


@njit(nogil=True, cache=True)
def split_offsets(offsets: Any, block_shift: int, base: Any, rel: Any) -> int:
    """A table's directory from its bucket offsets: ``base`` every ``2**block_shift`` buckets,
    ``rel`` the rest, written where it fits; returns the largest ``rel`` (if it exceeds what
    ``rel``'s type holds, nothing past the first such bucket is right: widen and call again)."""
    top = 0
    limit = np.iinfo(rel.dtype).max
    for b in range(len(offsets)):
        if (b & ((1 << block_shift) - 1)) == 0:
            base[b >> block_shift] = offsets[b]
        r = offsets[b] - np.int64(base[b >> block_shift])
        top = max(top, r)
        if r <= limit:
            rel[b] = r
    return top


@njit(nogil=True, cache=True)
def fill_entries(
    codes64: Any, start: int, width: int, shift: int, fbits: int, offsets: Any, words: Any,
    first: int, entry_bits: int,
) -> None:  # fmt: skip
    """A table's entries, in its key order, packed at ``entry_bits`` bits from word ``first`` of
    ``words`` (zeros there): row << fbits | the chunk's next fbits bits. A stable counting sort:
    ``offsets`` (where each bucket starts) is used up as each bucket's rows are placed."""
    cursor = offsets
    fmask = (np.int64(1) << fbits) - 1
    for r in range(codes64.shape[0]):
        chunk = _chunk(codes64[r], start, width)
        key = chunk >> shift
        pos = cursor[key]
        cursor[key] += 1
        value = (np.int64(r) << fbits) | ((chunk >> (shift - fbits)) & fmask)
        put(words, first, pos, entry_bits, value)


@njit(nogil=True, cache=True)
def scan_batch(queries64: Any, codes64: Any, rows: int, threshold: int, out: Any) -> int:
    """:func:`probe_batch` by brute force over the first ``rows`` rows."""
    k = 0
    cap = out.shape[0]
    for qi in range(queries64.shape[0]):
        q = queries64[qi]
        for row in range(rows):
            d = np.int64(_distance(codes64, row, q))
            if d <= threshold:
                if k < cap:
                    out[k, 0], out[k, 1], out[k, 2] = qi, row, d
                k += 1
    return k


def found(kernel: Any, *args: Any) -> tuple[Any, Any, Any]:
    """Run ``kernel`` until its output fits; (query numbers, rows, distances)."""
    capacity = 4096
    while True:
        out = np.empty((capacity, 3), np.int64)
        count = int(kernel(*args, out))
        if count <= capacity:
            return out[:count, 0], out[:count, 1], out[:count, 2]
        capacity = count
