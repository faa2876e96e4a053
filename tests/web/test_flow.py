"""The path through the app in-process: guide, case, upload streamed into the case."""

from __future__ import annotations

import hashlib
import json

from unshared.casefile import Case, verify_case

CHAT = b"2026-03-02 23:13 Jess: pay \xc2\xa3500 in Steam gift cards or I send it\nSam: no\n"


def test_guide_plan_for_a_teenager(app_client) -> None:  # type: ignore[no-untyped-def]
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


def test_bad_age_is_a_calm_error(app_client) -> None:  # type: ignore[no-untyped-def]
    client, app = app_client
    response = client.post("/safe", data={"csrf": app.state.csrf_token, "age": "old"})
    assert response.status_code == 200
    assert "Please enter your age" in response.text


def test_case_upload_is_streamed_into_the_case(app_client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client, app = app_client
    csrf = app.state.csrf_token
    created = client.post(
        "/case/new",
        data={
            "csrf": csrf,
            "name": "lee",
            "passphrase": "a long pass",
            "passphrase2": "a long pass",
        },
        follow_redirects=True,
    )
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


def test_mismatched_passphrases(app_client) -> None:  # type: ignore[no-untyped-def]
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


def test_wrong_passphrase_on_open(app_client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client, app = app_client
    (tmp_path / "cases").mkdir()
    Case.create(tmp_path / "cases" / "mine.unshared", "right passphrase").close()
    response = client.post(
        "/case/open",
        data={"csrf": app.state.csrf_token, "name": "mine.unshared", "passphrase": "wrong one"},
    )
    assert "wrong passphrase" in response.text


def test_the_case_given_at_launch_is_offered_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

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
