"""The whole path in a real browser (Debian chromium driven by Playwright), with axe-core checks.

Screenshots of every screen go to artifacts/web/ (kept by CI) at desktop and phone sizes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "web"
CHAT = (
    "2026-03-02 21:06 Jess: add me on skype, it's easier: live:.cid.jess_h2026\n"
    "2026-03-02 23:13 Jess: pay £500 in Steam gift cards or I send the video to all your followers\n"
    "2026-03-02 23:13 Jess: you have 2 hours\n"
    "2026-03-02 23:21 Jess: or Western Union, text me the MTCN on +44 7700 900123\n"
    "2026-03-02 23:40 Sam: I sent 100 by Western Union, MTCN 4839201746\n"
)


def _axe(page: Any, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    # Check the page as a person sees it: styles and fonts applied (under load, axe could run
    # before the stylesheet and measure unstyled, smaller touch targets).
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    results = Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            }
        },
    )
    serious = [
        v
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical", "moderate")
    ]
    assert not serious, f"{name}: " + "; ".join(f"{v['id']}: {v['help']}" for v in serious)


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _png(tmp_path: Path) -> Path:
    import numpy as np
    from PIL import Image
    from skimage import data

    path = tmp_path / "private-photo.png"
    Image.fromarray(np.asarray(data.astronaut())).save(path)
    return path


@pytest.mark.slow
def test_whole_path_in_the_browser(browser, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith("http://127.0.0.1") else outside.append(r.url)
    )
    page.goto(server)
    # 1. Are you safe?
    assert page.locator("h1").inner_text() == "Are you safe?"
    assert page.locator(".help").get_by_text("999").count() >= 1
    _axe(page, "safe")
    _shot(page, "1-safe")
    page.get_by_label("How old are you?").fill("17")
    page.locator("fieldset", has_text="sent them any money").get_by_label("Yes").check()
    page.get_by_label("Gift card", exact=True).check()
    page.get_by_label("Skype", exact=True).check()
    page.get_by_role("button", name="Show my plan").click()
    page.wait_for_url("**/plan")
    assert page.locator("h1").inner_text() == "Your plan"
    plan_text = page.locator("main").inner_text()
    assert "adult you trust" in plan_text.lower() and "StopNCII" not in plan_text
    _axe(page, "plan")
    _shot(page, "1-plan")
    # 2. Your case
    page.get_by_role("link", name="2. Your case").click()
    page.get_by_label("Name for the case").fill("lee")
    page.get_by_label("Choose a passphrase").fill("a long passphrase")
    page.get_by_label("Type it again").fill("a long passphrase")
    page.get_by_role("button", name="Create the case").click()
    page.get_by_role("heading", name="Add the conversation").wait_for()
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    page.set_input_files("#files", str(chat))
    page.get_by_role("button", name="Add to the case").click()
    page.locator("#upload-status[data-done='1']").wait_for()
    assert "5 messages read" in page.locator("#upload-status").inner_text()
    _axe(page, "case")
    _shot(page, "2-case")
    page.get_by_role("link", name="Read the conversation").click()
    assert "Steam gift cards" in page.locator("main").inner_text()
    _axe(page, "messages")
    _shot(page, "2-messages")
    # 3. What they used
    page.get_by_role("link", name="3. What they used").click()
    text = page.locator("main").inner_text()
    assert "live:.cid.jess_h2026" in text and "4839201746" in text
    _axe(page, "identifiers")
    _shot(page, "3-identifiers")
    # 4. Protect your images
    page.get_by_role("link", name="4. Protect your images").click()
    assert "not copied or sent anywhere" in page.locator(".promise").inner_text()
    photo = _png(tmp_path)
    before = {p: p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()}
    page.set_input_files("#media", str(photo))
    page.get_by_role("button", name="Make fingerprints").first.click()
    page.locator("#protect-status[data-done='1']").wait_for()
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert len(rows.first.locator("code").first.text_content() or "") == 64
    after = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert after - set(before) == set(), "no new file may appear while fingerprinting"
    _axe(page, "protect")
    _shot(page, "4-protect")
    # 5. Report
    page.get_by_role("link", name="5. Report").click()
    page.get_by_label("Where should the files go?").fill(str(tmp_path / "pack"))
    page.get_by_role("button", name="Make the evidence pack").click()
    page.get_by_role("link", name="Download the report (PDF)").wait_for(timeout=90_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    pdf = download_info.value.path()
    assert Path(pdf).read_bytes().startswith(b"%PDF")
    page.get_by_label("What did you do?").select_option("reported-to-police")
    page.get_by_label("Reference number (if any)").fill("41/123456/26")
    page.get_by_role("button", name="Save").click()
    page.locator("#actions li", has_text="41/123456/26").wait_for()
    assert page.locator("textarea").count() >= 1
    _axe(page, "report")
    _shot(page, "5-report")
    assert outside == [], f"the app fetched from outside: {outside}"
    context.close()


@pytest.mark.slow
def test_phone_size_keyboard_and_quick_exit(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.route("https://**/*", lambda route: route.abort())  # the neutral site is offline
    page.goto(server)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    assert page.locator(".help").is_visible()
    _axe(page, "safe-phone")
    _shot(page, "phone-safe")
    # Keyboard only: the skip link is first, then the quick exit.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    page.keyboard.press("Enter")
    page.wait_for_url("**/bye", wait_until="commit")
    page.locator("h1", has_text="Weather").wait_for()
    assert page.evaluate("history.length") <= 2, "the app page must be replaced, not stacked"
    context.close()
