"""Safe reading of zip and tar exports (WhatsApp "export with media", Messenger and Discord data
packages, Telegram and Snapchat zips, Skype .tar).

Archives are read member by member as streams, never extracted to disk and never read whole (only
side files up to :data:`SMALL_FILE`). Before any member is read, the central directory is checked
against a budget: the number of members (``ImportOptions.max_members``), the total bytes all
members expand to (``ImportOptions.max_expanded``, by default :data:`EXPANSION_RATIO` times the
archive's size) and the compression ratio of each large member. Reading a member past the size its
header declares stops at once, so a lying directory cannot get past the budget. Every refusal is a
:class:`LimitExceeded` naming the member. Member paths are names only; nothing is ever written
out, so path traversal cannot happen.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import IO, Any
from urllib.parse import unquote

from unshared.errors import LimitExceeded, ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source
from unshared.importers.readers.records import hash_member
from unshared.model import Attachment

__all__ = [
    "Archive",
    "expansion_budget",
    "is_tar",
    "is_zip",
    "linked_member",
    "member_head",
    "open_archive",
    "require_member",
    "shallowest",
    "with_member",
    "zip_names",
]


#: Without ``ImportOptions.max_expanded``: an archive may expand to this many times its own size,
#: within [MIN_BUDGET, MAX_BUDGET]. Chat text compresses about 5-20x and media not at all; a
#: zip bomb expands hundreds or millions of times.
EXPANSION_RATIO = 100
MIN_BUDGET = 256 << 20
MAX_BUDGET = 64 << 30
#: One member over 1 MiB compressed better than this is refused on its own.
MAX_MEMBER_RATIO = 200.0
#: Side files read whole (a channel's channel.json, user_info.json) are at most this large.
SMALL_FILE = 64 << 20


def expansion_budget(options: ImportOptions | None, archive_size: int) -> int:
    """The total bytes an archive of ``archive_size`` bytes may expand to."""
    if options is not None and options.max_expanded is not None:
        return options.max_expanded
    return min(MAX_BUDGET, max(MIN_BUDGET, EXPANSION_RATIO * archive_size))


def _mib(size: int) -> str:
    return f"{size / (1 << 30):.1f} GiB" if size >= 1 << 30 else f"{size / (1 << 20):.1f} MiB"


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


def shallowest(names: list[str], wanted: Callable[[str], bool]) -> str | None:
    """The member nearest the top whose name ``wanted`` accepts (an export zipped inside folders,
    or a folder added whole, keeps its files one or more folders down)."""
    found = [n for n in names if n and not n.endswith("/") and wanted(n)]
    return min(found, key=lambda n: (n.count("/"), n)) if found else None


def linked_member(
    archive: Archive, names: set[str], beside: str, found: Attachment, hashes: dict[str, str]
) -> Attachment:
    """``found`` with the SHA-256, size and member name of the file its relative ``uri`` names,
    next to the member ``beside`` (result.json, messages.html); unchanged when the archive does
    not hold it. Each file is hashed once (``hashes``), streamed."""
    uri = found.uri
    if not uri or "://" in uri or uri.startswith(("#", "/")):
        return found
    target = posixpath.normpath(posixpath.join(posixpath.dirname(beside), unquote(uri)))
    if target not in names:
        return found
    return with_member(archive, found, target, hashes)


def with_member(
    archive: Archive, found: Attachment, member: str, hashes: dict[str, str]
) -> Attachment:
    """``found`` pointing at ``member``, with its SHA-256 (streamed, once per member) and size."""
    if member not in hashes:
        hashes[member] = hash_member(archive, member)[0]
    return replace(found, member_sha256=hashes[member], size=archive.size(member), uri=member)


def member_head(source: Source, member: str, size: int = 65536) -> bytes:
    """The first ``size`` bytes of one zip member, for sniffing (b"" when unreadable). Reads no
    more than that, so the archive's budget is left to the import (whose options may raise it);
    a member compressed like a zip bomb is refused at once."""
    try:
        with source.open() as fh, zipfile.ZipFile(fh) as zf:
            info = zf.getinfo(member)
            _check_ratio(info, source.name)
            with zf.open(info) as inner:
                return inner.read(size)
    except (*_DAMAGED, KeyError, RuntimeError, NotImplementedError, IndexError):
        return b""


def _check_ratio(info: zipfile.ZipInfo, archive: str) -> None:
    if info.file_size > (1 << 20) and info.file_size > MAX_MEMBER_RATIO * max(
        info.compress_size, 1
    ):
        raise LimitExceeded(
            "a file in the archive expands suspiciously far (possible zip bomb)",
            path=archive,
            where=info.filename,
        )


def require_member(source: Source, pattern: re.Pattern[str], refusal: str) -> None:
    """Sniffing a zip export: :class:`WrongFormat` (``refusal``) unless a member name matches."""
    if not any(pattern.search(n) for n in zip_names(source)):
        raise WrongFormat(refusal, path=source.name)


class Archive:
    """Read-only view of a zip or tar exhibit with size limits checked before reading."""

    def __init__(self, source: Source, options: ImportOptions | None = None) -> None:
        self.source = source
        self.max_members = options.max_members if options is not None else 200_000
        self.budget = expansion_budget(options, source.size)
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
                total = 0
                for count, info in enumerate(self._tar, start=1):
                    total += info.size if info.isfile() else 0
                    self._check_budget(count, total, info.name)
                    if info.isfile():
                        self._tar_members[info.name] = info
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

    def _check_budget(self, count: int, total: int, member: str) -> None:
        if count > self.max_members:
            raise LimitExceeded(
                f"the archive has too many files (more than {self.max_members})",
                path=self.source.name,
                where=member,
            )
        if total > self.budget:
            raise LimitExceeded(
                f"the archive expands past {_mib(self.budget)} at this file (a zip bomb, or an "
                "export larger than allowed: raise the limit if it is genuine)",
                path=self.source.name,
                where=member,
            )

    def _check_zip(self) -> None:
        assert self._zip is not None
        total = 0
        for count, info in enumerate(self._zip.infolist(), start=1):
            total += info.file_size
            self._check_budget(count, total, info.filename)
            _check_ratio(info, self.source.name)

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

    def read(self, member: str, what: str = "side") -> bytes:
        """A small side file whole (metadata next to the messages); larger than
        :data:`SMALL_FILE` is refused. Messages and media are streamed with :meth:`open`."""
        if self.size(member) > SMALL_FILE:
            raise LimitExceeded(
                f"this {what} file is larger than {_mib(SMALL_FILE)}",
                path=self.source.name,
                where=member,
            )
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


def open_archive(source: Source, options: ImportOptions | None = None) -> Archive:
    return Archive(source, options)
