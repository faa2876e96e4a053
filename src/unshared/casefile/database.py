"""Opening and creating the SQLite file behind a case, safely.

The passphrase is checked before SQLite is allowed to touch the file: first against the key check
in the file's first 16 bytes (:mod:`unshared.casefile.crypto`), then by reading page 1 through an
``immutable`` read-only connection, which never rolls back a journal and never writes. Only a key
that passes both opens the file read-write, where SQLite may roll back a journal left by a crash.
A wrong passphrase therefore never writes to the case or to its journal.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import quote

import apsw

from unshared.casefile import crypto
from unshared.casefile.common import utcnow
from unshared.casefile.schema import MIGRATIONS
from unshared.errors import InputFileError, NotACaseFile, WrongPassphrase

__all__ = [
    "FORMAT_NAME",
    "SQLITE_MAGIC",
    "configure",
    "connect_new",
    "connect_existing",
    "meta_digest",
    "migrate",
    "read_header",
]

FORMAT_NAME = "unshared-case"
SQLITE_MAGIC = b"SQLite format 3\x00"

WRONG_OR_DAMAGED = (
    "wrong passphrase, or the file is damaged; nothing was changed. Check the passphrase (capitals "
    "and spaces count); if you are sure it is right, use a backup copy of the case"
)
WRONG = (
    "wrong passphrase; nothing was changed. Check it (capitals and spaces count). If you are sure "
    "it is right, the start of the file is damaged: use a backup copy of the case"
)
DAMAGED = (
    "the passphrase is right but the case file is damaged (its first page does not check out); "
    "nothing was changed: use a backup copy of the case"
)


def read_header(path: Path) -> tuple[bytes, bool]:
    """The first 100 bytes and whether the file is an encrypted case; clear errors otherwise."""
    spath = str(path)
    if not path.exists():
        raise InputFileError("no such case file", path=spath)
    if path.is_dir():
        raise NotACaseFile("this is a folder, not a case file", path=spath)
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise InputFileError(f"cannot read the case file ({exc.strerror})", path=spath) from None
    if not header:
        raise NotACaseFile("the file is empty, not a case file", path=spath)
    encrypted = crypto.is_encrypted_header(header)
    if not encrypted and not header.startswith(SQLITE_MAGIC):
        raise NotACaseFile("not an unshared case file", path=spath)
    return header, encrypted


def _set_key(db: apsw.Connection, key_hex: str) -> None:
    db.pragma("cipher", "chacha20")
    db.execute(f"PRAGMA key=\"x'{key_hex}'\"")


def _hot_journal(path: Path) -> bool:
    journal = path.with_name(path.name + "-journal")
    try:
        return journal.stat().st_size > 0
    except OSError:
        return False


def _check_key(path: Path, header: bytes, key: bytes) -> None:
    """Raise :class:`WrongPassphrase` (or :class:`NotACaseFile`) unless ``key`` opens ``path``,
    without any chance of writing to it."""
    spath = str(path)
    matches = crypto.key_matches(header, key)
    if matches is False:
        raise WrongPassphrase(WRONG, path=spath)
    uri = "file:" + quote(os.path.abspath(spath)) + "?immutable=1"
    try:
        probe = apsw.Connection(uri, flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    except apsw.Error as exc:
        raise NotACaseFile(f"cannot open the case file ({exc})", path=spath) from None
    try:
        _set_key(probe, key.hex())
        probe.execute("PRAGMA schema_version").fetchall()  # decrypts and authenticates page 1
    except apsw.Error:
        if matches is None:
            raise WrongPassphrase(WRONG_OR_DAMAGED, path=spath) from None
        if not _hot_journal(path):  # a journal may hold the good copy of page 1
            raise NotACaseFile(DAMAGED, path=spath) from None
    finally:
        probe.close()


def connect_existing(path: Path, passphrase: str | None) -> tuple[apsw.Connection, bool]:
    """An open connection to an existing case (journal rolled back if needed) and whether it is
    encrypted. The key is checked first; nothing is written unless it is right."""
    spath = str(path)
    header, encrypted = read_header(path)
    key: bytes | None = None
    if encrypted:
        if passphrase is None:
            raise WrongPassphrase("this case is encrypted: a passphrase is needed", path=spath)
        key = crypto.derive_key(passphrase, header[:16])
        _check_key(path, header, key)
    try:
        db = apsw.Connection(spath, flags=apsw.SQLITE_OPEN_READWRITE)
    except apsw.Error as exc:
        raise NotACaseFile(f"cannot open the case file ({exc})", path=spath) from None
    try:
        if key is not None:
            _set_key(db, key.hex())
        try:
            fmt = db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        except apsw.NotADBError:
            raise NotACaseFile(
                "the case file is damaged or not a case file; nothing was changed",
                path=spath,
            ) from None
        except apsw.SQLError:
            raise NotACaseFile("not an unshared case file", path=spath) from None
        if not fmt or fmt[0] != FORMAT_NAME:
            raise NotACaseFile("not an unshared case file", path=spath)
        configure(db)
    except apsw.Error as exc:
        db.close()
        raise NotACaseFile(
            f"the case file is corrupted or truncated ({_reason(exc)}); use a backup copy",
            path=spath,
        ) from None
    except BaseException:
        db.close()
        raise
    return db, encrypted


def connect_new(tmp: Path, passphrase: str | None) -> apsw.Connection:
    """A new, empty, migrated database at ``tmp`` (encrypted unless ``passphrase`` is None)."""
    db = apsw.Connection(str(tmp))
    try:
        if passphrase is not None:
            salt, key = crypto.new_salt(passphrase)
            _set_key(db, key.hex() + salt.hex())
        db.pragma("auto_vacuum", "FULL")  # no free pages: every page is checked by verify
        configure(db)
        with db:
            migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def _reason(exc: apsw.Error) -> str:
    return str(exc).split(":", 1)[-1].strip() or type(exc).__name__


def configure(db: apsw.Connection) -> None:
    db.pragma("foreign_keys", True)
    db.pragma("synchronous", "FULL")
    db.pragma("secure_delete", True)
    db.setbusytimeout(10000)


def migrate(db: apsw.Connection) -> list[int]:
    """Apply missing migrations; the versions applied."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"
    )
    done = {v for (v,) in db.execute("SELECT version FROM schema_migrations")}
    applied = []
    for version, migration in MIGRATIONS:
        if version not in done:
            db.execute(migration())
            db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, utcnow()))
            applied.append(version)
    return applied


def meta_digest(rows: dict[str, str]) -> str:
    """SHA-256 over the ``meta`` rows as sorted ``key=value`` lines (chained at creation)."""
    text = "".join(f"{k}={v}\n" for k, v in sorted(rows.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
