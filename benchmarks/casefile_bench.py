"""Case file benchmark (run by hand): memory while adding a large file, and verify throughput.

    python benchmarks/casefile_bench.py [--size-mb 1024] [--dir /tmp]

* Adds one file of --size-mb random bytes to an encrypted case with `unshared add` in a child
  process and reports the child's peak RSS (the promise: under 200 MB for a 1 GB file).
* Runs `unshared verify` on that case and `sha256sum` on the same file, in the same run, and
  reports verify's throughput as a ratio to sha256sum's (verify also decrypts and authenticates
  every page and checks the log chain).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _child_peak_rss_mb(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, _, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if proc.stderr is not None:
        err = proc.stderr.read().decode()
        if err.strip():
            print(err, file=sys.stderr)
    return usage.ru_maxrss / 1024, elapsed


def machine_line() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(dir=args.dir, prefix="unshared-bench-"))
    try:
        data = work / "big.bin"
        with data.open("wb") as fh:
            for _ in range(args.size_mb):
                fh.write(os.urandom(1 << 20))
        case = work / "bench.unshared"
        env = dict(os.environ, UNSHARED_PASSPHRASE="benchmark passphrase")
        exe = [sys.executable, "-m", "unshared"]
        subprocess.run([*exe, "new", str(case)], env=env, check=True, capture_output=True)
        add_rss, add_s = _child_peak_rss_mb([*exe, "add", str(case), str(data)], env)
        ver_rss, ver_s = _child_peak_rss_mb([*exe, "verify", str(case)], env)
        started = time.perf_counter()
        subprocess.run(["sha256sum", str(data)], check=True, capture_output=True)
        sha_s = time.perf_counter() - started
        mb = args.size_mb
        print(machine_line())
        print(f"date: {time.strftime('%Y-%m-%d')}")
        print(f"add {mb} MB: {add_s:.1f} s, {mb / add_s:.0f} MB/s, peak RSS {add_rss:.0f} MB")
        print(f"verify: {ver_s:.1f} s, {mb / ver_s:.0f} MB/s, peak RSS {ver_rss:.0f} MB")
        print(f"sha256sum: {sha_s:.1f} s, {mb / sha_s:.0f} MB/s")
        print(f"verify throughput / sha256sum throughput = {sha_s / ver_s:.2f}")
        print(f"case file size: {case.stat().st_size / (1 << 20):.0f} MB for {mb} MB of evidence")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
