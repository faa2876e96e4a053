"""What the bank keeps, and the storage interface it keeps it behind.

The service only talks to :class:`BankStore`; :mod:`unshared.bank.sql` implements it on SQLite and
PostgreSQL. Every write method runs inside :meth:`BankStore.transaction` and records the change in
the ``changes`` feed in the same transaction, so the feed (and every index following it) can never
miss a write that was acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "FEEDBACK_KINDS",
    "SCOPES",
    "SIGNAL_TYPES",
    "Alert",
    "BankSettings",
    "BankStore",
    "CaseRecord",
    "Change",
    "Entry",
    "EntryStatus",
    "FeedbackKind",
    "NewEntry",
    "NewSignal",
    "Scope",
    "SignalRow",
    "SignalType",
    "Token",
]

Scope = Literal["submitter", "platform", "admin"]
EntryStatus = Literal["active", "withdrawn", "quarantined"]
FeedbackKind = Literal["matched", "blocked", "removed", "false_positive"]
SignalType = Literal["pdq", "vpdq", "md5", "sha256"]
SCOPES: tuple[Scope, ...] = ("submitter", "platform", "admin")
FEEDBACK_KINDS: tuple[FeedbackKind, ...] = ("matched", "blocked", "removed", "false_positive")
SIGNAL_TYPES: tuple[SignalType, ...] = ("pdq", "vpdq", "md5", "sha256")


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    scope: Scope
    rate_per_minute: int
    revoked: bool = False


@dataclass(frozen=True)
class BankSettings:
    bank: str
    pdq_threshold: int = 31
    quarantine_after: int = 3


@dataclass(frozen=True)
class CaseRecord:
    case_token: str
    bank: str
    owner_token_id: int
    webhook_url: str | None = None
    webhook_secret: str | None = None


@dataclass(frozen=True)
class NewSignal:
    signal_type: SignalType
    value: str
    variant: int = 0  # 0: the original; 1..7: PDQ dihedral variants; vPDQ: the frame number


@dataclass(frozen=True)
class NewEntry:
    kind: Literal["image", "video"]
    signals: tuple[NewSignal, ...]


@dataclass(frozen=True)
class Entry:
    id: int
    case_token: str
    bank: str
    kind: str
    status: EntryStatus
    fp_reports: int
    created_at: str


@dataclass(frozen=True)
class SignalRow:
    id: int
    entry_id: int
    signal_type: SignalType
    value: str
    variant: int


@dataclass(frozen=True)
class Change:
    seq: int
    entry_id: int
    op: Literal["add", "delete"]
    reason: str
    at: str
    bank: str
    signals: tuple[SignalRow, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Alert:
    id: int
    case_token: str
    entry_id: int
    kind: str
    platform: str
    at: str
    delivered_at: str | None
    attempts: int


class BankStore(Protocol):
    """Storage for the bank. Implementations must be safe to call from several threads."""

    def migrate(self) -> None: ...
    def bank_id(self) -> int: ...
    def close(self) -> None: ...
    def transaction(self, write: bool = True) -> AbstractContextManager[None]: ...

    # tokens and settings
    def create_token(self, name: str, scope: Scope, token_hash: str, rate: int) -> int: ...
    def token_by_hash(self, token_hash: str) -> Token | None: ...
    def list_tokens(self) -> list[dict[str, object]]: ...
    def heartbeat(self, server_id: str, now: float, stale_after: float) -> int: ...
    def leave(self, server_id: str) -> None: ...
    def revoke_token(self, token_id: int) -> bool: ...
    def bank_settings(self, bank: str) -> BankSettings: ...
    def set_bank_settings(self, settings: BankSettings) -> None: ...

    # cases and entries
    def case(self, case_token: str) -> CaseRecord | None: ...
    def create_case(self, case: CaseRecord) -> None: ...
    def set_webhook(self, case_token: str, url: str | None, secret: str | None) -> None: ...
    def add_entries(self, case_token: str, bank: str, entries: list[NewEntry]) -> list[int]: ...
    def entries(self, ids: list[int]) -> dict[int, Entry]: ...
    def case_entries(self, case_token: str) -> list[Entry]: ...
    def set_status(self, entry_ids: list[int], status: EntryStatus, reason: str) -> list[int]: ...
    def snapshot(
        self,
        signal_types: Sequence[SignalType],
        take: Callable[[SignalType, list[tuple[int, int, str]]], None],
        chunk: int = 100_000,
    ) -> int: ...
    def entry_frame_counts(self, entry_ids: list[int]) -> dict[int, int]: ...
    def find_exact(self, signal_type: SignalType, values: list[str]) -> list[SignalRow]: ...

    # the changes feed
    def changes(self, after: int, limit: int) -> list[Change]: ...
    def last_seq(self) -> int: ...

    # feedback, alerts, negative bank, audit
    def add_feedback(self, entry_id: int, token_id: int, kind: FeedbackKind, note: str) -> int: ...
    def add_alert(self, case_token: str, entry_id: int, kind: str, platform: str) -> int: ...
    def alerts(self, case_token: str, after: int = 0) -> list[Alert]: ...
    def pending_alerts(self, max_attempts: int) -> list[Alert]: ...
    def mark_delivery(self, alert_id: int, delivered: bool) -> None: ...
    def add_benign(self, signal_type: SignalType, value: str) -> bool: ...
    def benign(self, signal_type: SignalType) -> list[tuple[int, str]]: ...
    def audit(self, token_id: int | None, action: str, target: str, detail: str = "") -> None: ...
    def audit_log(self, limit: int = 100) -> list[dict[str, object]]: ...
    def counts(self) -> dict[str, int]: ...
