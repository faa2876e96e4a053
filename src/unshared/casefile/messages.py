"""Storage of what importers read from exhibits: messages and participants, import by import.

Every import is stored with its ``import_run`` event in one transaction; the event carries the
SHA-256 of the canonical JSON of every record, so :mod:`unshared.casefile.verify` can tell whether
a stored row was changed, and re-derive the rows from the exhibit to tell whether they are what the
exhibit holds.

Messages are stored in blocks (``message_blocks``): up to :data:`BLOCK` messages, their canonical
JSON one per line, zlib-compressed. Message ids run on across blocks and imports. Cases made before
blocks keep their ``messages`` rows, read the same way.

Reading leaves out what should not count twice or at all: messages of exhibits set aside, and
messages that arrive again in a later import (the same chat in a zip and in its txt, or the same
file added twice) are de-duplicated, counting repeats, so a line really sent twice stays twice.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import apsw

from unshared.casefile.common import scalar
from unshared.casefile.events import ImportRun
from unshared.casefile.exhibits import ExhibitInfo
from unshared.casefile.logstore import LogStore
from unshared.errors import IntegrityError
from unshared.model import Message, Participant, canonical_json, message_json

__all__ = [
    "BLOCK",
    "ImportInfo",
    "MessageStore",
    "StoredMessage",
    "decode_block",
    "dedupe_key",
    "encode_block",
]

#: Messages per stored block.
BLOCK = 1000
_LEVEL = 6


def encode_block(lines: list[str]) -> bytes:
    return zlib.compress("\n".join(lines).encode("utf-8"), _LEVEL)


def decode_block(data: bytes) -> list[str]:
    return zlib.decompress(data).decode("utf-8").split("\n")


def _damaged(what: str) -> IntegrityError:
    return IntegrityError(f"the case file is damaged: {what} cannot be read; run unshared verify")


@dataclass(frozen=True)
class StoredMessage:
    id: int
    exhibit_sha256: str
    message: Message


@dataclass(frozen=True)
class ImportInfo:
    id: int
    exhibit_id: int
    exhibit_sha256: str
    format: str
    messages: int
    event_seq: int


def dedupe_key(message: Message) -> int:
    """What makes two messages "the same message" across exports: everything but where in which
    file it was found (locator) and the conversation's name (taken from the file name)."""
    return hash(
        (
            message.platform,
            message.sender,
            message.sender_id,
            message.sent_at.isoformat() if message.sent_at else None,
            message.kind,
            message.text,
            tuple(a.name or a.uri or a.kind for a in message.attachments),
        )
    )


