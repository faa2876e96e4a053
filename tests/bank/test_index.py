"""The PDQ index finds exactly what brute force finds, and follows adds and removals."""

from __future__ import annotations

import threading
import time

import faiss
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.bank.index import PDQIndex, bytes_to_pdq, hamming, pdq_to_bytes
from unshared.bank.index_plan import STARTS, TABLES, WIDTHS, radii, table_radii


def brute(
    codes: np.ndarray, ids: np.ndarray, q: np.ndarray, threshold: int
) -> list[tuple[int, int]]:
    dist = np.bitwise_count(codes.view(np.uint64) ^ q.view(np.uint64)).sum(axis=1)
    hit = np.nonzero(dist <= threshold)[0]
    return sorted((int(ids[i]), int(dist[i])) for i in hit)


def flip(code: np.ndarray, bits: np.ndarray) -> np.ndarray:
    out = code.copy()
    for b in bits:
        out[b // 8] ^= np.uint8(1 << (b % 8))
    return out


def planted(rng: np.random.Generator, n: int, queries: int) -> tuple[np.ndarray, np.ndarray]:
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    picks = rng.integers(0, n, queries)
    qs = np.stack(
        [flip(codes[p], rng.choice(256, rng.integers(0, 45), replace=False)) for p in picks]
    )
    return codes, qs


INDEXED = float("inf")  # scan_fraction that never falls back to a scan: the index path only


@pytest.mark.parametrize("dir_bits", [None, 8, 16])
def test_exact_recall_against_brute_force(dir_bits: int | None) -> None:
    rng = np.random.default_rng(dir_bits or 1)
    codes, qs = planted(rng, 20000, 60)
    ids = np.arange(1000, 21000)
    index = PDQIndex(dir_bits=dir_bits, scan_fraction=INDEXED)
    index.build(ids, codes)
    found = 0
    for q in qs:
        for threshold in (31, 20, 0, 45):
            want = brute(codes, ids, q, threshold)
            assert sorted(index.search(q, threshold)) == want
            found += len(want)
    assert found > 60  # the planted near-duplicates were there to find


def test_default_layout_uses_the_index_and_stays_near_twice_the_raw_bytes() -> None:
    rng = np.random.default_rng(5)
    codes, qs = planted(rng, 150_000, 40)
    index = PDQIndex()
    index.build(np.arange(len(codes)), codes)
    main = index._state.main
    assert not main.scan_is_cheaper(31)  # the default threshold is answered by probing
    assert main.scan_is_cheaper(63)  # ... and a huge one by a scan, still exact
    stats = index.stats()
    # 32 bytes of hash, 11 entries of 24-25 bits, 4 of id, 12 of directory: 82 bytes a hash.
    assert stats.dir_bits == 17 and stats.memory_ratio <= 2.6
    assert main.fbits.tolist() == [w - 17 for w in WIDTHS]  # every bit past the directory
    candidates = [main.candidates(q, 31) for q in qs]
    assert max(candidates) < len(codes) / 10
    for q in qs[:10]:
        for threshold in (31, 63):
            assert sorted(index.search(q, threshold)) == brute(
                codes, np.arange(len(codes)), q, threshold
            )


def test_duplicate_heavy_buckets_widen_the_offsets_and_stay_exact() -> None:
    rng = np.random.default_rng(9)
    codes = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    codes[:1000] = codes[0]  # a thousand copies of one hash share every bucket
    index = PDQIndex(scan_fraction=INDEXED)
    index.build(np.arange(3000), codes)
    assert index._state.main.rel.dtype == np.uint16
    q = flip(codes[0], np.array([3, 100, 200]))
    assert sorted(index.search(q, 31)) == brute(codes, np.arange(3000), q, 31)


def test_matches_faiss_flat_range_search() -> None:
    rng = np.random.default_rng(7)
    codes, qs = planted(rng, 5000, 30)
    index = PDQIndex()
    index.build(np.arange(5000), codes)
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    lims, dist, labels = flat.range_search(qs, 32)  # faiss: strictly below the radius
    for i, q in enumerate(qs):
        theirs = sorted(
            zip(
                labels[lims[i] : lims[i + 1]].tolist(),
                dist[lims[i] : lims[i + 1]].tolist(),
                strict=True,
            )
        )
        assert sorted(index.search(q, 31)) == theirs


def test_incremental_adds_removals_and_merge() -> None:
    rng = np.random.default_rng(3)
    codes, qs = planted(rng, 6000, 20)
    index = PDQIndex(merge_min=200, merge_ratio=4, scan_fraction=INDEXED)
    index.build(np.arange(3000), codes[:3000])
    recent_seen = False
    for start in range(3000, 6000, 250):  # folds into recent, then into main, on the way
        index.add(np.arange(start, start + 250), codes[start : start + 250])
        recent_seen |= index.stats().recent_rows > 0
    assert recent_seen
    removed = set(range(0, 6000, 7))
    index.remove(removed)
    keep = np.array([i for i in range(6000) if i not in removed])
    for q in qs:
        assert sorted(index.search(q, 31)) == brute(codes[keep], keep, q, 31)
    assert len(index) == len(keep)
    index.merge()
    stats = index.stats()
    assert stats.delta_rows == 0 and stats.recent_rows == 0 and stats.removed == 0
    assert stats.rows == len(keep)
    for q in qs:
        assert sorted(index.search(q, 31)) == brute(codes[keep], keep, q, 31)


def test_an_id_added_again_after_removal_has_only_its_new_hash() -> None:
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 256, (500, 32), dtype=np.uint8)
    index = PDQIndex(merge_min=50, scan_fraction=INDEXED)
    index.build(np.arange(500), codes)
    index.remove([7])
    new = rng.integers(0, 256, 32, dtype=np.uint8)
    index.add([7], new[None])
    assert index.search(codes[7], 31) == []  # the old hash no longer matches
    assert index.search(new, 0) == [(7, 0)]
    index.add(np.arange(1000, 1100), rng.integers(0, 256, (100, 32), dtype=np.uint8))  # a fold
    assert index.search(codes[7], 31) == [] and index.search(new, 0) == [(7, 0)]
    index.merge()
    assert index.search(codes[7], 31) == [] and index.search(new, 0) == [(7, 0)]


