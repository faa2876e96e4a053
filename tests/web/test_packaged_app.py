"""The single-file app (packaging/build_app.sh, built in CI by .ci/setup.d/app.sh) starts and
serves the whole path: driven here by Debian chromium like the app run from source."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "dist" / "unshared-app"
CHAT = (
    "02/03/2026, 23:13 - Jess: pay £500 in Steam gift cards or I send the video to everyone\n"
    "02/03/2026, 23:40 - Sam: please stop\n"
)


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not BINARY.is_file():
        if os.environ.get("CI"):
            pytest.fail("CI builds dist/unshared-app in .ci/setup.d/app.sh; it is missing")
        pytest.skip("dist/unshared-app is not built here (run packaging/build_app.sh)")
    cases = tmp_path_factory.mktemp("packaged")
    proc = subprocess.Popen(
        [str(BINARY), "--no-browser", "--cases-dir", str(cases)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, COLUMNS="300"),
    )
    assert proc.stdout is not None
    url = None
    deadline = time.monotonic() + 120  # a one-file app unpacks itself first
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/\?t=\S+)", line)
        if found:
            url = found.group(1)
            break
        if proc.poll() is not None:
            break
    try:
        if url is None:
            pytest.fail("the packaged app did not print its address")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_the_packaged_app_walks_the_path(browser: Any, packaged: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(packaged)
        assert page.locator("h1").inner_text() == "Are you safe?"
        assert "999" in page.locator(".help").inner_text()
        page.get_by_role("link", name="2. Your case").click()
        page.get_by_label("Name for the case").fill("packaged")
        page.get_by_label("Choose a passphrase").fill("a long passphrase")
        page.get_by_label("Type it again").fill("a long passphrase")
        page.get_by_role("button", name="Create the case").click()
        page.get_by_role("heading", name="Add the conversation").wait_for()
        chat = tmp_path / "chat.txt"
        chat.write_text(CHAT, encoding="utf-8")
        page.set_input_files("#files", str(chat))
        page.get_by_role("button", name="Add to the case").click()
        page.locator("#upload-status[data-done='1']").wait_for()
        assert "2 messages read" in page.locator("#upload-status").inner_text()
        page.get_by_role("link", name="3. What they used").click()
        shown = page.locator("main").inner_text()
        assert "Steam gift cards" in shown
        # the threat is read in the bundle too: rules, scorer, encoder and its language check
        assert "No threats or demands found." not in shown and "Threat" in shown
    finally:
        context.close()
