"""The project's own standards, checked in the test run: ruff everywhere, and mypy strict on
everything pyproject.toml names: src/unshared, tests, tools and benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "src", "tests", "benchmarks", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean(mypy_run: tuple[int, str]) -> None:
    """mypy runs in the background from the start of the session (tests/conftest.py)."""
    code, output = mypy_run
    assert code == 0, output
