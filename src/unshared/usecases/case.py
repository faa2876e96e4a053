"""Open or create a case file.

The shells never touch the store: they call these and hold the :class:`Case` they get back. A
passphrase is asked for (through the ``ask`` callback) only when the case is encrypted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from unshared.casefile import Case
from unshared.casefile.crypto import is_encrypted_header
from unshared.errors import UnsharedError

__all__ = [
    "Case",
    "case_is_encrypted",
    "create_case",
    "is_case_file",
    "new_case",
    "open_case",
]

SQLITE_MAGIC = b"SQLite format 3\x00"


def case_is_encrypted(path: Path) -> bool:
    """True when ``path`` starts like an encrypted case file."""
    try:
        with path.open("rb") as fh:
            return is_encrypted_header(fh.read(16))
    except OSError:
        return False


def is_case_file(path: Path) -> bool:
    """True when ``path`` is an unshared case file (encrypted or not)."""
    if not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError:
        return False
    if is_encrypted_header(header):
        return True
    if header.startswith(SQLITE_MAGIC):
        try:
            Case.open(path, None, readonly=True).close()
        except UnsharedError:
            return False
        return True
    return False


def open_case(
    path: Path,
    passphrase: str | Callable[[], str] | None = None,
    *,
    readonly: bool = False,
) -> Case:
    """Open a case. ``passphrase`` may be a callback, called only when the case is encrypted."""
    secret: str | None
    if callable(passphrase):
        secret = passphrase() if path.is_file() and case_is_encrypted(path) else None
    else:
        secret = passphrase
    return Case.open(path, secret, readonly=readonly)


def create_case(path: Path, passphrase: str | None) -> Case:
    """Create a new, empty case (unencrypted only when ``passphrase`` is None, as asked)."""
    return Case.create(path, passphrase)


def new_case(path: Path, passphrase: str | None) -> str:
    """``unshared new``: create an empty case and close it; returns the log's head hash."""
    with Case.create(path, passphrase) as case:
        return case.head().hash
