"""A batch of look-ups as one sorted join against the PDQ index's tables (numba).

One look-up at a time, each probe is a random read of a directory, then of the entries, then of
each candidate's hash: three cache misses in a row, with branches on what they read between
them, so few are in flight at once. For a batch the same work can be done in memory order:

1. per table, every (query, probe) pair as one ``int64`` (key, probe, query), radix-sorted by
   key, so the directory and the entries are read from low addresses to high;
2. every entry that passes the filter becomes a candidate (row, query), for all tables;
3. the candidates, radix-sorted by row, are checked against the hashes in row order.

Every read then goes forward through memory, which the processor prefetches, and a batch that
probes a table densely reads each cache line once for many queries. Same candidates as
:func:`unshared.bank._kernels.probe_batch`, so the same results (a row may repeat for a query).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from unshared.bank._kernels import _distance, entry, found, passes, scan_batch

__all__ = ["PIECE", "join", "join_batch", "scan"]

QUERY_BITS = 20  # a query number's bits in an item or a candidate
_QMASK = (1 << QUERY_BITS) - 1
PIECE = 2048  # queries joined at once: bounds the buffers (about 60 MB a thread at 10M)
KEY_SHIFT = 40  # an item: key << 40 | probe << 20 | query (keys have at most 23 bits)
SKIP_BITS = 4  # keys and rows sorted on all but their lowest 4 bits: 16 buckets, 512 bytes


def _prefetch_typed(typingctx: Any, array: Any, index: Any) -> Any:
    """Ask the processor to start loading ``array[index]`` (LLVM's prefetch: no fault, no
    result); the loops below ask a few dozen items ahead."""
    import llvmlite.ir as ir  # type: ignore[import-untyped]

    cg: Any = cgutils

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cg.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cg.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        read, locality, data = ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)
        builder.call(fn, [builder.bitcast(ptr, i8p), read, locality, data])
        return context.get_dummy_value()

    return types.void(array, index), codegen


_prefetch: Any = intrinsic(_prefetch_typed)


AHEAD = 32  # items between a prefetch and its use


@njit(nogil=True, cache=True)
def _radix(a: Any, spare: Any, m: int, lo: int, hi: int) -> tuple[Any, Any]:
    """``a[:m]`` sorted (stable, least significant digit first) on bits ``lo..hi``;
    returns (sorted, the other buffer)."""
    if hi <= lo:
        return a, spare
    digits = (hi - lo + 10) // 11
    width = (hi - lo + digits - 1) // digits
    mask = (np.int64(1) << width) - 1
    counts = np.empty((1 << width) + 1, np.int64)
    src, dst = a, spare
    shift = lo
    for _ in range(digits):
        counts[:] = 0
        for j in range(m):
            counts[((src[j] >> shift) & mask) + 1] += 1
        for i in range(1 << width):
            counts[i + 1] += counts[i]
        for j in range(m):
            d = (src[j] >> shift) & mask
            dst[counts[d]] = src[j]
            counts[d] += 1
        src, dst = dst, src
        shift += width
    return src, dst


@njit(nogil=True, cache=True)
def _room(buf: Any, m: int, keep: int) -> Any:
    """``buf`` if it holds ``m`` items, else a larger copy of its first ``keep``."""
    if len(buf) >= m:
        return buf
    grown = np.empty(max(m, 2 * len(buf)), buf.dtype)
    grown[:keep] = buf[:keep]
    return grown


@njit(nogil=True, cache=True)
def _bits_for(n: int) -> int:
    bits = 1
    while (np.int64(1) << bits) < n:
        bits += 1
    return bits


@njit(nogil=True, cache=True)
def join_batch(
    queries64: Any,  # (Q, 4) uint64, Q < 2**20
    chunks: Any,  # (Q, tables) int64
    threshold: int,
    codes64: Any,  # (n, 4) uint64, the hashes in row order
    n: int,
    bits: int,  # directory bits
    shifts: Any,
    fbits: Any,
    nblocks: int,
    base_flat: Any,
    rel_flat: Any,
    words: Any,  # the packed entries
    first: Any,
    widths: Any,
    tids: Any,
    masks: Any,
    slack: Any,
    tables: Any,  # (tables,) bool: the tables this call probes
    items: Any,  # int64 buffers: for every (query, probe) of a table,
    spare: Any,  # for sorting,
    cand: Any,  # and for the candidates (each grown here if too small)
    out: Any,  # (capacity, 3) int64
) -> int:
    """:func:`unshared.bank._kernels.probe_batch`'s results for the probes of ``tables``,
    found by a sorted join: how many there are; the first ``len(out)`` are written to ``out``."""
    nq = queries64.shape[0]
    buckets = np.int64(1) << bits
    k = 0
    p = 0
    while p < len(tids):
        # The next table's probes: a run of tids.
        t, a = tids[p], p
        while p < len(tids) and tids[p] == t:
            p += 1
        b = p
        if not tables[t]:
            continue
        sh = shifts[t]
        m = nq * (b - a)
        items = _room(items, m, 0)
        spare = _room(spare, m, 0)
        j = 0
        for qi in range(nq):
            mine = chunks[qi, t] >> sh
            for pr in range(a, b):
                key = mine ^ masks[pr]
                items[j] = (key << KEY_SHIFT) | (np.int64(pr - a) << QUERY_BITS) | qi
                j += 1
        items, spare = _radix(items, spare, m, KEY_SHIFT + SKIP_BITS, KEY_SHIFT + bits)
        bt = t * nblocks
        rt = t * (buckets + 1)
        fb = fbits[t]
        fmask = (np.int64(1) << fb) - 1
        wt = first[t]
        ew = widths[t]
        for j in range(m):
            if j + AHEAD < m:
                ahead = items[j + AHEAD] >> KEY_SHIFT
                at = np.int64(base_flat[bt + (ahead >> 4)]) + np.int64(rel_flat[rt + ahead])
                _prefetch(words, wt + ((at * ew) >> 6))
            it = items[j]
            qi = it & _QMASK
            key = it >> KEY_SHIFT
            s = np.int64(base_flat[bt + (key >> 4)]) + np.int64(rel_flat[rt + key])
            e = np.int64(base_flat[bt + ((key + 1) >> 4)]) + np.int64(rel_flat[rt + key + 1])
            if s == e:
                continue
            cand = _room(cand, int(k + (e - s)), k)
            qf = (chunks[qi, t] >> (sh - fb)) & fmask
            room = slack[a + ((it >> QUERY_BITS) & _QMASK)]
            if fb == 0:  # no filter bits (most tables at 10M): every entry is a candidate
                for pos in range(s, e):
                    cand[k] = (entry(words, wt, pos, ew) << QUERY_BITS) | qi
                    k += 1
                continue
            for pos in range(s, e):
                en = entry(words, wt, pos, ew)
                if passes(en, fb, qf, room):
                    cand[k] = ((en >> fb) << QUERY_BITS) | qi
                    k += 1
    # Check every candidate in full, in row order.
    spare = _room(spare, k, 0)
    lo = QUERY_BITS + SKIP_BITS
    cand, spare = _radix(cand, spare, k, lo, max(lo, QUERY_BITS + _bits_for(n)))
    found = 0
    cap = out.shape[0]
    flat = codes64.reshape(-1)
    for j in range(k):
        if j + AHEAD < k:
            _prefetch(flat, (cand[j + AHEAD] >> QUERY_BITS) * 4)
        c = cand[j]
        qi = c & _QMASK
        row = c >> QUERY_BITS
        d = np.int64(_distance(codes64, row, queries64[qi]))
        if d <= threshold:
            if found < cap:
                out[found, 0], out[found, 1], out[found, 2] = qi, row, d
            found += 1
    return found


I64 = npt.NDArray[np.int64]
_EMPTY: I64 = np.empty(0, np.int64)


def split_tables(probes: Any, tables: int, parts: int) -> list[npt.NDArray[np.bool_]]:
    """The tables in ``parts`` groups of about equal probe counts (one group per thread)."""
    counts = np.bincount(probes.tids, minlength=tables)
    groups = [np.zeros(tables, dtype=np.bool_) for _ in range(max(1, parts))]
    load = [0] * len(groups)
    for t in np.argsort(-counts, kind="stable").tolist():
        if counts[t]:
            g = load.index(min(load))
            groups[g][t] = True
            load[g] += int(counts[t])
    return [g for g in groups if g.any()]


def join(
    segment: Any, q64: Any, chunks: Any, probes: Any, threshold: int, workers: int
) -> tuple[I64, I64, I64]:
    """(query number, row, distance) of every row of ``segment`` within ``threshold`` of each
    query, ``PIECE`` queries at a time, the segment's tables shared out among ``workers``
    threads (each joins the whole piece against its tables: a large batch is what pays)."""
    groups = split_tables(probes, len(segment.shifts), workers)
    per_table = np.bincount(probes.tids, minlength=len(segment.shifts))
    rows_per_bucket = segment.n / (1 << segment.bits)

    def run(start: int, tables: npt.NDArray[np.bool_]) -> tuple[I64, I64, I64]:
        q, c = q64[start : start + PIECE], chunks[start : start + PIECE]
        capacity = max(4096, 4 * len(q))
        # Buffers from numpy (large ones get huge pages: far fewer page faults than the
        # compiled code's own allocations), sized for the expected candidates.
        items = np.empty(len(q) * int(per_table[tables].max()), np.int64)
        cand = np.empty(
            int(len(q) * per_table[tables].sum() * rows_per_bucket * 1.2) + 4096, np.int64
        )
        spare = np.empty(max(len(items), len(cand)), np.int64)
        while True:
            out = np.empty((capacity, 3), np.int64)
            count = int(
                join_batch(
                    q, c, threshold, segment.codes64, segment.n, segment.bits,
                    segment.shifts, segment.fbits, segment.nblocks, segment.base_flat,
                    segment.rel_flat, segment.words, segment.first, segment.widths, probes.tids,
                    probes.masks, probes.slack, tables, items, spare, cand, out,
                )
            )  # fmt: skip
            if count <= capacity:
                return out[:count, 0] + start, out[:count, 1], out[:count, 2]
            capacity = count

    jobs = [(start, g) for start in range(0, len(q64), PIECE) for g in groups]
    if len(groups) == 1:
        return _joined([run(*job) for job in jobs])
    with ThreadPoolExecutor(len(groups)) as pool:
        return _joined(list(pool.map(lambda job: run(*job), jobs)))


def scan(q64: Any, codes64: Any, rows: int, threshold: int, workers: int) -> tuple[I64, I64, I64]:
    """:func:`unshared.bank._kernels.scan_batch` over the first ``rows`` rows, the queries
    shared out among ``workers`` threads."""
    if workers <= 1 or len(q64) < 2 * workers:
        return found(scan_batch, q64, codes64, rows, threshold)
    starts = np.linspace(0, len(q64), workers + 1).astype(np.int64)

    def part(i: int) -> tuple[I64, I64, I64]:
        qi, r, d = found(scan_batch, q64[starts[i] : starts[i + 1]], codes64, rows, threshold)
        return qi + starts[i], r, d

    with ThreadPoolExecutor(workers) as pool:
        return _joined(list(pool.map(part, range(workers))))


def _joined(parts: list[tuple[I64, I64, I64]]) -> tuple[I64, I64, I64]:
    if not parts:
        return _EMPTY, _EMPTY, _EMPTY
    qi, rows, dist = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return qi, rows, dist
