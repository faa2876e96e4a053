"""Exact PDQ search by Hamming distance: multi-index hashing with the pigeonhole principle.

A PDQ hash has 256 bits. Split it into 11 disjoint chunks of 23 or 24 bits. If two hashes differ
in at most ``d`` bits, the chunks cannot all differ in more than ``r_t`` bits as long as
``sum(r_t + 1) >= d + 1`` (generalised pigeonhole). So finding, in every chunk table ``t``, each
stored hash whose chunk is within ``r_t`` bits of the query's finds *every* hash within ``d``:
recall is exact by construction, then each candidate is checked with a full 256-bit popcount.
With ``d = 31`` ten tables are searched at radius 2 and one at radius 1.

Each table is a *directory* on the top ``D`` bits of its chunk (``D = bit_length(n) - 1``, so a
bucket holds one to two rows; 23 bits at 10M, at most 23) and its entries in key order. A
look-up enumerates the ``D``-bit keys within ``r_t`` bits of the query's (277 keys per table at
``D = 23``, 2,794 in all, where 8 tables of 32-bit chunks need 16,384). An entry is the row
number and, below it, the chunk's bits past the directory (if any, at most 8) as a filter: a row
is only checked in full if they are within the radius left after the bucket's own difference.
Entries are bit-packed, each exactly ``ceil(log2 n)`` bits of row number plus the filter bits.

The loops are compiled (:mod:`unshared.bank._kernels`, numba): a look-up is a few thousand random
reads, first of every bucket's bounds (independent reads, many in flight at once), then of the
entries and the rows. A batch of ``join_min`` look-ups or more is instead one sorted join
(:mod:`unshared.bank._join`): the same reads in memory order, each cache line once for the batch.
The build is a counting sort per table straight into the packed entries: beside them it needs
one ``uint32`` offsets array at a time (4 bytes a bucket).

Memory per hash: ``codes``, the hashes in the caller's row order (32 bytes: the array given to
:meth:`PDQIndex.build` itself when it is a contiguous ``(n, 32) uint8`` array, not a copy);
``words``, 11 tables of packed entries (24-25 bits each at 10M: 33.4 bytes; 37.5 at 100M);
``ids`` (4 bytes; 8 if one does not fit in ``uint32``); directories, a ``uint32`` base every 16
buckets and a ``uint8`` (``uint16`` if ever needed) offset a bucket (11.5 bytes at 10M, 1.1 at
100M, where ``D`` stops at 23). In all 2.53x the 32 raw bytes at 10M, 2.33x at 100M (7.5 GB);
a build adds to a process holding the hashes 1.53x raw at 10M and the offsets (0.1x). No layout
of 11 tables holds the whole index in 2x raw (docs/bank.md says why).

Changes are incremental (see :class:`PDQIndex`): a scanned delta, an indexed *recent* segment and
the *main* segment, folded amortised, never a rebuild per change. A threshold so large that the
probes would touch a quarter of the bank (above ~45 bits) scans every hash instead: still exact.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.bank import _join, _kernels
from unshared.bank.index_plan import (
    _EMPTY_IDS,
    BLOCK_SHIFT,
    HASH_BYTES,
    I64,
    MAX_DIR_BITS,
    MAX_FILTER_BITS,
    MAX_SEGMENT,
    STARTS,
    TABLES,
    U8,
    WIDTHS,
    IndexStats,
    bytes_to_pdq,
    dir_bits,
    hamming,
    pdq_to_bytes,
    plan,
    probe_count,
)

#: Batches of this many queries or more are one sorted join (:mod:`unshared.bank._join`).
JOIN_MIN = 512
#: The arrays' layout, saved with a snapshot: 2 is every table's entries bit-packed over the
#: hashes in row order (1, unnumbered, was 32-bit entries over the hashes in table 0's order).
LAYOUT = 2

_STARTS = np.array(STARTS, dtype=np.int64)
_WIDTHS = np.array(WIDTHS, dtype=np.int64)

__all__ = ["IndexStats", "PDQIndex", "bytes_to_pdq", "dir_bits", "hamming", "pdq_to_bytes"]


class _Main:
    """The immutable, fully indexed segment."""

    def __init__(self, codes: U8, ids: I64, bits: int | None = None) -> None:
        # The hashes in the caller's row order, not copied when they are already a contiguous
        # (n, 32) uint8 array: the index's own part is the directories and the packed entries.
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, HASH_BYTES).view()
        codes.flags.writeable = False
        n = len(codes)
        if n > MAX_SEGMENT:
            raise ValueError(f"one index segment holds at most {MAX_SEGMENT:,} hashes")
        self.n = n
        self.bits = dir_bits(n) if bits is None else bits
        self._layout(n)
        ids = np.asarray(ids, dtype=np.int64)
        fits32 = n == 0 or (ids.min() >= 0 and ids.max() < 2**32)
        self.codes = codes
        self.ids = ids.astype(np.uint32 if fits32 else np.int64)
        self.base = np.zeros((TABLES, self.nblocks), dtype=np.uint32 if n < 2**32 else np.uint64)
        self.rel = np.zeros((TABLES, (1 << self.bits) + 1), dtype=np.uint8)  # uint16 if needed
        self.words = np.zeros(int(self.first[-1]), dtype=np.uint64)
        codes64 = codes.view(np.uint64).reshape(n, 4)
        for t in range(TABLES):  # straight into the packed array: one offsets array at a time
            offsets = self._directory(t, codes64)
            _kernels.fill_entries(
                codes64, STARTS[t], WIDTHS[t], int(self.shifts[t]), int(self.fbits[t]),
                offsets, self.words, int(self.first[t]), int(self.widths[t]),
            )  # fmt: skip
            del offsets
        self._views()

    def _views(self) -> None:
        self.codes64 = self.codes.view(np.uint64).reshape(self.n, 4)
        self.base_flat = self.base.reshape(-1)
        self.rel_flat = self.rel.reshape(-1)

    def _layout(self, n: int) -> None:
        """Per-table shifts, filter bits and entry widths, where each table's entries start,
        and the directory's blocks, from ``n`` and ``bits``."""
        row_bits = max(1, (n - 1).bit_length())
        self.shifts: I64 = np.array([w - self.bits for w in WIDTHS], dtype=np.int64)
        self.fbits: I64 = np.minimum(self.shifts, MAX_FILTER_BITS)
        self.widths: I64 = row_bits + self.fbits
        # Each table from a word of its own; one spare word at the end (``first[-1]``: the
        # array's length), so reading the last entry's next word stays inside the array.
        words = (n * self.widths + 63) // 64
        self.first: I64 = np.concatenate([[0], np.cumsum(words)]).astype(np.int64)
        self.first[-1] += 1
        self.nblocks = ((1 << self.bits) >> BLOCK_SHIFT) + 1

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]]) -> _Main:
        """A segment from the arrays :meth:`arrays` gave (a saved snapshot): no build. A
        snapshot of the previous 11-table layout (entries of 32 bits, no layout number) is
        built again from its hashes and ids."""
        meta = arrays["meta"]
        n, bits, tables = (int(x) for x in meta[:3])
        if tables != TABLES:
            raise ValueError(f"a saved index of {tables} tables: this version reads {TABLES}")
        if len(meta) < 4 or int(meta[3]) != LAYOUT:
            return cls(arrays["codes"], arrays["ids"].astype(np.int64), bits)
        self = cls.__new__(cls)
        self.n, self.bits = n, bits
        self._layout(n)
        self.codes = np.ascontiguousarray(arrays["codes"]).reshape(n, HASH_BYTES)
        self.ids = arrays["ids"]
        self.words = arrays["words"]
        self.base = arrays["base"]
        self.rel = arrays["rel"]
        self._views()
        return self

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        meta = np.array([self.n, self.bits, TABLES, LAYOUT], dtype=np.int64)
        return {
            "meta": meta, "codes": self.codes, "ids": self.ids, "words": self.words,
            "base": self.base, "rel": self.rel,
        }  # fmt: skip

    def _directory(self, t: int, codes64: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
        """Fill table ``t``'s directory; returns where each of its buckets starts."""
        offsets: npt.NDArray[np.uint32] = _kernels.bucket_offsets(
            codes64, STARTS[t], WIDTHS[t], int(self.shifts[t]), 1 << self.bits
        )
        top = _kernels.split_offsets(offsets, BLOCK_SHIFT, self.base[t], self.rel[t])
        if top > np.iinfo(self.rel.dtype).max:  # rare: 16 buckets of over 255 equal chunks
            if top > np.iinfo(np.uint16).max:
                raise ValueError("too many equal hash chunks in one run of 16 buckets")
            self.rel = self.rel.astype(np.uint16)
            _kernels.split_offsets(offsets, BLOCK_SHIFT, self.base[t], self.rel[t])
        return offsets

    def __len__(self) -> int:
        return self.n

    @property
    def nbytes(self) -> int:
        # codes64 is a view of codes, the *_flat arrays of base and rel.
        return int(
            self.codes.nbytes + self.ids.nbytes + self.words.nbytes
            + self.base.nbytes + self.rel.nbytes
        )  # fmt: skip

    def scan_is_cheaper(self, threshold: int, scan_fraction: float = 0.25) -> bool:
        """Whether the probes would touch more than ``scan_fraction`` of the rows."""
        expected = probe_count(threshold, self.bits) * self.n / (1 << self.bits)
        return expected > self.n * scan_fraction

    def search_batch(
        self, queries: U8, threshold: int, scan_fraction: float, workers: int = 1,
        join_min: int = JOIN_MIN,
    ) -> tuple[I64, I64, I64]:  # fmt: skip
        """(query number, id, distance) of every row within ``threshold`` of each query (an id
        may repeat for a query). ``join_min`` queries or more are one sorted join
        (:mod:`unshared.bank._join`) on ``workers`` threads."""
        q64 = np.ascontiguousarray(queries).view(np.uint64).reshape(-1, 4)
        if self.scan_is_cheaper(threshold, scan_fraction):
            found = _kernels.found(_kernels.scan_batch, q64, self.codes64, self.n, threshold)
        elif len(q64) >= join_min:
            chunks = _kernels.chunks_of(q64, _STARTS, _WIDTHS)
            found = _join.join(self, q64, chunks, plan(threshold, self.bits), threshold, workers)
        else:
            found = self._probe(queries, threshold, threshold)
        qi, rows, dist = found
        return qi, self.ids[rows].astype(np.int64), dist

    def _probe(self, queries: U8, threshold: int, accept: int) -> tuple[I64, I64, I64]:
        """Probe the buckets for ``threshold``; keep the rows within ``accept`` bits."""
        q64 = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, HASH_BYTES).view(np.uint64)
        probes = plan(threshold, self.bits)
        found: tuple[I64, I64, I64] = _kernels.found(
            _kernels.probe_batch, q64, _kernels.chunks_of(q64, _STARTS, _WIDTHS), accept,
            self.codes64, self.shifts, self.fbits, self.nblocks, 1 << self.bits,
            self.base_flat, self.rel_flat, self.words, self.first, self.widths,
            probes.tids, probes.masks, probes.slack,
        )  # fmt: skip
        return found

    def candidates(self, query: U8, threshold: int) -> int:
        """How many rows a look-up at ``threshold`` checks in full (past directory and filter)."""
        return len(self._probe(query, threshold, 256)[0])


