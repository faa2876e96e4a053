"""Record what was done and what was noticed: notes and actions in the case log."""

from __future__ import annotations

from typing import Any

from unshared.casefile import Case
from unshared.casefile.events import Action, Note
from unshared.errors import InputFileError

__all__ = ["ACTION_KINDS", "ACTION_WORDS", "actions", "add_action", "add_note"]

ACTION_KINDS = (
    "reported-to-police",
    "reported-to-platform",
    "account-suspended",
    "account-deactivated",
    "payment-cancelled",
    "payment-checked",
    "blocked-offender",
    "told-trusted-adult",
    "contacted-support",
    "report-remove",
    "take-it-down",
    "stopncii",
    "step-done",
    "step-undone",
    "other",
)
#: What the person can pick when recording something they did, in words (item 8 of issue 15).
ACTION_WORDS = {
    "reported-to-police": "Reported it to the police",
    "reported-to-platform": "Reported the account to the app or site",
    "account-suspended": "Their account was suspended",
    "account-deactivated": "I deactivated my account",
    "payment-cancelled": "Cancelled or stopped a payment",
    "payment-checked": "Asked my bank or the payment service about a payment",
    "blocked-offender": "Blocked them",
    "told-trusted-adult": "Told an adult I trust",
    "contacted-support": "Talked to a helpline or support service",
    "report-remove": "Used Report Remove (Childline and IWF)",
    "take-it-down": "Used Take It Down (NCMEC)",
    "stopncii": "Used StopNCII to stop the images being shared",
    "other": "Something else",
}


def add_note(case: Case, text: str) -> int:
    if not text.strip():
        raise InputFileError("the note is empty")
    return case.record(Note(text)).seq


def add_action(case: Case, kind: str, ref: str | None = None, detail: str | None = None) -> int:
    """Record something done (reported to police with a crime reference, account suspended...)."""
    kind = kind.strip().lower()
    if not kind:
        raise InputFileError("the action needs a kind, for example reported-to-police")
    return case.record(Action(kind, ref=ref or None, detail=detail or None)).seq


def actions(case: Case) -> list[dict[str, Any]]:
    """Every recorded action, oldest first."""
    return [action.to_dict() for _, action in case.events_of(Action)]
