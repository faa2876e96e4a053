"""The ThreatExchange SignalExchangeAPI follows the feed and reports feedback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from threatexchange.exchanges import fetch_state as state
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from unshared.bank.api import create_app
from unshared.bank.client import BankClient
from unshared.bank.exchange import (
    UnsharedBankCheckpoint,
    UnsharedBankCollabConfig,
    UnsharedBankCredentials,
    UnsharedBankEntry,
    UnsharedBankSignalExchangeAPI,
)
from unshared.bank.service import issue_token
from unshared.bank.sql import SQLStore

from .helpers import TestClient, as_httpx

PDQ = "c3" * 32


@pytest.fixture
def exchange(store: SQLStore) -> Iterator[tuple[UnsharedBankSignalExchangeAPI, BankClient]]:
    app = create_app(store, background=False)
    submitter = issue_token(store, "submitter")
    platform = issue_token(store, "platform", "hma")
    with TestClient(app) as http:
        collab = UnsharedBankCollabConfig(name="unshared", bank_url="http://testserver")
        api = UnsharedBankSignalExchangeAPI(
            collab, BankClient("http://testserver", platform, http=as_httpx(http))
        )
        yield api, BankClient("http://testserver", submitter, http=as_httpx(http))


def test_fetch_adds_then_deletes(
    exchange: tuple[UnsharedBankSignalExchangeAPI, BankClient],
) -> None:
    api, submitter = exchange
    case = "exchange-case-token-0001"
    (entry,) = submitter.submit(case, [{"pdq": PDQ, "md5": "d" * 32}])
    deltas = list(api.fetch_iter([PdqSignal, VideoMD5Signal], None))
    merged: dict[int, UnsharedBankEntry] = {}
    for d in deltas:
        api.naive_fetch_merge(merged, d.updates)
    assert set(merged) == {entry}
    by_type = api.naive_convert_to_signal_type([PdqSignal, VideoMD5Signal], api.collab, merged)
    assert by_type[PdqSignal][PDQ].entry_id == entry
    assert by_type[VideoMD5Signal]["d" * 32].entry_id == entry
    checkpoint = deltas[-1].checkpoint
    assert isinstance(checkpoint, UnsharedBankCheckpoint) and checkpoint.cursor >= 1

    submitter.withdraw(case)
    later = list(api.fetch_iter([PdqSignal, VideoMD5Signal], checkpoint))
    for d in later:
        api.naive_fetch_merge(merged, d.updates)
    assert merged == {}


def test_report_opinion_becomes_feedback(
    exchange: tuple[UnsharedBankSignalExchangeAPI, BankClient],
) -> None:
    api, submitter = exchange
    case = "exchange-case-token-0002"
    submitter.submit(case, [{"pdq": PDQ}])
    api.report_opinion(
        PdqSignal, PDQ, state.SignalOpinion(True, state.SignalOpinionCategory.NEGATIVE_CLASS, set())
    )
    alerts = submitter.alerts(case)
    assert [(a["kind"], a["platform"]) for a in alerts] == [("false_positive", "hma")]


def test_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TX_UNSHARED_BANK_TOKEN", "ush_abc")
    creds = UnsharedBankCredentials.get(UnsharedBankSignalExchangeAPI)
    api = UnsharedBankSignalExchangeAPI.for_collab(
        UnsharedBankCollabConfig(name="x", bank_url="http://127.0.0.1:1"), creds
    )
    assert api.client.token == "ush_abc"
    assert UnsharedBankSignalExchangeAPI.get_name() == "unshared_bank"
