"""The index's packed layout (issue 20): entries of exactly as many bits as a row number and its
filter bits need, over the caller's hashes, which the index keeps without copying. Attacks on
the packing, the row-number widths, the smallest banks, and snapshots of the previous layout."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from unshared.bank import _kernels
from unshared.bank.index import LAYOUT, PDQIndex
from unshared.bank.index_plan import MAX_FILTER_BITS, MAX_SEGMENT, WIDTHS

from .test_index import INDEXED, brute, flip, planted

OLD_SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "bank" / "index-layout1.npz"


@pytest.mark.parametrize("width", [1, 7, 23, 24, 25, 31, 32, 33, 36, 57])
def test_packed_entries_read_back_what_was_written_at_every_width(width: int) -> None:
    """Entries straddle word boundaries at every offset; the largest values (every bit set, row
    numbers far past 2**24 with all eight filter bits) come back exactly, neighbours untouched."""
    rng = np.random.default_rng(width)
    count = 300
    values = rng.integers(0, 2**width, count, dtype=np.uint64)
    values[::7] = 2**width - 1
    values[3::11] = 0
    first = 5  # a table starting past other tables' words
    words = np.zeros(first + (count * width + 63) // 64 + 1, dtype=np.uint64)
    for pos in rng.permutation(count).tolist():  # written in any order, as the build does
        _kernels.put(words, first, pos, width, values[pos])
    assert words[:first].tolist() == [0] * first
    got = [_kernels.entry(words, first, pos, width) for pos in range(count)]
    assert got == values.astype(np.int64).tolist()


def test_the_largest_segment_entry_fits_the_packing() -> None:
    row_bits = (MAX_SEGMENT - 1).bit_length()
    width = row_bits + MAX_FILTER_BITS
    assert width <= 57  # one unaligned 64-bit read holds any entry
    words = np.zeros(4, dtype=np.uint64)
    top = ((MAX_SEGMENT - 1) << MAX_FILTER_BITS) | 0b10110011
    _kernels.put(words, 0, 1, width, top)
    e = _kernels.entry(words, 0, 1, width)
    assert e >> MAX_FILTER_BITS == MAX_SEGMENT - 1 and e & 0xFF == 0b10110011
    assert _kernels.entry(words, 0, 0, width) == 0 and _kernels.entry(words, 0, 2, width) == 0


@pytest.mark.parametrize("n", [255, 256, 257, 65536, 65537])
def test_exact_where_the_row_number_gains_a_bit(n: int) -> None:
    """Sizes on both sides of a power of two: the entries' width changes by one bit there."""
    rng = np.random.default_rng(n)
    codes, qs = planted(rng, n, 25)
    ids = np.arange(n) * 3 + 1
    index = PDQIndex(scan_fraction=INDEXED, join_min=10)
    index.build(ids, codes)
    main = index._state.main
    assert main.widths.tolist() == [(n - 1).bit_length() + f for f in main.fbits.tolist()]
    last = codes[n - 1]  # the highest row number, found through every table
    assert (int(ids[n - 1]), 0) in index.search(last, 0)
    batched = index.search_many(qs, 31)  # one sorted join
    for q, got in zip(qs, batched, strict=True):
        want = brute(codes, ids, q, 31)
        assert sorted(got) == want and sorted(index.search(q, 31)) == want


def test_an_empty_bank_and_a_one_row_bank() -> None:
    rng = np.random.default_rng(1)
    empty = PDQIndex(join_min=1)
    empty.build(np.empty(0, np.int64), np.empty((0, 32), np.uint8))
    q = rng.integers(0, 256, (3, 32), dtype=np.uint8)
    assert empty.search(q[0], 31) == [] and empty.search_many(q, 31) == [[], [], []]
    assert empty.stats().rows == 0
    code = rng.integers(0, 256, (1, 32), dtype=np.uint8)
    for join_min in (1, 10**9):  # the sorted join and the per-query probes
        one = PDQIndex(join_min=join_min, scan_fraction=INDEXED)
        one.build([42], code)
        at31 = flip(code[0], rng.choice(256, 31, replace=False))
        at32 = flip(code[0], rng.choice(256, 32, replace=False))
        assert one.search(code[0], 0) == [(42, 0)]
        assert one.search_many(np.stack([at31, at32, code[0]]), 31) == [[(42, 31)], [], [(42, 0)]]


def test_the_index_keeps_the_callers_hashes_without_copying_or_changing_them() -> None:
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 256, (5000, 32), dtype=np.uint8)
    before = codes.copy()
    index = PDQIndex()
    index.build(np.arange(5000), codes)
    main = index._state.main
    assert np.shares_memory(main.codes, codes)  # the index's hashes are the caller's array
    assert not main.codes.flags.writeable  # ... which the index never writes
    assert np.array_equal(codes, before)
    # Anything but a contiguous (n, 32) uint8 array is copied first, and answers the same.
    strided = PDQIndex()
    strided.build(np.arange(2500), codes[::2])
    assert not np.shares_memory(strided._state.main.codes, codes)
    q = flip(codes[10], np.arange(0, 200, 9))
    assert sorted(strided.search(q, 31)) == brute(codes[::2], np.arange(2500), q, 31)


