"""The app's guard rails: token, cookie, CSRF, host check, headers, no outside assets."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from unshared.web.app import AppSettings, create_app
from unshared.web.security import CSP

# The app_client fixture: a client that has opened a session, and its app.
AppClient = tuple[TestClient, FastAPI]


def test_no_token_no_entry(tmp_path: Path) -> None:
    app = create_app(AppSettings(cases_dir=tmp_path))
    client = TestClient(app, base_url="http://127.0.0.1")
    assert client.get("/safe").status_code == 401
    assert client.get("/?t=wrong-token").status_code == 401
    assert client.get("/healthz").status_code == 200


def test_launch_token_becomes_a_strict_cookie(tmp_path: Path) -> None:
    settings = AppSettings(cases_dir=tmp_path)
    app = create_app(settings)
    client = TestClient(app, base_url="http://127.0.0.1")
    response = client.get(f"/safe?t={settings.launch_token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/safe"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_other_hosts_are_refused(app_client: AppClient) -> None:
    client, _ = app_client
    assert client.get("/safe", headers={"host": "attacker.example"}).status_code == 403
    assert client.get("/safe", headers={"host": "127.0.0.1:8000"}).status_code == 200


def test_forms_need_the_csrf_token(app_client: AppClient) -> None:
    client, app = app_client
    assert client.post("/safe", data={"age": "30"}).status_code == 403
    assert client.post("/safe", data={"age": "30", "csrf": "nope"}).status_code == 403
    good = client.post(
        "/safe", data={"age": "30", "csrf": app.state.csrf_token}, follow_redirects=False
    )
    assert good.status_code == 303
    upload = client.put("/api/upload?name=x.txt", content=b"A: b\n")
    assert upload.status_code == 403
    cross = client.post(
        "/safe",
        data={"age": "30", "csrf": app.state.csrf_token},
        headers={"origin": "https://attacker.example"},
    )
    assert cross.status_code == 403


def test_strict_headers_on_every_page(app_client: AppClient) -> None:
    client, _ = app_client
    for path in ("/safe", "/case", "/protect", "/report", "/identifiers", "/static/app.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CSP
        assert "'unsafe-inline'" not in CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"


def test_no_asset_from_the_internet() -> None:
    root = resources.files("unshared.web")
    for folder in ("templates", "static"):
        for entry in (root / folder).iterdir():
            if not entry.name.endswith((".html", ".css", ".js")):
                continue
            text = entry.read_text(encoding="utf-8")
            assets = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', text)
            assert all(a.startswith("/") for a in assets), (entry.name, assets)
            assert "@import" not in text and "url(http" not in text
            assert not re.search(r"<script>(?!</script>)", text), "inline script breaks the CSP"


def test_quick_exit_forgets_the_session(app_client: AppClient) -> None:
    client, app = app_client
    old = app.state.session_id
    response = client.post("/exit", data={"csrf": app.state.csrf_token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/bye"
    assert "Clear-Site-Data" in response.headers
    assert app.state.session_id != old
    assert client.get("/safe").status_code == 401
    bye = client.get("/bye")
    assert bye.status_code == 200 and "<title>Weather</title>" in bye.text


# ---------------------------------------------------------------- issue 14, "Local app"


def _client(tmp_path: Path) -> tuple[TestClient, FastAPI, AppSettings]:
    settings = AppSettings(cases_dir=tmp_path / "cases")
    app = create_app(settings)
    return TestClient(app, base_url="http://127.0.0.1"), app, settings


def test_the_launch_key_works_once(tmp_path: Path) -> None:
    client, app, settings = _client(tmp_path)
    first = client.get(f"/?t={settings.launch_token}", follow_redirects=False)
    assert first.status_code == 303
    other = TestClient(app, base_url="http://127.0.0.1")
    again = other.get(f"/?t={settings.launch_token}", follow_redirects=False)
    assert again.status_code == 401 and "used already" in again.text
    assert "set-cookie" not in again.headers


def test_the_launch_key_expires(tmp_path: Path) -> None:
    from unshared.web.security import LAUNCH_KEY_LIFETIME, LaunchKeys

    now = [1000.0]
    keys = LaunchKeys("first-key", clock=lambda: now[0])
    now[0] += LAUNCH_KEY_LIFETIME + 1
    assert not keys.spend("first-key")
    fresh = keys.issue()
    assert keys.spend(fresh) and not keys.spend(fresh)


def test_the_launcher_never_puts_the_key_on_a_command_line(tmp_path: Path) -> None:
    import os

    from unshared.cli.serve import launch_page

    url = "http://127.0.0.1:1234/?t=secret-key"
    page = launch_page(url)
    try:
        assert "secret-key" not in str(page)
        assert "secret-key" in page.read_text(encoding="utf-8")
        assert os.stat(page).st_mode & 0o077 == 0 and os.stat(page.parent).st_mode & 0o077 == 0
    finally:
        page.unlink()
        page.parent.rmdir()


def test_non_ascii_secrets_are_refused_with_headers(tmp_path: Path) -> None:
    client, app, settings = _client(tmp_path)
    response = client.get("/?t=\u00e9t\u00e9", follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["content-security-policy"] == CSP
    response = client.get("/safe", headers={b"cookie": b"unshared_session=s\xc3\xa9ssion"})
    assert 400 <= response.status_code < 500 and response.headers["content-security-policy"] == CSP
    client.get(f"/?t={settings.launch_token}", follow_redirects=False)
    client.cookies.set("unshared_session", app.state.session_id)
    for headers, data in (
        ({b"x-csrf-token": b"\xc3\xa9"}, None),
        ({}, {"csrf": "\u00e9t\u00e9", "age": "30"}),
    ):
        if data is None:
            response = client.put("/api/upload?name=x.txt", content=b"A: b", headers=headers)
        else:
            response = client.post("/safe", data=data)
        assert response.status_code == 403, response.text
        assert response.headers["content-security-policy"] == CSP


def test_a_cross_site_get_of_exit_does_not_end_the_session(app_client: AppClient) -> None:
    client, app = app_client
    before = app.state.session_id
    response = client.get("/exit", headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 405
    assert app.state.session_id == before
    assert client.get("/safe").status_code == 200
    forged = client.post("/exit", data={"csrf": "wrong"}, follow_redirects=False)
    assert forged.status_code == 403 and app.state.session_id == before


def test_the_pack_goes_only_where_chosen_mode_0600_and_can_be_removed(
    app_client: AppClient, tmp_path: Path
) -> None:
    import os

    client, app = app_client
    csrf = app.state.csrf_token
    client.post(
        "/case/new",
        data={
            "csrf": csrf,
            "name": "lee",
            "passphrase": "a long pass",
            "passphrase2": "a long pass",
        },
    )
    client.put(
        "/api/upload?name=chat.txt",
        content="02/03/2026, 23:13 - Jess: pay £500 or I send the video\n".encode(),
        headers={"x-csrf-token": csrf},
    )
    chosen = tmp_path / "my pack"
    page = client.post("/report/make", data={"csrf": csrf, "folder": str(chosen)})
    assert str(chosen) in page.text
    written = sorted(p.name for p in chosen.iterdir())
    assert "bundle.zip" in written and "report.html" in written
    assert all(os.stat(chosen / n).st_mode & 0o077 == 0 for n in written)
    assert os.stat(chosen).st_mode & 0o077 == 0
    beside = [p.name for p in (tmp_path / "cases").iterdir()]
    assert beside == ["lee.unshared"], "nothing written beside the case"
    removed = client.post("/report/remove", data={"csrf": csrf})
    assert "Removed" in removed.text and not chosen.exists()
