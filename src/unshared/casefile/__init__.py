"""The case file: encrypted SQLite, exhibits, hash-chained log, verification."""

from unshared.casefile import events
from unshared.casefile.events import Payload
from unshared.casefile.exhibits import Acquisition, ExhibitInfo, ExhibitSource
from unshared.casefile.log import Event, check_chain, event_hash
from unshared.casefile.messages import ImportInfo, StoredMessage
from unshared.casefile.settings import CaseSettings, Victims
from unshared.casefile.store import Case
from unshared.casefile.verify import VerifyResult, verify_case

__all__ = [
    "Acquisition",
    "Case",
    "CaseSettings",
    "Event",
    "ExhibitInfo",
    "ExhibitSource",
    "ImportInfo",
    "Payload",
    "StoredMessage",
    "VerifyResult",
    "Victims",
    "check_chain",
    "event_hash",
    "events",
    "verify_case",
]
