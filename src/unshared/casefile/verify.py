"""Verify a case file: every stored byte and row against what the hash-chained log says.

What is checked, in order (docs/casefile.md lists it byte by byte):

1. the SQLite structure of every table (``PRAGMA integrity_check``; in an encrypted case reading a
   page also authenticates it) and that the append-only guards are the ones the schema made;
2. the log: every event links to the one before and matches its hash; every payload is readable;
3. the ``meta`` rows against the digest chained at creation;
4. every exhibit's bytes against their SHA-256 and size, and every acquisition against its
   ``exhibit_added`` event;
5. every import against its ``import_run`` event: exhibit, format, counts, message ids running on
   without a gap, and the SHA-256 of the stored messages and participants;
6. (with ``rederive``) every import read again from the stored exhibit bytes by the importer the
   log names, record by record, against what is stored;
7. the stored identifiers and signals against the digest chained by the last ``analysis_run``, and
   (with ``reanalyse``) against a new analysis of the same messages;
8. fingerprints against their ``fingerprints_added`` events, and secrets against ``secret_set``.

Re-reading and re-analysing are injected (:data:`Rederive`, :data:`Reanalyse`) so the case file
does not depend on the importers or the analysis; ``unshared verify`` passes both.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import apsw

from unshared.casefile import events as ev
from unshared.casefile.database import meta_digest
from unshared.casefile.derived import analysis_digest, analysis_rows, fingerprint_digest
from unshared.casefile.exhibits import CHUNK_SIZE, ExhibitSource
from unshared.casefile.log import Event, check_chain
from unshared.casefile.schema import GUARDED, append_only_sql
from unshared.casefile.settings_store import secret_digest
from unshared.errors import UnsharedError
from unshared.model import (
    Identifier,
    Message,
    Participant,
    Signal,
    canonical_json,
    message_json,
)

if TYPE_CHECKING:
    from unshared.casefile.store import Case

__all__ = ["Reanalyse", "Rederive", "VerifyResult", "verify_case"]

#: Read one import again: the stored exhibit (named as at import) and its ``import_run``.
Rederive = Callable[[ExhibitSource, ev.ImportRun], Iterable[Message | Participant]]
#: Analyse again as of the ``analysis_run`` event with this sequence number.
Reanalyse = Callable[
    [int, ev.AnalysisRun],
    tuple[Sequence[tuple[int | None, Identifier]], Sequence[tuple[int, Signal]]] | None,
]
"""None: that run was made by another version of the analysis and cannot be reproduced."""

#: Up to this many bytes of exhibits, the structure check reads every page (including the
#: exhibits' pages, which the hashing reads again); above it, every table but the chunks.
_WHOLE_CHECK_BYTES = 256 << 20

_READ_ERRORS = (apsw.Error, ValueError, KeyError, TypeError, zlib.error, OverflowError)


@dataclass
class VerifyResult:
    head_hash: str | None = None
    events: int = 0
    exhibits: int = 0
    bytes_checked: int = 0
    #: Stored messages whose digest was recomputed.
    messages_checked: int = 0
    #: Imports read again from their exhibit and compared record by record.
    imports_rederived: int = 0
    #: Whether the stored analysis was compared with a new analysis.
    reanalysed: bool = False
    problems: list[str] = field(default_factory=list)
    #: What could not be checked (older cases), without being a problem.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_case(
    case: Case,
    progress: Callable[[int], None] | None = None,
    *,
    rederive: Rederive | None = None,
    reanalyse: Reanalyse | None = None,
) -> VerifyResult:
    """Check everything the case holds; collect every discrepancy (never raises on damage)."""
    result = VerifyResult()
    checker = _Checker(case, result)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("the database structure", checker.structure),
        ("the log", checker.log),
        ("the case's creation record", checker.meta),
        ("the exhibits", lambda: checker.exhibits(progress)),
        ("the imported messages", checker.imports),
        ("the analysis", checker.analysis),
        ("the fingerprints", checker.fingerprints),
        ("the stored secrets", checker.secrets),
    ]
    if rederive is not None:
        steps.insert(5, ("re-reading the exhibits", lambda: checker.rederive(rederive)))
    if reanalyse is not None:
        steps.append(("analysing again", lambda: checker.reanalyse(reanalyse)))
    for name, step in steps:
        try:
            step()
        except (*_READ_ERRORS, UnsharedError) as exc:
            result.problems.append(f"{name}: cannot be read ({_reason(exc)})")
        if name in ("the database structure", "the log") and result.problems:
            break  # nothing after this can be trusted or read
    return result


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _normal(sql: str) -> str:
    return " ".join(sql.split())


class _Checker:
    def __init__(self, case: Case, result: VerifyResult) -> None:
        self.case = case
        self.db = case._db
        self.result = result
        self.problems = result.problems
        self.events: list[Event] = []
        self.payloads: dict[int, ev.Payload] = {}

    def of(self, cls: type[ev.P]) -> list[tuple[Event, ev.P]]:
        return [(e, p) for e in self.events if isinstance(p := self.payloads.get(e.seq), cls)]

    # ------------------------------------------------------------------ 1. structure
    def structure(self) -> None:
        tables = [
            str(r[0])
            for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
            )
        ]
        stored = sum(int(r[0]) for r in self.db.execute("SELECT size FROM exhibits"))
        if stored <= _WHOLE_CHECK_BYTES:
            checks = ["PRAGMA integrity_check"]
        else:  # exhibit chunks are read whole and hashed below; not twice
            checks = [f'PRAGMA integrity_check("{t}")' for t in tables if t != "exhibit_chunks"]
        for check in checks:
            rows = list(self.db.execute(check))
            if rows != [("ok",)]:
                self.problems.extend(f"database structure: {row[0]}" for row in rows[:20])
        triggers = {
            str(name): _normal(str(sql))
            for name, sql in self.db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger'"
            )
        }
        for table in GUARDED:
            if table not in tables:
                continue
            parts = [p for p in append_only_sql(table).split("END;") if p.strip()]
            for kind, part in zip(("update", "delete"), parts, strict=True):
                name = f"{table}_no_{kind}"
                if triggers.get(name) != _normal(part) + " END":
                    self.problems.append(f"the append-only guard {name} is missing or changed")

    # ------------------------------------------------------------------ 2. log
    def log(self) -> None:
        self.events = list(self.case._log.events())
        self.result.events = len(self.events)
        self.problems.extend(check_chain(self.events))
        if self.events:
            self.result.head_hash = self.events[-1].hash
        for event in self.events:
            try:
                self.payloads[event.seq] = ev.read(event)
            except UnsharedError as exc:
                self.problems.append(exc.message)

    # ------------------------------------------------------------------ 3. meta
    def meta(self) -> None:
        created = self.of(ev.CaseCreated)
        if not created or created[0][0].seq != 1:
            self.problems.append("the log does not begin with the case's creation")
            return
        digest = created[0][1].meta_sha256
        if digest is None:
            self.result.notes.append("the case's creation details are not covered (older case)")
        elif meta_digest(self.case.meta()) != digest:
            self.problems.append("the case's creation details differ from the log")

    # ------------------------------------------------------------------ 4. exhibits
    def exhibits(self, progress: Callable[[int], None] | None) -> None:
        added = self.of(ev.ExhibitAdded)
        first: dict[str, ev.ExhibitAdded] = {}
        for _, payload in added:
            first.setdefault(payload.sha256, payload)
        logged = {
            (p.sha256, p.original_name, p.source_path, p.size, p.acquired_at, p.tool_version, e.seq)
            for e, p in added
        }
        stored = {
            tuple(row)
            for row in self.db.execute(
                "SELECT e.sha256, a.original_name, a.source_path, a.size, a.acquired_at, "
                "a.tool_version, a.event_seq FROM acquisitions a "
                "LEFT JOIN exhibits e ON e.id = a.exhibit_id"
            )
        }
        for row in sorted(stored - logged, key=str):
            self.problems.append(
                f"acquisition of {row[1]} ({row[0]}): differs from its exhibit_added event"
            )
        for row in sorted(logged - stored, key=str):
            self.problems.append(f"exhibit_added event {row[6]} ({row[1]}): no acquisition stored")
        rows = list(
            self.db.execute("SELECT id, sha256, size, chunk_size, chunks FROM exhibits ORDER BY id")
        )
        for exhibit_id, sha, size, chunk_size, chunks in rows:
            self.result.exhibits += 1
            name = first[sha].original_name if sha in first else sha
            label = f"exhibit {sha} ({name})"
            if sha not in first:
                self.problems.append(f"{label}: not recorded in the log")
            elif first[sha].size != size:
                self.problems.append(f"{label}: size differs from the log")
            if chunk_size != CHUNK_SIZE:
                self.problems.append(f"{label}: chunk size differs from this version's")
            digest, total, count = self._hash_chunks(int(exhibit_id), label, progress)
            self.result.bytes_checked += total
            if digest != sha or total != size or count != chunks:
                self.problems.append(f"{label}: stored bytes do not match their SHA-256")
        stored_shas = {str(r[1]) for r in rows}
        for sha in first:
            if sha not in stored_shas:
                self.problems.append(f"exhibit {sha}: in the log but missing from the case")
        for event, aside in self.of(ev.ExhibitSetAside):
            if aside.sha256 not in stored_shas:
                self.problems.append(f"event {event.seq}: sets aside an exhibit that is not here")

    def _hash_chunks(
        self, exhibit_id: int, label: str, progress: Callable[[int], None] | None
    ) -> tuple[str, int, int]:
        """SHA-256, size and chunk count of one exhibit. Reading (and, encrypted, decrypting and
        authenticating) the next chunk overlaps hashing the last one, on another thread."""
        digest = hashlib.sha256()
        work: queue.Queue[bytes | None] = queue.Queue(maxsize=4)

        def hasher() -> None:
            while (block := work.get()) is not None:
                digest.update(block)

        thread = threading.Thread(target=hasher, daemon=True)
        thread.start()
        total = count = 0
        try:
            for seq, data in self.case._exhibits.chunks(exhibit_id):
                if seq != count:
                    self.problems.append(f"{label}: chunk {count} missing")
                    count = seq
                work.put(data)
                total += len(data)
                count += 1
                if progress is not None:
                    progress(len(data))
        finally:
            work.put(None)
            thread.join()
        return digest.hexdigest(), total, count

    # ------------------------------------------------------------------ 5. imports
    def imports(self) -> None:
        runs = {e.seq: p for e, p in self.of(ev.ImportRun)}
        store = self.case._messages
        infos = store.imports()
        seen_runs: set[int] = set()
        expected_id = 1
        for info in infos:
            label = f"import {info.id} ({info.format}, exhibit {info.exhibit_sha256[:12]})"
            run = runs.get(info.event_seq)
            seen_runs.add(info.event_seq)
            if run is None:
                self.problems.append(f"{label}: no import_run event at {info.event_seq}")
                continue
            if (run.exhibit, run.format, run.messages) != (
                info.exhibit_sha256,
                info.format,
                info.messages,
            ):
                self.problems.append(f"{label}: differs from its import_run event")
            digest = hashlib.sha256()
            count = 0
            for first, declared, lines in store.import_lines(info.id):
                if first != expected_id:
                    self.problems.append(
                        f"{label}: message ids do not run on at {first} (expected {expected_id})"
                    )
                if declared != len(lines):
                    self.problems.append(f"{label}: a block of messages at {first} is damaged")
                for line in lines:
                    digest.update(line.encode("utf-8"))
                count += len(lines)
                expected_id = first + len(lines)
            self.result.messages_checked += count
            if count != run.messages or digest.hexdigest() != run.messages_sha256:
                self.problems.append(
                    f"{label}: the stored messages differ from those read from the exhibit "
                    "(their SHA-256 in the log)"
                )
            bodies = list(store.participant_bodies(info.id))
            part = hashlib.sha256("".join(bodies).encode("utf-8")).hexdigest()
            if len(bodies) != run.participants or (
                run.participants_sha256 is not None and part != run.participants_sha256
            ):
                self.problems.append(f"{label}: the stored participants differ from the log")
        for seq in sorted(set(runs) - seen_runs):
            self.problems.append(f"import_run event {seq}: its messages are missing")
        known = {i.id for i in infos}
        if store.block_imports() - known or store.participant_imports() - known:
            self.problems.append("messages or participants belong to no recorded import")

    # ------------------------------------------------------------------ 6. re-reading
    def rederive(self, rederive: Rederive) -> None:
        runs = {e.seq: p for e, p in self.of(ev.ImportRun)}
        store = self.case._messages
        for info in store.imports():
            run = runs.get(info.event_seq)
            if run is None:
                continue
            exhibit = self.case.exhibit(info.exhibit_sha256)
            name = run.original_name or exhibit.name
            origin = next(
                (a.source_path for a in exhibit.acquisitions if a.original_name == name), ""
            )
            source = ExhibitSource(self.case, exhibit, name, origin)
            label = f"import {info.id} ({info.format}, {name})"
            stored = (line for _, _, lines in store.import_lines(info.id) for line in lines)
            stored_parts = iter(list(store.participant_bodies(info.id)))
            number = 0
            differences: list[str] = []
            try:
                for record in rederive(source, run):
                    if isinstance(record, Message):
                        body = message_json(record)
                        number += 1
                        if next(stored, None) != body:
                            differences.append(f"message {number} ({record.locator})")
                    elif next(stored_parts, None) != canonical_json(record.to_dict()):
                        differences.append(f"participant {record.name or record.platform_id}")
            except UnsharedError as exc:
                self.problems.append(f"{label}: the exhibit cannot be read again ({exc.message})")
                continue
            extra = sum(1 for _ in stored) + sum(1 for _ in stored_parts)
            if extra:
                differences.append(f"{extra} stored record(s) the exhibit does not hold")
            if differences:
                shown = "; ".join(differences[:3])
                more = f" and {len(differences) - 3} more" if len(differences) > 3 else ""
                self.problems.append(
                    f"{label}: stored records differ from what the exhibit holds: {shown}{more}"
                )
            self.result.imports_rederived += 1

    # ------------------------------------------------------------------ 7. analysis
    def _stored_analysis_digest(self) -> tuple[str, bool]:
        derived = self.case._derived
        idents = list(derived.identifier_rows())
        signals = list(derived.signal_rows())
        return analysis_digest(idents, signals), bool(idents or signals)

    def analysis(self) -> None:
        runs = self.of(ev.AnalysisRun)
        digest, any_rows = self._stored_analysis_digest()
        if not runs:
            if any_rows:
                self.problems.append("identifiers or signals are stored but no analysis is logged")
            return
        event, run = runs[-1]
        if run.rows_sha256 is None:
            self.result.notes.append(
                "the stored analysis is not covered by the log (made by an older version): "
                "analyse the case again"
            )
        elif digest != run.rows_sha256:
            self.problems.append(
                f"the stored identifiers and signals differ from analysis_run event {event.seq}"
            )

    def reanalyse(self, reanalyse: Reanalyse) -> None:
        runs = self.of(ev.AnalysisRun)
        if not runs:
            return
        event, run = runs[-1]
        again = reanalyse(event.seq, run)
        if again is None:
            self.result.notes.append(
                f"the stored analysis (event {event.seq}) was made by another version of the "
                f"analysis ({run.analyser or 'before 2026-12-04'}) and was checked against its "
                "log event, not analysed again; `unshared identifiers CASE --refresh` analyses it again"
            )
            return
        identifiers, signals = again
        fresh = analysis_digest(*analysis_rows(identifiers, signals))
        stored, _ = self._stored_analysis_digest()
        self.result.reanalysed = True
        if fresh != stored:
            self.problems.append(
                f"the stored analysis (event {event.seq}) differs from a new analysis of the "
                "same messages"
            )

    # ------------------------------------------------------------------ 8. the rest
    def fingerprints(self) -> None:
        groups: dict[int, list[str]] = {}
        for seq, body in self.case._derived.fingerprint_rows():
            groups.setdefault(seq, []).append(body)
        logged = dict((e.seq, p) for e, p in self.of(ev.FingerprintsAdded))
        for seq, bodies in groups.items():
            payload = logged.get(seq)
            if payload is None:
                self.problems.append(f"fingerprints stored without their event ({seq})")
            elif payload.rows_sha256 is not None and payload.rows_sha256 != fingerprint_digest(
                bodies
            ):
                self.problems.append(f"fingerprints of event {seq} differ from the log")
        for seq, payload in logged.items():
            if payload.rows_sha256 is not None and payload.count and seq not in groups:
                self.problems.append(f"fingerprints of event {seq} are missing")

    def secrets(self) -> None:
        latest = {p.key: p.sha256 for _, p in self.of(ev.SecretSet)}
        for key, value in self.case._settings.secret_rows().items():
            if latest.get(key) != secret_digest(value):
                self.problems.append(
                    f"the stored secret {key.split(':', 1)[0]} differs from the log"
                )
