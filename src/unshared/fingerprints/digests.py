"""MD5 and SHA-256 of a file's bytes, streamed in place (the file is read once, never copied)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from unshared.errors import InputFileError

__all__ = ["BLOCK", "Digests", "digest_file", "digest_stream"]

BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class Digests:
    sha256: str
    md5: str
    size: int


def digest_stream(stream: BinaryIO) -> Digests:
    sha = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    while block := stream.read(BLOCK):
        sha.update(block)
        md5.update(block)
        size += len(block)
    return Digests(sha.hexdigest(), md5.hexdigest(), size)


def digest_file(path: Path) -> Digests:
    try:
        with path.open("rb") as fh:
            return digest_stream(fh)
    except OSError as exc:
        raise InputFileError(f"cannot read the file ({exc.strerror})", path=str(path)) from None