def test_the_index_adds_at_most_the_packed_entries_ids_and_directories() -> None:
    """Beyond the hashes themselves, 11 entries of (row bits + filter bits), 4 bytes of id and
    the directories: at 150,000 rows under 1.6x the raw bytes (2.5x with the hashes)."""
    rng = np.random.default_rng(3)
    n = 150_000
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    index = PDQIndex()
    index.build(np.arange(n), codes)
    main = index._state.main
    row_bits = (n - 1).bit_length()
    assert (
        main.words.nbytes
        <= sum(n * (row_bits + min(8, w - main.bits)) for w in WIDTHS) / 8 + 8 * 12
    )
    own = index.stats().memory_bytes - codes.nbytes
    assert own / codes.nbytes < 1.6 and index.stats().memory_ratio < 2.6


@pytest.mark.parametrize("workers", [1, 2])
def test_a_snapshot_of_the_previous_layout_is_built_again_and_answers_the_same(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """index-layout1.npz was saved by the 32-bit-entry layout (main at bfdc27c): 400 hashes, ten
    of them copies of one, ids with a group. It loads (its hashes and ids built into the new
    layout), answers as brute force over its own hashes, and saves in the new layout."""
    with np.load(OLD_SNAPSHOT) as data:
        assert len(data["meta"]) == 3 and "entries" in data.files  # really the old layout
        codes, ids = data["codes"], data["ids"].astype(np.int64)
    built: list[int] = []
    fill = _kernels.fill_entries

    def counting(codes64: Any, *a: Any) -> None:
        built.append(len(codes64))
        fill(codes64, *a)

    monkeypatch.setattr(_kernels, "fill_entries", counting)
    index = PDQIndex.load(OLD_SNAPSHOT, join_min=1, scan_fraction=INDEXED)
    assert sum(built) == 11 * 400  # the old layout's hashes, built again
    assert index.group_bits == 4 and index.stats().rows == 400
    _, first, counts = np.unique(codes, axis=0, return_index=True, return_counts=True)
    dup = int(first[counts == 11][0])  # one of the eleven equal hashes (rows: table 0's order)
    rng = np.random.default_rng(4)
    qs = np.stack(
        [flip(codes[i], rng.choice(256, k, replace=False))
         for i, k in [(0, 0), (dup, 12), (17, 31), (17, 32), (399, 3), (200, 40)]]
    )  # fmt: skip
    want = [brute(codes, ids, q, 31) for q in qs]
    assert [sorted(r) for r in index.search_many(qs, 31, workers=workers)] == want
    assert len(want[1]) == 11 and len(want[2]) == 1 and want[3] == []
    gone = int(ids[dup]) >> 4
    index.remove([gone])  # a withdrawal by group: every row of that entry
    kept = (ids >> 4) != gone
    assert [sorted(r) for r in index.search_many(qs, 31)] == [
        brute(codes[kept], ids[kept], q, 31) for q in qs
    ]
    index.save(tmp_path / "new.npz")
    with np.load(tmp_path / "new.npz") as data:
        assert data["meta"].tolist()[3] == LAYOUT and "words" in data.files
    built.clear()
    again = PDQIndex.load(tmp_path / "new.npz")
    assert sum(built) == 0  # a snapshot of this layout is read, not built
    assert [sorted(r) for r in again.search_many(qs, 31)] == [
        brute(codes[kept], ids[kept], q, 31) for q in qs
    ]


@pytest.mark.skipif(
    not os.environ.get("UNSHARED_LARGE_INDEX_TEST"),
    reason="17M hashes (1.5 GB, about a minute): set UNSHARED_LARGE_INDEX_TEST=1 to run",
)
def test_past_2_to_the_24_rows_the_entries_widen_and_stay_exact() -> None:
    """A real segment of 2**24 + 2**20 rows: row numbers need 25 bits, the last 2**20 rows exist
    only past 2**24. Near-duplicates of those rows at 31 bits are found, at 32 never, single and
    joined, exactly as brute force over every row."""
    n = 2**24 + 2**20
    rng = np.random.default_rng(24)
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    picks = rng.integers(2**24, n, 40)
    codes[picks[:5]] = codes[picks[5]]  # a few copies, all past 2**24
    index = PDQIndex(join_min=64)
    index.build(np.arange(n), codes)
    main = index._state.main
    assert main.widths.min() == 25 and main.bits == 23  # row bits 25, filter bits 0-1
    qs = np.stack(
        [
            flip(codes[p], rng.choice(256, k, replace=False))
            for p, k in zip(picks, [31, 32] * 20, strict=True)
        ]
        + [rng.integers(0, 256, 32, dtype=np.uint8) for _ in range(30)]
    )
    c64 = codes.view(np.uint64).reshape(n, 4)
    want = []
    for q in qs:
        dist = np.bitwise_count(c64 ^ q.view(np.uint64)).sum(axis=1)
        hit = np.nonzero(dist <= 31)[0]
        want.append(sorted(zip(hit.tolist(), dist[hit].tolist(), strict=True)))
    assert all((int(p), 31) in w for p, w in zip(picks[::2], want[:40:2], strict=True))
    joined = index.search_many(qs, 31, workers=2)
    assert [sorted(r) for r in joined] == want
    assert [sorted(index.search(q, 31)) for q in qs[:20]] == want[:20]
