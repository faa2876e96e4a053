"""Exact PDQ search by Hamming distance: multi-index hashing with the pigeonhole principle.

A PDQ hash has 256 bits. Split it into ``m`` disjoint 16-bit chunks. If two hashes differ in at
most ``d`` bits, the chunks cannot all differ in more than ``r_t`` bits as long as
``sum(r_t + 1) >= d + 1`` (generalised pigeonhole). So looking up, in every chunk table ``t``, the
query's chunk and all its variants within ``r_t`` bits finds *every* hash within ``d``: recall is
exact by construction, then each candidate is checked with a full 256-bit popcount.

With ``m = 16`` and ``d = 31`` every table is probed at radius 1 (17 buckets): a query touches
272 buckets of about ``n / 65536`` rows, a few thousandths of the bank.

Layout (numpy, no per-row Python objects):

* ``codes``: the hashes, ``(n, 32) uint8``, stored in the order of table 0's key, so table 0 needs
  only bucket offsets;
* ``postings``: for tables 1..m-1 the row numbers sorted by that table's key, ``uint32``;
* ``offsets``: ``(m, 65537)`` bucket starts;
* ``ids``: the caller's id for each row.

Changes are incremental: new hashes go to a small *delta* segment that is searched by brute force,
removals are tombstones; when the delta outgrows ``max(merge_min, n / merge_ratio)`` rows it is
merged into a new main segment (amortised, never a rebuild per change).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["IndexStats", "PDQIndex", "bytes_to_pdq", "hamming", "pdq_to_bytes"]

HASH_BYTES = 32
CHUNK_BITS = 16
BUCKETS = 1 << CHUNK_BITS

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]


def pdq_to_bytes(hex_hashes: Sequence[str]) -> U8:
    """Hex PDQ strings (64 hex digits each) as an ``(n, 32) uint8`` array."""
    joined = "".join(hex_hashes)
    if len(joined) != 64 * len(hex_hashes):
        raise ValueError("a PDQ hash is 64 hex digits")
    return np.frombuffer(bytes.fromhex(joined), dtype=np.uint8).reshape(len(hex_hashes), 32)


def bytes_to_pdq(code: U8) -> str:
    return bytes(code.tobytes()).hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _masks_upto(radius: int) -> npt.NDArray[np.int64]:
    values = np.arange(BUCKETS, dtype=np.int64)
    counts = np.bitwise_count(values)
    return values[counts <= radius]


_MASKS = [_masks_upto(r) for r in range(5)]


def radii(threshold: int, tables: int) -> list[int]:
    """Per-table probe radius so that ``sum(r + 1) == threshold + 1`` (``-1``: table skipped)."""
    base, extra = divmod(threshold + 1, tables)
    return [base + (1 if t < extra else 0) - 1 for t in range(tables)]


@dataclass(frozen=True)
class IndexStats:
    rows: int
    main_rows: int
    delta_rows: int
    removed: int
    tables: int
    memory_bytes: int
    raw_bytes: int

    @property
    def memory_ratio(self) -> float:
        return self.memory_bytes / self.raw_bytes if self.raw_bytes else 0.0


class _Main:
    """The immutable, fully indexed segment."""

    def __init__(self, codes: U8, ids: I64, tables: int) -> None:
        n = len(codes)
        keys = np.ascontiguousarray(codes).view("<u2").reshape(n, 16)
        order = np.argsort(keys[:, 0], kind="stable") if n else np.empty(0, dtype=np.int64)
        self.codes = np.ascontiguousarray(codes[order])
        self.codes64 = self.codes.view(np.uint64).reshape(n, 4)
        id_type = np.uint32 if n == 0 or (ids.min() >= 0 and ids.max() < 2**32) else np.int64
        self.ids = ids[order].astype(id_type)
        keys = keys[order]
        self.tables = tables
        self.offsets = np.zeros((tables, BUCKETS + 1), dtype=np.int64)
        self.postings = np.zeros((tables - 1, n), dtype=np.uint32)
        for t in range(tables):
            column = keys[:, t]
            self.offsets[t, 1:] = np.cumsum(np.bincount(column, minlength=BUCKETS))
            if t:
                self.postings[t - 1] = np.argsort(column, kind="stable")
        self.flat = self.postings.reshape(-1)
        self.offsets_flat = self.offsets.reshape(-1)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def nbytes(self) -> int:
        # codes64 is a view of codes, flat a view of postings.
        return self.codes.nbytes + self.ids.nbytes + self.offsets.nbytes + self.postings.nbytes

    def candidates(self, query: U8, threshold: int) -> npt.NDArray[np.int64]:
        """Row numbers of every stored hash that could be within ``threshold`` (a superset)."""
        qk = query.view("<u2").astype(np.int64)
        masks0, tids, masks = _plan(threshold, self.tables)
        off = self.offsets_flat
        parts = []
        if len(masks0):
            keys0 = qk[0] ^ masks0
            starts = off[keys0]
            parts.append(_ranges(starts, off[keys0 + 1] - starts))
        if len(tids):
            slot = tids * (BUCKETS + 1) + (qk[tids] ^ masks)
            starts = off[slot]
            lengths = off[slot + 1] - starts
            pos = _ranges(starts + (tids - 1) * len(self.codes), lengths)
            parts.append(self.flat[pos].astype(np.int64))
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _distances(
    codes64: npt.NDArray[np.uint64], q64: npt.NDArray[np.uint64]
) -> npt.NDArray[np.int64]:
    """Hamming distances of ``(k, 4) uint64`` rows to one query (column sums are faster than a
    reduction over the short axis)."""
    c = np.bitwise_count(codes64 ^ q64)
    low = c[:, 0] + c[:, 1]  # at most 128: fits uint8
    high = c[:, 2] + c[:, 3]
    out: npt.NDArray[np.int64] = low.astype(np.int64) + high
    return out


def _ranges(starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The concatenation of ``arange(s, s + l)`` for each pair, without a Python loop."""
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    if not len(starts):
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    steps = np.ones(int(ends[-1]), dtype=np.int64)
    steps[0] = starts[0]
    steps[ends[:-1]] = starts[1:] - (starts[:-1] + lengths[:-1]) + 1
    return np.cumsum(steps)


