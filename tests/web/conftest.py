"""Fixtures for the local app: an in-process client, and a real server for the browser tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from unshared.web.app import AppSettings, create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[tuple[TestClient, FastAPI]]:
    settings = AppSettings(cases_dir=tmp_path / "cases")
    app = create_app(settings)
    client = TestClient(app, base_url="http://127.0.0.1")
    response = client.get(f"/?t={settings.launch_token}", follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("unshared_session", app.state.session_id)
    yield client, app
    app.state.app_state.close_case()


@pytest.fixture
def server(tmp_path: Path, serve: Callable[..., str]) -> str:
    """`unshared app --no-browser` in a subprocess; the launch URL it printed."""
    return serve("app", "--no-browser", "--cases-dir", str(tmp_path / "cases"))
