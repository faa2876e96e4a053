"""The app's guard rails: token, cookie, CSRF, host check, headers, no outside assets."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from fastapi.testclient import TestClient

from unshared.web.app import AppSettings, create_app
from unshared.web.security import CSP


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


def test_other_hosts_are_refused(app_client) -> None:  # type: ignore[no-untyped-def]
    client, _ = app_client
    assert client.get("/safe", headers={"host": "attacker.example"}).status_code == 403
    assert client.get("/safe", headers={"host": "127.0.0.1:8000"}).status_code == 200


def test_forms_need_the_csrf_token(app_client) -> None:  # type: ignore[no-untyped-def]
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


def test_strict_headers_on_every_page(app_client) -> None:  # type: ignore[no-untyped-def]
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
            text = entry.read_text(encoding="utf-8")
            assets = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', text)
            assert all(a.startswith("/") for a in assets), (entry.name, assets)
            assert "@import" not in text and "url(http" not in text
            assert not re.search(r"<script>(?!</script>)", text), "inline script breaks the CSP"


def test_quick_exit_forgets_the_session(app_client) -> None:  # type: ignore[no-untyped-def]
    client, app = app_client
    old = app.state.session_id
    response = client.get("/exit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("https://")
    assert "Clear-Site-Data" in response.headers
    assert app.state.session_id != old
    assert client.get("/safe").status_code == 401
