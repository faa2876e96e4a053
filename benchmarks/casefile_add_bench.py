"""The whole `unshared add` of a WhatsApp export, beside chat-miner's parse of the same file, and
what the case costs on disk and to verify (run by hand; not part of the tests).

    PYTHONPATH=src python benchmarks/casefile_add_bench.py [--messages 1000000] [--dir /tmp]

Writes a WhatsApp Android export with N messages (benchmarks/importers_bench.py's generator), then
in fresh processes, in the same run:

* chat-miner parses it (``pip install chat-miner``, the ``bench`` extra);
* ``unshared new`` + ``unshared add`` store it in an encrypted case (the whole command: storing the
  exhibit, reading every message, logging), timed from start to exit;
* the case's size is reported beside the export's;
* ``unshared verify`` (which now reads every message again from the exhibit and re-analyses)
  beside ``sha256sum`` of the same case file.

Ratios are throughput ratios (higher is better for unshared) from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from casefile_bench import machine_line
from importers_bench import make_whatsapp

_CHATMINER = r"""
import json, logging, os, sys, time
logging.disable(logging.CRITICAL)
os.environ["TQDM_DISABLE"] = "1"
from chatminer import chatparsers
p = chatparsers.WhatsAppParser(sys.argv[1])
t0, c0 = time.perf_counter(), time.process_time()
p.parse_file()
print(json.dumps({"messages": len(p.parsed_messages._parsed_messages),
                  "seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0}))
"""


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of a child process, start to exit."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"{cmd[:4]} failed ({status})")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(dir=args.dir, prefix="unshared-addbench-"))
    try:
        export = work / "WhatsApp Chat with Alex.txt"
        make_whatsapp(export, args.messages)
        size = export.stat().st_size
        out = subprocess.run(
            [sys.executable, "-c", _CHATMINER, str(export)], check=True, capture_output=True
        ).stdout
        theirs = json.loads(out.decode().strip().splitlines()[-1])
        env = dict(os.environ, UNSHARED_PASSPHRASE="benchmark passphrase", COLUMNS="120")
        exe = [sys.executable, "-m", "unshared"]
        case = work / "bench.unshared"
        subprocess.run([*exe, "new", str(case)], env=env, check=True, capture_output=True)
        add_s, add_cpu = _timed([*exe, "add", str(case), str(export), "--timezone", "UTC"], env)
        case_size = case.stat().st_size
        print(machine_line())
        print(f"date: {time.strftime('%Y-%m-%d %H:%M')}")
        print(f"export: {args.messages} messages, {size / 2**20:.1f} MiB")
        print(
            f"chat-miner parse: {theirs['seconds']:.1f} s wall, {theirs['cpu']:.1f} s CPU "
            f"({theirs['messages']} messages); unshared add (whole command, from start to exit): "
            f"{add_s:.1f} s wall, {add_cpu:.1f} s CPU; add / chat-miner throughput = "
            f"{theirs['seconds'] / add_s:.2f} (wall), {theirs['cpu'] / add_cpu:.2f} (CPU)"
        )
        print(f"case file: {case_size / 2**20:.1f} MiB = {case_size / size:.2f}x the export")
        if not args.skip_verify:
            ver_s, _ = _timed([*exe, "verify", str(case)], env)
            sha_s, _ = _timed(["sha256sum", str(case)], env)
            print(
                f"verify (re-reads and re-analyses): {ver_s:.1f} s; sha256sum of the case: "
                f"{sha_s:.1f} s; verify / sha256sum throughput = {sha_s / ver_s:.2f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
