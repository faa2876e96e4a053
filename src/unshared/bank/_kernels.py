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
    "bucket_offsets", "chunks_of", "fill_entries", "found", "probe_batch", "scan_batch", "sort_rows",
    "split_offsets",
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


@njit(nogil=True, cache=True)
def probe_batch(
    queries64: Any,  # (Q, 4) uint64
    chunks: Any,  # (Q, tables) int64: each query's chunks
    threshold: int,
    codes64: Any,  # (n, 4) uint64, in table 0's key order
    n: int,
    shifts: Any,  # per table: chunk width - directory bits
    fbits: Any,  # per table: filter bits kept in each entry
    nblocks: int,
    buckets: int,
    base_flat: Any,
    rel_flat: Any,
    entries: Any,  # ((tables - 1) n,) uint32: row << fbits | the chunk's next fbits bits
    masks0: Any,
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
    n0 = len(masks0)
    starts = np.empty(n0 + len(tids), np.int64)  # every bucket's rows (0) or entries (1..)
    ends = np.empty(n0 + len(tids), np.int64)
    for qi in range(queries64.shape[0]):
        q = queries64[qi]
        # First where every bucket lies: independent reads with no branch on their values, so
        # the processor has many of these cache misses in flight at once.
        key0 = chunks[qi, 0] >> shifts[0]
        for p in range(n0):  # table 0: the bucket is a range of rows of ``codes``
            key = key0 ^ masks0[p]
            starts[p] = np.int64(base_flat[key >> 4]) + np.int64(rel_flat[key])
            ends[p] = np.int64(base_flat[(key + 1) >> 4]) + np.int64(rel_flat[key + 1])
        for p in range(len(tids)):  # tables 1..: ranges of entries
            t = tids[p]
            key = (chunks[qi, t] >> shifts[t]) ^ masks[p]
            bt = t * nblocks
            rt = t * (buckets + 1)
            first = (t - 1) * n
            starts[n0 + p] = first + np.int64(base_flat[bt + (key >> 4)]) + rel_flat[rt + key]
            ends[n0 + p] = (
                first + np.int64(base_flat[bt + ((key + 1) >> 4)]) + rel_flat[rt + key + 1]
            )
        # Then the rows: table 0's checked in full, the entries filtered on their key bits.
        for p in range(n0):
            for row in range(starts[p], ends[p]):
                d = np.int64(_distance(codes64, row, q))
                if d <= threshold:
                    if k < cap:
                        out[k, 0], out[k, 1], out[k, 2] = qi, row, d
                    k += 1
        for p in range(len(tids)):
            if starts[n0 + p] == ends[n0 + p]:
                continue
            t = tids[p]
            chunk = chunks[qi, t]
            fb = fbits[t]
            fmask = (np.int64(1) << fb) - 1
            qf = (chunk >> (shifts[t] - fb)) & fmask
            room = slack[p]
            for pos in range(starts[n0 + p], ends[n0 + p]):
                e = np.int64(entries[pos])
                x = (e & fmask) ^ qf
                x = x - ((x >> 1) & 0x55)
                x = (x & 0x33) + ((x >> 2) & 0x33)
                if ((x + (x >> 4)) & 0x0F) > room:
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
    offsets = np.zeros(buckets + 1, np.int64)
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
def sort_rows(
    codes: Any, codes64: Any, ids: Any, start: int, width: int, shift: int, offsets: Any,
    codes_out: Any, ids_out: Any,
) -> None:  # fmt: skip
    """Hashes and ids in table 0's key order (a stable counting sort: no index array).
    ``offsets`` is used up: each bucket's start moves on as its rows are placed."""
    cursor = offsets
    for r in range(codes.shape[0]):
        key = _chunk(codes64[r], start, width) >> shift
        pos = cursor[key]
        cursor[key] += 1
        codes_out[pos, :] = codes[r, :]
        ids_out[pos] = ids[r]


@njit(nogil=True, cache=True)
def fill_entries(
    codes64: Any, start: int, width: int, shift: int, fbits: int, offsets: Any, entries: Any
) -> None:
    """A table's entries, in its key order: row << fbits | the chunk's next fbits bits.
    ``offsets`` is used up, as in :func:`sort_rows`."""
    cursor = offsets
    fmask = (np.int64(1) << fbits) - 1
    for r in range(codes64.shape[0]):
        chunk = _chunk(codes64[r], start, width)
        key = chunk >> shift
        pos = cursor[key]
        cursor[key] += 1
        entries[pos] = (np.int64(r) << fbits) | ((chunk >> (shift - fbits)) & fmask)


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
