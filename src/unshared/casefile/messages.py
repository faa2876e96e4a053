"""Storage of what importers read from exhibits: messages and participants, import by import.

Every import is stored with its ``import_run`` event in one transaction; the event carries the
SHA-256 of the canonical JSON of every record, so :mod:`unshared.casefile.verify` can tell whether
a stored row was changed, and re-derive the rows from the exhibit to tell whether they are what the
exhibit holds.

Reading leaves out what should not count twice or at all: messages of exhibits set aside, and
messages that arrive again in a later import (the same chat in a zip and in its txt, or the same
file added twice) are de-duplicated, counting repeats, so a line really sent twice stays twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import apsw

from unshared.casefile.common import scalar
from unshared.casefile.events import ImportRun
from unshared.casefile.exhibits import ExhibitInfo
from unshared.casefile.logstore import LogStore
from unshared.model import Message, Participant, canonical_json

__all__ = ["ImportInfo", "MessageStore", "StoredMessage", "dedupe_key"]

_BATCH = 5000


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
    """The ``imports``, ``messages`` and ``participants`` tables."""

    def __init__(self, db: apsw.Connection, log: LogStore) -> None:
        self._db = db
        self._log = log

    def record_import(
        self,
        exhibit: ExhibitInfo,
        fmt: str,
        records: Iterable[Message | Participant],
        *,
        extra: dict[str, Any] | None = None,
    ) -> int:
        with self._db:
            import_id = scalar(self._db, "SELECT coalesce(max(id), 0) + 1 FROM imports")
            count = 0
            participants = 0
            msg_rows: list[tuple[Any, ...]] = []
            part_rows: list[tuple[Any, ...]] = []
            digest = hashlib.sha256()
            part_digest = hashlib.sha256()
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
                if len(msg_rows) >= _BATCH:
                    self._flush(msg_rows)
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
            self._flush(msg_rows)
            self._db.executemany(
                "INSERT INTO participants (import_id, platform, conversation, name, platform_id, body)"
                " VALUES (?,?,?,?,?,?)",
                part_rows,
            )
        return count

    def _flush(self, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(
            "INSERT INTO messages (import_id, exhibit_id, platform, conversation, sender, "
            "sender_id, sent_utc, kind, body) VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )
        rows.clear()

    def imports(self) -> list[ImportInfo]:
        return [
            ImportInfo(int(i), int(x), str(s), str(f), int(n), int(q))
            for i, x, s, f, n, q in self._db.execute(
                "SELECT i.id, i.exhibit_id, e.sha256, i.format, i.messages, i.event_seq "
                "FROM imports i JOIN exhibits e ON e.id = i.exhibit_id ORDER BY i.id"
            )
        ]

    # ------------------------------------------------------------------ raw rows (verify)
    def import_bodies(self, import_id: int) -> Iterator[tuple[int, str]]:
        """(message id, canonical JSON) of one import's messages, as stored, in id order."""
        for mid, body in self._db.execute(
            "SELECT id, body FROM messages WHERE import_id=? ORDER BY id", (import_id,)
        ):
            yield int(mid), str(body)

    def participant_bodies(self, import_id: int) -> Iterator[str]:
        for (body,) in self._db.execute(
            "SELECT body FROM participants WHERE import_id=? ORDER BY id", (import_id,)
        ):
            yield str(body)

    # ------------------------------------------------------------------ reading
    def messages(
        self, *, leave_out: Collection[int] = (), dedupe: bool = True
    ) -> Iterator[StoredMessage]:
        """Every message, import by import, oldest first, leaving out the imports of the exhibit
        ids in ``leave_out`` and (``dedupe``) messages already read from an earlier import.

        Within an import messages keep the export's own order (a message without a time stays
        where the export put it), except that an export written newest first (Skype, Snapchat)
        is read backwards: its first timed message is later than its last.
        """
        imports = [i for i in self.imports() if i.exhibit_id not in leave_out]
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
        bounds = self._db.execute(
            "SELECT min(id), max(id) FROM messages WHERE import_id=?", (info.id,)
        ).fetchone()
        if bounds is None or bounds[0] is None:
            return
        low, high = int(bounds[0]), int(bounds[1])
        direction = "DESC" if self._newest_first(low, high) else "ASC"
        for mid, body in self._db.execute(
            "SELECT id, body FROM messages "
            f"WHERE id BETWEEN ? AND ? AND import_id = ? ORDER BY id {direction}",
            (low, high, info.id),
        ):
            yield StoredMessage(int(mid), info.exhibit_sha256, Message.from_dict(json.loads(body)))

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

    def count(self) -> int:
        return scalar(self._db, "SELECT count(*) FROM messages")

    def participants(self, *, leave_out: Collection[int] = ()) -> list[Participant]:
        """Every participant once (the same person listed by two imports counts once)."""
        out: list[Participant] = []
        seen: set[str] = set()
        for exhibit_id, body in self._db.execute(
            "SELECT i.exhibit_id, p.body FROM participants p JOIN imports i ON i.id = p.import_id "
            "ORDER BY p.id"
        ):
            if exhibit_id in leave_out or body in seen:
                continue
            seen.add(body)
            out.append(Participant(**json.loads(body)))
        return out
