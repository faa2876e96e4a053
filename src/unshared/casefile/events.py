"""The catalogue of log events: one payload dataclass per event type.

Every event the case log holds is written from one of these classes (:meth:`Case.record`) and read
back into it (:meth:`Case.events_of`, :func:`read`), so the log's vocabulary lives here and nowhere
else. A payload's JSON form is :meth:`Payload.to_dict`, written as canonical JSON
(:func:`unshared.model.canonical_json`) and hashed into the chain (:mod:`unshared.casefile.log`).

Reading is tolerant of events written by older versions (unknown keys are ignored, missing optional
keys take their defaults); writing is strict (:func:`from_log_call` refuses unknown keys and types).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

from unshared.casefile.log import Event
from unshared.errors import CaseFileError, IntegrityError

__all__ = [
    "CATALOGUE",
    "Action",
    "AnalysisRun",
    "BankSubmitted",
    "BankWithdrawn",
    "BundleMade",
    "CaseCreated",
    "ExhibitAdded",
    "ExhibitExported",
    "ExhibitSetAside",
    "FingerprintsAdded",
    "FolderManifest",
    "GuidePlan",
    "ImportFailed",
    "ImportRun",
    "Note",
    "Payload",
    "ReportMade",
    "ReportPdfMade",
    "SchemaMigrated",
    "SecretSet",
    "SettingsChanged",
    "UnknownEvent",
    "VictimsNamed",
    "from_log_call",
    "read",
]

P = TypeVar("P", bound="Payload")

#: Every known event type and its payload class.
CATALOGUE: dict[str, type[Payload]] = {}


@dataclass(frozen=True)
class Payload:
    """Base of every event payload. ``TYPE`` is the event's ``type`` in the log."""

    TYPE: ClassVar[str] = ""
    #: Written only by the case itself, with the data it describes (never by ``Case.record``).
    INTERNAL: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON form; optional fields left at ``None`` are omitted."""
        return {
            f.name: _plain(getattr(self, f.name))
            for f in fields(self)
            if not (getattr(self, f.name) is None and f.default is None)
        }

    @classmethod
    def from_dict(cls: type[P], data: dict[str, Any], *, strict: bool = False) -> P:
        """The payload from its JSON form. ``strict`` refuses keys the class does not have."""
        names = {f.name: f for f in fields(cls)}
        if strict:
            unknown = sorted(set(data) - set(names))
            if unknown:
                raise CaseFileError(f"event {cls.TYPE!r} has no field(s) {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, spec in names.items():
            if name not in data:
                continue
            value = data[name]
            if isinstance(value, list) and str(spec.type).startswith("tuple"):
                value = tuple(value)
            values[name] = value
        try:
            return cls(**values)
        except TypeError as exc:
            raise IntegrityError(f"event {cls.TYPE!r} payload is not readable: {exc}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _event(type_: str, *, internal: bool = False) -> Any:
    def register(cls: type[P]) -> type[P]:
        if type_ in CATALOGUE:  # pragma: no cover - a programming error
            raise RuntimeError(f"event type {type_!r} registered twice")
        cls.TYPE = type_
        cls.INTERNAL = internal
        CATALOGUE[type_] = cls
        return cls

    return register


@_event("case_created", internal=True)
@dataclass(frozen=True)
class CaseCreated(Payload):
    encryption: str
    tool_version: str
    #: SHA-256 of the ``meta`` rows (``key=value`` lines, sorted); absent in older cases.
    meta_sha256: str | None = None


@_event("schema_migrated", internal=True)
@dataclass(frozen=True)
class SchemaMigrated(Payload):
    from_version: int
    to_version: int
    tool_version: str


@_event("exhibit_added", internal=True)
@dataclass(frozen=True)
class ExhibitAdded(Payload):
    sha256: str
    size: int
    original_name: str
    source_path: str
    acquired_at: str
    tool_version: str
    #: True when the same bytes were already in the case (a second acquisition, nothing stored).
    duplicate: bool = False


@_event("exhibit_set_aside", internal=True)
@dataclass(frozen=True)
class ExhibitSetAside(Payload):
    """An exhibit added by mistake: kept (evidence is never deleted) but left out of what is read,
    reported and bundled."""

    sha256: str
    reason: str


@_event("import_run", internal=True)
@dataclass(frozen=True)
class ImportRun(Payload):
    exhibit: str
    format: str
    messages: int
    participants: int
    #: SHA-256 over the canonical JSON of every message, in stored order, concatenated.
    messages_sha256: str
    original_name: str | None = None
    #: The time zone applied to times without an offset (an IANA name or ``UTC+01:00``).
    timezone: str | None = None
    #: The names given as the victim's own when the export was read.
    me: tuple[str, ...] = ()
    #: SHA-256 over the canonical JSON of every participant, in stored order, concatenated.
    participants_sha256: str | None = None


@_event("import_failed")
@dataclass(frozen=True)
class ImportFailed(Payload):
    exhibit: str
    original_name: str
    error: str
    error_type: str
    kept: str = "exhibit only"


@_event("folder_manifest")
@dataclass(frozen=True)
class FolderManifest(Payload):
    exhibit: str
    folder: str
    files: tuple[dict[str, Any], ...] = ()


@_event("analysis_run", internal=True)
@dataclass(frozen=True)
class AnalysisRun(Payload):
    messages: int = 0
    participants: int = 0
    region: str = ""
    identifiers: int = 0
    identifier_kinds: dict[str, int] = field(default_factory=dict)
    signals: int = 0
    signal_stages: dict[str, int] = field(default_factory=dict)
    tool_version: str = ""
    seconds: float = 0.0
    #: SHA-256 over the stored identifier and signal rows (see ``derived.rows_digest``).
    rows_sha256: str | None = None
    #: Version of the analysis (rules, model, finders) that made the rows; None before 2026-12-04.
    analyser: str | None = None
    #: The person's own messages that read as a threat or a demand when read alone (they get no
    #: stage); above zero with no threat from anyone else, the wrong name may be marked as theirs.
    own_flagged: int = 0


@_event("fingerprints_added", internal=True)
@dataclass(frozen=True)
class FingerprintsAdded(Payload):
    count: int = 0
    sha256: tuple[str, ...] = ()
    #: ``fast`` or ``reference`` (the exact PDQ implementation).
    method: str = "fast"
    failed: int = 0
    #: Always false: media is never stored, only its fingerprints.
    media_stored: bool = False
    #: SHA-256 over the stored fingerprint rows of this event.
    rows_sha256: str | None = None


@_event("note")
@dataclass(frozen=True)
class Note(Payload):
    text: str


@_event("action")
@dataclass(frozen=True)
class Action(Payload):
    """Something the person or a helper did (reported to police, payment cancelled, step done)."""

    kind: str
    ref: str | None = None
    detail: str | None = None
    #: Who it was reported or paid to.
    to: str | None = None
    #: The latest status (of a payment: "cancelled before collection").
    status: str | None = None
    amount: str | None = None
    method: str | None = None
    #: ISO 4217 code of ``amount`` (GBP, USD...).
    currency: str | None = None
    #: When it happened, if not when it was recorded (ISO 8601).
    at: str | None = None


@_event("guide_plan")
@dataclass(frozen=True)
class GuidePlan(Payload):
    answers: dict[str, Any]
    plan: dict[str, Any] = field(default_factory=dict)


@_event("report_made")
@dataclass(frozen=True)
class ReportMade(Payload):
    """A report was made; its hash (the "seal") is printed in the report itself."""

    #: File name -> SHA-256 of the file with the seal's place as zeros.
    files: dict[str, str]
    case: str | None = None
    #: File name -> size in bytes.
    sizes: dict[str, int] = field(default_factory=dict)
    #: File name -> byte offset of the seal's 64 characters.
    seal_at: dict[str, int] = field(default_factory=dict)
    log_head: str | None = None
    log_seq: int | None = None
    messages: int = 0
    images_embedded: bool = False
    pdf: bool = False
    #: Exhibits set aside and therefore left out (SHA-256).
    set_aside: tuple[str, ...] = ()


@_event("report_pdf_made")
@dataclass(frozen=True)
class ReportPdfMade(Payload):
    file: str
    sha256: str
    size: int
    seal: str
    report_event: int


@_event("bundle_made")
@dataclass(frozen=True)
class BundleMade(Payload):
    name: str
    files: dict[str, str]
    tool_version: str
    report_event: int | None = None
    #: Exhibits set aside and therefore left out (SHA-256).
    set_aside: tuple[str, ...] = ()


@_event("exhibit_exported")
@dataclass(frozen=True)
class ExhibitExported(Payload):
    sha256: str
    to: str


@_event("bank_submitted")
@dataclass(frozen=True)
class BankSubmitted(Payload):
    bank: str
    bank_name: str
    entry_ids: tuple[Any, ...] = ()


@_event("bank_withdrawn")
@dataclass(frozen=True)
class BankWithdrawn(Payload):
    bank: str
    entries: int


@_event("victims_named", internal=True)
@dataclass(frozen=True)
class VictimsNamed(Payload):
    """The person reporting said which of the names in the conversation are theirs."""

    names: tuple[str, ...]


@_event("settings_changed", internal=True)
@dataclass(frozen=True)
class SettingsChanged(Payload):
    """New values for some of :class:`unshared.casefile.settings.CaseSettings` (``None`` clears)."""

    changes: dict[str, Any] = field(default_factory=dict)


@_event("secret_set", internal=True)
@dataclass(frozen=True)
class SecretSet(Payload):
    """A secret (a bank's case token) was stored; the log keeps only its SHA-256."""

    key: str
    sha256: str


@dataclass(frozen=True)
class UnknownEvent(Payload):
    """An event type this version does not know (written by a newer version)."""

    type: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def read(event: Event) -> Payload:
    """The typed payload of a stored event; :class:`IntegrityError` if it is not readable."""
    try:
        data = json.loads(event.payload)
    except ValueError:
        raise IntegrityError(f"event {event.seq} ({event.type}): payload is not JSON") from None
    if not isinstance(data, dict):
        raise IntegrityError(f"event {event.seq} ({event.type}): payload is not an object")
    cls = CATALOGUE.get(event.type)
    if cls is None:
        return UnknownEvent(type=event.type, data=data)
    return cls.from_dict(data)


def from_log_call(type_: str, payload: dict[str, Any]) -> Payload:
    """The payload for a ``Case.log(type, dict)`` call: known types and fields only."""
    cls = CATALOGUE.get(type_)
    if cls is None:
        raise CaseFileError(f"unknown event type {type_!r}; known: {', '.join(sorted(CATALOGUE))}")
    return cls.from_dict(payload, strict=True)
