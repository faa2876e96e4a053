"""The case file: one SQLite file per case, encrypted at rest, append-only.

Open or create one with :meth:`Case.create` / :meth:`Case.open`. Everything that changes the case
also appends an event to the hash-chained log (:mod:`unshared.casefile.log`) inside the same
transaction, so the log and the data can never disagree, even after a crash. The event vocabulary
is :mod:`unshared.casefile.events`; storage is split by what is stored: exhibits
(:mod:`~unshared.casefile.exhibits`), messages (:mod:`~unshared.casefile.messages`), analysis and
fingerprints (:mod:`~unshared.casefile.derived`), the log (:mod:`~unshared.casefile.logstore`) and
settings (:mod:`~unshared.casefile.settings_store`). No SQL is written outside this package.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import apsw

from unshared import __version__
from unshared.casefile import database, events
from unshared.casefile.common import utcnow
from unshared.casefile.derived import DerivedStore
from unshared.casefile.events import AnalysisRun, CaseCreated, Payload
from unshared.casefile.exhibits import (
    CHUNK_SIZE,
    Acquisition,
    ExhibitInfo,
    ExhibitSource,
    ExhibitStore,
)
from unshared.casefile.log import Event
from unshared.casefile.logstore import LogStore
from unshared.casefile.messages import ImportInfo, MessageStore, StoredMessage
from unshared.casefile.settings import CaseSettings, Victims, bank_token_key
from unshared.casefile.settings_store import SettingsStore
from unshared.errors import CaseFileError, InputFileError, IntegrityError, NotACaseFile
from unshared.model import Fingerprint, Identifier, Message, Participant, Signal

__all__ = [
    "Acquisition",
    "CHUNK_SIZE",
    "Case",
    "ExhibitInfo",
    "ExhibitSource",
    "ImportInfo",
    "StoredMessage",
    "utcnow",
]

P = TypeVar("P", bound=Payload)


class Case:
    """An open case file. Use as a context manager; every write is one transaction."""

    def __init__(self, db: apsw.Connection, path: Path, encrypted: bool) -> None:
        self._db = db
        self.path = path
        self.encrypted = encrypted
        self._log = LogStore(db)
        self._exhibits = ExhibitStore(db, self._log, str(path))
        self._messages = MessageStore(db, self._log)
        self._derived = DerivedStore(db, self._log)
        self._settings = SettingsStore(db, self._log)

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
        tmp.unlink(missing_ok=True)
        try:
            db = database.connect_new(tmp, passphrase)
            try:
                encryption = "chacha20-poly1305+scrypt" if passphrase is not None else "none"
                meta = {
                    "format": database.FORMAT_NAME,
                    "format_version": "1",
                    "created_at": utcnow(),
                    "created_by": f"unshared {__version__}",
                    "encryption": encryption,
                }
                with db:
                    db.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
                    LogStore(db).append(
                        CaseCreated(
                            encryption=encryption,
                            tool_version=__version__,
                            meta_sha256=database.meta_digest(meta),
                        )
                    )
            finally:
                db.close()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, path)
        return cls.open(path, passphrase)

    @classmethod
    def open(cls, path: Path | str, passphrase: str | None, *, readonly: bool = False) -> Case:
        """Open a case. A wrong passphrase is refused before anything can be written."""
        path = Path(path)
        db, encrypted = database.connect_existing(path, passphrase)
        try:
            if readonly:
                db.pragma("query_only", True)
            else:
                _upgrade(db)
            return cls(db, path, encrypted)
        except apsw.Error as exc:
            db.close()
            raise NotACaseFile(
                f"the case file is damaged ({str(exc).splitlines()[0]}); use a backup copy",
                path=str(path),
            ) from None
        except BaseException:
            db.close()
            raise

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
        return {str(k): str(v) for k, v in self._db.execute("SELECT key, value FROM meta")}

    # ----------------------------------------------------------------- log
    def record(self, payload: Payload) -> Event:
        """Append one event (a payload from :mod:`unshared.casefile.events`) in its own
        transaction. Events the case writes with their data (``exhibit_added``, ``import_run``...)
        are refused: use the method that stores the data."""
        if payload.INTERNAL:
            raise CaseFileError(f"{payload.TYPE} events are written by the case itself")
        with self._db:
            event = self._log.append(payload)
        return event

    def log(self, type_: str, payload: dict[str, Any]) -> Event:
        """Append one event by type name; the payload must match the catalogue's fields."""
        return self.record(events.from_log_call(type_, payload))

    def events(self) -> Iterator[Event]:
        return self._log.events()

    def events_of(self, cls: type[P], *, until: int | None = None) -> Iterator[tuple[Event, P]]:
        """Every event of one type with its typed payload, oldest first."""
        return self._log.of(cls, until=until)

    def last_of(self, cls: type[P], *, until: int | None = None) -> tuple[Event, P] | None:
        """The newest event of one type with its typed payload, or None."""
        return self._log.last(cls, until=until)

    def head(self) -> Event:
        event = self._log.head()
        if event is None:
            raise IntegrityError("the log is empty", path=str(self.path))
        return event

    # ----------------------------------------------------------------- exhibits
    def add_exhibit(
        self,
        stream: BinaryIO,
        *,
        name: str,
        source_path: str,
        progress: Callable[[int], Any] | None = None,
    ) -> ExhibitInfo:
        """Store ``stream`` whole, chunked, addressed by SHA-256; log ``exhibit_added``.

        The bytes are hashed while they are written, so the stored hash is the hash of exactly the
        bytes stored. The same bytes again add only a new acquisition record, and the result says
        so (``new`` is False): read them again only if :meth:`is_imported` is False.
        """
        return self._exhibits.add(stream, name=name, source_path=source_path, progress=progress)

    def exhibit(self, sha256: str) -> ExhibitInfo:
        """The exhibit whose SHA-256 starts with ``sha256``."""
        return self._exhibits.get(sha256)

    def exhibits(self, *, include_set_aside: bool = True) -> list[ExhibitInfo]:
        return self._exhibits.all(include_set_aside=include_set_aside)

    def set_aside(self, sha256: str, reason: str = "added by mistake") -> ExhibitInfo:
        """Leave an exhibit out of messages, analysis, reports and bundles (it is kept: evidence
        is never deleted; the log records it, append-only)."""
        return self._exhibits.set_aside(sha256, reason)

    def open_exhibit(self, sha256: str) -> BinaryIO:
        return self._exhibits.open(sha256)

    def exhibit_source(
        self, sha256: str, name: str | None = None, origin: str = ""
    ) -> ExhibitSource:
        """The stored bytes as an importer ``Source``."""
        info = self._exhibits.get(sha256)
        return ExhibitSource(self, info, name or info.name, origin)

    def iter_chunks(self, exhibit_id: int) -> Iterator[tuple[int, bytes]]:
        return self._exhibits.chunks(exhibit_id)

    # ----------------------------------------------------------------- imports
    def record_import(
        self,
        exhibit: ExhibitInfo,
        fmt: str,
        records: Iterable[Message | Participant],
        *,
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Store every record of one import and its ``import_run`` event, atomically.

        Returns the number of messages. If the iterator raises, nothing of this import is kept.
        ``extra`` adds :class:`~unshared.casefile.events.ImportRun` fields (original_name,
        timezone, me).
        """
        return self._messages.record_import(exhibit, fmt, records, extra=extra)

    def imports(self) -> list[ImportInfo]:
        return self._messages.imports()

    def is_imported(self, exhibit: ExhibitInfo) -> bool:
        """Whether messages were already read from this exhibit."""
        return any(i.exhibit_id == exhibit.id for i in self._messages.imports())

    def _left_out(self, until: int | None = None) -> set[int]:
        aside = {p.sha256 for _, p in self._log.of(events.ExhibitSetAside, until=until)}
        return {e.id for e in self._exhibits.all() if e.sha256 in aside}

    def messages(
        self, *, include_set_aside: bool = False, until: int | None = None
    ) -> Iterator[StoredMessage]:
        """Every message once, import by import, oldest first (see
        :meth:`unshared.casefile.messages.MessageStore.messages`). ``until`` reads the case as
        it was at that event (for verify's re-analysis)."""
        left_out = set() if include_set_aside else self._left_out(until)
        return self._messages.messages(leave_out=left_out, until=until)

    def message_count(self) -> int:
        """Messages stored (every import, before de-duplication)."""
        return self._messages.count()

    def participants(
        self, *, include_set_aside: bool = False, until: int | None = None
    ) -> list[Participant]:
        left_out = set() if include_set_aside else self._left_out(until)
        return self._messages.participants(leave_out=left_out, until=until)

    # ----------------------------------------------------------------- derived data
    def replace_analysis(
        self,
        identifiers: Sequence[tuple[int | None, Identifier]],
        signals: Sequence[tuple[int, Signal]],
        payload: AnalysisRun | dict[str, Any],
    ) -> Event:
        """Replace the derived identifiers and signals with a new run's, and log ``analysis_run``
        (with the SHA-256 of the rows stored)."""
        return self._derived.replace_analysis(identifiers, signals, payload)

    def last_analysis(self) -> tuple[Event, AnalysisRun] | None:
        return self._log.last(AnalysisRun)

    def needs_analysis(self, region: str, analyser: str | None = None) -> bool:
        """True when messages were read or names given since the last analysis, or it was run
        for another region or (when given) by another version of the analysis."""
        done = self._log.last(AnalysisRun)
        if done is None:
            return True
        event, run = done
        if analyser is not None and run.analyser != analyser:
            return True
        for later in (events.ImportRun, events.VictimsNamed, events.ExhibitSetAside):
            found = self._log.last(later)
            if found is not None and found[0].seq > event.seq:
                return True
        return run.region.upper() != region.upper()

    def identifiers(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        return self._derived.identifiers()

    def signals(self) -> Iterator[tuple[int, dict[str, Any]]]:
        return self._derived.signals()

    def add_fingerprints(
        self,
        prints: Sequence[Fingerprint],
        payload: dict[str, Any] | None = None,
        *,
        method: str = "fast",
        failed: int = 0,
    ) -> Event:
        """Store fingerprints (never media) and log ``fingerprints_added``. ``payload`` is
        accepted for older callers; only its ``method`` and ``failed`` are kept."""
        if payload:
            method = str(payload.get("method", method))
            failed = int(payload.get("failed", failed))
        return self._derived.add_fingerprints(prints, method=method, failed=failed)

    def fingerprints(self) -> list[dict[str, Any]]:
        return self._derived.fingerprints()

    # ----------------------------------------------------------------- settings and people
    def settings(self) -> CaseSettings:
        return self._settings.settings()

    def update_settings(self, **changes: Any) -> CaseSettings:
        """Change some settings (``None`` clears one); logged as ``settings_changed``."""
        return self._settings.update(changes)

    def victims(self, *, until: int | None = None) -> Victims:
        """Who in the conversations is the person reporting: the names they gave
        (:meth:`name_victims`), else the participants the exports mark as theirs."""
        return self._settings.victims(self.participants(until=until), until=until)

    def name_victims(self, names: Iterable[str]) -> Victims:
        """Record which names or ids are the person reporting (``victims_named``, append-only;
        the newest answer counts)."""
        return self._settings.name_victims(names)

    def people(self) -> list[str]:
        """Every name in the conversations, for asking "which of these is you?"."""
        found: dict[str, None] = {}
        for person in self.participants():
            if person.name:
                found.setdefault(person.name)
        for stored in self.messages():
            if stored.message.sender:
                found.setdefault(stored.message.sender)
        return list(found)

    def bank_token(self, bank_url: str) -> str | None:
        return self._settings.secret(bank_token_key(bank_url))

    def set_bank_token(self, bank_url: str, token: str) -> None:
        self._settings.set_secret(bank_token_key(bank_url), token)


def _upgrade(db: apsw.Connection) -> None:
    """Bring an older case's schema up to date, logged as ``schema_migrated``."""
    before = max(
        (int(r[0]) for r in db.execute("SELECT version FROM schema_migrations")), default=0
    )
    with db:
        applied = database.migrate(db)
        if applied:
            LogStore(db).append(
                events.SchemaMigrated(
                    from_version=before, to_version=max(applied), tool_version=__version__
                )
            )
