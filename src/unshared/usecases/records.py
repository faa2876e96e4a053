"""Record what was done and what was noticed: notes and actions in the case log."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from unshared.casefile import Case
from unshared.casefile.events import Action, Note
from unshared.errors import InputFileError

__all__ = [
    "ACTION_KINDS",
    "ACTION_WORDS",
    "PAYMENT_STATUSES",
    "actions",
    "add_action",
    "add_note",
]

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


PAYMENT_STATUSES = ("sent", "collected", "cancelled", "refunded")
"""Where a payment stands; a later status is a new event, never an edit of the first."""
_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "₹": "INR", "₦": "NGN", "₱": "PHP"}


def add_action(
    case: Case,
    kind: str,
    ref: str | None = None,
    detail: str | None = None,
    *,
    amount: str | None = None,
    currency: str | None = None,
    method: str | None = None,
    status: str | None = None,
    to: str | None = None,
) -> int:
    """Record something done (reported to police with a crime reference, account suspended, a
    payment with its amount, currency, method and status)."""
    kind = kind.strip().lower()
    if not kind:
        raise InputFileError("the action needs a kind, for example reported-to-police")
    if amount is not None:
        amount, symbol_currency = _amount(amount)
        currency = currency or symbol_currency
    if currency is not None:
        currency = currency.strip().upper()
        currency = _SYMBOLS.get(currency, currency)
        if not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
            raise InputFileError(f"currency {currency!r}: use a 3-letter code such as GBP or USD")
    if status is not None:
        status = status.strip().lower()
        if status not in PAYMENT_STATUSES:
            raise InputFileError(f"status {status!r}: use one of {', '.join(PAYMENT_STATUSES)}")
    action = Action(
        kind,
        ref=ref or None,
        detail=detail or None,
        amount=amount,
        currency=currency,
        method=(method or "").strip() or None,
        status=status,
        to=(to or "").strip() or None,
    )
    return case.record(action).seq


def _amount(text: str) -> tuple[str, str | None]:
    """``"£500"``, ``"500.00"``, ``"1,250"`` -> the number as written without separators, and the
    currency its symbol names."""
    raw = text.strip()
    currency = next((code for sym, code in _SYMBOLS.items() if sym in raw), None)
    number = raw.strip("".join(_SYMBOLS)).strip().replace(",", "")
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise InputFileError(f"amount {text!r}: write a number, for example 500 or 49.99") from None
    if not value.is_finite() or value < 0:
        raise InputFileError(f"amount {text!r}: write a number, for example 500 or 49.99")
    return number, currency


def actions(case: Case) -> list[dict[str, Any]]:
    """Every recorded action, oldest first."""
    return [action.to_dict() for _, action in case.events_of(Action)]
