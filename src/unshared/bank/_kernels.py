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

__all__ = ["bucket_offsets", "fill_entries", "found", "probe_batch", "scan_batch", "sort_rows"]

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


@njit(nogil=True, cache=True)
def probe_batch(
    queries64: Any,  # (Q, 4) uint64
    chunks: Any,  # (Q, 8) int64: each query's 32-bit chunks
    threshold: int,
    codes64: Any,  # (n, 4) uint64, in table 0's key order
    n: int,
    shift: int,  # 32 - directory bits
    fbits: int,  # filter bits kept in each entry
    nblocks: int,
    buckets: int,
    base_flat: Any,
    rel_flat: Any,
    entries: Any,  # (7n,) uint32: row << fbits | the chunk's next fbits bits
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
    fmask = (1 << fbits) - 1
    for qi in range(queries64.shape[0]):
        q = queries64[qi]
        key0 = chunks[qi, 0] >> shift
        for m in masks0:  # table 0: the bucket is a range of rows of ``codes``
            key = key0 ^ m
            start = np.int64(base_flat[key >> 4]) + np.int64(rel_flat[key])
            end = np.int64(base_flat[(key + 1) >> 4]) + np.int64(rel_flat[key + 1])
            for row in range(start, end):
                d = np.int64(_distance(codes64, row, q))
                if d <= threshold:
                    if k < cap:
                        out[k, 0], out[k, 1], out[k, 2] = qi, row, d
                    k += 1
        for p in range(len(tids)):  # tables 1..7: entries filtered on their stored key bits
            t = tids[p]
            chunk = chunks[qi, t]
            key = (chunk >> shift) ^ masks[p]
            bt = t * nblocks
            rt = t * (buckets + 1)
            start = np.int64(base_flat[bt + (key >> 4)]) + np.int64(rel_flat[rt + key])
            end = np.int64(base_flat[bt + ((key + 1) >> 4)]) + np.int64(rel_flat[rt + key + 1])
            qf = (chunk >> (shift - fbits)) & fmask
            room = slack[p]
            first = (t - 1) * n
            for pos in range(first + start, first + end):
                e = np.int64(entries[pos])
                x = (e & fmask) ^ qf
                x = x - ((x >> 1) & 0x55)
                x = (x & 0x33) + ((x >> 2) & 0x33)
                if ((x + (x >> 4)) & 0x0F) > room:
                    continue
                hit = e >> fbits
                d = np.int64(_distance(codes64, hit, q))
                if d <= threshold:
                    if k < cap:
                        out[k, 0], out[k, 1], out[k, 2] = qi, hit, d
                    k += 1
    return k


@njit(nogil=True, cache=True)
def bucket_offsets(chunks32: Any, t: int, shift: int, buckets: int) -> Any:
    """Where each directory bucket of table ``t`` starts (``buckets + 1`` offsets)."""
    offsets = np.zeros(buckets + 1, np.int64)
    for r in range(chunks32.shape[0]):
        offsets[(np.int64(chunks32[r, t]) >> shift) + 1] += 1
    for b in range(buckets):
        offsets[b + 1] += offsets[b]
    return offsets


@njit(nogil=True, cache=True)
def sort_rows(
    codes: Any, chunks32: Any, ids: Any, shift: int, offsets: Any, codes_out: Any, ids_out: Any
) -> None:
    """Hashes and ids in table 0's key order (a stable counting sort: no index array)."""
    cursor = offsets.copy()
    for r in range(codes.shape[0]):
        key = np.int64(chunks32[r, 0]) >> shift
        pos = cursor[key]
        cursor[key] += 1
        codes_out[pos, :] = codes[r, :]
        ids_out[pos] = ids[r]


@njit(nogil=True, cache=True)
def fill_entries(chunks32: Any, t: int, shift: int, fbits: int, offsets: Any, entries: Any) -> None:
    """Table ``t``'s entries, in its key order: row << fbits | the chunk's next fbits bits."""
    cursor = offsets.copy()
    fmask = (1 << fbits) - 1
    for r in range(chunks32.shape[0]):
        chunk = np.int64(chunks32[r, t])
        key = chunk >> shift
        pos = cursor[key]
        cursor[key] += 1
        entries[pos] = (r << fbits) | ((chunk >> (shift - fbits)) & fmask)


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
