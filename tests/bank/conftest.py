"""Fixtures for the hash bank: a store on SQLite and on a real PostgreSQL, tokens, a test client.

PostgreSQL comes from ``UNSHARED_TEST_PG_URL`` (default: the cluster .ci/setup.d/bank.sh starts,
``postgresql://postgres:unshared@127.0.0.1:5432/postgres``). Each test gets its own schema, dropped
afterwards. Without a server the PostgreSQL tests skip on a developer machine and fail in CI.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from unshared.bank.sql import SQLStore, open_store

from .helpers import LiveBank, start_bank

IN_CI = bool(os.environ.get("CI"))
PG_URL = os.environ.get(
    "UNSHARED_TEST_PG_URL", "postgresql://postgres:unshared@127.0.0.1:5432/postgres"
)


def _pg_available() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip() or "cannot connect"


@pytest.fixture(scope="session")
def pg_base() -> str:
    problem = _pg_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}: {problem}")
        pytest.skip(f"no PostgreSQL at {PG_URL}")
    return PG_URL


@pytest.fixture
def pg_url(pg_base: str) -> Iterator[str]:
    import psycopg

    schema = "t_" + secrets.token_hex(6)
    with psycopg.connect(pg_base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_base else "?"
    yield f"{pg_base}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(pg_base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


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
