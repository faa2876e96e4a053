"""The bank at scale (issue 20): start-up, HTTP batches on one or more replicas, bulk submission.

    python benchmarks/bank_scale.py --entries 10000000 --db sqlite --replicas 1 --seconds 20
    python benchmarks/bank_scale.py --entries 1000000 --db postgresql://postgres:unshared@127.0.0.1:5432/postgres --replicas 2

Preloads ``--entries`` PDQ entries straight into a fresh bank database (SQLite file or a new
PostgreSQL schema), then, in one run:

* start-up: seconds from starting each ``unshared bank serve`` replica until it answers, i.e.
  reading every active hash in one pass and building the index (no replay of the feed), and
  with ``--snapshot``: reading the index files a previous start saved;
* HTTP batches: ``--clients`` closed-loop clients send ``POST /v1/lookup`` with 1,000 PDQ
  look-ups each (half 0-31 bits from a stored hash, half random), spread over the replicas;
* the reference: the same batches through :class:`unshared.bank.matching.Matcher` in this
  process (no HTTP), over the same database, in the same run; with ``--faiss``, also faiss
  ``IndexBinaryFlat`` and ``IndexBinaryMultiHash`` (16 x 16 bits, nflip 1, HMA's set-up) on the
  first batch, in this process on 2 threads (the ratios beside faiss);
* bulk submission: ``POST /v1/submissions`` of 1,000 fingerprints, five times (ms each);
* idle CPU: the share of a core each replica uses over 10 s with no requests.

No timed assertions; figures go to docs/benchmarks/bank.md with the machine load.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from unshared.bank.matching import Matcher, Query  # noqa: E402
from unshared.bank.service import issue_token  # noqa: E402
from unshared.bank.sql import open_store  # noqa: E402
from unshared.bank.sql_base import utcnow  # noqa: E402

CASE = "scale-preload-case-token-0"
BATCH = 1000


def fresh_db(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bank.sqlite3'}"
    import psycopg

    schema = "bench_" + secrets.token_hex(4)
    with psycopg.connect(kind, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in kind else "?"
    return f"{kind}{sep}options={quote(f'-csearch_path={schema}')}"


def preload(db: str, codes: np.ndarray) -> float:
    """Entries, signals and their add events written in bulk (what many submissions make)."""
    store = open_store(db)
    start = time.perf_counter()
    now = utcnow()
    hexes = [bytes(c).hex() for c in codes]
    n = len(hexes)
    with store.transaction():
        store._exec("INSERT INTO cases VALUES (?,?,?,?,?,?)", (CASE, "default", 1, None, None, now))
        if store.dialect == "postgresql":
            conn = store._conn
            with conn.cursor() as cur:
                with cur.copy(
                    "COPY entries (id, case_token, bank, kind, status, created_at) FROM STDIN"
                ) as cp:
                    for i in range(n):
                        cp.write_row((i + 1, CASE, "default", "image", "active", now))
                with cur.copy(
                    "COPY signals (entry_id, signal_type, value, variant) FROM STDIN"
                ) as cp:
                    for i in range(n):
                        cp.write_row((i + 1, "pdq", hexes[i], 0))
                with cur.copy("COPY changes (entry_id, op, reason, at) FROM STDIN") as cp:
                    for i in range(n):
                        cp.write_row((i + 1, "add", "submitted", now))
                cur.execute("SELECT setval(pg_get_serial_sequence('entries', 'id'), %s)", (n,))
        else:
            cur = store._conn.cursor()
            step = 200_000
            for lo in range(0, n, step):
                hi = min(n, lo + step)
                cur.executemany(
                    "INSERT INTO entries (id, case_token, bank, kind, status, created_at) "
                    "VALUES (?,?,?,?,?,?)",
                    ((i + 1, CASE, "default", "image", "active", now) for i in range(lo, hi)),
                )
                cur.executemany(
                    "INSERT INTO signals (entry_id, signal_type, value, variant) VALUES (?,?,?,?)",
                    ((i + 1, "pdq", hexes[i], 0) for i in range(lo, hi)),
                )
                cur.executemany(
                    "INSERT INTO changes (entry_id, op, reason, at) VALUES (?,?,?,?)",
                    ((i + 1, "add", "submitted", now) for i in range(lo, hi)),
                )
        store._exec("UPDATE counters SET value=? WHERE name='entries_active'", (n,))
    took = time.perf_counter() - start
    store.close()
    return took


def flips(rng: np.random.Generator, codes: np.ndarray, high: int) -> np.ndarray:
    out = codes.copy()
    for row in out:
        for bit in rng.choice(256, int(rng.integers(0, high + 1)), replace=False):
            row[bit // 8] ^= 1 << (bit % 8)
    return out


def batches(rng: np.random.Generator, codes: np.ndarray, count: int) -> list[list[str]]:
    out = []
    for _ in range(count):
        near = flips(rng, codes[rng.integers(0, len(codes), BATCH // 2)], 31)
        rand = rng.integers(0, 256, (BATCH - BATCH // 2, 32), dtype=np.uint8)
        out.append([bytes(c).hex() for c in np.concatenate([near, rand])])
    return out


def start(
    db: str, port: int, sync: float, snapshot: Path | None = None
) -> tuple[subprocess.Popen[bytes], float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t = time.perf_counter()
    cmd = [sys.executable, "-m", "unshared", "bank", "serve", "--db", db, "--port", str(port)]
    if snapshot is not None:
        cmd += ["--snapshot", str(snapshot)]
    proc = subprocess.Popen(
        [*cmd, "--sync-interval", str(sync)], env=env, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise RuntimeError("the bank did not start")
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                return proc, time.perf_counter() - t
        except httpx.HTTPError:
            time.sleep(0.05)


def faiss_rates(codes: np.ndarray, batch: list[str]) -> dict[str, float]:
    """Look-ups/s of faiss's exhaustive scan and multi-index hashing on one batch (2 threads),
    each index freed before the next is built."""
    import faiss

    faiss.omp_set_num_threads(2)
    queries = np.frombuffer(bytes.fromhex("".join(batch)), dtype=np.uint8).reshape(-1, 32)
    multihash = faiss.IndexBinaryMultiHash(256, 16, 16)
    multihash.nflip = 1
    out = {}
    for name, index in (("faiss IndexBinaryFlat", faiss.IndexBinaryFlat(256)),
                        ("faiss IndexBinaryMultiHash 16x16", multihash)):  # fmt: skip
        index.add(codes)
        t = time.perf_counter()
        index.range_search(queries, 32)  # distance <= 31
        out[name] = len(queries) / (time.perf_counter() - t)
        print(f"{name}: {out[name]:,.0f} look-ups/s in process", flush=True)
        index.reset()
    return out


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def http_batches(
    urls: list[str], token: str, work: list[list[str]], clients: int, seconds: float
) -> tuple[int, float, list[float]]:
    done = [0]
    lat: list[float] = []
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def client(k: int) -> None:
        url = urls[k % len(urls)]
        with httpx.Client(timeout=120) as http:
            i = k
            while time.monotonic() < until:
                body = {
                    "queries": [{"signal_type": "pdq", "signal": h} for h in work[i % len(work)]]
                }
                t = time.perf_counter()
                r = http.post(
                    url + "/v1/lookup", json=body, headers={"authorization": f"Bearer {token}"}
                )
                r.raise_for_status()
                with lock:
                    done[0] += BATCH
                    lat.append(time.perf_counter() - t)
                i += clients

    start_t = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return done[0], time.perf_counter() - start_t, lat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite", help="sqlite, or a postgresql:// URL")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8640)
    parser.add_argument("--faiss", action="store_true", help="faiss references on one batch")
    args = parser.parse_args()
    import tempfile

    print(f"load before: {os.getloadavg()}", flush=True)
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 256, (args.entries, 32), dtype=np.uint8)
    folder = Path(tempfile.mkdtemp(prefix="unshared-bank-scale-"))
    db = fresh_db(args.db, folder)
    print(f"preloaded {args.entries:,} entries in {preload(db, codes):.1f} s", flush=True)
    store = open_store(db)
    plat = issue_token(store, "platform", rate=10**9)
    sub = issue_token(store, "submitter", rate=10**9)
    work = batches(rng, codes, 8)

    # In-process reference, same database, same batches.
    t = time.perf_counter()
    matcher = Matcher(store, workers=2)
    matcher.load()
    load_s = time.perf_counter() - t
    matcher.lookup_many([Query("pdq", h) for h in work[0][:10]])
    t = time.perf_counter()
    for batch in work:
        matcher.lookup_many([Query("pdq", h) for h in batch])
    in_process = len(work) * BATCH / (time.perf_counter() - t)
    print(
        f"in process: snapshot load {load_s:.1f} s; {in_process:,.0f} look-ups/s batched",
        flush=True,
    )
    del matcher
    refs = faiss_rates(codes, work[0]) if args.faiss else {}

    procs, urls = [], []
    try:
        for r in range(args.replicas):
            proc, took = start(db, args.port + r, 2.0)
            procs.append(proc)
            urls.append(f"http://127.0.0.1:{args.port + r}")
            print(f"replica {r + 1}: answering {took:.1f} s after start", flush=True)
        before = [cpu_seconds(p.pid) for p in procs]
        time.sleep(10)
        idle = [(cpu_seconds(p.pid) - b) / 10 for p, b in zip(procs, before, strict=True)]
        print(f"idle CPU per replica: {', '.join(f'{100 * x:.1f}%' for x in idle)} of a core")
        http_batches(urls, plat, work[:1], 1, 0.1)  # warm the compiled loops
        looked, took, lat = http_batches(urls, plat, work, args.clients, args.seconds)
        http_rate = looked / took
        print(
            f"HTTP batches: {looked:,} look-ups in {took:.1f} s = {http_rate:,.0f}/s "
            f"({args.replicas} replica(s), {args.clients} clients); median batch "
            f"{1000 * statistics.median(lat):.0f} ms; reference in process {in_process:,.0f}/s "
            f"(HTTP at {http_rate / in_process:.2f}x of it)"
        )
        for name, rate in refs.items():
            print(f"beside {name} in process: {rate:,.0f}/s; HTTP at {http_rate / rate:.1f}x")
        times = []
        with httpx.Client(timeout=120) as http:
            for k in range(5):
                prints = [{"pdq": secrets.token_hex(32)} for _ in range(BATCH)]
                t = time.perf_counter()
                resp = http.post(
                    urls[0] + "/v1/submissions",
                    json={"case_token": f"bulk-case-token-{k:08d}", "fingerprints": prints},
                    headers={"authorization": f"Bearer {sub}"},
                )
                resp.raise_for_status()
                times.append(time.perf_counter() - t)
        print(
            "bulk submissions of 1,000: "
            + ", ".join(f"{1000 * x:.0f} ms" for x in times)
            + f" ({BATCH / statistics.median(times):,.0f} hashes/s)"
        )
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=120)
    # Start-up with index files: the first start reads the database and saves them, the next
    # start reads the files.
    for label in ("database, then saving the index files", "the saved index files"):
        proc, took = start(db, args.port, 2.0, folder / "index")
        print(f"start-up reading {label}: answering {took:.1f} s after start", flush=True)
        proc.terminate()
        proc.wait(timeout=300)
    store.close()
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
