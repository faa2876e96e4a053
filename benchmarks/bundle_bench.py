"""Time and peak RSS of ``unshared bundle`` on a large case, beside a reference version of the code
in the same run (run by hand; not part of the tests).

    PYTHONPATH=src python benchmarks/bundle_bench.py --reference /path/to/old/src \\
        [--messages 200000] [--runs 2] [--dir /tmp]

Writes a WhatsApp export of N messages (benchmarks/importers_bench.py's generator), stores it with
``unshared new`` + ``unshared add``, and brings the analysis up to date once with a first bundle
(not timed), so the timed runs measure the bundle itself. Then, ``--runs`` times, the reference
code (``--reference``: the ``src`` folder of an older checkout, e.g. made with
``git archive <commit> src | tar -x -C /tmp/old``) and this checkout each write
``unshared bundle CASE --out X --no-pdf`` from a fresh copy of the same case, alternately, in fresh
processes; wall time and peak RSS are the child's (``wait4``). Both bundles are verified.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from casefile_bench import machine_line
from importers_bench import make_whatsapp

HERE = Path(__file__).resolve().parents[1] / "src"


def _bundle(src: Path, case: Path, out: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``unshared bundle`` in a fresh process."""
    run_env = dict(env, PYTHONPATH=str(src))
    cmd = [sys.executable, "-m", "unshared", "bundle", str(case), "--out", str(out), "--no-pdf"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=run_env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"bundle with {src} failed ({status})")
    seconds = time.perf_counter() - started
    subprocess.run(
        [sys.executable, "-m", "unshared", "verify", str(out)],
        env=run_env,
        check=True,
        capture_output=True,
    )
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", type=Path, required=True, help="src folder of the old code")
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(dir=args.dir, prefix="unshared-bundlebench-"))
    env = dict(os.environ, UNSHARED_PASSPHRASE="benchmark passphrase", COLUMNS="120")
    exe = [sys.executable, "-m", "unshared"]
    try:
        export = work / "WhatsApp Chat with Alex.txt"
        make_whatsapp(export, args.messages)
        case = work / "bench.unshared"
        here = dict(env, PYTHONPATH=str(HERE))
        subprocess.run([*exe, "new", str(case)], env=here, check=True, capture_output=True)
        subprocess.run(
            [*exe, "add", str(case), str(export), "--timezone", "UTC"],
            env=here,
            check=True,
            capture_output=True,
        )
        _bundle(HERE, case, work / "warm.zip", env)  # analysis brought up to date, once
        print(machine_line())
        print(f"date: {time.strftime('%Y-%m-%d %H:%M')}; load: {os.getloadavg()}")
        print(f"case: {args.messages} messages; command: unshared bundle CASE --out X --no-pdf")
        for run in range(1, args.runs + 1):
            figures = {}
            for name, src in (("reference", args.reference), ("this", HERE)):
                copy = work / f"{name}.unshared"
                shutil.copyfile(case, copy)
                out = work / f"{name}-{run}.zip"
                figures[name] = _bundle(src, copy, out, env)
                with zipfile.ZipFile(out) as zf:
                    sizes = {i.filename: i.file_size for i in zf.infolist()}
                print(
                    f"  {name}: report.html {sizes['report/report.html'] / 2**20:.1f} MiB, "
                    f"case.jsonld {sizes['report/case.jsonld'] / 2**20:.1f} MiB"
                )
                copy.unlink()
                out.unlink()
            (ref_s, ref_mb), (s, mb) = figures["reference"], figures["this"]
            print(
                f"run {run}: reference {ref_s:.1f} s, {ref_mb:.0f} MiB peak; this {s:.1f} s, "
                f"{mb:.0f} MiB peak; time {s / ref_s:.2f}x, peak RSS {mb / ref_mb:.2f}x "
                f"(load {os.getloadavg()[0]:.2f})"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