def test_searches_during_changes_see_a_whole_state() -> None:
    rng = np.random.default_rng(8)
    codes = rng.integers(0, 256, (4000, 32), dtype=np.uint8)
    index = PDQIndex(merge_min=300, scan_fraction=INDEXED)
    index.build(np.arange(1000), codes[:1000])
    stop = threading.Event()
    errors: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            for i in (0, 500, 999):  # always present: never missing, never twice
                if index.search(codes[i], 0) != [(i, 0)]:
                    errors.append(f"row {i}")
            time.sleep(0.001)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for start in range(1000, 4000, 200):  # several folds into recent and main
        index.add(np.arange(start, start + 200), codes[start : start + 200])
        index.remove([start + 1])
    stop.set()
    for t in threads:
        t.join()
    assert errors == []


def test_radii_follow_the_pigeonhole() -> None:
    for tables in (1, 8, 12, 16):
        for threshold in range(0, 64):
            r = radii(threshold, tables)
            assert sum(x + 1 for x in r) == threshold + 1


def test_empty_index_and_hex_helpers() -> None:
    index = PDQIndex()
    assert index.search("0" * 64) == []
    code = pdq_to_bytes(["ab" * 32])
    assert bytes_to_pdq(code[0]) == "ab" * 32
    assert hamming("0" * 64, "f" + "0" * 63) == 4
    with pytest.raises(ValueError):
        pdq_to_bytes(["abc"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40),
    st.binary(min_size=32, max_size=32),
    st.integers(0, 63),
)
def test_property_exact_for_any_data(rows: list[bytes], query: bytes, threshold: int) -> None:
    codes = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), 32)
    q = np.frombuffer(query, dtype=np.uint8)
    index = PDQIndex(dir_bits=4, scan_fraction=INDEXED)
    index.add(np.arange(len(rows)), codes)  # delta path
    assert sorted(index.search(q, threshold)) == brute(codes, np.arange(len(rows)), q, threshold)
    index.merge()  # indexed path
    assert sorted(index.search(q, threshold)) == brute(codes, np.arange(len(rows)), q, threshold)


@pytest.mark.parametrize("workers", [1, 2])
def test_many_queries_equal_single_queries(workers: int) -> None:
    rng = np.random.default_rng(11)
    codes, qs = planted(rng, 8000, 150)
    index = PDQIndex(merge_min=10_000)
    index.build(np.arange(6000), codes[:6000])
    index.add(np.arange(6000, 8000), codes[6000:])  # stays in the delta
    index.remove(range(0, 8000, 5))
    assert index.search_many(qs, 31, workers=workers) == [index.search(q, 31) for q in qs]
    keep = np.array([i for i in range(8000) if i % 5])
    assert [sorted(r) for r in index.search_many(qs)] == [
        brute(codes[keep], keep, q, 31) for q in qs
    ]


def _spread(
    rng: np.random.Generator, per_table: list[int], key_bits: int = 0, only: int = -1
) -> np.ndarray:
    """Bit positions: ``per_table[t]`` random bits inside each table's chunk; in table ``only``
    all in its directory key (the chunk's top ``key_bits``), so its probes alone must find it."""
    bits = []
    for t, k in enumerate(per_table):
        low = WIDTHS[t] - key_bits if t == only and key_bits else 0
        bits.append(STARTS[t] + low + rng.choice(WIDTHS[t] - low, k, replace=False))
    return np.concatenate(bits)


@pytest.mark.parametrize(("threshold", "dir_bits"), [(31, None), (24, None), (10, None), (31, 23)])
def test_exact_at_the_pigeonhole_boundary(threshold: int, dir_bits: int | None) -> None:
    """The hardest near-duplicates: every chunk one bit past its radius but one, which is exactly
    at its radius (found only through that one table, at ``threshold`` bits); and every chunk past
    its radius (``threshold + 1`` bits: never found). Single and batched look-ups, as brute force.
    With 23 directory bits, as at 10M hashes, the entries of 23-bit chunks have no filter bits."""
    rng = np.random.default_rng(threshold)
    codes = rng.integers(0, 256, (30000, 32), dtype=np.uint8)
    index = PDQIndex(scan_fraction=INDEXED, dir_bits=dir_bits)
    index.build(np.arange(len(codes)), codes)
    radius = table_radii(threshold)
    assert sum(r + 1 for r in radius) == threshold + 1
    queries, expect = [], []
    for only in range(TABLES):
        for _ in range(6):
            row = int(rng.integers(0, len(codes)))
            per_table = [r + 1 if t != only else r for t, r in enumerate(radius)]
            key_bits = index.stats().dir_bits if rng.random() < 0.5 else 0
            queries.append(flip(codes[row], _spread(rng, per_table, key_bits, only)))
            expect.append((row, threshold))
        far = flip(codes[row], _spread(rng, [r + 1 for r in radius]))
        queries.append(far)
        expect.append((row, threshold + 1))
    qs = np.stack(queries)
    batched = index.search_many(qs, threshold, workers=2)
    for q, (row, dist), got in zip(qs, expect, batched, strict=True):
        want = brute(codes, np.arange(len(codes)), q, threshold)
        assert ((row, dist) in want) == (dist <= threshold)
        assert sorted(index.search(q, threshold)) == want
        assert sorted(got) == want
