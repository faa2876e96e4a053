"""Storage of exhibits: the untouched bytes, chunked and addressed by SHA-256, and their
acquisitions (every time the same bytes were added, with the name and path they had)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

import apsw

from unshared import __version__
from unshared.casefile.common import scalar, utcnow
from unshared.casefile.events import ExhibitAdded, ExhibitSetAside
from unshared.casefile.logstore import LogStore
from unshared.errors import CaseFileError

__all__ = [
    "CHUNK_SIZE",
    "Acquisition",
    "ExhibitInfo",
    "ExhibitSource",
    "ExhibitStore",
]

CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class Acquisition:
    original_name: str
    source_path: str
    size: int
    acquired_at: str
    tool_version: str
    event_seq: int


@dataclass(frozen=True)
class ExhibitInfo:
    id: int
    sha256: str
    size: int
    acquisitions: tuple[Acquisition, ...]
    #: False when these bytes were already in the case (only a new acquisition was recorded).
    new: bool = False
    #: Why it was set aside (added by mistake), or None: set-aside exhibits are kept but left out
    #: of messages, analysis, reports and bundles.
    set_aside: str | None = None

    @property
    def name(self) -> str:
        return self.acquisitions[0].original_name if self.acquisitions else self.sha256


class _ExhibitReader(io.RawIOBase):
    """A read-only, streaming file object over an exhibit's chunks."""

    def __init__(self, db: apsw.Connection, exhibit_id: int, size: int) -> None:
        self._db = db
        self._id = exhibit_id
        self._size = size
        self._pos = 0
        self._chunk_no = -1
        self._chunk = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _load(self, number: int) -> bytes:
        if number != self._chunk_no:
            row = self._db.execute(
                "SELECT data FROM exhibit_chunks WHERE exhibit_id=? AND seq=?", (self._id, number)
            ).fetchone()
            self._chunk = bytes(row[0]) if row else b""
            self._chunk_no = number
        return self._chunk

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._size - self._pos
        out = bytearray()
        while size > 0 and self._pos < self._size:
            number, inner = divmod(self._pos, CHUNK_SIZE)
            chunk = self._load(number)
            piece = chunk[inner : inner + size]
            if not piece:
                break
            out += piece
            self._pos += len(piece)
            size -= len(piece)
        return bytes(out)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._chunk = b""
        super().close()


class _Opener(Protocol):
    def open_exhibit(self, sha256: str) -> BinaryIO: ...


class ExhibitSource:
    """An importer ``Source`` (see :mod:`unshared.importers.base`) over bytes stored in the case.

    Importers parse the stored exhibit, never the file on disk, so every message provably comes
    from bytes that are in the case and covered by its hash.
    """

    def __init__(self, case: _Opener, exhibit: ExhibitInfo, name: str, origin: str = "") -> None:
        self._case = case
        self._exhibit = exhibit
        self.name = name
        #: Where the file came from (its path on disk), a hint for formats that look alike.
        self.origin = origin
        self._head: bytes | None = None

    def open(self) -> BinaryIO:
        return self._case.open_exhibit(self._exhibit.sha256)

    def head(self, size: int = 65536) -> bytes:
        if self._head is None or len(self._head) < size:
            with self.open() as fh:
                self._head = fh.read(max(size, 65536))
        return self._head[:size]

    @property
    def size(self) -> int:
        return self._exhibit.size


