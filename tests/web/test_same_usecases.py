"""The CLI and the app call the same use case for the same action.

Each use case below is replaced by a recording wrapper (which still does the work); the action is
then done once from the command line (in-process) and once through the app, on the same case. A
shell that orchestrates the action itself, instead of calling the use case, fails here.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from unshared.cli import app as cli_app
from unshared.usecases.add import add_evidence
from unshared.usecases.case import create_case
from unshared.web.app import AppSettings, create_app

CHAT = (
    "2026-03-02 21:04 Jess: add me on skype live:jess.h22\n"
    "2026-03-02 23:13 Jess: pay £500 or I send the pictures to everyone\n"
    "2026-03-02 23:15 Sam: please stop\n"
)
GUIDE = Path(__file__).resolve().parents[1] / "data" / "guide" / "teen_uk.yaml"
FORM = {
    "age": "15",
    "region": "UK",
    "self_harm_thoughts": "yes",
    "paid": "yes",
    "payment_methods": ["western_union"],
    "platforms": ["instagram", "skype"],
}


class Calls:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def spy(self, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
        module_name, name = target.rsplit(".", 1)
        module = importlib.import_module(module_name)
        real: Callable[..., Any] = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.seen.append(target)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    def take(self) -> list[str]:
        out, self.seen = self.seen, []
        return out


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Path, TestClient, Any]]:
    cases = tmp_path / "cases"
    cases.mkdir()
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    path = cases / "sam.unshared"
    with create_case(path, None) as case:
        add_evidence(case, [chat], timezone="Europe/London", me=["Sam"])
    picture = tmp_path / "picture.png"
    y, x = np.mgrid[0:256, 0:256]
    Image.fromarray(((x * 7 + y * 3) % 256).astype(np.uint8)).save(picture)
    settings = AppSettings(cases_dir=cases)
    web = create_app(settings)
    client = TestClient(web, base_url="http://127.0.0.1")
    client.get(f"/?t={settings.launch_token}", follow_redirects=False)
    client.cookies.set("unshared_session", web.state.session_id)
    yield path, client, web
    web.state.app_state.close_case()


def _cli(*args: str) -> None:
    result = CliRunner().invoke(cli_app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output


def _open_in_app(client: TestClient, web: Any, path: Path) -> None:
    response = client.post(
        "/case/open", data={"csrf": web.state.csrf_token, "name": path.name, "passphrase": ""}
    )
    assert response.status_code in (200, 303)
    assert web.state.app_state.case is not None


def _close_in_app(web: Any) -> None:
    web.state.app_state.close_case()


ACTIONS = {
    "record an action": "unshared.usecases.records.add_action",
    "list identifiers": "unshared.usecases.analyse.identifiers",
    "draft platform reports": "unshared.usecases.report.platform_drafts",
    "make the bundle": "unshared.usecases.report.make_bundle",
    "fingerprint media": "unshared.usecases.fingerprint.fingerprint_paths",
    "plan": "unshared.usecases.plan.make_plan",
    "tick a step": "unshared.usecases.plan.mark_step_done",
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_both_shells_call_the_same_use_case(
    action: str,
    world: tuple[Path, TestClient, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, client, web = world
    csrf = web.state.csrf_token
    calls = Calls()
    target = ACTIONS[action]
    calls.spy(monkeypatch, target)
    case = str(path)
    picture = str(tmp_path / "picture.png")

    # from the command line
    if action == "record an action":
        _cli("action", case, "reported-to-police", "--ref", "CR/1")
    elif action == "list identifiers":
        _cli("identifiers", case)
    elif action == "draft platform reports":
        _cli("report", case, "--platform", "all")
    elif action == "make the bundle":
        _cli("bundle", case, "--out", str(tmp_path / "b.zip"), "--no-pdf")
    elif action == "fingerprint media":
        _cli("fingerprint", case, picture)
    elif action == "plan":
        _cli("guide", case, "--answers", str(GUIDE))
    elif action == "tick a step":
        _cli("guide", case, "--answers", str(GUIDE))
        calls.take()
        _cli("guide", case, "--done", "trusted-adult")
    assert calls.take() == [target], "the CLI"

    # from the app, on the same case
    _open_in_app(client, web, path)
    if action == "record an action":
        response = client.post("/report/action", data={"csrf": csrf, "kind": "blocked-offender"})
    elif action == "list identifiers":
        response = client.get("/identifiers")
    elif action == "draft platform reports":
        response = client.get("/report")
    elif action == "make the bundle":
        monkeypatch.setattr("unshared.usecases.report.pdf_problem", lambda: "not in this test")
        folder = tempfile.mkdtemp(prefix="unshared-pack-")
        response = client.post("/report/make", data={"csrf": csrf, "folder": folder})
    elif action == "fingerprint media":
        response = client.post("/protect/path", data={"csrf": csrf, "path": picture})
    elif action == "plan":
        response = client.post("/safe", data={"csrf": csrf, **FORM})
    else:
        client.post("/safe", data={"csrf": csrf, **FORM})
        calls.take()
        response = client.post("/plan/done", data={"csrf": csrf, "step": "trusted-adult"})
    assert response.status_code in (200, 303), response.text
    assert target in calls.take(), "the app"
    _close_in_app(web)
