"""The case file's schema, as small numbered migrations recorded in ``schema_migrations``.

Evidence tables (exhibits, their chunks and acquisitions, the event log, imported messages and
participants) refuse UPDATE and DELETE with triggers: the only way to change the evidence is to
append. Derived tables (identifiers, signals) can be rebuilt by a new analysis run, which is itself
logged. The triggers are a guard against mistakes, not the proof: ``unshared verify`` recomputes
every stored row from the chained log and the exhibits (docs/casefile.md).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["MIGRATIONS", "APPEND_ONLY", "GUARDED", "append_only_sql"]

APPEND_ONLY = (
    "exhibits",
    "exhibit_chunks",
    "acquisitions",
    "events",
    "messages",
    "participants",
    "imports",
    "message_blocks",
)

#: Every table whose rows the triggers guard (verify checks the guards are still there).
GUARDED = (*APPEND_ONLY, "fingerprints")


def append_only_sql(table: str) -> str:
    return f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, 'evidence is append-only: {table} rows cannot be changed'); END;
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    BEGIN SELECT RAISE(ABORT, 'evidence is append-only: {table} rows cannot be deleted'); END;
    """


def _v1() -> str:
    return (
        """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE exhibits (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        chunk_size INTEGER NOT NULL,
        chunks INTEGER NOT NULL
    );
    CREATE TABLE exhibit_chunks (
        exhibit_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (exhibit_id, seq)
    );
    CREATE TABLE acquisitions (
        id INTEGER PRIMARY KEY,
        exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
        original_name TEXT NOT NULL,
        source_path TEXT NOT NULL,
        size INTEGER NOT NULL,
        acquired_at TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        event_seq INTEGER NOT NULL
    );
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
    );
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
        format TEXT NOT NULL,
        messages INTEGER NOT NULL,
        event_seq INTEGER NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
        exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
        platform TEXT NOT NULL,
        conversation TEXT NOT NULL,
        sender TEXT,
        sender_id TEXT,
        sent_utc TEXT,
        kind TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX messages_time ON messages (sent_utc, id);
    CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
        platform TEXT NOT NULL,
        conversation TEXT NOT NULL,
        name TEXT,
        platform_id TEXT,
        body TEXT NOT NULL
    );
    CREATE TABLE identifiers (
        id INTEGER PRIMARY KEY,
        message_id INTEGER REFERENCES messages(id),
        participant_id INTEGER REFERENCES participants(id),
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX identifiers_kind ON identifiers (kind, value);
    CREATE TABLE signals (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        stage TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE TABLE fingerprints (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        pdq TEXT,
        quality INTEGER NOT NULL,
        body TEXT NOT NULL,
        event_seq INTEGER NOT NULL
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """
        + "".join(append_only_sql(t) for t in APPEND_ONLY if t != "message_blocks")
        + append_only_sql("fingerprints")
    )


def _v2() -> str:
    """Messages stored compactly: blocks of up to 1,000 messages, each the zlib of their canonical
    JSON lines. Per-message columns, their time index and the identifier index go: nothing reads
    them, and every stored copy of a value is one more place to tamper with."""
    return """
    CREATE TABLE message_blocks (
        first_id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports(id) DEFERRABLE INITIALLY DEFERRED,
        count INTEGER NOT NULL,
        data BLOB NOT NULL
    );
    CREATE INDEX message_blocks_import ON message_blocks (import_id, first_id);
    DROP INDEX IF EXISTS messages_time;
    DROP INDEX IF EXISTS identifiers_kind;
    CREATE TABLE identifiers_v2 (id INTEGER PRIMARY KEY, message_id INTEGER, body TEXT NOT NULL);
    INSERT INTO identifiers_v2 SELECT id, message_id, body FROM identifiers;
    DROP TABLE identifiers;
    ALTER TABLE identifiers_v2 RENAME TO identifiers;
    CREATE TABLE signals_v2 (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL, body TEXT NOT NULL);
    INSERT INTO signals_v2 SELECT id, message_id, body FROM signals;
    DROP TABLE signals;
    ALTER TABLE signals_v2 RENAME TO signals;
    """ + append_only_sql("message_blocks")


MIGRATIONS: list[tuple[int, Callable[[], str]]] = [(1, _v1), (2, _v2)]
