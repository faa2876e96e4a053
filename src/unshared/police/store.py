"""The force database: cases, what their offenders used and sent, and an append-only audit.

Tables are append-only (triggers refuse UPDATE and DELETE on both engines). A newer bundle of a
case already imported is a new ``bundles`` row beside the old one; links use each case's newest.
Every import and every read is an ``audit`` row whose hash chains it to the one before.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from unshared.police.db import FORMAT, ForceDB, PoliceError, connect
from unshared.police.model import CaseDigest, normalise_text
from unshared.police.reads import ForceReads

__all__ = ["ForceStore", "ImportOutcome", "AuditRow", "open_force", "init_force", "actor"]

_TABLES = ("cases", "bundles", "entities", "sightings", "messages", "images", "payments", "audit")


def _schema(pk: str) -> list[str]:
    return [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"CREATE TABLE cases (id {pk}, case_key TEXT NOT NULL UNIQUE, first_import TEXT NOT NULL)",
        f"CREATE TABLE bundles (id {pk}, case_id BIGINT NOT NULL REFERENCES cases, "
        "bundle_sha256 TEXT NOT NULL UNIQUE, seal TEXT NOT NULL, "
        "log_head TEXT NOT NULL, platforms TEXT NOT NULL, messages_total BIGINT NOT NULL, "
        "first_at TEXT, last_at TEXT, imported_at TEXT NOT NULL, imported_by TEXT NOT NULL)",
        "CREATE INDEX bundles_case ON bundles (case_id)",
        f"CREATE TABLE entities (id {pk}, kind TEXT NOT NULL, value TEXT NOT NULL, "
        "UNIQUE (kind, value))",
        "CREATE TABLE sightings (bundle_id BIGINT NOT NULL REFERENCES bundles, "
        "entity_id BIGINT NOT NULL REFERENCES entities, message_no BIGINT, exhibit TEXT NOT NULL, "
        "locator TEXT NOT NULL, sent_at TEXT)",
        "CREATE INDEX sightings_entity ON sightings (entity_id)",
        "CREATE INDEX sightings_bundle ON sightings (bundle_id)",
        "CREATE TABLE messages (bundle_id BIGINT NOT NULL REFERENCES bundles, "
        "number BIGINT NOT NULL, sender TEXT, text TEXT NOT NULL, norm_sha256 TEXT NOT NULL, "
        "stages TEXT NOT NULL, exhibit TEXT NOT NULL, locator TEXT NOT NULL, sent_at TEXT)",
        "CREATE INDEX messages_bundle ON messages (bundle_id, number)",
        "CREATE TABLE images (bundle_id BIGINT NOT NULL REFERENCES bundles, pdq TEXT NOT NULL, "
        "quality INTEGER NOT NULL, sha256 TEXT NOT NULL, message_no BIGINT, exhibit TEXT NOT NULL, "
        "locator TEXT NOT NULL, sent_at TEXT)",
        "CREATE INDEX images_bundle ON images (bundle_id)",
        "CREATE TABLE payments (bundle_id BIGINT NOT NULL REFERENCES bundles, "
        "message_no BIGINT, pattern TEXT NOT NULL, method TEXT, amount TEXT, currency TEXT, "
        "deadline TEXT, exhibit TEXT NOT NULL, locator TEXT NOT NULL, sent_at TEXT)",
        "CREATE INDEX payments_bundle ON payments (bundle_id)",
        f"CREATE TABLE audit (id {pk}, at TEXT NOT NULL, actor TEXT NOT NULL, "
        "action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, "
        "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
    ]


def _append_only(db: ForceDB) -> list[str]:
    if db.dialect == "postgresql":
        out = [
            "CREATE FUNCTION force_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'the force database is append-only'; END $$"
        ]
        for table in _TABLES:
            out.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION force_append_only()"
            )
        return out
    out = []
    for table in _TABLES:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
                "SELECT RAISE(ABORT, 'the force database is append-only'); END"
            )
    return out


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def actor() -> str:
    """Who is acting: ``UNSHARED_OFFICER`` if set, else the login name."""
    return os.environ.get("UNSHARED_OFFICER") or getpass.getuser()


GENESIS = "0" * 64


def audit_hash(prev: str, at: str, who: str, action: str, target: str, detail: str) -> str:
    body = json.dumps([prev, at, who, action, target, detail], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class ImportOutcome:
    case_key: str
    bundle_sha256: str
    status: str  # "imported", "already imported", "newer bundle of a known case"
    identifiers: int = 0
    messages: int = 0
    images: int = 0


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str


def init_force(url: str, passphrase: str | None) -> ForceStore:
    db = connect(url, passphrase, create=True)
    if db.dialect == "postgresql" and db.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_name='meta' "
        "AND table_schema = current_schema()"
    ):
        db.close()
        raise PoliceError("this database already holds a force database; nothing was changed")
    with db.transaction():
        for sql in _schema(db.pk) + _append_only(db):
            db.execute(sql)
        db.execute("INSERT INTO meta VALUES (?, ?)", ("format", FORMAT))
        db.execute("INSERT INTO meta VALUES (?, ?)", ("created_at", utcnow()))
    store = ForceStore(db)
    store.audit("init", db.where, "force database created")
    return store


def open_force(url: str, passphrase: str | None) -> ForceStore:
    db = connect(url, passphrase)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'format'")
    except Exception:
        db.close()
        raise PoliceError("not a force database (make one with: unshared police init)") from None
    if not row or row[0][0] != FORMAT:
        db.close()
        raise PoliceError("not a force database")
    return ForceStore(db)


class ForceStore(ForceReads):
    def __init__(self, db: ForceDB) -> None:
        self.db = db

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ audit
    def audit(self, action: str, target: str, detail: str = "") -> None:
        """Append one audit row, chained to the one before."""
        with self.db.transaction():
            self._audit(action, target, detail)

    def _audit(self, action: str, target: str, detail: str) -> None:
        last = self.db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")
        prev = last[0][0] if last else GENESIS
        at, who = utcnow(), actor()
        self.db.execute(
            "INSERT INTO audit (at, actor, action, target, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                at,
                who,
                action,
                target,
                detail,
                prev,
                audit_hash(prev, at, who, action, target, detail),
            ),
        )

    def audit_rows(self) -> list[AuditRow]:
        return [
            AuditRow(int(r[0]), r[1], r[2], r[3], r[4], r[5])
            for r in self.db.execute(
                "SELECT id, at, actor, action, target, detail FROM audit ORDER BY id"
            )
        ]

    def check_audit(self) -> list[str]:
        """Problems in the audit chain (empty when every row chains to the one before)."""
        problems: list[str] = []
        prev = GENESIS
        for r in self.db.execute(
            "SELECT id, at, actor, action, target, detail, prev_hash, hash FROM audit ORDER BY id"
        ):
            if r[6] != prev or r[7] != audit_hash(r[6], r[1], r[2], r[3], r[4], r[5]):
                problems.append(f"audit row {r[0]} does not chain to the row before")
            prev = r[7]
        return problems

    # ------------------------------------------------------------------ import
    def import_digest(self, d: CaseDigest) -> ImportOutcome:
        """Store one case's offender side (idempotent on the bundle's SHA-256)."""
        if self.db.execute("SELECT 1 FROM bundles WHERE bundle_sha256 = ?", (d.bundle_sha256,)):
            self.audit("import", d.bundle_sha256, "already imported")
            return ImportOutcome(d.case_key, d.bundle_sha256, "already imported")
        now, who = utcnow(), actor()
        with self.db.transaction():
            known = self.db.execute("SELECT id FROM cases WHERE case_key = ?", (d.case_key,))
            if known:
                case_id = int(known[0][0])
                status = "newer bundle of a known case"
            else:
                case_id = self._insert_id(
                    "INSERT INTO cases (case_key, first_import) VALUES (?, ?)", (d.case_key, now)
                )
                status = "imported"
            bundle_id = self._insert_id(
                "INSERT INTO bundles (case_id, bundle_sha256, seal, log_head, "
                "platforms, messages_total, first_at, last_at, imported_at, imported_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    case_id,
                    d.bundle_sha256,
                    d.seal,
                    d.log_head,
                    ",".join(d.platforms),
                    d.messages_total,
                    d.first_at,
                    d.last_at,
                    now,
                    who,
                ),
            )
            sightings = []
            for ident in d.identifiers:
                entity = self._entity(ident.kind, ident.value)
                for ev in ident.evidence:
                    sightings.append(
                        (bundle_id, entity, ev.message, ev.exhibit, ev.locator, ev.sent_at)
                    )
            self.db.executemany("INSERT INTO sightings VALUES (?, ?, ?, ?, ?, ?)", sightings)
            self.db.executemany(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        bundle_id,
                        m.number,
                        m.sender,
                        m.text,
                        hashlib.sha256(normalise_text(m.text).encode()).hexdigest(),
                        ",".join(m.stages),
                        m.evidence.exhibit,
                        m.evidence.locator,
                        m.evidence.sent_at,
                    )
                    for m in d.messages
                ],
            )
            self.db.executemany(
                "INSERT INTO images VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        bundle_id,
                        i.pdq,
                        i.quality,
                        i.sha256,
                        i.evidence.message,
                        i.evidence.exhibit,
                        i.evidence.locator,
                        i.evidence.sent_at,
                    )
                    for i in d.images
                ],
            )
            self.db.executemany(
                "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        bundle_id,
                        p.evidence.message,
                        p.pattern(),
                        p.method,
                        p.amount,
                        p.currency,
                        p.deadline,
                        p.evidence.exhibit,
                        p.evidence.locator,
                        p.evidence.sent_at,
                    )
                    for p in d.payments
                    if p.pattern()
                ],
            )
            self._audit(
                "import",
                d.bundle_sha256,
                f"{status}: case {d.case_key[:12]}, seal {d.seal[:12]}; "
                f"{len(d.identifiers)} identifiers, "
                f"{len(d.messages)} messages, {len(d.images)} images",
            )
        return ImportOutcome(
            d.case_key, d.bundle_sha256, status, len(d.identifiers), len(d.messages), len(d.images)
        )

    def _insert_id(self, sql: str, params: tuple[Any, ...]) -> int:
        if self.db.dialect == "postgresql":
            return int(self.db.execute(sql + " RETURNING id", params)[0][0])
        self.db.execute(sql, params)
        return int(self.db.conn.last_insert_rowid())

    def _entity(self, kind: str, value: str) -> int:
        row = self.db.execute("SELECT id FROM entities WHERE kind = ? AND value = ?", (kind, value))
        if row:
            return int(row[0][0])
        return self._insert_id("INSERT INTO entities (kind, value) VALUES (?, ?)", (kind, value))
