"""`unshared scan-media` on Dask beside the single-process `unshared fingerprint` (issue 20).
Run by hand, not part of the tests:

    PYTHONPATH=src python benchmarks/scan_media_bench.py --images 48 --dir /tmp

Writes N generated 12-megapixel JPEGs (4000 x 3000) and a bank holding a few of them, then in
fresh processes, in the same run: ``unshared fingerprint FOLDER --format jsonl`` (one process,
the reference) and ``unshared scan-media FOLDER`` with 1 and 2 local Dask workers (whole
commands, cluster start included). Prints images/s of each, the ratio to the reference, and the
engine's cost per image (1 worker against the reference). Then the resume check: a 2-worker scan
killed (SIGKILL) once half the partitions are written, run again: the results must equal an
uninterrupted scan's and at most the partitions in flight are redone.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def make_images(folder: Path, count: int) -> None:
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:3000, 0:4000]
    for i in range(count):
        base = ((x * (i + 1) // 37 + y // (i + 3)) % 256).astype(np.uint8)
        noise = rng.integers(0, 40, size=(3000, 4000), dtype=np.uint8)
        rgb = np.stack([base, base ^ noise, (base // 2 + noise)], axis=-1)
        Image.fromarray(rgb).save(folder / f"img{i:04d}.jpg", quality=88)


def make_bank(folder: Path, url: str, take: int) -> None:
    code = (
        "import sys; from pathlib import Path\n"
        "from unshared.bank.service import BankService, issue_token\n"
        "from unshared.bank.sql import open_store\n"
        "from unshared.fingerprints.media import fingerprint_file\n"
        "store = open_store(sys.argv[1]); service = BankService(store)\n"
        "token = service.authenticate(issue_token(store, 'submitter'), 'submitter')\n"
        "files = sorted(Path(sys.argv[2]).glob('*.jpg'))[: int(sys.argv[3])]\n"
        "prints = [fingerprint_file(f).to_dict() for f in files]\n"
        "service.submit(token, 'bench-case-token-0001', [{k: p[k] for k in ('pdq', 'md5', 'sha256')} for p in prints], 'default')\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, url, str(folder), str(take)], check=True, env=_env()
    )


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="120")


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd, check=True, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=48)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="unshared-scanbench-", dir=args.dir))
    exe = [sys.executable, "-m", "unshared"]
    try:
        media = work / "media"
        media.mkdir()
        make_images(media, args.images)
        bank = f"sqlite:///{work / 'bank.db'}"
        make_bank(media, bank, 4)
        n = args.images
        print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
              f"{platform.python_version()}; date: {time.strftime('%Y-%m-%d %H:%M')}; "
              f"load: {os.getloadavg()[0]:.2f}; {n} JPEGs of 4000 x 3000")  # fmt: skip
        ref = timed([*exe, "fingerprint", str(media), "--format", "jsonl"])
        print(f"unshared fingerprint (1 process): {ref:.1f} s = {n / ref:.2f} images/s")
        one = 0.0
        for workers in (1, 2):
            out = work / f"out{workers}"
            took = timed([*exe, "scan-media", str(media), "--bank", bank, "--out", str(out),
                          "--workers", str(workers), "--partition-size", "4"])  # fmt: skip
            one = took if workers == 1 else one
            print(f"scan-media, {workers} worker(s): {took:.1f} s = {n / took:.2f} images/s; "
                  f"{ref / took:.2f}x the single process")  # fmt: skip
        print(
            f"engine cost per image (1 worker minus fingerprint): {(one - ref) / n * 1000:.0f} ms"
        )
        resume_check(exe, media, bank, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def resume_check(exe: list[str], media: Path, bank: str, work: Path) -> None:
    import pyarrow.parquet as pq

    out = work / "resume"
    cmd = [*exe, "scan-media", str(media), "--bank", bank, "--out", str(out), "--workers", "2",
           "--partition-size", "4"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    total = None
    while proc.poll() is None:
        if (out / "plan.json").exists() and total is None:
            import json

            total = len(json.loads((out / "plan.json").read_text())["partitions"])
        if total and len(list(out.glob("part-*.parquet"))) >= total // 2:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait()
    kept = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    subprocess.run(
        cmd, check=True, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    redone = sum(1 for k, v in kept.items() if after.get(k) != v)

    def rows(d: Path) -> list[tuple[object, ...]]:
        return sorted(
            tuple(r.values()) for r in pq.read_table(sorted(d.glob("part-*.parquet"))).to_pylist()
        )

    same = rows(out) == rows(work / "out2")
    print(f"resume: killed with {len(kept)} of {total} partitions written; the second run wrote "
          f"{len(after) - len(kept)} more and rewrote {redone} finished ones; results equal an "
          f"uninterrupted run: {same}")  # fmt: skip


if __name__ == "__main__":
    main()
