"""iMessage and SMS on Apple devices, read from the Messages database itself.

Two ways in: ``chat.db`` copied from a Mac (``~/Library/Messages/chat.db``), or an iPhone backup
made unencrypted by Finder or iTunes (the backup folder, or a zip of it), where the same database
is ``3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28`` and ``Manifest.db`` maps each file of the phone
(``Library/SMS/Attachments/...``) to its place in the backup.

The database is loaded into memory from the exhibit (``sqlite3`` ``deserialize``, read only by
this code; nothing is written to disk) and read with the tables Apple uses: ``message`` (text, or
``attributedBody`` when text is empty; ``is_from_me``; ``date`` in seconds or nanoseconds since
2001-01-01 UTC; ``date_edited``, ``date_retracted``; ``associated_message_type`` 2000-2005 for a
tapback and 3000-3005 for one taken back), ``handle`` (the phone number or e-mail address),
``chat`` and ``chat_message_join`` (the conversation), and ``attachment`` with
``message_attachment_join``. In a backup, an attachment present in the backup is linked by
SHA-256 and size; elsewhere its path is kept.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import ClassVar

from unshared.errors import LimitExceeded, ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.readers.archive import Archive, is_zip, open_archive, zip_names
from unshared.importers.readers.records import Roster, hash_member
from unshared.model import Attachment, Locator, Message, Record

PLATFORM = "imessage"
SMS_DB = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
MAX_DB = 4 << 30
"""Largest Messages database read into memory (bytes)."""
_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_TAPBACKS = {
    0: "loved",
    1: "liked",
    2: "disliked",
    3: "laughed at",
    4: "emphasised",
    5: "questioned",
}
_TARGET = re.compile(r"^(?:p:\d+/|bp:)?(?P<guid>.+)$")
_QUERY = """
SELECT m.ROWID, m.guid, m.text, m.attributedBody, m.is_from_me, m.date,
       {date_edited}, {date_retracted}, {assoc_type}, {assoc_guid}, {service},
       h.id, c.ROWID, c.display_name, c.chat_identifier
