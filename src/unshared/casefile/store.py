"""The case file: one SQLite file per case, encrypted at rest, append-only.

Open or create one with :meth:`Case.create` / :meth:`Case.open`. Everything that changes the case
also appends an event to the hash-chained log (:mod:`unshared.casefile.log`) inside the same
transaction, so the log and the data can never disagree, even after a crash.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import apsw

from unshared import __version__
from unshared.casefile import crypto
from unshared.casefile.log import GENESIS, Event, event_hash
from unshared.casefile.schema import MIGRATIONS
from unshared.errors import (
    CaseFileError,
    InputFileError,
    IntegrityError,
    NotACaseFile,
    WrongPassphrase,
)
from unshared.model import (
    Fingerprint,
    Identifier,
    Message,
    Participant,
    Signal,
    canonical_json,
)

__all__ = ["Case", "ExhibitInfo", "Acquisition", "StoredMessage", "CHUNK_SIZE", "utcnow"]

CHUNK_SIZE = 1 << 20
FORMAT_NAME = "unshared-case"
SQLITE_MAGIC = b"SQLite format 3\x00"


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


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
    new: bool = False

    @property
    def name(self) -> str:
        return self.acquisitions[0].original_name if self.acquisitions else self.sha256


@dataclass(frozen=True)
class StoredMessage:
    id: int
    exhibit_sha256: str
    message: Message


class _ExhibitReader(io.RawIOBase):
    """A read-only, streaming file object over an exhibit's chunks."""

    def __init__(self, case: Case, exhibit_id: int, size: int) -> None:
        self._case = case
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
            row = self._case._db.execute(
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


class Case:
    """An open case file. Use as a context manager; every write is one transaction."""

    def __init__(self, db: apsw.Connection, path: Path, encrypted: bool) -> None:
        self._db = db
        self.path = path
        self.encrypted = encrypted

    # ----------------------------------------------------------------- opening
    @classmethod
    def create(cls, path: Path | str, passphrase: str | None) -> Case:
        """A new, empty case. ``passphrase=None`` makes an unencrypted case (recorded in it)."""
        path = Path(path)
        if path.exists():
            raise CaseFileError(
                "a file with this name already exists; choose another", path=str(path)
            )
        if not path.parent.exists():
            raise InputFileError("the folder does not exist", path=str(path.parent))
        if passphrase is not None and not passphrase:
            raise CaseFileError("the passphrase is empty", path=str(path))
        tmp = path.with_name(path.name + ".creating")
        if tmp.exists():
            tmp.unlink()
        db = apsw.Connection(str(tmp))
        try:
            if passphrase is not None:
                salt = crypto.new_salt()
                key = crypto.derive_key(passphrase, salt)
                db.pragma("cipher", "chacha20")
                db.execute(f"PRAGMA key=\"x'{key.hex()}{salt.hex()}'\"")
            db.pragma("auto_vacuum", "FULL")  # no free pages: every page is checked by verify
            _configure(db)
            with db:
                _migrate(db)
                meta = {
                    "format": FORMAT_NAME,
                    "format_version": "1",
                    "created_at": utcnow(),
                    "created_by": f"unshared {__version__}",
                    "encryption": "chacha20-poly1305+scrypt" if passphrase is not None else "none",
                }
                db.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
                case = cls(db, path, passphrase is not None)
                case._append(
                    "case_created",
                    {"encryption": meta["encryption"], "tool_version": __version__},
                )
            db.close()
        except BaseException:
            db.close()
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, path)
        return cls.open(path, passphrase)

    @classmethod
    def open(cls, path: Path | str, passphrase: str | None, *, readonly: bool = False) -> Case:
        path = Path(path)
        spath = str(path)
        if not path.exists():
            raise InputFileError("no such case file", path=spath)
        if path.is_dir():
            raise NotACaseFile("this is a folder, not a case file", path=spath)
        try:
            with path.open("rb") as fh:
                header = fh.read(100)
        except OSError as exc:
            raise InputFileError(
                f"cannot read the case file ({exc.strerror})", path=spath
            ) from None
        if not header:
            raise NotACaseFile("the file is empty, not a case file", path=spath)
        encrypted = crypto.is_encrypted_header(header)
        if not encrypted and not header.startswith(SQLITE_MAGIC):
            raise NotACaseFile("not an unshared case file", path=spath)
        # Always read-write at the file level, so a hot journal left by a crash is rolled back;
        # ``readonly`` is enforced with query_only instead.
        try:
            db = apsw.Connection(spath, flags=apsw.SQLITE_OPEN_READWRITE)
        except apsw.Error as exc:
            raise NotACaseFile(f"cannot open the case file ({exc})", path=spath) from None
        try:
            if encrypted:
                if passphrase is None:
                    raise WrongPassphrase(
                        "this case is encrypted: a passphrase is needed", path=spath
                    )
                key = crypto.derive_key(passphrase, header[:16])
                db.pragma("cipher", "chacha20")
                db.execute(f"PRAGMA key=\"x'{key.hex()}'\"")
                try:
                    db.execute("SELECT count(*) FROM sqlite_master").fetchall()
                except apsw.NotADBError:
                    raise WrongPassphrase(
                        "wrong passphrase (or the file is damaged); nothing was changed", path=spath
                    ) from None
            try:
                fmt = db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
            except (apsw.SQLError, apsw.NotADBError):
                raise NotACaseFile("not an unshared case file", path=spath) from None
            if not fmt or fmt[0] != FORMAT_NAME:
                raise NotACaseFile("not an unshared case file", path=spath)
            _configure(db)
            if readonly:
                db.pragma("query_only", True)
        except apsw.CorruptError:
            db.close()
            raise NotACaseFile("the case file is corrupted or truncated", path=spath) from None
        except BaseException:
            db.close()
            raise
        return cls(db, path, encrypted)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit: everything inside lands, or nothing does."""
        with self._db:
            yield

    def meta(self) -> dict[str, str]:
        return {k: v for k, v in self._db.execute("SELECT key, value FROM meta")}

    # ----------------------------------------------------------------- log
    def _append(self, type_: str, payload: dict[str, Any]) -> Event:
        row = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
        at = utcnow()
        body = canonical_json(payload)
        digest = event_hash(prev, seq, at, type_, body)
        self._db.execute(
            "INSERT INTO events (seq, at, type, payload, prev_hash, hash) VALUES (?,?,?,?,?,?)",
            (seq, at, type_, body, prev, digest),
        )
        return Event(seq, at, type_, body, prev, digest)

    def log(self, type_: str, payload: dict[str, Any]) -> Event:
        """Append one event to the log in its own transaction (notes, actions, reports...)."""
        with self._db:
            event = self._append(type_, payload)
        return event

    def events(self) -> Iterator[Event]:
        for row in self._db.execute(
            "SELECT seq, at, type, payload, prev_hash, hash FROM events ORDER BY seq"
        ):
            yield Event(*row)

    def head(self) -> Event:
        row = self._db.execute(
            "SELECT seq, at, type, payload, prev_hash, hash FROM events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise IntegrityError("the log is empty", path=str(self.path))
        return Event(*row)

    # ----------------------------------------------------------------- exhibits
    def add_exhibit(
        self, stream: BinaryIO, *, name: str, source_path: str, progress: Any = None
    ) -> ExhibitInfo:
        """Store ``stream`` whole, chunked, addressed by SHA-256; log ``exhibit_added``.

        The bytes are hashed while they are written, so the stored hash is the hash of exactly the
        bytes stored. Adding the same bytes again adds only a new acquisition record.
        """
        with self._db:
            next_id = _scalar(self._db, "SELECT coalesce(max(id), 0) + 1 FROM exhibits")
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
                exhibit_id, new = existing[0], False
            else:
                self._db.execute(
                    "INSERT INTO exhibits (id, sha256, size, chunk_size, chunks) VALUES (?,?,?,?,?)",
                    (next_id, sha, size, CHUNK_SIZE, seq),
                )
                exhibit_id, new = next_id, True
            self._db.execute("RELEASE chunks")
            acquired = utcnow()
            event = self._append(
                "exhibit_added",
                {
                    "sha256": sha,
                    "size": size,
                    "original_name": name,
                    "source_path": source_path,
                    "acquired_at": acquired,
                    "tool_version": __version__,
                    "duplicate": not new,
                },
            )
            self._db.execute(
                "INSERT INTO acquisitions (exhibit_id, original_name, source_path, size, "
                "acquired_at, tool_version, event_seq) VALUES (?,?,?,?,?,?,?)",
                (exhibit_id, name, source_path, size, acquired, __version__, event.seq),
            )
        info = self.exhibit(sha)
        return ExhibitInfo(info.id, info.sha256, info.size, info.acquisitions, new=new)

    def _acquisitions(self, exhibit_id: int) -> tuple[Acquisition, ...]:
        return tuple(
            Acquisition(*row)
            for row in self._db.execute(
                "SELECT original_name, source_path, size, acquired_at, tool_version, event_seq "
                "FROM acquisitions WHERE exhibit_id=? ORDER BY id",
                (exhibit_id,),
            )
        )

    def exhibit(self, sha256: str) -> ExhibitInfo:
        sha256 = sha256.lower()
        rows = self._db.execute(
            "SELECT id, sha256, size FROM exhibits WHERE sha256 LIKE ? || '%'", (sha256,)
        ).fetchall()
        if not rows:
            raise CaseFileError(f"no exhibit with SHA-256 {sha256}", path=str(self.path))
        if len(rows) > 1:
            raise CaseFileError(f"{sha256} matches several exhibits; give more digits")
        exhibit_id, sha, size = (int(rows[0][0] or 0), str(rows[0][1]), int(rows[0][2] or 0))
        return ExhibitInfo(exhibit_id, sha, size, self._acquisitions(exhibit_id))

    def exhibits(self) -> list[ExhibitInfo]:
        return [
            ExhibitInfo(i, s, n, self._acquisitions(i))
            for i, s, n in self._db.execute("SELECT id, sha256, size FROM exhibits ORDER BY id")
        ]

    def open_exhibit(self, sha256: str) -> BinaryIO:
        info = self.exhibit(sha256)
        return io.BufferedReader(_ExhibitReader(self, info.id, info.size), CHUNK_SIZE)

    def iter_chunks(self, exhibit_id: int) -> Iterator[tuple[int, bytes]]:
        for seq, data in self._db.execute(
            "SELECT seq, data FROM exhibit_chunks WHERE exhibit_id=? ORDER BY seq", (exhibit_id,)
        ):
            yield seq, bytes(data)

    # ----------------------------------------------------------------- imports
    def record_import(
        self,
        exhibit: ExhibitInfo,
        fmt: str,
        records: Iterator[Message | Participant],
        *,
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Store every record of one import and its ``import_run`` event, atomically.

        Returns the number of messages. If the iterator raises, nothing of this import is kept.
        """
        with self._db:
            import_id = _scalar(self._db, "SELECT coalesce(max(id), 0) + 1 FROM imports")
            # The import row must exist first for the foreign keys; its counts are final below.
            count = 0
            participants = 0
            msg_rows: list[tuple[Any, ...]] = []
            part_rows: list[tuple[Any, ...]] = []
            digest = hashlib.sha256()
            for record in records:
                if isinstance(record, Message):
                    body = canonical_json(record.to_dict())
                    digest.update(body.encode())
                    sent_utc = (
                        record.sent_at.astimezone(UTC).isoformat() if record.sent_at else None
                    )
                    msg_rows.append(
                        (
                            import_id,
                            exhibit.id,
                            record.platform,
                            record.conversation,
                            record.sender,
                            record.sender_id,
                            sent_utc,
                            record.kind,
                            body,
                        )
                    )
                    count += 1
                else:
                    part_rows.append(
                        (
                            import_id,
                            record.platform,
                            record.conversation,
                            record.name,
                            record.platform_id,
                            canonical_json(record.to_dict()),
                        )
                    )
                    participants += 1
                if len(msg_rows) >= 5000:
                    self._flush_messages(msg_rows)
            payload = {
                "exhibit": exhibit.sha256,
                "format": fmt,
                "messages": count,
                "participants": participants,
                "messages_sha256": digest.hexdigest(),
            }
            payload.update(extra or {})
            event = self._append("import_run", payload)
            self._db.execute(
                "INSERT INTO imports (id, exhibit_id, format, messages, event_seq) VALUES (?,?,?,?,?)",
                (import_id, exhibit.id, fmt, count, event.seq),
            )
            self._flush_messages(msg_rows)
            self._db.executemany(
                "INSERT INTO participants (import_id, platform, conversation, name, platform_id, body)"
                " VALUES (?,?,?,?,?,?)",
                part_rows,
            )
        return count

    def _flush_messages(self, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(
            "INSERT INTO messages (import_id, exhibit_id, platform, conversation, sender, "
            "sender_id, sent_utc, kind, body) VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )
        rows.clear()

    def messages(self) -> Iterator[StoredMessage]:
        """Every message, import by import, oldest first.

        Within an import messages keep the export's own order (a message without a time stays
        where the export put it), except that an export written newest first (Skype, Snapchat)
        is read backwards: its first timed message is later than its last.
        """
        imports = list(
            self._db.execute(
                "SELECT import_id, min(id), max(id) FROM messages GROUP BY import_id "
                "ORDER BY import_id"
            )
        )
        for import_id, low, high in imports:
            direction = "DESC" if self._newest_first(low, high) else "ASC"
            for mid, sha, body in self._db.execute(
                "SELECT m.id, e.sha256, m.body FROM messages m "
                "JOIN exhibits e ON e.id = m.exhibit_id "
                f"WHERE m.id BETWEEN ? AND ? AND m.import_id = ? ORDER BY m.id {direction}",
                (low, high, import_id),
            ):
                yield StoredMessage(mid, sha, Message.from_dict(json.loads(body)))

    def _newest_first(self, low: int, high: int) -> bool:
        ends = [
            self._db.execute(
                "SELECT sent_utc FROM messages WHERE id BETWEEN ? AND ? AND sent_utc IS NOT NULL "
                f"ORDER BY id {order} LIMIT 1",
                (low, high),
            ).fetchone()
            for order in ("ASC", "DESC")
        ]
        if ends[0] is None or ends[1] is None:
            return False
        return bool(ends[0][0] > ends[1][0])

    def message_count(self) -> int:
        return _scalar(self._db, "SELECT count(*) FROM messages")

    def participants(self) -> list[Participant]:
        out = []
        for (body,) in self._db.execute("SELECT body FROM participants ORDER BY id"):
            data = json.loads(body)
            out.append(Participant(**data))
        return out

    # ----------------------------------------------------------------- derived data
    def replace_analysis(
        self,
        identifiers: list[tuple[int | None, Identifier]],
        signals: list[tuple[int, Signal]],
        payload: dict[str, Any],
    ) -> Event:
        """Replace the derived identifiers and signals with a new run's, and log ``analysis_run``."""
        with self._db:
            self._db.execute("DELETE FROM identifiers")
            self._db.execute("DELETE FROM signals")
            self._db.executemany(
                "INSERT INTO identifiers (message_id, kind, value, body) VALUES (?,?,?,?)",
                [
                    (mid, ident.kind, ident.value, canonical_json(_ident_dict(ident)))
                    for mid, ident in identifiers
                ],
            )
            self._db.executemany(
                "INSERT INTO signals (message_id, stage, body) VALUES (?,?,?)",
                [(mid, sig.stage, canonical_json(sig.to_dict())) for mid, sig in signals],
            )
            event = self._append("analysis_run", payload)
        return event

    def identifiers(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        for mid, body in self._db.execute("SELECT message_id, body FROM identifiers ORDER BY id"):
            yield mid, json.loads(body)

    def signals(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for mid, body in self._db.execute("SELECT message_id, body FROM signals ORDER BY id"):
            yield mid, json.loads(body)

    def add_fingerprints(self, prints: list[Fingerprint], payload: dict[str, Any]) -> Event:
        """Store fingerprints (never media) and log ``fingerprints_added``."""
        with self._db:
            event = self._append("fingerprints_added", payload)
            self._db.executemany(
                "INSERT INTO fingerprints (sha256, kind, pdq, quality, body, event_seq) "
                "VALUES (?,?,?,?,?,?)",
                [
                    (
                        fp.sha256,
                        fp.kind,
                        fp.pdq,
                        fp.quality,
                        canonical_json(fp.to_dict()),
                        event.seq,
                    )
                    for fp in prints
                ],
            )
        return event

    def fingerprints(self) -> list[dict[str, Any]]:
        return [
            json.loads(b) for (b,) in self._db.execute("SELECT body FROM fingerprints ORDER BY id")
        ]

    def setting(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read-only SQL for reports and tests."""
        return list(self._db.execute(sql, params))


def _ident_dict(ident: Identifier) -> dict[str, Any]:
    data = ident.to_dict()
    data.update(
        {"source": ident.source, "side": ident.side, "start": ident.start, "end": ident.end}
    )
    return data


def _scalar(db: apsw.Connection, sql: str) -> int:
    row = db.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _configure(db: apsw.Connection) -> None:
    db.pragma("foreign_keys", True)
    db.pragma("synchronous", "FULL")
    db.pragma("secure_delete", True)
    db.setbusytimeout(10000)


def _migrate(db: apsw.Connection) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)"
    )
    done = {v for (v,) in db.execute("SELECT version FROM schema_migrations")}
    for version, migration in MIGRATIONS:
        if version not in done:
            db.execute(migration())
            db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, utcnow()))
