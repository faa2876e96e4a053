"""Safe reading of zip and tar exports (WhatsApp "export with media", Messenger and Discord data
packages, Skype .tar).

Archives are read member by member, never extracted to disk. Limits stop zip bombs: the total and
per-member uncompressed size, the number of members, and the compression ratio. Member paths are
names only; nothing is ever written out, so path traversal cannot happen, but absurd names are
still refused.
"""

from __future__ import annotations

import io
import lzma
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from unshared.errors import LimitExceeded, ParseError, WrongFormat
from unshared.importers.base import Source

__all__ = ["Limits", "Archive", "open_archive", "is_zip", "is_tar", "zip_names", "require_member"]


@dataclass(frozen=True)
class Limits:
    max_members: int = 200_000
    max_member_size: int = 8 << 30  # 8 GiB: long videos in an export
    max_total_size: int = 64 << 30
    max_ratio: float = 200.0  # uncompressed / compressed, for members over 1 MiB


DEFAULT_LIMITS = Limits()


def is_zip(source: Source) -> bool:
    return source.head(4) in (b"PK\x03\x04", b"PK\x05\x06")


def is_tar(source: Source) -> bool:
    head = source.head(512)
    return len(head) >= 262 and head[257:262] == b"ustar"


def zip_names(source: Source, limit: int = 100000) -> list[str]:
    """Member names of a zip source, or [] when it is not a zip. Cheap: reads the central directory."""
    if not is_zip(source):
        return []
    try:
        with source.open() as fh, zipfile.ZipFile(fh) as zf:
            return zf.namelist()[:limit]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, IndexError):
        return []


def require_member(source: Source, pattern: re.Pattern[str], refusal: str) -> None:
    """Sniffing a zip export: :class:`WrongFormat` (``refusal``) unless a member name matches."""
    if not any(pattern.search(n) for n in zip_names(source)):
        raise WrongFormat(refusal, path=source.name)


class Archive:
    """Read-only view of a zip or tar exhibit with size limits checked before reading."""

    def __init__(self, source: Source, limits: Limits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.limits = limits
        self._fh: IO[bytes] | None = None
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._tar_members: dict[str, tarfile.TarInfo] = {}

    def __enter__(self) -> Archive:
        self._fh = self.source.open()
        name = self.source.name
        try:
            if is_zip(self.source):
                self._zip = zipfile.ZipFile(self._fh)
                self._check_zip()
            elif is_tar(self.source):
                self._tar = tarfile.open(fileobj=self._fh, mode="r:")
                members = []
                for info in self._tar:
                    members.append(info)
                    if len(members) > self.limits.max_members:
                        raise LimitExceeded("the archive has too many files", path=name)
                self._tar_members = {m.name: m for m in members if m.isfile()}
                total = sum(m.size for m in self._tar_members.values())
                if total > self.limits.max_total_size:
                    raise LimitExceeded("the archive is too large to import", path=name)
            else:
                raise ParseError("not a zip or tar archive", path=name)
        except (
            zipfile.BadZipFile,
            tarfile.TarError,
            EOFError,
            ValueError,
            NotImplementedError,
        ) as exc:
            self.close()
            raise ParseError(f"the archive is damaged or truncated ({exc})", path=name) from None
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tar is not None:
            self._tar.close()
        if self._fh is not None:
            self._fh.close()

    def _check_zip(self) -> None:
        assert self._zip is not None
        infos = self._zip.infolist()
        name = self.source.name
        if len(infos) > self.limits.max_members:
            raise LimitExceeded("the archive has too many files", path=name)
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > self.limits.max_member_size:
                raise LimitExceeded(
                    "a file in the archive is too large to import", path=name, where=info.filename
                )
            if info.file_size > (1 << 20) and info.file_size > self.limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise LimitExceeded(
                    "a file in the archive is compressed suspiciously well (possible zip bomb)",
                    path=name,
                    where=info.filename,
                )
        if total > self.limits.max_total_size:
            raise LimitExceeded("the archive is too large to import", path=name)

    def names(self) -> list[str]:
        if self._zip is not None:
            return [
                i.filename for i in self._zip.infolist() if i.filename and i.filename[-1] != "/"
            ]
        return list(self._tar_members)

    def size(self, member: str) -> int:
        if self._zip is not None:
            return self._zip.getinfo(member).file_size
        return self._tar_members[member].size

    @contextmanager
    def open(self, member: str) -> Iterator[IO[bytes]]:
        """A stream over one member; reading past its declared size raises LimitExceeded."""
        if self._zip is not None:
            try:
                info = self._zip.getinfo(member)
            except KeyError:
                raise ParseError(
                    "missing from the archive", path=self.source.name, where=member
                ) from None
            try:
                fh = self._zip.open(info)
            except (*_DAMAGED, RuntimeError, NotImplementedError) as exc:
                # RuntimeError: encrypted member; NotImplementedError: unknown compression.
                raise ParseError(
                    f"cannot read this file in the archive ({exc})",
                    path=self.source.name,
                    where=member,
                ) from None
            with io.BufferedReader(_Bounded(fh, info.file_size, self.source.name, member)) as out:
                yield out
            return
        assert self._tar is not None
        tinfo = self._tar_members.get(member)
        if tinfo is None:
            raise ParseError("missing from the archive", path=self.source.name, where=member)
        tfh = self._tar.extractfile(tinfo)
        if tfh is None:
            raise ParseError("not a regular file", path=self.source.name, where=member)
        with io.BufferedReader(_Bounded(tfh, tinfo.size, self.source.name, member)) as out:
            yield out

    def read(self, member: str) -> bytes:
        with self.open(member) as fh:
            return fh.read()


_DAMAGED = (zipfile.BadZipFile, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError)


class _Bounded(io.RawIOBase):
    """Wraps a member stream and refuses to yield more than the declared size."""

    def __init__(self, inner: IO[bytes], declared: int, archive: str, member: str) -> None:
        self._inner = inner
        self._left = declared
        self._archive = archive
        self._member = member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _read(self, size: int) -> bytes:
        want = min(size, self._left + 1)
        try:
            data = self._inner.read(want)
        except _DAMAGED as exc:
            raise ParseError(
                f"the archive is damaged ({exc})", path=self._archive, where=self._member
            ) from None
        if len(data) > self._left:
            raise LimitExceeded(
                "a file in the archive is larger than it says",
                path=self._archive,
                where=self._member,
            )
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_archive(source: Source, limits: Limits = DEFAULT_LIMITS) -> Archive:
    return Archive(source, limits)
