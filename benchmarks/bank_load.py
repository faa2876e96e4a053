"""Bounded load test of a real bank on loopback (``unshared bank serve`` as a subprocess).

    python benchmarks/bank_load.py --entries 50000 --seconds 20 --concurrency 16

Preloads the bank with random PDQ entries, then runs a closed-loop mix from ``--concurrency``
clients for ``--seconds``: 90% single PDQ look-ups (half near-duplicates of stored hashes), 10%
submissions. Prints requests a second, latency percentiles and any non-2xx answers. The reference
for comparison is the same look-up done in-process (no HTTP), reported in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from unshared.bank.index import PDQIndex, pdq_to_bytes  # noqa: E402
from unshared.bank.service import issue_token  # noqa: E402
from unshared.bank.sql import open_store  # noqa: E402
from unshared.bank.store import CaseRecord, NewEntry, NewSignal  # noqa: E402

WRITE_SHARE = 0.1


def flip(hex_hash: str, bits: int) -> str:
    value = int(hex_hash, 16)
    for b in random.sample(range(256), bits):
        value ^= 1 << b
    return f"{value:064x}"


async def client_loop(
    url: str,
    sub: str,
    plat: str,
    stored: list[str],
    until: float,
    lat: list[float],
    errors: list[int],
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        case = "load-" + secrets.token_hex(10)
        while time.monotonic() < until:
            start = time.perf_counter()
            if random.random() < WRITE_SHARE:
                r = await http.post(
                    url + "/v1/submissions",
                    json={"case_token": case, "fingerprints": [{"pdq": secrets.token_hex(32)}]},
                    headers={"authorization": f"Bearer {sub}"},
                )
            else:
                q = (
                    flip(random.choice(stored), random.randint(0, 31))
                    if random.random() < 0.5
                    else secrets.token_hex(32)
                )
                r = await http.get(
                    url + "/v1/hashes/lookup",
                    params={"signal_type": "pdq", "signal": q},
                    headers={"authorization": f"Bearer {plat}"},
                )
            lat.append(time.perf_counter() - start)
            if r.status_code >= 300:
                errors.append(r.status_code)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--port", type=int, default=8617)
    parser.add_argument("--write-share", type=float, default=0.1, help="share of submissions")
    args = parser.parse_args()
    global WRITE_SHARE
    WRITE_SHARE = args.write_share
    folder = Path(tempfile.mkdtemp(prefix="unshared-bank-load-"))
    db = f"sqlite:///{folder / 'bank.sqlite3'}"
    store = open_store(db)
    sub = issue_token(store, "submitter", rate=10**9)
    plat = issue_token(store, "platform", rate=10**9)
    stored = [secrets.token_hex(32) for _ in range(args.entries)]
    store.create_case(CaseRecord("preload-case-token-0000", "default", 1))
    t = time.perf_counter()
    for i in range(0, len(stored), 5000):
        store.add_entries(
            "preload-case-token-0000",
            "default",
            [NewEntry("image", (NewSignal("pdq", h),)) for h in stored[i : i + 5000]],
        )
    print(f"preloaded {len(stored):,} entries in {time.perf_counter() - t:.1f} s")
    store.close()

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "unshared", "bank", "serve", "--db", db, "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        lat: list[float] = []
        errors: list[int] = []
        until = time.monotonic() + args.seconds

        async def run() -> None:
            await asyncio.gather(
                *(
                    client_loop(url, sub, plat, stored, until, lat, errors)
                    for _ in range(args.concurrency)
                )
            )

        start = time.perf_counter()
        asyncio.run(run())
        took = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    index = PDQIndex()
    index.build(range(len(stored)), pdq_to_bytes(stored))
    qs = [flip(random.choice(stored), 10) for _ in range(500)]
    t = time.perf_counter()
    for q in qs:
        index.search(q)
    in_process = len(qs) / (time.perf_counter() - t)

    print(f"mix: {100 * WRITE_SHARE:.0f}% submissions, the rest PDQ look-ups")
    lat_ms = sorted(x * 1000 for x in lat)

    def pct(p: float) -> float:
        return lat_ms[min(len(lat_ms) - 1, int(p / 100 * len(lat_ms)))]

    print(
        f"requests: {len(lat):,} in {took:.1f} s = {len(lat) / took:,.0f} req/s "
        f"with {args.concurrency} clients; non-2xx: {len(errors)} {sorted(set(errors))}"
    )
    print(
        f"latency ms: p50 {pct(50):.1f}, p95 {pct(95):.1f}, p99 {pct(99):.1f}, "
        f"mean {statistics.fmean(lat_ms):.1f}"
    )
    print(
        f"reference, same index in-process (no HTTP): {in_process:,.0f} look-ups/s; "
        f"HTTP overhead ratio {in_process / (len(lat) / took):.1f}x"
    )


if __name__ == "__main__":
    main()
