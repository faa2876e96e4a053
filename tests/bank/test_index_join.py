"""Large batches are one sorted join (unshared.bank._join): attacks on it, each against brute
force and the per-query probes, which must give exactly the same answers."""

from __future__ import annotations

import numpy as np
import pytest

from unshared.bank import _join
from unshared.bank.index import PDQIndex
from unshared.bank.index_plan import TABLES, plan, table_radii

from .test_index import INDEXED, _spread, brute, flip, planted

JOINED = 1  # join_min: every batch is a join
PROBED = 10**9  # join_min: no batch is


def pair(codes: np.ndarray, ids: np.ndarray, **kwargs: object) -> tuple[PDQIndex, PDQIndex]:
    joined = PDQIndex(join_min=JOINED, scan_fraction=INDEXED, **kwargs)  # type: ignore[arg-type]
    probed = PDQIndex(join_min=PROBED, scan_fraction=INDEXED, **kwargs)  # type: ignore[arg-type]
    joined.build(ids, codes)
    probed.build(ids, codes)
    return joined, probed


@pytest.mark.parametrize("workers", [1, 2])
def test_random_and_planted_batches_equal_brute_force_at_every_threshold(workers: int) -> None:
    rng = np.random.default_rng(20)
    codes, near = planted(rng, 20000, 200)
    qs = np.concatenate([near, rng.integers(0, 256, (100, 32), dtype=np.uint8)])  # and misses
    ids = np.arange(5000, 25000)
    joined, probed = pair(codes, ids)
    for threshold in (0, 10, 24, 31, 32, 45):
        got = joined.search_many(qs, threshold, workers=workers)
        assert got == probed.search_many(qs, threshold, workers=workers)
        assert [sorted(r) for r in got] == [brute(codes, ids, q, threshold) for q in qs]
    assert sum(map(len, joined.search_many(near, 31))) >= len(near) // 2  # hits to find


@pytest.mark.parametrize("threshold", [31, 20])
def test_distance_exactly_threshold_found_and_one_more_never(threshold: int) -> None:
    """Each near-duplicate at exactly ``threshold`` bits, findable through one table only (every
    other chunk one bit past its radius); the same with one more bit is never found."""
    rng = np.random.default_rng(threshold + 100)
    codes = rng.integers(0, 256, (30000, 32), dtype=np.uint8)
    ids = np.arange(len(codes))
    joined, probed = pair(codes, ids)
    radius = table_radii(threshold)
    bits = joined.stats().dir_bits
    queries, expect = [], []
    for only in range(TABLES):
        for _ in range(5):
            row = int(rng.integers(0, len(codes)))
            per_table = [r + 1 if t != only else r for t, r in enumerate(radius)]
            key_bits = bits if rng.random() < 0.5 else 0
            queries.append(flip(codes[row], _spread(rng, per_table, key_bits, only)))
            expect.append((row, threshold))
        queries.append(flip(codes[row], _spread(rng, [r + 1 for r in radius])))
        expect.append((row, threshold + 1))
    qs = np.stack(queries)
    got = joined.search_many(qs, threshold, workers=2)
    assert got == probed.search_many(qs, threshold, workers=2)
    for q, (row, dist), hits in zip(qs, expect, got, strict=True):
        assert ((row, dist) in hits) == (dist <= threshold)
        assert sorted(hits) == brute(codes, ids, q, threshold)


def test_duplicate_hashes_overfull_buckets_are_all_found() -> None:
    """Thousands of copies of a few hashes: buckets far past a few rows, and directories that
    must widen past one byte; every copy is found, once, at its distance."""
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, (20000, 32), dtype=np.uint8)
    codes[:3000] = codes[5000]
    codes[3000:3400] = flip(codes[6000], np.array([3, 100, 200]))
    ids = np.arange(len(codes))
    joined, probed = pair(codes, ids)
    qs = np.stack([codes[5000], flip(codes[6000], np.arange(28)), codes[7000]])
    got = joined.search_many(qs, 31, workers=2)
    assert got == probed.search_many(qs, 31, workers=2)
    assert len(got[0]) == 3001 and {d for _, d in got[0]} == {0}
    assert [sorted(r) for r in got] == [brute(codes, ids, q, 31) for q in qs]


def test_withdrawals_and_unfolded_changes_are_honoured() -> None:
    """Removed ids never come back from a join, whether their rows are in main, recent or the
    delta; rows added since the build are found (recent is joined, the delta scanned)."""
    rng = np.random.default_rng(9)
    codes, qs = planted(rng, 12000, 300)
    indexes = []
    for join_min in (JOINED, PROBED):
        index = PDQIndex(merge_min=1000, merge_ratio=1, join_min=join_min, scan_fraction=INDEXED)
        index.build(np.arange(8000), codes[:8000])
        index.add(np.arange(8000, 11500), codes[8000:11500])  # folds into recent
        index.add(np.arange(11500, 12000), codes[11500:])  # stays in the delta
        index.remove(range(0, 12000, 3))
        indexes.append(index)
    joined, probed = indexes
    assert joined.stats().recent_rows and joined.stats().delta_rows
    keep = np.array([i for i in range(12000) if i % 3])
    got = joined.search_many(qs, 31, workers=2)
    assert got == probed.search_many(qs, 31, workers=2)
    assert [sorted(r) for r in got] == [brute(codes[keep], keep, q, 31) for q in qs]
    assert all(i % 3 for hits in got for i, _ in hits)


def test_a_batch_larger_than_a_piece_keeps_every_query_its_own_answers() -> None:
    rng = np.random.default_rng(4)
    codes, qs = planted(rng, 4000, _join.PIECE + 300)
    joined, probed = pair(codes, np.arange(len(codes)))
    assert joined.search_many(qs, 31, workers=2) == probed.search_many(qs, 31, workers=2)


def test_the_default_index_joins_large_batches_only() -> None:
    rng = np.random.default_rng(5)
    codes, qs = planted(rng, 20000, 600)
    index = PDQIndex(scan_fraction=INDEXED)
    index.build(np.arange(len(codes)), codes)
    assert len(qs) >= index.join_min and index.join_min <= 1000  # HTTP batches of 1,000 join
    assert index.search_many(qs, 31) == [index.search(q, 31) for q in qs]


@pytest.mark.parametrize("workers", [1, 2, 3, 16])
def test_tables_are_shared_out_whole_and_once(workers: int) -> None:
    probes = plan(31, 23)
    groups = _join.split_tables(probes, TABLES, workers)
    assert 1 <= len(groups) <= workers
    assert np.array_equal(np.sum(groups, axis=0), np.ones(TABLES, dtype=np.int64))
