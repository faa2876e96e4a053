"""Crash safety: `unshared add` killed with SIGKILL at random moments never leaves half an import."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from unshared.casefile import Case, verify_case
from unshared.casefile.events import ImportRun

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src")
    env["UNSHARED_PASSPHRASE"] = "crash test"
    return env


def _chat(path: Path, lines: int, salt: int) -> None:
    with path.open("w") as fh:
        for i in range(lines):
            fh.write(
                f"2026-01-0{1 + i % 9} 12:{i % 60:02d} Person{i % 3}: message {salt}-{i} pay me\n"
            )


def test_sigkill_during_add_never_leaves_a_partial_import(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    case_path = tmp_path / "crash.unshared"
    env = _env()
    Case.create(case_path, "crash test").close()
    # Time one uninterrupted run to choose kill moments across its whole length.
    first = tmp_path / "first.txt"
    _chat(first, 40_000, 0)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "unshared", "add", str(case_path), str(first)],
        env=env,
        check=True,
        capture_output=True,
    )
    duration = time.monotonic() - started
    kills = 0
    for round_no in range(1, 13):
        chat = tmp_path / f"chat{round_no}.txt"
        _chat(chat, 40_000, round_no)
        proc = subprocess.Popen(
            [sys.executable, "-m", "unshared", "add", str(case_path), str(chat)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, duration))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        with Case.open(case_path, "crash test") as case:
            result = verify_case(case)
            assert result.ok, result.problems
            imports = case.imports()
            for info in imports:
                assert info.messages == 40_000, info
            # Every stored message belongs to a recorded import (verify checks the same).
            assert case.message_count() == 40_000 * len(imports)
            logged = list(case.events_of(ImportRun))
            assert len(logged) == len(imports)
    assert kills >= 6, "too few runs were actually interrupted to prove anything"
