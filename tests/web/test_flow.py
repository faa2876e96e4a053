"""The path through the app in-process: guide, case, upload streamed into the case."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.testclient import TestClient

from unshared.casefile import Case, verify_case

if TYPE_CHECKING:
    from httpx2 import Response  # what Starlette types its TestClient's answers as

# The app_client fixture: a client that has opened a session, and its app.
AppClient = tuple[TestClient, FastAPI]

CHAT = b"2026-03-02 23:13 Jess: pay \xc2\xa3500 in Steam gift cards or I send it\nSam: no\n"


def _new_case(client: TestClient, csrf: str) -> Response:
    data = {"csrf": csrf, "name": "lee", "passphrase": "a long pass", "passphrase2": "a long pass"}
    return client.post("/case/new", data=data, follow_redirects=True)


def test_guide_plan_for_a_teenager(app_client: AppClient) -> None:
    client, app = app_client
    response = client.post(
        "/safe",
        data={
            "csrf": app.state.csrf_token,
            "age": "15",
            "region": "UK",
            "self_harm_thoughts": "yes",
            "paid": "yes",
            "payment_methods": ["gift_card"],
            "platforms": ["instagram"],
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.text
    assert "Your plan" in page
    assert "Childline" in page and "0800 1111" in page
    assert "StopNCII" not in page
    assert page.index("Samaritans") < page.index("Instagram")


def test_bad_age_is_a_calm_error(app_client: AppClient) -> None:
    client, app = app_client
    response = client.post("/safe", data={"csrf": app.state.csrf_token, "age": "old"})
    assert response.status_code == 200
    assert "Please enter your age" in response.text


def test_case_upload_is_streamed_into_the_case(app_client: AppClient, tmp_path: Path) -> None:
    client, app = app_client
    csrf = app.state.csrf_token
    created = _new_case(client, csrf)
    assert "Add the conversation" in created.text
    uploaded = client.put(
        "/api/upload?name=../../chat.txt", content=CHAT, headers={"x-csrf-token": csrf}
    )
    assert uploaded.status_code == 200
    body = uploaded.json()
    assert body == {
        "name": "chat.txt",
        "sha256": hashlib.sha256(CHAT).hexdigest(),
        "messages": 2,
        "format": "plaintext",
        "kept": True,
        "error": None,
        "duplicate": False,
        "said": "chat.txt: 2 messages read.",
    }
    listed = client.get("/case/messages")
    assert "Steam gift cards" in listed.text
    assert not list((tmp_path / "cases").glob("*.part")) and not list(tmp_path.glob("tmp*"))
    app.state.app_state.close_case()
    with Case.open(tmp_path / "cases" / "lee.unshared", "a long pass") as case:
        assert verify_case(case).ok
        assert [m.message.text for m in case.messages()][1] == "no"
        added = [e for e in case.events() if e.type == "exhibit_added"]
        assert json.loads(added[0].payload)["source_path"] == "uploaded in the app: chat.txt"


def test_mismatched_passphrases(app_client: AppClient) -> None:
    client, app = app_client
    response = client.post(
        "/case/new",
        data={
            "csrf": app.state.csrf_token,
            "name": "x",
            "passphrase": "abcdefgh",
            "passphrase2": "abcdefgX",
        },
    )
    assert "not the same" in response.text


def test_wrong_passphrase_on_open(app_client: AppClient, tmp_path: Path) -> None:
    client, app = app_client
    (tmp_path / "cases").mkdir()
    Case.create(tmp_path / "cases" / "mine.unshared", "right passphrase").close()
    response = client.post(
        "/case/open",
        data={"csrf": app.state.csrf_token, "name": "mine.unshared", "passphrase": "wrong one"},
    )
    assert "wrong passphrase" in response.text.lower()


def test_the_case_given_at_launch_is_offered_first(tmp_path: Path) -> None:
    from unshared.web.app import AppSettings, create_app

    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("a.unshared", "lee.unshared", "z.unshared"):
        Case.create(folder / name, None).close()
    settings = AppSettings(cases_dir=folder, case_path=folder / "lee.unshared")
    app = create_app(settings)
    client = TestClient(app, base_url="http://127.0.0.1")
    client.get(f"/?t={settings.launch_token}", follow_redirects=False)
    client.cookies.set("unshared_session", app.state.session_id)
    page = client.get("/case").text
    assert "<option selected>lee.unshared</option>" in page


def test_the_report_step_right_after_an_upload_carries_the_threat(
    app_client: AppClient, tmp_path: Path
) -> None:
    """Written before the fix: the app's report said "no demand detected" straight after an
    upload, and its report step logged two ``report_made`` events (the report was made twice)."""
    client, app = app_client
    csrf = app.state.csrf_token
    _new_case(client, csrf)
    client.put("/api/upload?name=chat.txt", content=CHAT, headers={"x-csrf-token": csrf})
    made = client.post(
        "/report/make", data={"csrf": csrf, "folder": str(tmp_path / "pack")}, follow_redirects=True
    )
    assert made.status_code == 200
    html = client.get("/report/file/report.html")
    assert html.status_code == 200
    assert "no demand detected" not in html.text and "Steam gift cards" in html.text
    assert client.get("/report/file/bundle.zip").status_code == 200
    app.state.app_state.close_case()
    with Case.open(tmp_path / "cases" / "lee.unshared", "a long pass") as case:
        types = [e.type for e in case.events()]
    assert types.count("report_made") == 1 and types.count("bundle_made") == 1
    assert types.index("analysis_run") < types.index("report_made")


def test_a_project_error_a_route_lets_through_is_one_calm_line(app_client: AppClient) -> None:
    from unshared.errors import CaseFileError, WrongPassphrase

    client, app = app_client

    @app.get("/api/boom")
    def api_boom() -> None:
        raise WrongPassphrase("wrong passphrase for this case", path="lee.unshared")

    @app.get("/boom")
    def page_boom() -> None:
        raise CaseFileError("the case is open in another window", path="lee.unshared")

    api = client.get("/api/boom")
    assert api.status_code == 403
    assert api.json() == {
        "error": "wrong passphrase for this case",
        "detail": "lee.unshared: wrong passphrase for this case",
    }
    page = client.get("/boom")
    assert page.status_code == 409
    assert "lee.unshared: the case is open in another window" in page.text
    assert "Traceback" not in page.text and "Get help now" in page.text


def test_a_path_fingerprinted_in_the_app_is_stored_by_its_name_only(
    app_client: AppClient, tmp_path: Path
) -> None:
    """Written before the fix: the app stored the full local path (the CLI stores names)."""
    import numpy as np
    from PIL import Image

    client, app = app_client
    csrf = app.state.csrf_token
    folder = tmp_path / "very private"
    folder.mkdir()
    Image.fromarray(np.random.default_rng(5).integers(0, 255, (96, 96), dtype=np.uint8)).save(
        folder / "IMG_7.png"
    )
    _new_case(client, csrf)
    done = client.post("/protect/path", data={"csrf": csrf, "path": str(folder)})
    assert done.status_code in (200, 303)
    app.state.app_state.close_case()
    with Case.open(tmp_path / "cases" / "lee.unshared", "a long pass") as case:
        stored = case.fingerprints()
    assert [fp["path"] for fp in stored] == ["IMG_7.png"]