class MessageStore:
    """The ``imports``, ``message_blocks`` (``messages`` in older cases) and ``participants``
    tables."""

    def __init__(self, db: apsw.Connection, log: LogStore) -> None:
        self._db = db
        self._log = log
        tables = {
            str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        self._blocks = "message_blocks" in tables

    def _next_id(self) -> int:
        legacy = scalar(self._db, "SELECT coalesce(max(id), 0) FROM messages")
        blocks = scalar(
            self._db,
            "SELECT coalesce(max(first_id + count - 1), 0) FROM message_blocks "
            "WHERE first_id = (SELECT max(first_id) FROM message_blocks)",
        )
        return max(legacy, blocks) + 1

    def record_import(
        self,
        exhibit: ExhibitInfo,
        fmt: str,
        records: Iterable[Message | Participant],
        *,
        extra: dict[str, Any] | None = None,
    ) -> int:
        if not self._blocks:
            raise IntegrityError("this case was opened read-only by an older layout; open it again")
        with self._db:
            import_id = scalar(self._db, "SELECT coalesce(max(id), 0) + 1 FROM imports")
            next_id = self._next_id()
            count = 0
            participants = 0
            lines: list[str] = []
            blocks: list[tuple[int, int, int, bytes]] = []
            part_rows: list[tuple[Any, ...]] = []
            digest = hashlib.sha256()
            part_digest = hashlib.sha256()
            for record in records:
                if isinstance(record, Message):
                    body = message_json(record)
                    lines.append(body)
                    count += 1
                    if len(lines) >= BLOCK:
                        blocks.append(self._block(next_id, import_id, lines, digest))
                        next_id += len(lines)
                        lines = []
                else:
                    body = canonical_json(record.to_dict())
                    part_digest.update(body.encode())
                    part_rows.append(
                        (
                            import_id,
                            record.platform,
                            record.conversation,
                            record.name,
                            record.platform_id,
                            body,
                        )
                    )
                    participants += 1
                if len(blocks) >= 20:
                    self._flush(blocks)
            if lines:
                blocks.append(self._block(next_id, import_id, lines, digest))
            fields: dict[str, Any] = {
                "exhibit": exhibit.sha256,
                "format": fmt,
                "messages": count,
                "participants": participants,
                "messages_sha256": digest.hexdigest(),
                "participants_sha256": part_digest.hexdigest(),
            }
            fields.update(extra or {})
            event = self._log.append(ImportRun.from_dict(fields, strict=True))
            self._db.execute(
                "INSERT INTO imports (id, exhibit_id, format, messages, event_seq) VALUES (?,?,?,?,?)",
                (import_id, exhibit.id, fmt, count, event.seq),
            )
            self._flush(blocks)
            self._db.executemany(
                "INSERT INTO participants (import_id, platform, conversation, name, platform_id, body)"
                " VALUES (?,?,?,?,?,?)",
                part_rows,
            )
        return count

    @staticmethod
    def _block(
        first_id: int, import_id: int, lines: list[str], digest: Any
    ) -> tuple[int, int, int, bytes]:
        joined = "\n".join(lines).encode("utf-8")
        digest.update(joined.replace(b"\n", b""))
        return (first_id, import_id, len(lines), zlib.compress(joined, _LEVEL))

    def _flush(self, blocks: list[tuple[int, int, int, bytes]]) -> None:
        self._db.executemany(
            "INSERT INTO message_blocks (first_id, import_id, count, data) VALUES (?,?,?,?)",
            blocks,
        )
        blocks.clear()

    def imports(self, *, until: int | None = None) -> list[ImportInfo]:
        limit = until if until is not None else 1 << 62
        return [
            ImportInfo(int(i), int(x), str(s), str(f), int(n), int(q))
            for i, x, s, f, n, q in self._db.execute(
                "SELECT i.id, i.exhibit_id, e.sha256, i.format, i.messages, i.event_seq "
                "FROM imports i JOIN exhibits e ON e.id = i.exhibit_id WHERE i.event_seq <= ? "
                "ORDER BY i.id",
                (limit,),
            )
        ]

    # ------------------------------------------------------------------ raw rows (verify)
    def import_lines(self, import_id: int) -> Iterator[tuple[int, int, list[str]]]:
        """(first message id, declared count, canonical JSON lines) of each stored block of one
        import, in id order. Older cases give one block per message row."""
        if self._blocks:
            for first, count, data in self._db.execute(
                "SELECT first_id, count, data FROM message_blocks WHERE import_id=? "
                "ORDER BY first_id",
                (import_id,),
            ):
                yield int(first), int(count), decode_block(bytes(data))
        for mid, body in self._db.execute(
            "SELECT id, body FROM messages WHERE import_id=? ORDER BY id", (import_id,)
        ):
            yield int(mid), 1, [str(body)]

    def block_imports(self) -> set[int]:
        """Import ids that stored rows point to (an orphan row is a sign of tampering)."""
        found = {int(r[0]) for r in self._db.execute("SELECT DISTINCT import_id FROM messages")}
        if self._blocks:
            found |= {
                int(r[0]) for r in self._db.execute("SELECT DISTINCT import_id FROM message_blocks")
            }
        return found

    def participant_bodies(self, import_id: int) -> Iterator[str]:
        for (body,) in self._db.execute(
            "SELECT body FROM participants WHERE import_id=? ORDER BY id", (import_id,)
        ):
            yield str(body)

    def participant_imports(self) -> set[int]:
        return {int(r[0]) for r in self._db.execute("SELECT DISTINCT import_id FROM participants")}

    # ------------------------------------------------------------------ reading
    def messages(
        self,
        *,
        leave_out: Collection[int] = (),
        dedupe: bool = True,
        until: int | None = None,
    ) -> Iterator[StoredMessage]:
        """Every message, import by import, oldest first, leaving out the imports of the exhibit
        ids in ``leave_out``, imports logged after event ``until``, and (``dedupe``) messages
        already read from an earlier import.

        Within an import messages keep the export's own order (a message without a time stays
        where the export put it), except that an export written newest first (Skype, Snapchat)
        is read backwards: its first timed message is later than its last.
        """
        imports = [i for i in self.imports(until=until) if i.exhibit_id not in leave_out]
        seen: Counter[int] = Counter()
        dedupe = dedupe and len(imports) > 1
        for info in imports:
            here: Counter[int] = Counter()
            for stored in self._import_messages(info):
                if dedupe:
                    key = dedupe_key(stored.message)
                    here[key] += 1
                    if here[key] <= seen[key]:
                        continue
                yield stored
            if dedupe:
                seen |= here

    def _import_messages(self, info: ImportInfo) -> Iterator[StoredMessage]:
        """One import's messages, one block in memory at a time."""
        load: Callable[[int], list[Message]] = self._load_block
        firsts: list[int] = []
        if self._blocks:
            firsts = [
                int(r[0])
                for r in self._db.execute(
                    "SELECT first_id FROM message_blocks WHERE import_id=? ORDER BY first_id",
                    (info.id,),
                )
            ]
        if not firsts:  # an import stored before blocks
            load = self._load_row
            firsts = [
                int(r[0])
                for r in self._db.execute(
                    "SELECT id FROM messages WHERE import_id=? ORDER BY id", (info.id,)
                )
            ]
        try:
            backwards = _newest_first(firsts, load)
            for first in reversed(firsts) if backwards else firsts:
                messages = load(first)
                order = range(len(messages) - 1, -1, -1) if backwards else range(len(messages))
                for offset in order:
                    yield StoredMessage(first + offset, info.exhibit_sha256, messages[offset])
        except (ValueError, KeyError, TypeError, zlib.error) as exc:
            raise _damaged(f"the messages of import {info.id} ({exc})") from None

    def _load_block(self, first_id: int) -> list[Message]:
        row = self._db.execute(
            "SELECT data FROM message_blocks WHERE first_id=?", (first_id,)
        ).fetchone()
        lines = decode_block(bytes(row[0])) if row else []
        return [Message.from_dict(d) for d in json.loads("[" + ",".join(lines) + "]")]

    def _load_row(self, message_id: int) -> list[Message]:
        row = self._db.execute("SELECT body FROM messages WHERE id=?", (message_id,)).fetchone()
        return [Message.from_dict(json.loads(row[0]))] if row else []

    def count(self) -> int:
        total = scalar(self._db, "SELECT count(*) FROM messages")
        if self._blocks:
            total += scalar(self._db, "SELECT coalesce(sum(count), 0) FROM message_blocks")
        return total

    def participants(
        self, *, leave_out: Collection[int] = (), until: int | None = None
    ) -> list[Participant]:
        """Every participant once (the same person listed by two imports counts once)."""
        wanted = {i.id for i in self.imports(until=until) if i.exhibit_id not in leave_out}
        out: list[Participant] = []
        seen: set[str] = set()
        for import_id, body in self._db.execute(
            "SELECT import_id, body FROM participants ORDER BY id"
        ):
            if import_id not in wanted or body in seen:
                continue
            seen.add(body)
            try:
                out.append(Participant(**json.loads(body)))
            except (ValueError, TypeError) as exc:
                raise _damaged(f"a participant of import {import_id} ({exc})") from None
        return out


def _first_time(messages: Iterable[Message]) -> datetime | None:
    for message in messages:
        if message.sent_at is not None:
            return message.sent_at
    return None


def _newest_first(firsts: list[int], load: Callable[[int], list[Message]]) -> bool:
    """Whether the import's first timed message is later than its last one."""
    first = last = None
    for number in firsts:
        if (first := _first_time(load(number))) is not None:
            break
    for number in reversed(firsts):
        if (last := _first_time(reversed(load(number)))) is not None:
            break
    try:
        return first is not None and last is not None and first > last
    except TypeError:  # a time without an offset beside one with: keep the export's order
        return False
