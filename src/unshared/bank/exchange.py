"""Let Hasher-Matcher-Actioner (HMA) and the ``threatexchange`` CLI follow an unshared bank.

:class:`UnsharedBankSignalExchangeAPI` is a python-threatexchange ``SignalExchangeAPI``: it pulls
the bank's changes feed (additions and deletions, with a cursor checkpoint) and reports opinions
back as platform feedback. Updates are keyed by bank entry: an addition carries the entry's
hashes, a deletion only the entry id (the bank never hands out a withdrawn hash again), and
:meth:`UnsharedBankSignalExchangeAPI.naive_convert_to_signal_type` turns the entries into hashes. Add it to HMA through ``exchange_types=[...]`` of
``DefaultOMMStore`` in HMA's ``omm_config.py`` (see docs/bank.md).
Needs the optional ``threatexchange`` package.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from threatexchange.exchanges import auth
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.collab_config import CollaborationConfigWithDefaults
from threatexchange.exchanges.signal_exchange_api import SignalExchangeAPI
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.sha256 import VideoSHA256Signal
from threatexchange.signal_type.signal_base import SignalType

from unshared.bank.client import BankClient

__all__ = [
    "TX_NAMES",
    "UnsharedBankCheckpoint",
    "UnsharedBankCollabConfig",
    "UnsharedBankCredentials",
    "UnsharedBankEntry",
    "UnsharedBankSignalExchangeAPI",
    "UnsharedBankSignalMetadata",
]

# bank signal type -> threatexchange SignalType name
TX_NAMES: dict[str, str] = {
    "pdq": PdqSignal.get_name(),
    "md5": VideoMD5Signal.get_name(),
    "sha256": VideoSHA256Signal.get_name(),
}
BANK_NAMES = {v: k for k, v in TX_NAMES.items()}


@dataclass
class _Required:
    bank_url: str = field(metadata={"help": "the bank's base URL, e.g. https://bank.example.org"})


@dataclass
class UnsharedBankCollabConfig(CollaborationConfigWithDefaults, _Required):
    bank: str | None = field(
        default=None, metadata={"help": "follow only this bank (default: every bank)"}
    )


@dataclass
class UnsharedBankCredentials(auth.CredentialHelper):
    """A platform-scope token from ``unshared bank token --scope platform``."""

    ENV_VARIABLE: t.ClassVar[str] = "TX_UNSHARED_BANK_TOKEN"
    FILE_NAME: t.ClassVar[str] = "~/.tx_unshared_bank_token"

    token: str

    @classmethod
    def _from_str(cls, s: str) -> UnsharedBankCredentials | None:
        return cls(s.strip()) if s.strip() else None

    def _are_valid(self) -> bool:
        return bool(self.token)


@dataclass
class UnsharedBankCheckpoint(state.FetchCheckpointBase):
    cursor: int = 0


@dataclass
class UnsharedBankSignalMetadata(state.FetchedSignalMetadata):
    entry_id: int
    bank: str

    def get_as_opinions(self) -> t.Sequence[state.SignalOpinion]:
        return [state.SignalOpinion(False, state.SignalOpinionCategory.POSITIVE_CLASS, {"ncii"})]


@dataclass
class UnsharedBankEntry:
    """One bank entry as fetched: its hashes by threatexchange signal type name."""

    entry_id: int
    bank: str
    signals: dict[str, list[str]]


_Delta = state.FetchDelta[int, UnsharedBankEntry, UnsharedBankCheckpoint]


class UnsharedBankSignalExchangeAPI(
    auth.SignalExchangeWithAuth[UnsharedBankCollabConfig, UnsharedBankCredentials],
    SignalExchangeAPI[
        UnsharedBankCollabConfig,
        UnsharedBankCheckpoint,
        UnsharedBankSignalMetadata,
        int,
        UnsharedBankEntry,
    ],
):
    """Follow an unshared hash bank's changes feed; report matches back as feedback."""

    def __init__(self, collab: UnsharedBankCollabConfig, client: BankClient) -> None:
        self.collab = collab
        self.client = client

    @classmethod
    def get_name(cls) -> str:
        return "unshared_bank"

    @staticmethod
    def get_config_cls() -> type[UnsharedBankCollabConfig]:
        return UnsharedBankCollabConfig

    @staticmethod
    def get_checkpoint_cls() -> type[UnsharedBankCheckpoint]:
        return UnsharedBankCheckpoint

    @staticmethod
    def get_record_cls() -> type[UnsharedBankSignalMetadata]:
        return UnsharedBankSignalMetadata

    @staticmethod
    def get_credential_cls() -> type[UnsharedBankCredentials]:
        return UnsharedBankCredentials

    @classmethod
    def for_collab(
        cls,
        collab: UnsharedBankCollabConfig,
        credentials: UnsharedBankCredentials | None = None,
    ) -> UnsharedBankSignalExchangeAPI:
        credentials = credentials or UnsharedBankCredentials.get(cls)
        return cls(collab, BankClient(collab.bank_url, credentials.token))

    def fetch_iter(
        self,
        supported_signal_types: t.Sequence[type[SignalType]],
        checkpoint: UnsharedBankCheckpoint | None,
    ) -> t.Iterator[_Delta]:
        wanted = {st.get_name() for st in supported_signal_types}
        cursor = checkpoint.cursor if checkpoint else 0
        for page in self.client.iter_changes(cursor):
            updates: dict[int, UnsharedBankEntry | None] = {}
            for change in page["changes"]:
                if self.collab.bank and change["bank"] != self.collab.bank:
                    continue
                entry_id = int(change["entry_id"])
                if change["op"] != "add":
                    updates[entry_id] = None
                    continue
                signals: dict[str, list[str]] = {}
                for signal in change["signals"]:
                    name = TX_NAMES.get(signal["signal_type"])
                    if name is not None and name in wanted:
                        signals.setdefault(name, []).append(signal["value"])
                updates[entry_id] = UnsharedBankEntry(entry_id, change["bank"], signals)
            cursor = int(page["next_cursor"])
            if updates or page["changes"]:
                yield _Delta(updates, UnsharedBankCheckpoint(cursor))

    @classmethod
    def naive_convert_to_signal_type(
        cls,
        signal_types: t.Sequence[type[SignalType]],
        collab: UnsharedBankCollabConfig,
        fetched: t.Mapping[int, UnsharedBankEntry],
    ) -> dict[type[SignalType], dict[str, UnsharedBankSignalMetadata]]:
        """The fetched entries as hashes by signal type, each with its entry's metadata."""
        by_name = {st.get_name(): st for st in signal_types}
        out: dict[type[SignalType], dict[str, UnsharedBankSignalMetadata]] = {}
        for entry in fetched.values():
            for name, values in entry.signals.items():
                s_type = by_name.get(name)
                if s_type is None:
                    continue
                for value in values:
                    meta = UnsharedBankSignalMetadata(entry.entry_id, entry.bank)
                    out.setdefault(s_type, {})[value] = meta
        return out

    def report_opinion(
        self, s_type: type[SignalType], signal: str, opinion: state.SignalOpinion
    ) -> None:
        """A positive opinion reports ``matched``; a negative one ``false_positive``."""
        kind = {
            state.SignalOpinionCategory.POSITIVE_CLASS: "matched",
            state.SignalOpinionCategory.NEGATIVE_CLASS: "false_positive",
        }.get(opinion.category)
        bank_type = BANK_NAMES.get(s_type.get_name())
        if kind is None or bank_type is None:
            raise NotImplementedError
        found = self.client.lookup(bank_type, signal, threshold=0, dihedral=False)
        for match in found["matches"]:
            self.client.feedback(match["entry_id"], kind, note="via threatexchange")
