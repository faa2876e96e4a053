"""Shared test fixtures.

* ``shared_dir``: ../shared beside the repository (real export samples). Tests that read it fail
  loudly when it is missing in CI, and skip on a developer machine without it.
* ``require_binary``: a system tool (tesseract, chromium, pdftotext, pg_ctl). On a developer machine
  without it the test is skipped; in CI (``CI`` set) a missing tool is a failure, so CI can never
  go green by skipping what it claims to cover.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

# Cheap key derivation for the many cases tests create; real cases use the default cost.
os.environ.setdefault("UNSHARED_SCRYPT_LOG2N", "14")

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
IN_CI = bool(os.environ.get("CI"))

# pytest-xdist's workers start with COLUMNS=80 and LINES=24 in their environment. rich reads them
# once, when the CLI's consoles are made at import, and would then wrap every CliRunner test's
# output at 80 columns whatever COLUMNS the test sets; a run in one process has neither.
if "PYTEST_XDIST_WORKER" in os.environ:
    for _name in ("COLUMNS", "LINES"):
        os.environ.pop(_name, None)


def _shared() -> Path:
    env = os.environ.get("UNSHARED_SHARED_DIR")
    return Path(env) if env else ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = _shared()
    if not path.is_dir():
        if IN_CI:
            pytest.fail(f"../shared is missing at {path}: CI must run with it beside the clone")
        pytest.skip("../shared (real export samples) is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def exports_dir(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "exports"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def _require(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed; .ci/run must install it")
        pytest.skip(f"{name} is not installed on this machine")
    return found


@pytest.fixture(scope="session")
def require_binary() -> Callable[[str], str]:
    return _require


@pytest.fixture
def passphrase(monkeypatch: pytest.MonkeyPatch) -> str:
    value = "correct horse battery staple"
    monkeypatch.setenv("UNSHARED_PASSPHRASE", value)
    return value


class CliResult:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self) -> str:
        return f"<exit {self.code}\nstdout: {self.out}\nstderr: {self.err}>"


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., CliResult]:
    """Run ``python -m unshared ARGS`` in a subprocess, as a user would, from this checkout."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> CliResult:
        full = dict(os.environ)
        full["PYTHONPATH"] = str(ROOT / "src")
        full["COLUMNS"] = "200"
        full.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "unshared", *args],
            input=input,
            capture_output=True,
            text=True,
            env=full,
            cwd=tmp_path,
            timeout=300,
        )
        return CliResult(proc)

    return run


# PostgreSQL comes from ``UNSHARED_TEST_PG_URL`` (default: the cluster .ci/setup.d/bank.sh starts).
# Each test gets its own schema, dropped afterwards. Without a server the PostgreSQL tests skip on
# a developer machine and fail in CI.
PG_URL = os.environ.get(
    "UNSHARED_TEST_PG_URL", "postgresql://postgres:unshared@127.0.0.1:5432/postgres"
)


def _pg_available() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip() or "cannot connect"


@pytest.fixture(scope="session")
def pg_base() -> str:
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}: {problem}")
        pytest.skip(f"no PostgreSQL at {PG_URL}")
    return PG_URL


@pytest.fixture
def pg_url(pg_base: str) -> Iterator[str]:
    import psycopg

    schema = "t_" + secrets.token_hex(6)
    with psycopg.connect(pg_base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_base else "?"
    yield f"{pg_base}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(pg_base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """Start ``python -m unshared ARGS`` (an app) in a subprocess; returns the launch URL it
    printed once the server answers. Stopped after the test."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str, env: dict[str, str] | None = None) -> str:
        import httpx

        full = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="300", **(env or {}))
        proc = subprocess.Popen(
            [sys.executable, "-m", "unshared", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=full,
        )
        started.append(proc)
        assert proc.stdout is not None
        url = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and url is None:
            found = re.search(r"(http://127\.0\.0\.1:\d+/\?t=\S+)", proc.stdout.readline())
            url = found.group(1) if found else None
            if url is None and proc.poll() is not None:
                break
        if url is None:
            pytest.fail(f"unshared {' '.join(args)} did not print its URL")
        base = url.split("/?")[0]
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        return url

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser(require_binary: Callable[[str], str]) -> Iterator[Any]:
    """Debian chromium driven by Playwright, one per test module."""
    chromium = require_binary("chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# CI runs the property tests derandomized, so a landing never depends on the luck of one run;
# developers' runs keep exploring new examples.
from hypothesis import settings as _hyp_settings  # noqa: E402

_hyp_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
_hyp_settings.register_profile("dev", deadline=None)
_hyp_settings.load_profile("ci" if IN_CI else "dev")


# mypy strict over the whole tree takes most of a minute on one core and needs nothing the other
# tests make: in a run in one process (`-n0`), when tests/test_quality.py's mypy test is selected,
# it starts as soon as the tests are collected, on the other core, and that test only waits for
# its answer. With pytest-xdist's workers (the default) every core is busy already, and each
# worker collects every test, so the test runs mypy itself.
_BACKGROUND: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
_MYPY = [sys.executable, "-m", "mypy"]


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if "PYTEST_XDIST_WORKER" in os.environ:
        return
    if any(item.nodeid.endswith("test_quality.py::test_mypy_strict_is_clean") for item in items):
        handle, name = tempfile.mkstemp(prefix="unshared-mypy-", suffix=".txt")
        out = Path(name)
        with os.fdopen(handle, "wb") as sink:
            _BACKGROUND["mypy"] = (
                subprocess.Popen(_MYPY, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT),
                out,
            )


@pytest.fixture
def mypy_run() -> tuple[int, str]:
    """The exit code and output of ``mypy`` (strict, as pyproject.toml sets it) on the tree:
    the background run ``pytest_collection_modifyitems`` started, or, in an xdist worker, a run
    made here."""
    if "mypy" not in _BACKGROUND:
        done = subprocess.run(_MYPY, cwd=ROOT, capture_output=True, text=True, timeout=600)
        return done.returncode, done.stdout + done.stderr
    process, out = _BACKGROUND["mypy"]
    code = process.wait(timeout=600)
    output = out.read_text(encoding="utf-8", errors="replace")
    out.unlink()
    return code, output
