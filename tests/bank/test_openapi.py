"""Schemathesis drives every operation of the OpenAPI spec in-process: no answer may be a 5xx.

Two runs: valid data (positive), and data that breaks the schema (negative) with, besides what
schemathesis makes, NaN, infinities and integers past 64 bits put into numeric body fields, query
and path parameters (issue 14: such values gave 500s).
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.core import NotSet

from unshared.bank.api import create_app
from unshared.bank.service import issue_token
from unshared.bank.sql import open_store
from unshared.bank.webhooks import WebhookPolicy

from .helpers import TestClient

_STORE = open_store("sqlite:///:memory:")
_ADMIN = issue_token(_STORE, "admin", "fuzzer", rate=1_000_000)
# Webhook hosts resolve to one public address: the fuzzer's random names never reach real DNS.
_APP = create_app(
    _STORE, background=False, webhooks=WebhookPolicy(resolve=lambda host, port: ["192.0.2.1"])
)
_RAW = TestClient(_APP, raise_server_exceptions=False)

schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)
# Negative data for the two bulk operations means lists past their 1,000-item limits, each
# item a nested object: minutes per example. Their numbers are attacked one by one in
# test_security.py instead.
hostile = schemathesis.openapi.from_asgi("/openapi.json", _APP).exclude(
    method="POST", path_regex="^/v1/(submissions|lookup)$"
)
hostile.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

#: Numbers no field accepts: each must be a 4xx.
SPECIAL: list[Any] = [math.nan, math.inf, -math.inf, 2**63, -(2**63) - 1, 2**64, 10**30]
SPECIAL_TEXT = ["NaN", "Infinity", "-inf", "1e999", str(2**63), str(-(2**63) - 1), str(10**30)]


def _numeric_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _numeric_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _numeric_paths(v, (*path, i))]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [path]
    return []


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@hostile.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    paths = _numeric_paths(body)
    if not paths:
        return st.just(body)
    poisoned = st.tuples(st.sampled_from(paths), st.sampled_from(SPECIAL)).map(
        lambda pick: _replace(body, pick[0], pick[1])
    )
    return st.one_of(st.just(body), poisoned)


def _poison_params(params: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if not params:
        return st.just(params)
    poisoned = st.tuples(st.sampled_from(sorted(params)), st.sampled_from(SPECIAL_TEXT)).map(
        lambda pick: {**params, pick[0]: pick[1]}
    )
    return st.one_of(st.just(params), poisoned)


@hostile.hook
def flatmap_query(context: Any, query: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    return _poison_params(query)


@hostile.hook
def flatmap_path_parameters(context: Any, params: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    return _poison_params(params)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = case.call(headers={"authorization": f"Bearer {_ADMIN}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])


@hostile.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_on_hostile_numbers(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    """Sent as raw bytes: HTTP clients refuse to put NaN in JSON, an attacker does not."""
    path = case.path
    for name, value in (case.path_parameters or {}).items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    body = case.body
    content: bytes | None = None
    if isinstance(body, bytes):
        content = body
    elif not isinstance(body, NotSet) and body is not None:
        content = json.dumps(body, default=str).encode()
    response = _RAW.request(
        case.method,
        path,
        params=case.query or None,
        content=content,
        headers={"authorization": f"Bearer {_ADMIN}", "content-type": "application/json"},
    )
    assert response.status_code < 500, (case.method, path, body, response.text[:300])


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
