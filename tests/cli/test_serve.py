"""``unshared app`` and ``unshared police app`` launch the same way (one function,
``unshared.cli.serve.serve_local``): the browser is handed a private page, never the launch key,
and the page is gone once the key is spent."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

FORCE_PASS = "force passphrase for the launch test"


def _browser(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A stand-in browser ($BROWSER, which Python's webbrowser honours) noting what it was given."""
    seen = tmp_path / "browser-saw.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{seen}"\n')
    script.chmod(stat.S_IRWXU)
    return {"BROWSER": f"{script} %s", "DISPLAY": ""}, seen


@pytest.mark.parametrize("command", ["app", "police app"])
def test_both_apps_hand_the_browser_a_private_page_removed_once_the_key_is_spent(
    command: str, tmp_path: Path, serve: Callable[..., str]
) -> None:
    env, seen = _browser(tmp_path)
    if command == "app":
        url = serve("app", "--cases-dir", str(tmp_path / "cases"), env=env)
    else:
        from unshared.usecases import police as P

        db = f"sqlite:///{tmp_path / 'force.db'}"
        P.init(db, FORCE_PASS)
        env |= {"UNSHARED_FORCE_PASSPHRASE": FORCE_PASS, "UNSHARED_OFFICER": "DS Test 1"}
        url = serve("police", "app", "--db", db, env=env)
    key = url.split("?t=", 1)[1]
    deadline = time.monotonic() + 30
    while not seen.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    given = seen.read_text(encoding="utf-8").split()
    assert len(given) == 1 and given[0].startswith("file://") and key not in given[0]
    page = Path(given[0].removeprefix("file://"))
    assert key in page.read_text(encoding="utf-8")
    assert os.stat(page).st_mode & 0o077 == 0
    first = httpx.get(url, follow_redirects=False, timeout=10)
    assert first.status_code in (302, 303, 307) and "unshared_" in first.headers["set-cookie"]
    while page.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not page.exists() and not page.parent.exists()
    assert httpx.get(url, follow_redirects=False, timeout=10).status_code == 401