_PLANS: dict[tuple[int, int], tuple[npt.NDArray[np.int64], ...]] = {}


def _plan(threshold: int, tables: int) -> tuple[npt.NDArray[np.int64], ...]:
    """Probe masks for table 0, and (table, mask) pairs for the others; cached per threshold."""
    key = (threshold, tables)
    if key not in _PLANS:
        masks0 = np.empty(0, dtype=np.int64)
        tids, masks = [], []
        for t, r in enumerate(radii(threshold, tables)):
            if r < 0:
                continue
            m = _MASKS[r] if r < len(_MASKS) else _masks_upto(r)
            if t == 0:
                masks0 = m
            else:
                tids.append(np.full(len(m), t, dtype=np.int64))
                masks.append(m)
        empty = np.empty(0, dtype=np.int64)
        _PLANS[key] = (
            masks0,
            np.concatenate(tids) if tids else empty,
            np.concatenate(masks) if masks else empty,
        )
    return _PLANS[key]


class PDQIndex:
    """Exact Hamming-radius search over PDQ hashes with incremental adds and removals.

    Thread-safe: searches and changes may come from several threads.
    """

    def __init__(self, tables: int = 16, merge_min: int = 65536, merge_ratio: int = 8) -> None:
        if not 1 <= tables <= 16:
            raise ValueError("tables must be between 1 and 16 (16-bit chunks of 256 bits)")
        self.tables = tables
        self.merge_min = merge_min
        self.merge_ratio = merge_ratio
        self._lock = threading.RLock()
        self._main = _Main(np.empty((0, 32), np.uint8), np.empty(0, np.int64), tables)
        self._delta_codes = np.empty((1024, 32), dtype=np.uint8)
        self._delta_ids = np.empty(1024, dtype=np.int64)
        self._delta_n = 0
        self._removed: set[int] = set()
        self._removed_arr = np.empty(0, dtype=np.int64)

    # ----------------------------------------------------------------- changes
    def build(self, ids: Iterable[int] | I64, codes: U8) -> None:
        """Replace the whole content (used at start-up and by benchmarks)."""
        ids_arr = np.asarray(ids, dtype=np.int64)
        with self._lock:
            self._main = _Main(np.asarray(codes, dtype=np.uint8), ids_arr, self.tables)
            self._delta_n = 0
            self._removed.clear()
            self._removed_arr = np.empty(0, dtype=np.int64)

    def add(self, ids: Sequence[int] | I64, codes: U8) -> None:
        codes = np.asarray(codes, dtype=np.uint8).reshape(-1, 32)
        ids_arr = np.asarray(ids, dtype=np.int64)
        with self._lock:
            need = self._delta_n + len(ids_arr)
            if need > len(self._delta_ids):
                size = max(need, 2 * len(self._delta_ids))
                grown = np.empty((size, 32), dtype=np.uint8)
                grown[: self._delta_n] = self._delta_codes[: self._delta_n]
                gids = np.empty(size, dtype=np.int64)
                gids[: self._delta_n] = self._delta_ids[: self._delta_n]
                self._delta_codes, self._delta_ids = grown, gids
            self._delta_codes[self._delta_n : need] = codes
            self._delta_ids[self._delta_n : need] = ids_arr
            self._delta_n = need
            if self._removed.intersection(ids_arr.tolist()):  # re-added after a removal
                self._removed.difference_update(ids_arr.tolist())
                self._removed_arr = np.fromiter(self._removed, dtype=np.int64)
            if self._delta_n > max(self.merge_min, len(self._main) // self.merge_ratio):
                self.merge()

    def remove(self, ids: Iterable[int]) -> None:
        with self._lock:
            self._removed.update(int(i) for i in ids)
            self._removed_arr = np.fromiter(self._removed, dtype=np.int64)

    def merge(self) -> None:
        """Fold the delta into a new main segment and drop removed rows."""
        with self._lock:
            main = self._main
            ids = np.concatenate([main.ids.astype(np.int64), self._delta_ids[: self._delta_n]])
            codes = np.concatenate([main.codes, self._delta_codes[: self._delta_n]])
            if self._removed:
                keep = ~np.isin(ids, self._removed_arr)
                ids, codes = ids[keep], codes[keep]
            # An id added again after a removal keeps its newest row only.
            _, last = np.unique(ids[::-1], return_index=True)
            if len(last) != len(ids):
                rows = np.sort(len(ids) - 1 - last)
                ids, codes = ids[rows], codes[rows]
            self._main = _Main(codes, ids, self.tables)
            self._delta_n = 0
            self._removed.clear()
            self._removed_arr = np.empty(0, dtype=np.int64)

    # ----------------------------------------------------------------- queries
    def search(self, query: U8 | str, threshold: int = 31) -> list[tuple[int, int]]:
        """``(id, distance)`` for every stored hash within ``threshold`` bits, nearest first."""
        if isinstance(query, str):
            query = pdq_to_bytes([query])[0]
        q = np.ascontiguousarray(query, dtype=np.uint8).reshape(32)
        q64 = q.view(np.uint64)
        with self._lock:
            main, dn = self._main, self._delta_n
            dcodes, dids, removed = self._delta_codes, self._delta_ids, self._removed_arr
        found_ids: list[npt.NDArray[np.int64]] = []
        found_d: list[npt.NDArray[np.int64]] = []
        if len(main):
            rows = main.candidates(q, threshold)
            if len(rows):
                dist = _distances(np.take(main.codes64, rows, axis=0), q64)
                hit = dist <= threshold
                rows, dist = rows[hit], dist[hit]
                rows, first = np.unique(rows, return_index=True)
                found_ids.append(main.ids[rows].astype(np.int64))
                found_d.append(dist[first])
        if dn:
            d64 = dcodes[:dn].view(np.uint64).reshape(dn, 4)
            dist = _distances(d64, q64)
            hit = dist <= threshold
            found_ids.append(dids[:dn][hit])
            found_d.append(dist[hit])
        if not found_ids:
            return []
        ids = np.concatenate(found_ids)
        dist = np.concatenate(found_d)
        if len(removed) and len(ids):
            keep = ~np.isin(ids, removed)
            ids, dist = ids[keep], dist[keep]
        order = np.lexsort((ids, dist))
        out: dict[int, int] = {}
        for i in order:  # nearest first, one row per id
            out.setdefault(int(ids[i]), int(dist[i]))
        return list(out.items())

    def search_many(
        self, queries: U8 | Sequence[str], threshold: int = 31, workers: int = 1
    ) -> list[list[tuple[int, int]]]:
        """:meth:`search` for each query; ``workers`` threads (numpy releases the GIL)."""
        if not isinstance(queries, np.ndarray):
            queries = pdq_to_bytes(list(queries))
        if workers <= 1 or len(queries) < 2 * workers:
            return [self.search(q, threshold) for q in queries]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda q: self.search(q, threshold), queries, chunksize=16))

    # ----------------------------------------------------------------- status
    def __len__(self) -> int:
        with self._lock:
            return len(self._main) + self._delta_n - len(self._removed)

    def stats(self) -> IndexStats:
        with self._lock:
            main = self._main
            rows = len(main) + self._delta_n
            memory = main.nbytes + self._delta_codes.nbytes + self._delta_ids.nbytes
            memory += self._removed_arr.nbytes
            return IndexStats(
                rows=rows - len(self._removed),
                main_rows=len(main),
                delta_rows=self._delta_n,
                removed=len(self._removed),
                tables=self.tables,
                memory_bytes=int(memory),
                raw_bytes=rows * HASH_BYTES,
            )
