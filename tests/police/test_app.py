"""The analysts' view, walked in a real browser (Debian chromium via Playwright): cluster list,
the drawing, a link opening its evidence from both cases; loopback only, single-use launch key,
no external request, every page audited (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from unshared.usecases import police as P

from .conftest import FORCE_PASS, Bundles


@pytest.fixture
def police_app(bundles: Bundles, tmp_path: Path, serve: Callable[..., str]) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'force.db'}"
    P.init(url, FORCE_PASS)
    store = P.open_force(url, FORCE_PASS)
    try:
        assert not P.import_bundles(store, [bundles.a, bundles.b, bundles.c]).refused
    finally:
        store.close()
    env = {"UNSHARED_FORCE_PASSPHRASE": FORCE_PASS, "UNSHARED_OFFICER": "DS Analyst 42"}
    return serve("police", "app", "--no-browser", "--db", url, env=env), url


def test_an_analyst_walks_from_clusters_to_the_evidence(
    police_app: tuple[str, str], browser: Any
) -> None:
    launch, db = police_app
    base = launch.split("/?")[0]
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    response = page.goto(launch)
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.url == base + "/police"
    assert page.locator("h1").inner_text() == "Clusters"
    rows = page.locator("tbody tr")
    assert rows.count() == 1  # a and b: one offender network; c stands alone
    assert "live:.cid.8f3a2b1c9d" in rows.first.inner_text()

    rows.first.locator("a").click()
    assert page.locator("svg.network line").count() == 1
    assert page.locator("svg.network circle").count() == 2

    page.locator("main ul li a").first.click()
    assert page.url.startswith(base + "/police/link/")
    text = page.locator("main").inner_text()
    assert text.count("live:.cid.8f3a2b1c9d") >= 3  # the reason, and the message in each case
    assert "identifier: skype_id live:.cid.8f3a2b1c9d" in text
    assert "exhibit" in text and "message 1" in text
    assert "Sam" not in text and "Jo " not in text

    page.locator(".side h3 a").first.click()
    assert "Their messages" in page.locator("main").inner_text()
    assert all(u.startswith(base) for u in requested), requested

    # The launch link works once.
    again = browser.new_page()
    assert again.goto(launch).status == 401
    again.close()
    page.close()

    store = P.open_force(db, FORCE_PASS)
    try:
        actions = {(r.action, r.actor) for r in store.audit_rows()}
    finally:
        store.close()
    for action in ("clusters", "read cluster", "read link", "read case"):
        assert (action, "DS Analyst 42") in actions


def test_it_answers_on_loopback_only_and_refuses_cross_site_posts(
    police_app: tuple[str, str],
) -> None:
    launch, _ = police_app
    base = launch.split("/?")[0]
    port = base.rsplit(":", 1)[1]
    refused = httpx.get(base + "/police", headers={"host": f"evil.example:{port}"})
    assert refused.status_code == 403
    locked = httpx.get(base + "/police")
    assert locked.status_code == 401
    with httpx.Client(base_url=base) as client:
        opened = client.get(launch.replace(base, ""), follow_redirects=True)
        assert opened.status_code == 200
        post = client.post("/police/refresh", data={"csrf": "wrong"})
        assert post.status_code == 403
