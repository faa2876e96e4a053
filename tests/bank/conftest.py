"""Fixtures for the hash bank: a store on SQLite and on a real PostgreSQL, tokens, a test client.

PostgreSQL: the ``pg_url`` fixture of tests/conftest.py (a schema of its own per test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from unshared.bank.sql import SQLStore, open_store

from .helpers import LiveBank, start_bank


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bank.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[SQLStore]:
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def live_bank(tmp_path: Path) -> Iterator[LiveBank]:
    bank = start_bank(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    yield bank
    bank.stop()
