"""The force database's connection: encrypted SQLite (the default) or PostgreSQL.

One SQL text serves both: written with ``?`` placeholders, turned into ``%s`` for PostgreSQL.
SQLite files are encrypted with the case file's scheme (ChaCha20 pages via apsw-sqlite3mc, key
from the passphrase by scrypt, a key check in the header): a wrong passphrase is refused before
SQLite touches the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import apsw

from unshared.casefile import crypto
from unshared.errors import InputFileError, UnsharedError, WrongPassphrase

__all__ = ["ForceDB", "PoliceError", "connect"]

FORMAT = "unshared-force"


class PoliceError(UnsharedError):
    """A force database problem a user can fix (wrong URL, not initialised, ...)."""

    exit_code = 2


class ForceDB:
    """One connection; ``execute``/``executemany`` take ``?`` placeholders on both engines."""

    def __init__(self, conn: Any, dialect: str, where: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self.where = where

    @property
    def pk(self) -> str:
        return "BIGSERIAL PRIMARY KEY" if self.dialect == "postgresql" else "INTEGER PRIMARY KEY"

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.dialect == "postgresql":
            with self.conn.cursor() as cur:
                cur.execute(self._sql(sql), params)
                return list(cur.fetchall()) if cur.description else []
        return list(self.conn.execute(sql, params).fetchall())

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows one by one (a server-side cursor on PostgreSQL), for large reads."""
        if self.dialect == "postgresql":
            with self.conn.transaction(), self.conn.cursor(name="force_read") as cur:
                cur.itersize = 20_000
                cur.execute(self._sql(sql), params)
                yield from cur
            return
        yield from self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.dialect == "postgresql":
            with self.conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)
            return
        self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.dialect == "postgresql":
            with self.conn.transaction():
                yield
        else:
            with self.conn:
                yield

    def close(self) -> None:
        self.conn.close()


def _set_key(db: apsw.Connection, key_hex: str) -> None:
    db.pragma("cipher", "chacha20")
    db.execute(f"PRAGMA key=\"x'{key_hex}'\"")


def connect(url: str, passphrase: str | None, *, create: bool = False) -> ForceDB:
    """Open (or with ``create``, make) the force database at ``url``: ``sqlite:///PATH`` (or a
    plain path) or ``postgresql://...``. ``passphrase`` None means an unencrypted SQLite file."""
    if url.startswith(("postgresql://", "postgres://")):
        import psycopg

        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise PoliceError(f"cannot reach the force database ({exc})".strip()) from None
        safe = urlparse(url)
        return ForceDB(conn, "postgresql", f"{safe.hostname}:{safe.port or 5432}{safe.path}")
    path = Path(url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url)
    if create:
        if path.exists():
            raise PoliceError("a file is already there; nothing was changed", path=str(path))
        db = apsw.Connection(str(path))
        if passphrase is not None:
            salt, key = crypto.new_salt(passphrase)
            _set_key(db, key.hex() + salt.hex())
    else:
        if not path.is_file():
            raise InputFileError(
                "no force database here (make one with police init)", path=str(path)
            )
        with path.open("rb") as fh:
            header = fh.read(100)
        encrypted = crypto.is_encrypted_header(header)
        if encrypted and passphrase is None:
            raise WrongPassphrase(
                "this force database is encrypted: a passphrase is needed", path=str(path)
            )
        if encrypted:
            assert passphrase is not None
            key = crypto.derive_key(passphrase, header[:16])
            if crypto.key_matches(header, key) is False:
                raise WrongPassphrase("wrong passphrase; nothing was changed", path=str(path))
            probe = apsw.Connection(
                "file:" + quote(os.path.abspath(path)) + "?immutable=1",
                flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI,
            )
            try:
                _set_key(probe, key.hex())
                probe.execute("PRAGMA schema_version").fetchall()
            except apsw.Error:
                raise WrongPassphrase(
                    "wrong passphrase, or the file is damaged; nothing was changed", path=str(path)
                ) from None
            finally:
                probe.close()
        elif not header.startswith(b"SQLite format 3\x00"):
            raise PoliceError("not a force database", path=str(path))
        db = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READWRITE)
        if encrypted:
            _set_key(db, key.hex())
    db.pragma("foreign_keys", True)
    db.pragma("journal_mode", "wal")
    db.pragma("synchronous", "NORMAL")
    db.setbusytimeout(10000)
    return ForceDB(db, "sqlite", str(path))
