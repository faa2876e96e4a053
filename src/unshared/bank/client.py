"""A small client for the bank API (httpx). Used by the CLI and the ThreatExchange adapter.

It connects only when a method is called: creating a client sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from unshared.errors import BankError

__all__ = ["BankClient", "fingerprint_payload"]

_SENT_KEYS = ("kind", "sha256", "md5", "pdq", "pdq_dihedral")
LOOKUP_BATCH = 1000  # look-ups a request: POST /v1/lookup takes at most 1,000


def fingerprint_payload(fp: dict[str, Any]) -> dict[str, Any]:
    """Only the hashes of a case fingerprint: no path, name, size or timestamps leave the case."""
    out = {k: fp[k] for k in _SENT_KEYS if fp.get(k)}
    frames = fp.get("vpdq") or []
    if frames:
        out["vpdq"] = [{"frame": f["frame"], "pdq": f["pdq"]} for f in frames if f.get("pdq")]
    return out


class BankClient:
    def __init__(
        self, base_url: str, token: str | None = None, *, http: httpx.Client | None = None
    ) -> None:
        if not base_url.startswith(("http://", "https://")) and http is None:
            raise BankError("the bank URL must start with http:// or https://", where=base_url)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = http if http is not None else httpx.Client(timeout=30.0)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BankClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self._http.request(method, self.base_url + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise BankError(f"cannot reach the bank ({exc})", where=self.base_url) from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            if not isinstance(detail, str):
                detail = str(detail)
            raise BankError(f"the bank answered {response.status_code}: {detail}")
        return response.json()

    # ----------------------------------------------------------------- everyone
    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "/v1/health"))

    def status(self) -> dict[str, Any]:
        return dict(self._call("GET", "/v1/status"))

    # ----------------------------------------------------------------- submitters
    def submit(
        self, case_token: str, fingerprints: list[dict[str, Any]], bank: str = "default"
    ) -> list[int]:
        body = {
            "case_token": case_token,
            "bank": bank,
            "fingerprints": [fingerprint_payload(fp) for fp in fingerprints],
        }
        return list(self._call("POST", "/v1/submissions", json=body)["entry_ids"])

    def set_webhook(self, case_token: str, url: str | None, secret: str = "") -> None:
        self._call("PUT", f"/v1/cases/{case_token}/webhook", json={"url": url, "secret": secret})

    def withdraw(self, case_token: str) -> int:
        return int(self._call("POST", f"/v1/cases/{case_token}/withdraw")["count"])

    def alerts(self, case_token: str, after: int = 0) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/v1/cases/{case_token}/alerts", params={"after": after}))

    # ----------------------------------------------------------------- platforms
    def lookup(
        self, signal_type: str, signal: str, threshold: int = 31, dihedral: bool = True
    ) -> dict[str, Any]:
        params = {
            "signal_type": signal_type,
            "signal": signal,
            "threshold": threshold,
            "dihedral": str(dihedral).lower(),
        }
        return dict(self._call("GET", "/v1/hashes/lookup", params=params))

    def lookup_many(
        self, queries: list[dict[str, Any]], batch: int = LOOKUP_BATCH
    ) -> list[dict[str, Any]]:
        """Answers for any number of look-ups ``{signal_type, signal, threshold?, dihedral?}``,
        in order, sent ``batch`` to a request (the server takes up to 1,000)."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(queries), batch):
            part = queries[start : start + batch]
            out.extend(self._call("POST", "/v1/lookup", json={"queries": part}))
        return out

    def lookup_vpdq(
        self, frames: list[str], threshold: int = 31, min_percent: float = 80.0
    ) -> list[dict[str, Any]]:
        body = {"frames": frames, "threshold": threshold, "min_percent": min_percent}
        return list(self._call("POST", "/v1/lookup/vpdq", json=body))

    def changes(self, cursor: int = 0, limit: int = 1000) -> dict[str, Any]:
        return dict(self._call("GET", "/v1/changes", params={"cursor": cursor, "limit": limit}))

    def iter_changes(self, cursor: int = 0, limit: int = 1000) -> Iterator[dict[str, Any]]:
        """Every page of the changes feed after ``cursor`` until it is caught up."""
        while True:
            page = self.changes(cursor, limit)
            yield page
            if not page["changes"]:
                return
            cursor = int(page["next_cursor"])

    def feedback(self, entry_id: int, kind: str, note: str = "") -> dict[str, Any]:
        body = {"entry_id": entry_id, "kind": kind, "note": note}
        return dict(self._call("POST", "/v1/feedback", json=body))