@dataclass(frozen=True)
class _State:
    """What a search reads: replaced as a whole on every change, never mutated in place
    (the delta arrays are only appended to beyond ``delta_n``)."""

    main: _Main
    recent: _Main
    delta_codes: U8
    delta_ids: I64
    delta_n: int
    main_removed: I64  # ids hidden in main
    recent_removed: I64  # ids hidden in recent


def _fresh_delta() -> tuple[U8, I64]:
    """Room for the next changes; the delta grows by doubling from here."""
    return np.empty((1024, 32), np.uint8), np.empty(1024, np.int64)


def _empty() -> _Main:
    """An empty segment, with the smallest directory (it is never probed)."""
    return _Main(np.empty((0, 32), np.uint8), _EMPTY_IDS)


def _live(segment: _Main, removed: I64, group_bits: int) -> tuple[U8, I64]:
    ids = segment.ids.astype(np.int64)
    if not len(removed):
        return segment.codes, ids
    keep = ~np.isin(ids >> group_bits, removed)
    return segment.codes[keep], ids[keep]


class PDQIndex:
    """Exact Hamming-radius search over PDQ hashes with incremental adds and removals.

    Three parts: *main* (indexed, most rows), *recent* (indexed, at most ``n / merge_ratio``
    rows) and *delta* (up to ``merge_min`` rows, scanned). A full delta is folded into recent,
    a full recent into main; both are amortised and never a rebuild per change. Removals hide an
    id in main and recent until the next fold drops its rows, and delete it from the delta.

    Ids may carry a *group* in their high bits (``id >> group_bits``): the bank puts a bank entry
    there, so :meth:`remove` takes groups and drops every row of an entry (all its variants or
    frames) without being told which rows it had. With ``group_bits=0`` a group is an id.

    Thread-safe: searches never wait for a rebuild (they read the last complete state), changes
    are serialised.
    """

    def __init__(
        self,
        merge_min: int = 65536,
        merge_ratio: int = 8,
        dir_bits: int | None = None,
        scan_fraction: float = 0.25,
        group_bits: int = 0,
        join_min: int = JOIN_MIN,
    ) -> None:
        if dir_bits is not None and not 1 <= dir_bits <= MAX_DIR_BITS:
            raise ValueError(f"dir_bits must be between 1 and {MAX_DIR_BITS}")
        if not 0 <= group_bits < 63:
            raise ValueError("group_bits must be between 0 and 62")
        self.group_bits = group_bits
        self.join_min = join_min
        self.scan_fraction = scan_fraction
        self.tables = TABLES
        self.dir_bits = dir_bits
        self.merge_min = merge_min
        self.merge_ratio = merge_ratio
        self._write = threading.Lock()
        self._hidden_cache: tuple[_State, int] | None = None
        empty = _empty()
        self._state = _State(empty, empty, *_fresh_delta(), 0, _EMPTY_IDS, _EMPTY_IDS)

    # ----------------------------------------------------------------- changes
    def build(self, ids: Iterable[int] | I64, codes: U8) -> None:
        """Replace the whole content. ``codes`` becomes the index's (no copy if it is a contiguous
        ``(n, 32) uint8`` array): do not change it afterwards."""
        ids_arr = np.asarray(ids, dtype=np.int64)
        with self._write:
            main = _Main(np.asarray(codes, dtype=np.uint8), ids_arr, self.dir_bits)
            s = self._state
            self._state = _State(
                main, _empty(), s.delta_codes, s.delta_ids, 0, _EMPTY_IDS, _EMPTY_IDS
            )

    def add(self, ids: Sequence[int] | I64, codes: U8) -> None:
        codes = np.asarray(codes, dtype=np.uint8).reshape(-1, 32)
        ids_arr = np.asarray(ids, dtype=np.int64)
        with self._write:
            s = self._state
            dcodes, dids, dn = s.delta_codes, s.delta_ids, s.delta_n
            need = dn + len(ids_arr)
            if need > len(dids):
                size = max(need, 2 * len(dids))
                grown = np.empty((size, 32), dtype=np.uint8)
                grown[:dn] = dcodes[:dn]
                gids = np.empty(size, dtype=np.int64)
                gids[:dn] = dids[:dn]
                dcodes, dids = grown, gids
            dcodes[dn:need] = codes  # beyond every reader's delta_n
            dids[dn:need] = ids_arr
            self._state = _State(
                s.main, s.recent, dcodes, dids, need, s.main_removed, s.recent_removed
            )
            if need > self.merge_min:
                self._fold(everything=len(s.recent) + need > self._recent_limit(len(s.main)))

    def remove(self, groups: Iterable[int]) -> None:
        """Drop every row whose group (``id >> group_bits``) is in ``groups``."""
        gone = np.unique(np.fromiter((int(i) for i in groups), dtype=np.int64))
        if not len(gone):
            return
        with self._write:
            s = self._state
            dn = s.delta_n
            dcodes, dids = s.delta_codes, s.delta_ids
            if dn:
                keep = ~np.isin(dids[:dn] >> self.group_bits, gone)
                if not keep.all():  # a new array: readers may be scanning the old one
                    dn = int(keep.sum())
                    room_codes, room_ids = _fresh_delta()
                    dcodes = np.concatenate([dcodes[: s.delta_n][keep], room_codes])
                    dids = np.concatenate([dids[: s.delta_n][keep], room_ids])
            self._state = _State(
                s.main, s.recent, dcodes, dids, dn,
                np.union1d(s.main_removed, gone), np.union1d(s.recent_removed, gone),
            )  # fmt: skip

    def merge(self) -> None:
        """Fold everything into one main segment and drop removed rows."""
        with self._write:
            self._fold(everything=True)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the whole index (folded into one segment first) as an uncompressed ``.npz``."""
        with self._write:
            self._fold(everything=True)
            arrays = self._state.main.arrays()
            arrays["group_bits"] = np.array([self.group_bits], dtype=np.int64)
            with open(path, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | os.PathLike[str], **kwargs: Any) -> PDQIndex:
        """An index from :meth:`save`'s file: read, not rebuilt."""
        with np.load(path) as data:
            arrays = {name: data[name] for name in data.files}
        index = cls(group_bits=int(arrays.pop("group_bits")[0]), **kwargs)
        main = _Main.from_arrays(arrays)
        s = index._state
        index._state = _State(main, s.recent, s.delta_codes, s.delta_ids, 0, _EMPTY_IDS, _EMPTY_IDS)
        return index

    def _recent_limit(self, main_rows: int) -> int:
        return max(self.merge_min, main_rows // self.merge_ratio)

    def _fold(self, everything: bool) -> None:
        s = self._state
        rc, ri = _live(s.recent, s.recent_removed, self.group_bits)
        codes = [rc, s.delta_codes[: s.delta_n]]
        ids = [ri, s.delta_ids[: s.delta_n]]
        if everything:
            mc, mi = _live(s.main, s.main_removed, self.group_bits)
            main = _Main(np.concatenate([mc, *codes]), np.concatenate([mi, *ids]), self.dir_bits)
            recent, main_removed = _empty(), _EMPTY_IDS
        else:
            main, main_removed = s.main, s.main_removed
            recent = _Main(np.concatenate(codes), np.concatenate(ids), self.dir_bits)
        self._state = _State(main, recent, *_fresh_delta(), 0, main_removed, _EMPTY_IDS)

    # ----------------------------------------------------------------- queries
    def search(self, query: U8 | str, threshold: int = 31) -> list[tuple[int, int]]:
        """``(id, distance)`` for every stored hash within ``threshold`` bits, nearest first."""
        if isinstance(query, str):
            query = pdq_to_bytes([query])[0]
        q = np.ascontiguousarray(query, dtype=np.uint8).reshape(1, HASH_BYTES)
        return self._batch(self._state, q, threshold)[0]  # one consistent state

    def search_many(
        self, queries: U8 | Sequence[str], threshold: int = 31, workers: int = 1
    ) -> list[list[tuple[int, int]]]:
        """:meth:`search` for each query, on ``workers`` threads (the compiled loops and numpy
        release the GIL). From ``join_min`` queries the batch is one sorted join, the threads
        sharing out the tables; below it, each thread takes a share of the queries."""
        if not isinstance(queries, np.ndarray):
            queries = pdq_to_bytes(list(queries))
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, HASH_BYTES)
        s = self._state  # one consistent state for the whole batch
        if len(queries) >= self.join_min:
            return self._batch(s, queries, threshold, workers)
        if workers <= 1 or len(queries) < 2 * workers:
            return self._batch(s, queries, threshold)
        parts = np.array_split(queries, workers)
        with ThreadPoolExecutor(workers) as pool:
            done = pool.map(lambda part: self._batch(s, part, threshold), parts)
            return [row for part in done for row in part]

    def _batch(
        self, s: _State, queries: U8, threshold: int, workers: int = 1
    ) -> list[list[tuple[int, int]]]:
        """Every query of a batch against one state (``workers`` threads inside the sorted join
        and the delta's scan)."""
        found_q: list[I64] = []
        found_ids: list[I64] = []
        found_d: list[I64] = []
        for segment, removed in ((s.main, s.main_removed), (s.recent, s.recent_removed)):
            if len(segment):
                qi, ids, dist = segment.search_batch(
                    queries, threshold, self.scan_fraction, workers, self.join_min
                )
                if len(removed) and len(ids):
                    keep = ~np.isin(ids >> self.group_bits, removed)
                    qi, ids, dist = qi[keep], ids[keep], dist[keep]
                found_q.append(qi)
                found_ids.append(ids)
                found_d.append(dist)
        if s.delta_n:
            q64 = queries.view(np.uint64).reshape(-1, 4)
            delta64 = s.delta_codes.view(np.uint64).reshape(-1, 4)
            qi, rows, dist = _join.scan(q64, delta64, s.delta_n, threshold, workers)
            found_q.append(qi)
            found_ids.append(s.delta_ids[rows])
            found_d.append(dist)
        out: list[list[tuple[int, int]]] = [[] for _ in range(len(queries))]
        if not found_q:
            return out
        all_q, all_ids, all_d = (np.concatenate(x) for x in (found_q, found_ids, found_d))
        if not len(all_q):
            return out
        order = np.lexsort((all_ids, all_d, all_q))  # by query, then nearest, then id
        seen: set[tuple[int, int]] = set()
        for qn, i, d in zip(
            all_q[order].tolist(), all_ids[order].tolist(), all_d[order].tolist(), strict=True
        ):
            if (qn, i) not in seen:  # one row per id, at its smallest distance
                seen.add((qn, i))
                out[qn].append((i, d))
        return out

    # ----------------------------------------------------------------- status
    def __len__(self) -> int:
        return self.stats().rows

    def _hidden(self, s: _State) -> int:
        """Rows hidden by removals (counted once per state: it reads every id)."""
        cached = self._hidden_cache
        if cached is not None and cached[0] is s:
            return cached[1]
        g = self.group_bits
        hidden = 0
        for segment, removed in ((s.main, s.main_removed), (s.recent, s.recent_removed)):
            if len(removed) and len(segment):
                hidden += int(np.isin(segment.ids.astype(np.int64) >> g, removed).sum())
        self._hidden_cache = (s, hidden)
        return hidden

    def stats(self) -> IndexStats:
        s = self._state
        hidden = self._hidden(s)
        rows = len(s.main) + len(s.recent) + s.delta_n
        memory = s.main.nbytes + s.recent.nbytes + s.delta_codes.nbytes + s.delta_ids.nbytes
        memory += s.main_removed.nbytes + s.recent_removed.nbytes
        return IndexStats(
            rows=rows - hidden,
            main_rows=len(s.main),
            delta_rows=s.delta_n,
            removed=hidden,
            tables=self.tables,
            dir_bits=s.main.bits,
            memory_bytes=int(memory),
            raw_bytes=rows * HASH_BYTES,
            recent_rows=len(s.recent),
        )
