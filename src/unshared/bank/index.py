"""Exact PDQ search by Hamming distance: multi-index hashing with the pigeonhole principle.

A PDQ hash has 256 bits. Split it into 8 disjoint 32-bit chunks. If two hashes differ in at most
``d`` bits, the chunks cannot all differ in more than ``r_t`` bits as long as
``sum(r_t + 1) >= d + 1`` (generalised pigeonhole). So finding, in every chunk table ``t``, each
stored hash whose chunk is within ``r_t`` bits of the query's finds *every* hash within ``d``:
recall is exact by construction, then each candidate is checked with a full 256-bit popcount.
With ``d = 31`` every table is searched at radius 3.

Each table is a *directory* on the top ``D`` bits of its chunk (``D = bit_length(n) - 3``, so a
bucket holds four to eight rows; 21 bits at 10M) and the row numbers sorted by that key. A
look-up enumerates the ``D``-bit keys within ``r_t`` bits of the query's (1,562 keys per table at
``D = 21``). Beside each row number a table keeps the chunk's next 4 bits: a row is only checked
in full if those bits are within the radius left after the bucket's own difference, which skips
about nine in ten rows before the costly random read of the full hash.

The layout is chosen for memory, which the issue caps at twice the raw hash bytes (per hash):

* ``codes``: the hashes in table 0's key order, so table 0 needs no row numbers (32 bytes);
* ``rows_lo``/``rows_hi``: row numbers of tables 1..7 as aligned ``uint16`` + ``uint8`` arrays
  (``uint16`` high parts from 2**24 rows) (21 bytes);
* ``nibbles``: the 4 filter bits of tables 1..7, two to a byte (3.5 bytes);
* ``ids``: the caller's id for each row (4 bytes; 8 if an id does not fit in ``uint32``);
* directories: a ``uint32`` base every 16 buckets and a ``uint8`` offset per bucket (``uint16``
  only if 16 buckets ever hold more than 255 rows): at most 2.5 bytes.

About 63 bytes at most: under 2x the 32 raw bytes. (A 16-table index of 16-bit chunks, the set-up
HMA uses, needs a 3-4 byte posting per hash for each of 15 tables: 3x at best.)

Changes are incremental (see :class:`PDQIndex`): a scanned delta, an indexed *recent* segment and
the *main* segment, folded amortised, never a rebuild per change. A threshold so large that the
probes would touch a quarter of the bank (above ~45 bits) scans every hash instead: still exact.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["IndexStats", "PDQIndex", "bytes_to_pdq", "dir_bits", "hamming", "pdq_to_bytes"]

HASH_BYTES = 32
TABLES = 8
CHUNK_BITS = 32
BLOCK_SHIFT = 4  # one uint32 base per 16 buckets
LO_BITS = 4  # key bits kept beside each row number of tables 1..7, to filter before the check

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]

_EMPTY_IDS: I64 = np.empty(0, dtype=np.int64)


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


def radii(threshold: int, tables: int = TABLES) -> list[int]:
    """Per-table search radius so that ``sum(r + 1) == threshold + 1`` (``-1``: table skipped)."""
    base, extra = divmod(threshold + 1, tables)
    return [base + (1 if t < extra else 0) - 1 for t in range(tables)]


def dir_bits(n: int) -> int:
    """Directory bits for ``n`` rows: buckets of four to eight rows, between 4 and 24 bits."""
    return max(4, min(24, int(n).bit_length() - 3))


_MASKS: dict[tuple[int, int], I64] = {}


def _masks(bits: int, radius: int) -> I64:
    """Every ``bits``-bit value with at most ``radius`` bits set."""
    key = (bits, radius)
    if key not in _MASKS:
        values = [0]
        for k in range(1, min(radius, bits) + 1):
            for combo in itertools.combinations(range(bits), k):
                values.append(sum(1 << b for b in combo))
        _MASKS[key] = np.array(values, dtype=np.int64)
    return _MASKS[key]


@dataclass(frozen=True)
class _Plan:
    masks0: I64  # keys to probe in table 0, as XOR masks of the query's key
    tids: I64  # (table, mask, slack) for tables 1..7
    masks: I64
    slack: I64  # how many of the chunk's low bits may still differ: radius - popcount(mask)


_PLANS: dict[tuple[int, int], _Plan] = {}


def _plan(threshold: int, bits: int) -> _Plan:
    """The buckets to probe for one threshold and directory size; cached."""
    key = (threshold, bits)
    if key not in _PLANS:
        masks0 = _EMPTY_IDS
        tids, masks, slack = [], [], []
        for t, r in enumerate(radii(threshold)):
            if r < 0:
                continue
            m = _masks(bits, r)
            if t == 0:
                masks0 = m
                continue
            tids.append(np.full(len(m), t, dtype=np.int64))
            masks.append(m)
            slack.append(r - np.bitwise_count(m).astype(np.int64))
        _PLANS[key] = _Plan(masks0, _cat(tids), _cat(masks), _cat(slack))
    return _PLANS[key]


def _cat(parts: list[I64]) -> I64:
    return np.concatenate(parts) if parts else _EMPTY_IDS


@functools.cache
def _probe_count(threshold: int, bits: int) -> int:
    """How many buckets a look-up would probe (without building the masks)."""
    return sum(
        sum(comb(bits, k) for k in range(min(r, bits) + 1)) for r in radii(threshold) if r >= 0
    )


@dataclass(frozen=True)
class IndexStats:
    rows: int
    main_rows: int
    delta_rows: int
    removed: int
    tables: int
    memory_bytes: int
    raw_bytes: int
    dir_bits: int = 0
    recent_rows: int = 0

    @property
    def memory_ratio(self) -> float:
        return self.memory_bytes / self.raw_bytes if self.raw_bytes else 0.0


def _smallest_uint(top: int) -> type[np.unsignedinteger]:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


class _Main:
    """The immutable, fully indexed segment."""

    def __init__(self, codes: U8, ids: I64, bits: int | None = None) -> None:
        n = len(codes)
        self.n = n
        self.bits = dir_bits(n) if bits is None else bits
        self.shift = CHUNK_BITS - self.bits
        self.lo = min(LO_BITS, self.shift)
        buckets = 1 << self.bits
        chunks = np.ascontiguousarray(codes).view("<u4").reshape(n, TABLES)
        order = np.argsort(chunks[:, 0] >> self.shift, kind="stable")
        self.codes = np.ascontiguousarray(codes[order])
        self.codes64 = self.codes.view(np.uint64).reshape(n, 4)
        fits32 = n == 0 or (ids.min() >= 0 and ids.max() < 2**32)
        self.ids = ids[order].astype(np.uint32 if fits32 else np.int64)
        del order
        chunks = self.codes.view("<u4").reshape(n, TABLES)
        entries = (TABLES - 1) * n
        # Tables 1..7: row numbers as a uint16 low half and a uint8 high part (uint16 from 2**24
        # rows), and the chunk's next 4 key bits, two to a byte. All aligned, so gathers are fast.
        self.rows_lo = np.zeros(entries, dtype=np.uint16)
        self.rows_hi = np.zeros(entries, dtype=np.uint8 if n <= 2**24 else np.uint16)
        lo = np.zeros(entries, dtype=np.uint8)
        nblocks = (buckets >> BLOCK_SHIFT) + 1
        self.base = np.zeros((TABLES, nblocks), dtype=np.uint32 if n < 2**32 else np.uint64)
        rels = []
        for t in range(TABLES):
            column = chunks[:, t] >> self.shift
            offsets = np.zeros(buckets + 1, dtype=np.int64)
            offsets[1:] = np.cumsum(np.bincount(column, minlength=buckets))
            base = offsets[:: 1 << BLOCK_SHIFT]
            self.base[t] = base
            rels.append(offsets - np.repeat(base, 1 << BLOCK_SHIFT)[: buckets + 1])
            if t:
                rows = np.argsort(column, kind="stable")
                first = (t - 1) * n
                self.rows_lo[first : first + n] = rows & 0xFFFF
                self.rows_hi[first : first + n] = rows >> 16
                low_key = chunks[rows, t] >> (self.shift - self.lo)
                lo[first : first + n] = low_key & ((1 << self.lo) - 1)
        lo = np.append(lo, np.zeros(2 - entries % 2, dtype=np.uint8))  # even, and one spare
        self.nibbles = lo[0::2] | (lo[1::2] << np.uint8(4))
        top = max((int(r.max()) for r in rels), default=0)
        self.rel = np.stack(rels).astype(_smallest_uint(top))
        self.base_flat = self.base.reshape(-1)
        self.rel_flat = self.rel.reshape(-1)
        self.nblocks = nblocks

    def __len__(self) -> int:
        return self.n

    @property
    def nbytes(self) -> int:
        # codes64 is a view of codes, the *_flat arrays of base and rel.
        return (
            self.codes.nbytes + self.ids.nbytes + self.rows_lo.nbytes + self.rows_hi.nbytes
            + self.nibbles.nbytes
            + self.base.nbytes + self.rel.nbytes
        )  # fmt: skip

    def scan_is_cheaper(self, threshold: int, scan_fraction: float = 0.25) -> bool:
        """Whether the probes would touch more than ``scan_fraction`` of the rows."""
        expected = _probe_count(threshold, self.bits) * self.n / (1 << self.bits)
        return expected > self.n * scan_fraction

    def search(self, query: U8, threshold: int, scan_fraction: float) -> tuple[I64, U32]:
        """Ids and distances of the rows within ``threshold`` (an id may repeat)."""
        q64 = query.view(np.uint64)
        if self.scan_is_cheaper(threshold, scan_fraction):
            return _scan(self.codes64, self.ids, q64, threshold)
        rows = self.candidates(query, threshold)
        dist = _distances(np.take(self.codes64, rows, axis=0), q64)
        hit = dist <= threshold
        rows, dist = rows[hit], dist[hit]
        rows, first = np.unique(rows, return_index=True)
        return self.ids[rows].astype(np.int64), dist[first]

    def _buckets(self, tids: I64 | int, keys: I64) -> tuple[I64, I64]:
        """Start and length of each ``(table, key)`` bucket."""
        bt = tids * self.nblocks
        rt = tids * ((1 << self.bits) + 1)
        starts = self.base_flat[bt + (keys >> BLOCK_SHIFT)].astype(np.int64)
        starts += self.rel_flat[rt + keys]
        ends = self.base_flat[bt + ((keys + 1) >> BLOCK_SHIFT)].astype(np.int64)
        ends += self.rel_flat[rt + keys + 1]
        return starts, ends - starts

    def candidates(self, query: U8, threshold: int) -> I64:
        """Row numbers of every stored hash that could be within ``threshold`` (a superset)."""
        plan = _plan(threshold, self.bits)
        chunks = query.view("<u4").astype(np.int64)
        qkeys = chunks >> self.shift
        parts = []
        if len(plan.masks0):  # table 0: the bucket's rows are a range of ``codes``
            starts, lengths = self._buckets(0, qkeys[0] ^ plan.masks0)
            parts.append(_ranges(starts, lengths))
        if len(plan.tids):
            starts, lengths = self._buckets(plan.tids, qkeys[plan.tids] ^ plan.masks)
            full = lengths > 0
            tids, starts, lengths = plan.tids[full], starts[full], lengths[full]
            pos = _ranges(starts + (tids - 1) * self.n, lengths)
            # Keep an entry only if its stored key bits are within the probe's slack.
            nibble = self.nibbles[pos >> 1] >> ((pos & 1) << 2).astype(np.uint8)
            qlo = (chunks >> (self.shift - self.lo)) & ((1 << self.lo) - 1)
            probe = np.repeat((qlo[tids] | (plan.slack[full] << 4)).astype(np.uint8), lengths)
            near = np.bitwise_count((nibble ^ probe) & np.uint8(15)) <= (probe >> np.uint8(4))
            pos = pos[near]
            rows = self.rows_hi[pos].astype(np.int64) << 16
            rows |= self.rows_lo[pos]
            parts.append(rows)
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _distances(codes64: npt.NDArray[np.uint64], q64: npt.NDArray[np.uint64]) -> U32:
    """Hamming distances of ``(k, 4) uint64`` rows to one query.

    One flat XOR against the query repeated (broadcasting over a length-4 inner axis is several
    times slower), one popcount, then the four per-word counts of each row, which sit in one
    ``uint32``, are added with two mask-and-shift steps (each partial sum fits its lane).
    """
    x = codes64.reshape(-1) ^ np.tile(q64, len(codes64))
    c = np.bitwise_count(x).view(np.uint32)
    pairs = (c & _LANES8) + ((c >> np.uint32(8)) & _LANES8)
    out: U32 = (pairs & np.uint32(0xFFFF)) + (pairs >> np.uint32(16))
    return out


_LANES8 = np.uint32(0x00FF00FF)


def _scan(
    codes64: npt.NDArray[np.uint64],
    ids: npt.NDArray[Any],
    q64: npt.NDArray[np.uint64],
    threshold: int,
    block: int = 1 << 18,
) -> tuple[I64, U32]:
    """Ids and distances of every row within ``threshold``, by brute force, a block at a time
    (a bounded temporary, whatever the number of rows)."""
    found_ids, found_d = [_EMPTY_IDS], [np.empty(0, dtype=np.uint32)]
    for lo in range(0, len(codes64), block):
        part = _distances(codes64[lo : lo + block], q64)
        at = np.flatnonzero(part <= threshold)
        found_ids.append(ids[lo + at].astype(np.int64))
        found_d.append(part[at])
    return np.concatenate(found_ids), np.concatenate(found_d)


def _ranges(starts: I64, lengths: I64) -> I64:
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


def _empty(bits: int | None) -> _Main:
    return _Main(np.empty((0, 32), np.uint8), _EMPTY_IDS, bits)


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
    ) -> None:
        if dir_bits is not None and not 1 <= dir_bits <= 24:
            raise ValueError("dir_bits must be between 1 and 24")
        if not 0 <= group_bits < 63:
            raise ValueError("group_bits must be between 0 and 62")
        self.group_bits = group_bits
        self.scan_fraction = scan_fraction
        self.tables = TABLES
        self.dir_bits = dir_bits
        self.merge_min = merge_min
        self.merge_ratio = merge_ratio
        self._write = threading.Lock()
        self._hidden_cache: tuple[_State, int] | None = None
        empty = _empty(dir_bits)
        self._state = _State(empty, empty, *_fresh_delta(), 0, _EMPTY_IDS, _EMPTY_IDS)

    # ----------------------------------------------------------------- changes
    def build(self, ids: Iterable[int] | I64, codes: U8) -> None:
        """Replace the whole content (used at start-up and by benchmarks)."""
        ids_arr = np.asarray(ids, dtype=np.int64)
        with self._write:
            main = _Main(np.asarray(codes, dtype=np.uint8), ids_arr, self.dir_bits)
            s = self._state
            self._state = _State(
                main, _empty(self.dir_bits), s.delta_codes, s.delta_ids, 0, _EMPTY_IDS, _EMPTY_IDS
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
            recent, main_removed = _empty(self.dir_bits), _EMPTY_IDS
        else:
            main, main_removed = s.main, s.main_removed
            recent = _Main(np.concatenate(codes), np.concatenate(ids), self.dir_bits)
        self._state = _State(main, recent, *_fresh_delta(), 0, main_removed, _EMPTY_IDS)

    # ----------------------------------------------------------------- queries
    def search(self, query: U8 | str, threshold: int = 31) -> list[tuple[int, int]]:
        """``(id, distance)`` for every stored hash within ``threshold`` bits, nearest first."""
        if isinstance(query, str):
            query = pdq_to_bytes([query])[0]
        q = np.ascontiguousarray(query, dtype=np.uint8).reshape(32)
        s = self._state  # one consistent state, whatever changes meanwhile
        found_ids: list[I64] = []
        found_d: list[U32] = []
        for segment, removed in ((s.main, s.main_removed), (s.recent, s.recent_removed)):
            if len(segment):
                ids, dist = segment.search(q, threshold, self.scan_fraction)
                if len(removed) and len(ids):
                    keep = ~np.isin(ids >> self.group_bits, removed)
                    ids, dist = ids[keep], dist[keep]
                found_ids.append(ids)
                found_d.append(dist)
        if s.delta_n:
            delta64 = s.delta_codes[: s.delta_n].view(np.uint64).reshape(-1, 4)
            ids, dist = _scan(delta64, s.delta_ids[: s.delta_n], q.view(np.uint64), threshold)
            found_ids.append(ids)
            found_d.append(dist)
        if not found_ids:
            return []
        all_ids = np.concatenate(found_ids)
        all_d = np.concatenate(found_d)
        order = np.lexsort((all_ids, all_d))
        out: dict[int, int] = {}
        for i in order:  # nearest first, one row per id
            out.setdefault(int(all_ids[i]), int(all_d[i]))
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
