"""The case file: encrypted SQLite, exhibits, hash-chained log, verification."""

from unshared.casefile.log import Event, check_chain, event_hash
from unshared.casefile.store import Case, ExhibitInfo, StoredMessage
from unshared.casefile.verify import VerifyResult, verify_case

__all__ = [
    "Case",
    "Event",
    "ExhibitInfo",
    "StoredMessage",
    "VerifyResult",
    "check_chain",
    "event_hash",
    "verify_case",
]