FROM message m
LEFT JOIN handle h ON h.ROWID = m.handle_id
LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID
LEFT JOIN chat c ON c.ROWID = cmj.chat_id
ORDER BY c.ROWID, m.date, m.ROWID
"""


def _is_sqlite(head: bytes) -> bool:
    return head.startswith(b"SQLite format 3\x00")


@register
class IMessageDatabaseImporter:
    name: ClassVar[str] = "imessage-db"
    platform: ClassVar[str] = PLATFORM
    priority: ClassVar[int] = 129

    def sniff(self, source: Source) -> None:
        if is_zip(source):
            names = zip_names(source)
            if _backup_db(names) is None and _chat_db(names) is None:
                raise WrongFormat(
                    "no Messages database (chat.db or an iPhone backup) in this zip",
                    path=source.name,
                )
            return
        head = source.head(1 << 20)
        if not _is_sqlite(head):
            raise WrongFormat("not an SQLite database", path=source.name)
        # The schema sits at the start of the file: Apple's tables are named there.
        if not (re.search(rb'CREATE TABLE "?message"? ?\(', head) and b"handle" in head):
            raise WrongFormat(
                "an SQLite database, but not Apple's Messages database", path=source.name
            )

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        try:
            yield from self._parse(source, options)
        except (sqlite3.DatabaseError, MemoryError, ValueError, TypeError, OverflowError) as exc:
            # SQLite finds damage page by page, as a query reaches it; malformed values likewise.
            raise ParseError(
                f"damaged database ({exc or type(exc).__name__})", path=source.name
            ) from None

    def _parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        if not is_zip(source):
            with _database(_read_all(source), source.name) as db:
                yield from _records(db, source.name, options, None, None)
            return
        with open_archive(source, options) as archive:
            names = archive.names()
            member = _backup_db(names) or _chat_db(names)
            if member is None:
                raise ParseError("no Messages database in this zip", path=source.name)
            data = _read_member(archive, member, source.name)
            files = _manifest(archive, names, member, source.name)
            with _database(data, f"{source.name}!{member}") as db:
                yield from _records(db, source.name, options, archive, files)


def _backup_db(names: list[str]) -> str | None:
    found = [n for n in names if PurePosixPath(n).name == SMS_DB]
    return min(found, key=len) if found else None


def _chat_db(names: list[str]) -> str | None:
    found = [n for n in names if PurePosixPath(n).name == "chat.db"]
    return min(found, key=len) if found else None


def _read_all(source: Source) -> bytes:
    if source.size > MAX_DB:
        raise LimitExceeded(f"a Messages database over {MAX_DB >> 30} GiB", path=source.name)
    with source.open() as fh:
        return fh.read()


def _read_member(archive: Archive, member: str, name: str) -> bytes:
    if archive.size(member) > MAX_DB:
        raise LimitExceeded(f"a Messages database over {MAX_DB >> 30} GiB", path=name, where=member)
    with archive.open(member) as fh:
        return fh.read()


class _database:
    """The database bytes as an in-memory SQLite database; a damaged one is a ParseError."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self.db = sqlite3.connect(":memory:")
        try:
            self.db.deserialize(data)
            self.db.execute("PRAGMA query_only = ON")
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except (sqlite3.DatabaseError, MemoryError, OverflowError) as exc:
            # A cut or mangled file: SQLite refuses it (MemoryError for a file it cannot size).
            self.db.close()
            raise ParseError(f"damaged database ({exc or type(exc).__name__})", path=name) from None

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _tables(db: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {str(r[1]) for r in db.execute(f"PRAGMA table_info({table})")}


def _manifest(archive: Archive, names: list[str], db_member: str, name: str) -> dict[str, str]:
    """Phone path (``Library/SMS/Attachments/...``) -> backup member, from ``Manifest.db``."""
    root = db_member.rsplit("/", 2)[0] + "/" if db_member.count("/") >= 2 else ""
    manifest = next((n for n in names if n == root + "Manifest.db"), None)
    if manifest is None:
        return {}
    present = set(names)
    out: dict[str, str] = {}
    with _database(_read_member(archive, manifest, name), f"{name}!{manifest}") as db:
        if "Files" not in _tables(db):
            return {}
        for file_id, path in db.execute(
            "SELECT fileID, relativePath FROM Files WHERE relativePath LIKE 'Library/SMS/%'"
        ):
            member = f"{root}{str(file_id)[:2]}/{file_id}"
            if member in present:
                out[str(path)] = member
    return out


def _records(
    db: sqlite3.Connection,
    name: str,
    options: ImportOptions,
    archive: Archive | None,
    files: dict[str, str] | None,
) -> Iterator[Record]:
    tables = _tables(db)
    if not {"message", "handle"} <= tables:
        raise ParseError("not Apple's Messages database (no message table)", path=name)
    have = _columns(db, "message")

    def col(column: str) -> str:
        return f"m.{column}" if column in have else "NULL"

    query = _QUERY.format(
        date_edited=col("date_edited"),
        date_retracted=col("date_retracted"),
        assoc_type=col("associated_message_type"),
        assoc_guid=col("associated_message_guid"),
        service=col("service"),
    )
    if "chat_message_join" not in tables or "chat" not in tables:
        query = query.replace("LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID\n", "")
        query = query.replace("LEFT JOIN chat c ON c.ROWID = cmj.chat_id\n", "")
        query = query.replace("c.ROWID, c.display_name, c.chat_identifier", "NULL, NULL, NULL")
        query = query.replace("ORDER BY c.ROWID,", "ORDER BY")
    attachments = _attachments(db, tables)
    texts: dict[str, str] = {}
    roster = Roster(PLATFORM, options)
    hashes: dict[str, tuple[str, int]] = {}
    found = False
    for row in db.execute(query):
        found = True
        yield from _record(row, roster, texts, attachments, archive, files or {}, hashes)
    if not found:
        raise ParseError("the Messages database holds no messages", path=name)


def _attachments(db: sqlite3.Connection, tables: set[str]) -> dict[int, list[tuple[str, str, str]]]:
    if not {"attachment", "message_attachment_join"} <= tables:
        return {}
    out: dict[int, list[tuple[str, str, str]]] = {}
    for message_id, filename, mime, transfer in db.execute(
        "SELECT j.message_id, a.filename, a.mime_type, a.transfer_name FROM message_attachment_join j "
        "JOIN attachment a ON a.ROWID = j.attachment_id ORDER BY j.message_id, a.ROWID"
    ):
        out.setdefault(int(message_id), []).append(
            (str(filename or ""), str(mime or ""), str(transfer or ""))
        )
    return out


def _record(
    row: tuple[object, ...],
    roster: Roster,
    texts: dict[str, str],
    attachments: dict[int, list[tuple[str, str, str]]],
    archive: Archive | None,
    files: dict[str, str],
    hashes: dict[str, tuple[str, int]],
) -> Iterator[Record]:
    (rowid, guid, text, body, from_me, date, edited, retracted, assoc_type, assoc_guid,
     service, handle, _chat_id, display, identifier) = row  # fmt: skip
    conversation = str(display or identifier or handle or "Messages")
    sender = "Me" if from_me else (str(handle) if handle else None)
    sender_id = None if from_me else (str(handle) if handle else None)
    if sender is not None:
        yield from roster.add(conversation, sender, sender_id, side="victim" if from_me else None)
    words = text if isinstance(text, str) and text else _typedstream_text(body)
    words = (words or "").replace("\ufffc", "").strip()
    flags: set[str] = set()
    kind = "message"
    reply_to = None
    kind_code = int(assoc_type) if isinstance(assoc_type, int) else 0
    if 2000 <= kind_code <= 2005 or 3000 <= kind_code <= 3005:
        target = _TARGET.match(str(assoc_guid or ""))
        reply_to = target.group("guid") if target else None
        verb = _TAPBACKS.get(kind_code % 1000, "reacted to")
        quoted = texts.get(reply_to or "", "a message")
        words = f"{'took back: ' if kind_code >= 3000 else ''}{verb} “{quoted[:80]}”"
        kind = "system"
        flags.add("reaction")
    if isinstance(edited, int) and edited > 0:
        flags.add("edited")
    if isinstance(retracted, int) and retracted > 0:
        flags.add("unsent")
    if isinstance(service, str) and service and service != "iMessage":
        flags.add(service.lower())  # "sms", "rcs"
    found = [
        _attachment(path, mime, transfer, archive, files, hashes)
        for path, mime, transfer in attachments.get(int(str(rowid)), [])
    ]
    if not words and found:
        words = f"[{found[0].kind}]"
    if isinstance(guid, str) and kind == "message":
        texts[guid] = words
    yield Message(
        platform=PLATFORM,
        conversation=conversation,
        sender=sender,
        sender_id=sender_id,
        text=words,
        locator=Locator(pointer=f"/message/{rowid}"),
        sent_at=_time(date),
        kind=kind,  # type: ignore[arg-type]
        attachments=tuple(found),
        message_id=str(guid) if guid else None,
        reply_to=reply_to,
        flags=frozenset(flags),
    )


def _attachment(
    path: str,
    mime: str,
    transfer: str,
    archive: Archive | None,
    files: dict[str, str],
    hashes: dict[str, tuple[str, int]],
) -> Attachment:
    kind = (
        "photo"
        if mime.startswith("image/")
        else "video"
        if mime.startswith("video/")
        else ("audio" if mime.startswith("audio/") else "file")
    )
    name = transfer or PurePosixPath(path).name or None
    phone_path = re.sub(r"^~/", "", path)
    member = files.get(phone_path)
    if archive is not None and member is not None:
        if member not in hashes:
            hashes[member] = hash_member(archive, member)
        sha, size = hashes[member]
        return Attachment(
            kind, name=name, uri=path, mime=mime or None, size=size, member_sha256=sha
        )
    return Attachment(kind, name=name, uri=path or None, mime=mime or None)


def _time(value: object) -> datetime | None:
    if not isinstance(value, int) or value <= 0:
        return None
    # Since macOS 10.13 / iOS 11 nanoseconds, before that seconds, both from 2001-01-01 UTC.
    micros = value // 1000 if value > 10**11 else value * 1_000_000
    try:
        return _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        return None


def _typedstream_text(blob: object) -> str | None:
    """The plain text of an ``attributedBody`` (an NSAttributedString in Apple's typedstream):
    the bytes after the first ``NSString`` class name, with their length prefix. Bounded: a
    length past the blob's end gives None."""
    if not isinstance(blob, bytes):
        return None
    at = blob.find(b"NSString")
    if at < 0:
        return None
    i = at + len(b"NSString") + 5  # class version and the "+" that starts the string
    if i >= len(blob):
        return None
    size = blob[i]
    i += 1
    if size == 0x81:
        size, i = int.from_bytes(blob[i : i + 2], "little"), i + 2
    elif size == 0x82:
        size, i = int.from_bytes(blob[i : i + 4], "little"), i + 4
    if i + size > len(blob):
        return None
    return blob[i : i + size].decode("utf-8", "replace")