class ExhibitStore:
    """The ``exhibits``, ``exhibit_chunks`` and ``acquisitions`` tables."""

    def __init__(self, db: apsw.Connection, log: LogStore, path: str) -> None:
        self._db = db
        self._log = log
        self._path = path

    def add(
        self,
        stream: BinaryIO,
        *,
        name: str,
        source_path: str,
        progress: Callable[[int], Any] | None = None,
    ) -> ExhibitInfo:
        with self._db:
            next_id = scalar(self._db, "SELECT coalesce(max(id), 0) + 1 FROM exhibits")
            self._db.execute("SAVEPOINT chunks")
            digest = hashlib.sha256()
            size = 0
            seq = 0
            while True:
                block = stream.read(CHUNK_SIZE)
                if not block:
                    break
                # Fill whole chunks even when the stream returns short reads.
                while len(block) < CHUNK_SIZE:
                    more = stream.read(CHUNK_SIZE - len(block))
                    if not more:
                        break
                    block += more
                digest.update(block)
                self._db.execute(
                    "INSERT INTO exhibit_chunks (exhibit_id, seq, data) VALUES (?,?,?)",
                    (next_id, seq, block),
                )
                seq += 1
                size += len(block)
                if progress is not None:
                    progress(len(block))
            sha = digest.hexdigest()
            existing = self._db.execute("SELECT id FROM exhibits WHERE sha256=?", (sha,)).fetchone()
            if existing:
                self._db.execute("ROLLBACK TO chunks")
                exhibit_id, new = int(existing[0]), False
            else:
                self._db.execute(
                    "INSERT INTO exhibits (id, sha256, size, chunk_size, chunks) VALUES (?,?,?,?,?)",
                    (next_id, sha, size, CHUNK_SIZE, seq),
                )
                exhibit_id, new = next_id, True
            self._db.execute("RELEASE chunks")
            acquired = utcnow()
            event = self._log.append(
                ExhibitAdded(
                    sha256=sha,
                    size=size,
                    original_name=name,
                    source_path=source_path,
                    acquired_at=acquired,
                    tool_version=__version__,
                    duplicate=not new,
                )
            )
            self._db.execute(
                "INSERT INTO acquisitions (exhibit_id, original_name, source_path, size, "
                "acquired_at, tool_version, event_seq) VALUES (?,?,?,?,?,?,?)",
                (exhibit_id, name, source_path, size, acquired, __version__, event.seq),
            )
        info = self.get(sha)
        return ExhibitInfo(info.id, info.sha256, info.size, info.acquisitions, new, info.set_aside)

    def set_aside(self, sha256: str, reason: str) -> ExhibitInfo:
        info = self.get(sha256)
        if info.set_aside is not None:
            return info
        reason = reason.strip() or "added by mistake"
        with self._db:
            self._log.append(ExhibitSetAside(sha256=info.sha256, reason=reason))
        return self.get(info.sha256)

    def set_aside_reasons(self) -> dict[str, str]:
        return {p.sha256: p.reason for _, p in self._log.of(ExhibitSetAside)}

    def _acquisitions(self, exhibit_id: int) -> tuple[Acquisition, ...]:
        return tuple(
            Acquisition(*row)
            for row in self._db.execute(
                "SELECT original_name, source_path, size, acquired_at, tool_version, event_seq "
                "FROM acquisitions WHERE exhibit_id=? ORDER BY id",
                (exhibit_id,),
            )
        )

    def get(self, sha256: str) -> ExhibitInfo:
        """The exhibit whose SHA-256 starts with ``sha256`` (at least a few hex digits)."""
        sha256 = sha256.lower()
        if not sha256 or any(c not in "0123456789abcdef" for c in sha256):
            raise CaseFileError(f"{sha256!r} is not a SHA-256 (hex digits)", path=self._path)
        rows = self._db.execute(
            "SELECT id, sha256, size FROM exhibits WHERE sha256 >= ? AND sha256 < ? || 'g'",
            (sha256, sha256),
        ).fetchall()
        if not rows:
            raise CaseFileError(f"no exhibit with SHA-256 {sha256}", path=self._path)
        if len(rows) > 1:
            raise CaseFileError(f"{sha256} matches several exhibits; give more digits")
        exhibit_id, sha, size = int(str(rows[0][0])), str(rows[0][1]), int(str(rows[0][2]))
        aside = self.set_aside_reasons().get(sha)
        return ExhibitInfo(exhibit_id, sha, size, self._acquisitions(exhibit_id), set_aside=aside)

    def all(self, *, include_set_aside: bool = True) -> list[ExhibitInfo]:
        aside = self.set_aside_reasons()
        out = [
            ExhibitInfo(int(i), str(s), int(n), self._acquisitions(int(i)), set_aside=aside.get(s))
            for i, s, n in self._db.execute("SELECT id, sha256, size FROM exhibits ORDER BY id")
        ]
        return [e for e in out if include_set_aside or e.set_aside is None]

    def open(self, sha256: str) -> BinaryIO:
        info = self.get(sha256)
        return io.BufferedReader(_ExhibitReader(self._db, info.id, info.size), CHUNK_SIZE)

    def chunks(self, exhibit_id: int) -> Iterator[tuple[int, bytes]]:
        for seq, data in self._db.execute(
            "SELECT seq, data FROM exhibit_chunks WHERE exhibit_id=? ORDER BY seq", (exhibit_id,)
        ):
            yield int(seq), bytes(data)
