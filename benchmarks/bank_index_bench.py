"""Hash bank index benchmark: unshared's PDQIndex against faiss, side by side in one run.

    python benchmarks/bank_index_bench.py --n 1000000 --n 10000000 --memory-n 10000000 \
        --memory-n 30000000

For each size: random 256-bit hashes plus planted near-duplicates; queries are half planted
(0-31 bits away from a stored hash) and half random. Reports build time, memory, single-query and
batched look-ups per second, and recall against exact brute force, for:

* unshared PDQIndex (11 tables of 23-24-bit chunks, radius-2 probing on a directory of the top bits
  plus the chunk's remaining bits as a filter, compiled loops: exact by the pigeonhole principle);
  a batch is one sorted join (unshared.bank._join), also timed with the per-query probes;
* faiss IndexBinaryFlat (exhaustive scan), ``range_search`` with radius 32 (distance <= 31);
* faiss IndexBinaryMultiHash with 16 hash tables of 16 bits and nflip=1, the set-up HMA uses.

Runs on the cores the machine has (``--threads``, default 2). No timed assertions: figures go to
docs/benchmarks/bank.md.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

#: ``--src DIR``: measure the index of another checkout's ``src`` (e.g. a worktree of main, as
#: the reference) with this same script; read before the import, which it decides.
SRC = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv[:-1] else None
sys.path.insert(0, SRC or str(Path(__file__).resolve().parents[1] / "src"))
from unshared.bank.index import PDQIndex  # noqa: E402

THRESHOLD = 31


def trim() -> None:
    """Hand freed heap pages back to the OS (glibc keeps them otherwise), so RSS growth shows
    what an index holds rather than its build's temporaries. Done for every index alike."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def rss() -> int:
    trim()
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class PeakRSS:
    """The largest resident size seen while the block runs (sampled every 5 ms)."""

    def __enter__(self) -> PeakRSS:
        import threading

        self.peak = rss()
        self._stop = threading.Event()

        def sample() -> None:
            while not self._stop.wait(0.005):
                with open("/proc/self/status") as fh:
                    for line in fh:
                        if line.startswith("VmRSS:"):
                            self.peak = max(self.peak, int(line.split()[1]) * 1024)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_model() -> str:
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def flips(rng: np.random.Generator, codes: np.ndarray, low: int, high: int) -> np.ndarray:
    """Copies of ``codes`` with ``low..high`` distinct random bits flipped in each row."""
    bits = np.unpackbits(codes, axis=1)
    order = np.argsort(rng.random((len(codes), 256), dtype=np.float32), axis=1)
    count = rng.integers(low, high + 1, len(codes))
    chosen = np.arange(256)[None, :] < count[:, None]
    flip = np.zeros_like(bits)
    np.put_along_axis(flip, order, chosen.astype(np.uint8), axis=1)
    return np.packbits(bits ^ flip, axis=1)


