"""Key derivation for encrypted case files.

The case file is an SQLite database encrypted page by page with ChaCha20-Poly1305 by SQLite3
Multiple Ciphers (apsw-sqlite3mc). The 256-bit page key is not derived by the cipher's own PBKDF2
but by **scrypt** (memory-hard) from the passphrase and a 16-byte salt that we choose and hand to
the cipher, which stores it, unencrypted, as the first 16 bytes of the file. The salt is laid out as

    12 random bytes | b"uS" | log2(N) | r

so the file alone says how to derive its key (and is recognisable as an unshared case). Cases made
since the key-check change use the marker ``uK`` and the layout

    8 random bytes | key check (4 bytes) | b"uK" | log2(N) | r

where the scrypt salt is the 12 bytes without the key check, and the key check is the first 4 bytes
of SHA-256("unshared key check" NUL key). The passphrase is checked against it before SQLite reads
the file, so a wrong passphrase can never make SQLite roll back a hot journal with the wrong key
(which would write garbage over the case). 4 bytes tell nothing useful about the key: guessing a
passphrase still costs one scrypt per guess. The cost
defaults to N=2**17, r=8 (128 MiB, about half a second); ``UNSHARED_SCRYPT_LOG2N`` lowers it for
tests, never below 2**14.
"""

from __future__ import annotations

import hashlib
import os
import secrets

__all__ = [
    "MARKER",
    "KEYCHECK_MARKER",
    "new_salt",
    "derive_key",
    "is_encrypted_header",
    "key_matches",
    "DEFAULT_LOG2N",
]

MARKER = b"uS"
KEYCHECK_MARKER = b"uK"
DEFAULT_LOG2N = 17
MIN_LOG2N = 14
R = 8


def new_salt(passphrase: str) -> tuple[bytes, bytes]:
    """A new file header (salt with key check) and the page key for ``passphrase``."""
    log2n = int(os.environ.get("UNSHARED_SCRYPT_LOG2N", DEFAULT_LOG2N))
    log2n = max(MIN_LOG2N, min(log2n, 20))
    draft = secrets.token_bytes(8) + b"\0" * 4 + KEYCHECK_MARKER + bytes([log2n, R])
    key = derive_key(passphrase, draft)
    return draft[:8] + _check(key) + draft[12:], key


def _check(key: bytes) -> bytes:
    return hashlib.sha256(b"unshared key check\0" + key).digest()[:4]


def is_encrypted_header(header: bytes) -> bool:
    return (
        len(header) >= 16
        and header[12:14] in (MARKER, KEYCHECK_MARKER)
        and MIN_LOG2N <= header[14] <= 20
        and 1 <= header[15] <= 32
    )


def key_matches(header: bytes, key: bytes) -> bool | None:
    """Whether ``key`` is this file's key, by its key check; ``None`` for older files without one."""
    if header[12:14] != KEYCHECK_MARKER:
        return None
    return header[8:12] == _check(key)


def derive_key(passphrase: str, salt: bytes) -> bytes:
    """The 32-byte page key for ``passphrase`` and the file's salt (its first 16 bytes)."""
    log2n, r = salt[14], salt[15]
    n = 1 << log2n
    material = salt[:8] + salt[12:16] if salt[12:14] == KEYCHECK_MARKER else salt[:16]
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=material,
        n=n,
        r=r,
        p=1,
        maxmem=256 * n * r,
        dklen=32,
    )
