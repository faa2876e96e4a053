"""Submit a case's fingerprints to a hash bank, withdraw them, read the alerts, look hashes up.

Only fingerprints travel, under an opaque case token kept in the case; nothing connects until one
of these is called. Every submission and withdrawal is recorded in the case log.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unshared.casefile import Case
from unshared.casefile.events import BankSubmitted, BankWithdrawn
from unshared.errors import InputFileError

__all__ = [
    "LookupResult",
    "bank_alerts",
    "case_token",
    "lookup",
    "submit_to_bank",
    "withdraw_from_bank",
]


def case_token(case: Case, bank_url: str) -> str | None:
    """The opaque token this case is known by at that bank (None: never sent there)."""
    return case.bank_token(bank_url)


def submit_to_bank(
    case: Case,
    bank_url: str,
    api_token: str,
    *,
    bank_name: str = "default",
    webhook: str | None = None,
    webhook_secret: str = "",
) -> list[int]:
    """``unshared bank submit``: send the case's fingerprints (only hashes) to a bank.

    Returns the bank's entry ids; logs ``bank_submitted``. A case without fingerprints is
    refused before anything connects.
    """
    from unshared.bank.client import BankClient, fingerprint_payload

    prints = case.fingerprints()
    if not prints:
        raise InputFileError(
            "this case has no fingerprints yet: run `unshared fingerprint` first",
            path=case.path.name,
        )
    token = case_token(case, bank_url)
    if token is None:
        token = secrets.token_urlsafe(24)
        case.set_bank_token(bank_url, token)
    with BankClient(bank_url, api_token) as client:
        ids = client.submit(token, [fingerprint_payload(p) for p in prints], bank_name)
        if webhook is not None:
            client.set_webhook(token, webhook, webhook_secret)
    case.record(BankSubmitted(bank_url.rstrip("/"), bank_name, tuple(ids)))
    return list(ids)


def withdraw_from_bank(case: Case, bank_url: str, api_token: str) -> int | None:
    """``unshared bank withdraw``: take the case's fingerprints out of the bank.

    Returns how many entries were withdrawn, or None when the case was never sent there.
    """
    from unshared.bank.client import BankClient

    token = case_token(case, bank_url)
    if token is None:
        return None
    with BankClient(bank_url, api_token) as client:
        count = int(client.withdraw(token))
    case.record(BankWithdrawn(bank_url.rstrip("/"), count))
    return count


def bank_alerts(token: str, bank_url: str, api_token: str) -> list[dict[str, Any]]:
    """What platforms reported about the fingerprints sent under ``token``."""
    from unshared.bank.client import BankClient

    with BankClient(bank_url, api_token) as client:
        return list(client.alerts(token))


@dataclass(frozen=True)
class LookupResult:
    """Matches for single hashes (one JSON-ready dict each) and for a video's frames."""

    matches: list[dict[str, Any]]
    videos: list[dict[str, Any]]


def lookup(
    bank_url: str,
    api_token: str,
    *,
    hashes: dict[str, str | None],
    frames: Sequence[str] = (),
    media: Path | None = None,
    threshold: int = 31,
    min_percent: float = 80.0,
) -> LookupResult:
    """``unshared bank lookup``: look hashes up. ``media`` is fingerprinted here, in place, and
    only its hashes are sent."""
    from unshared.bank.client import BankClient

    values = dict(hashes)
    all_frames = list(frames)
    if media is not None:
        from unshared.fingerprints.media import fingerprint_file

        fp = fingerprint_file(media)
        values = {"pdq": fp.pdq, "md5": fp.md5, "sha256": fp.sha256}
        all_frames += [frame[1] for frame in fp.vpdq]
    queries = [
        {"signal_type": kind, "signal": value, "threshold": threshold}
        for kind, value in values.items()
        if value
    ]
    if not queries and not all_frames:
        raise InputFileError("give at least one of --pdq, --md5, --sha256, --vpdq, --media")
    with BankClient(bank_url, api_token) as client:
        results = client.lookup_many(queries) if queries else []
        videos = client.lookup_vpdq(all_frames, threshold, min_percent) if all_frames else []
    matches = [match for result in results for match in result["matches"]]
    return LookupResult(matches, [{**m, "signal_type": "vpdq"} for m in videos])