def make_data(n: int, queries: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    # Planted near-duplicates: 1% of the bank are edited copies (1-19 bits) of other rows.
    dup = max(1, n // 100)
    for start in range(0, dup, 100_000):
        part = min(100_000, dup - start)
        src = rng.integers(0, n, part)
        codes[rng.integers(0, n, part)] = flips(rng, codes[src], 1, 19)
    # Queries: half are stored hashes with 0-31 bits flipped, half random.
    half = queries // 2
    near = flips(rng, codes[rng.integers(0, n, half)], 0, THRESHOLD)
    rand = rng.integers(0, 256, (queries - half, 32), dtype=np.uint8)
    return codes, np.concatenate([near, rand])


def truth(codes: np.ndarray, qs: np.ndarray) -> list[set[int]]:
    """Exact answers: numpy brute force for the first 50 queries, checked against faiss's
    exhaustive scan, which then gives the rest (much faster at 10M)."""
    c64 = codes.view(np.uint64).reshape(len(codes), 4)
    head = []
    for q in qs[:50]:
        dist = np.bitwise_count(c64 ^ q.view(np.uint64)).sum(axis=1)
        head.append(set(np.nonzero(dist <= THRESHOLD)[0].tolist()))
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    out = faiss_sets(flat, qs)
    assert out[:50] == head, "faiss exhaustive scan disagrees with numpy brute force"
    return out


def recall(found: list[set[int]], want: list[set[int]]) -> float:
    total = sum(len(w) for w in want)
    hit = sum(len(f & w) for f, w in zip(found, want, strict=True))
    return hit / total if total else 1.0


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def faiss_sets(index: faiss.IndexBinary, qs: np.ndarray) -> list[set[int]]:
    lims, _, labels = index.range_search(qs, THRESHOLD + 1)
    return [set(labels[lims[i] : lims[i + 1]].tolist()) for i in range(len(qs))]


def bench(n: int, queries: int, threads: int) -> list[dict[str, object]]:
    print(f"\n== n = {n:,} == load {os.getloadavg()}", flush=True)
    codes, qs = make_data(n, queries)
    raw = codes.nbytes
    want = truth(codes, qs)
    single = qs[: min(len(qs), 200)]
    rows = [ours_row(n, codes, qs, single, want, threads)]
    print(rows[-1], flush=True)
    gc.collect()  # the index is freed before the next one

    # faiss IndexBinaryFlat (exhaustive scan), then IndexBinaryMultiHash with HMA's set-up:
    # 16 maps of 16 bits, nflip = 31 // 16 = 1.
    multihash = faiss.IndexBinaryMultiHash(256, 16, 16)
    multihash.nflip = THRESHOLD // 16
    for name, index, mem in (
        ("faiss IndexBinaryFlat", faiss.IndexBinaryFlat(256), raw),
        ("faiss IndexBinaryMultiHash 16x16", multihash, None),
    ):
        rows.append(faiss_row(name, index, mem, codes, qs, single, want, threads))
        print(rows[-1], flush=True)
    for r in rows:
        r["n"] = n
        r["raw"] = raw
    return rows


def ours_row(
    n: int,
    codes: np.ndarray,
    qs: np.ndarray,
    single: np.ndarray,
    want: list[set[int]],
    threads: int,
) -> dict[str, object]:
    """Build, single-query, batched (sorted join and per-query probes) and recall figures for
    unshared's PDQIndex; the index is freed when this returns."""
    gc.collect()
    before = rss()
    ours = PDQIndex()
    ids = np.arange(n)
    before = rss()
    with PeakRSS() as peak:
        build = timed(lambda: ours.build(ids, codes))
    mem = ours.stats().memory_bytes
    rss_delta = rss() - before
    # Warm up first: numba compiles the probe and join loops on their first call in a process
    # whose cache is cold (a fresh checkout), and a cold run timed that compilation.
    ours.search(single[0], THRESHOLD)
    ours.search_many(qs[: ours.join_min], THRESHOLD, workers=threads)
    t1 = timed(lambda: [ours.search(q, THRESHOLD) for q in single])
    cpu = time.process_time()
    tb = timed(lambda: ours.search_many(qs, THRESHOLD, workers=threads))
    cpu = time.process_time() - cpu
    found = [{i for i, _ in r} for r in ours.search_many(qs, THRESHOLD, workers=threads)]
    # The same batch with the per-query probes (no sorted join), for the change's own ratio.
    join_min, ours.join_min = ours.join_min, len(qs) + 1
    tp = timed(lambda: ours.search_many(qs, THRESHOLD, workers=threads))
    probed = [{i for i, _ in r} for r in ours.search_many(qs, THRESHOLD, workers=threads)]
    ours.join_min = join_min
    assert probed == found, "the sorted join and the per-query probes disagree"
    return dict(
        name="unshared PDQIndex 11x23",
        build=build,
        mem=mem,
        rss=rss_delta,
        peak=peak.peak - before,
        single=len(single) / t1,
        batch=len(qs) / tb,
        batch_cpu=len(qs) / cpu,
        batch_probed=len(qs) / tp,
        recall=recall(found, want),
    )


def faiss_row(
    name: str,
    index: faiss.IndexBinary,
    mem: int | None,
    codes: np.ndarray,
    qs: np.ndarray,
    single: np.ndarray,
    want: list[set[int]],
    threads: int,
) -> dict[str, object]:
    """Build, single-query (best of 1 and ``threads`` OpenMP threads), batched and recall
    figures for one faiss index; the index is emptied afterwards to free its memory."""
    gc.collect()
    before = rss()
    build = timed(lambda: index.add(codes))
    rss_delta = rss() - before
    singles = {}
    for th in sorted({1, threads}):
        faiss.omp_set_num_threads(th)
        singles[th] = len(single) / timed(
            lambda: [index.range_search(q[None], THRESHOLD + 1) for q in single]
        )
    faiss.omp_set_num_threads(threads)
    tb = timed(lambda: index.range_search(qs, THRESHOLD + 1))
    found = recall(faiss_sets(index, qs), want)
    index.reset()
    return dict(
        name=name,
        build=build,
        mem=mem,
        rss=rss_delta,
        single=max(singles.values()),
        single_by_threads=singles,
        batch=len(qs) / tb,
        recall=found,
    )


def _num(value: object) -> float:
    """A figure of a row (the rows hold ints, floats and names)."""
    assert isinstance(value, int | float), value
    return value


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| n | index | build s | index memory | RSS growth | build peak | single q/s | batched q/s "
        "| recall |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        raw = float(_num(r["raw"]))
        mem = r["mem"]
        mem_s = (
            f"{float(_num(mem)) / 2**20:,.0f} MiB ({float(_num(mem)) / raw:.2f}x)" if mem else "n/a"
        )
        rss_s = f"{float(_num(r['rss'])) / 2**20:,.0f} MiB ({float(_num(r['rss'])) / raw:.2f}x)"
        peak = r.get("peak")
        peak_s = (
            f"{float(_num(peak)) / 2**20:,.0f} MiB ({float(_num(peak)) / raw:.2f}x)"
            if peak
            else "n/a"
        )
        lines.append(
            f"| {int(_num(r['n'])):,} | {r['name']} | {float(_num(r['build'])):.1f} | {mem_s} | {rss_s} | "
            f"{peak_s} | "
            f"{float(_num(r['single'])):,.0f} | {float(_num(r['batch'])):,.0f} | {float(_num(r['recall'])):.4f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="bank sizes (repeatable)")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--src", help="the src folder whose index to measure (default: this one)")
    parser.add_argument(
        "--memory-n",
        type=int,
        action="append",
        default=[],
        help="sizes whose index memory is measured (no look-ups, no faiss), to extrapolate to 100M",
    )
    args = parser.parse_args()
    sizes = args.n or [1_000_000]
    memory = [(m, memory_only(m)) for m in args.memory_n]
    rows = []
    for n in sizes:
        rows.extend(bench(n, args.queries, args.threads))
    print()
    print(
        f"machine: {os.cpu_count()} cpus, {cpu_model()}; {datetime.now(UTC):%Y-%m-%d}; "
        f"numpy {np.__version__}, faiss {faiss.__version__}; index from {sys.modules[PDQIndex.__module__].__file__}"
    )
    print(table(rows))
    for n in sizes:
        by = {r["name"]: r for r in rows if r["n"] == n}
        ours = by["unshared PDQIndex 11x23"]
        flat = by["faiss IndexBinaryFlat"]
        mh = by["faiss IndexBinaryMultiHash 16x16"]
        single_flat = float(_num(ours["single"])) / float(_num(flat["single"]))
        single_mh = float(_num(ours["single"])) / float(_num(mh["single"]))
        batch_flat = float(_num(ours["batch"])) / float(_num(flat["batch"]))
        batch_mh = float(_num(ours["batch"])) / float(_num(mh["batch"]))
        print(
            f"n={n:,}: single-query ratio vs IndexBinaryFlat {single_flat:.1f}x, "
            f"vs MultiHash {single_mh:.1f}x; batched vs Flat {batch_flat:.1f}x, "
            f"vs MultiHash {batch_mh:.1f}x; batched {float(_num(ours['batch'])):,.0f}/s wall "
            f"({float(_num(ours['batch_cpu'])):,.0f} per CPU-second of the process), "
            f"per-query probes on the same batch {float(_num(ours['batch_probed'])):,.0f}/s; "
            f"load {os.getloadavg()}"
        )
    for n, mem in memory:
        print(f"index memory at {n:,}: {mem / 2**30:.2f} GiB")
    if len(memory) >= 2:
        print(f"extrapolated to 100,000,000: {extrapolate(memory) / 2**30:.2f} GiB")


def memory_only(n: int) -> int:
    """Index bytes for ``n`` random hashes, and the build's peak RSS growth over the process
    that holds them (the bench's own PeakRSS method)."""
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    ids = np.arange(n)
    index = PDQIndex()
    gc.collect()
    before = rss()
    with PeakRSS() as peak:
        index.build(ids, codes)
    del codes
    mem = index.stats().memory_bytes
    grown = peak.peak - before
    print(
        f"memory n={n:,}: {mem / 2**20:,.0f} MiB ({mem / (32 * n):.2f}x raw); build peak "
        f"+{grown / 2**20:,.0f} MiB ({grown / (32 * n):.2f}x raw)",
        flush=True,
    )
    return int(mem)


def extrapolate(points: list[tuple[int, int]], target: int = 100_000_000) -> float:
    """Bytes at ``target`` hashes from a straight line through the measured sizes."""
    (n1, m1), (n2, m2) = points[0], points[-1]
    slope = (m2 - m1) / (n2 - n1)
    return m2 + slope * (target - n2)


if __name__ == "__main__":
    main()
