"""Fixtures for the local app: an in-process client, and a real server for the browser tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from unshared.web.app import AppSettings, create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[tuple[TestClient, object]]:
    settings = AppSettings(cases_dir=tmp_path / "cases")
    app = create_app(settings)
    client = TestClient(app, base_url="http://127.0.0.1")
    response = client.get(f"/?t={settings.launch_token}", follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("unshared_session", app.state.session_id)
    yield client, app
    app.state.app_state.close_case()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`unshared app --no-browser` in a subprocess; yields the launch URL it printed."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="300")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "unshared",
            "app",
            "--no-browser",
            "--cases-dir",
            str(tmp_path / "cases"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    url = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/\?t=\S+)", line)
        if found:
            url = found.group(1)
            break
        if proc.poll() is not None:
            break
    if url is None:
        proc.kill()
        pytest.fail("unshared app did not print its URL")
    # Wait until it answers.
    import httpx

    base = url.split("/?")[0]
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield url
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
