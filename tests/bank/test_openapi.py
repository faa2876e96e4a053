"""Schemathesis drives every operation of the OpenAPI spec in-process: no answer may be a 5xx."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis

from unshared.bank.api import create_app
from unshared.bank.service import issue_token
from unshared.bank.sql import open_store

_STORE = open_store("sqlite:///:memory:")
_ADMIN = issue_token(_STORE, "admin", "fuzzer", rate=1_000_000)
_APP = create_app(_STORE, background=False)

schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: schemathesis.Case) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = case.call(headers={"authorization": f"Bearer {_ADMIN}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])


def test_the_spec_documents_every_route() -> None:
    paths = set(_APP.openapi()["paths"])
    assert {
        "/v1/health",
        "/v1/status",
        "/v1/submissions",
        "/v1/hashes/lookup",
        "/v1/lookup",
        "/v1/lookup/vpdq",
        "/v1/changes",
        "/v1/feedback",
        "/v1/cases/{case_token}/withdraw",
        "/v1/cases/{case_token}/alerts",
        "/v1/cases/{case_token}/webhook",
        "/v1/benign",
    } <= paths
