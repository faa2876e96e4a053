"""Key derivation for encrypted case files.

The case file is an SQLite database encrypted page by page with ChaCha20-Poly1305 by SQLite3
Multiple Ciphers (apsw-sqlite3mc). The 256-bit page key is not derived by the cipher's own PBKDF2
but by **scrypt** (memory-hard) from the passphrase and a 16-byte salt that we choose and hand to
the cipher, which stores it, unencrypted, as the first 16 bytes of the file. The salt is laid out as

    12 random bytes | b"uS" | log2(N) | r

so the file alone says how to derive its key (and is recognisable as an unshared case). The cost
defaults to N=2**17, r=8 (128 MiB, about half a second); ``UNSHARED_SCRYPT_LOG2N`` lowers it for
tests, never below 2**14.
"""

from __future__ import annotations

import hashlib
import os
import secrets

__all__ = ["MARKER", "new_salt", "derive_key", "is_encrypted_header", "DEFAULT_LOG2N"]

MARKER = b"uS"
DEFAULT_LOG2N = 17
MIN_LOG2N = 14
R = 8


def new_salt() -> bytes:
    log2n = int(os.environ.get("UNSHARED_SCRYPT_LOG2N", DEFAULT_LOG2N))
    log2n = max(MIN_LOG2N, min(log2n, 20))
    return secrets.token_bytes(12) + MARKER + bytes([log2n, R])


def is_encrypted_header(header: bytes) -> bool:
    return (
        len(header) >= 16
        and header[12:14] == MARKER
        and MIN_LOG2N <= header[14] <= 20
        and 1 <= header[15] <= 32
    )


def derive_key(passphrase: str, salt: bytes) -> bytes:
    """The 32-byte page key for ``passphrase`` and the file's salt."""
    log2n, r = salt[14], salt[15]
    n = 1 << log2n
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=1,
        maxmem=256 * n * r,
        dklen=32,
    )
