"""``unshared bank ...`` against a real bank on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from typer.testing import CliRunner

from unshared.casefile.store import Case
from unshared.cli import app
from unshared.model import Fingerprint

from .helpers import LiveBank

PDQ = "5a" * 32
runner = CliRunner()


def _token(bank: LiveBank, scope: str) -> str:
    result = runner.invoke(app, ["bank", "token", "--db", bank.db, "--scope", scope])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("ush_")
    return token


def _case(tmp_path: Path) -> Path:
    path = tmp_path / "me.unshared"
    with Case.create(path, None) as case:
        fp = Fingerprint(
            path="/home/me/private/IMG_0001.jpg",
            kind="image",
            sha256="1" * 64,
            md5="2" * 32,
            pdq=PDQ,
            quality=100,
            pdq_dihedral=(PDQ, "a5" * 32),
        )
        case.add_fingerprints([fp], {"count": 1})
    return path


def test_submit_lookup_alerts_withdraw(live_bank: LiveBank, tmp_path: Path) -> None:
    submitter, platform = _token(live_bank, "submitter"), _token(live_bank, "platform")
    case_path = _case(tmp_path)
    common = ["--bank", live_bank.url, "--token", submitter]

    result = runner.invoke(app, ["bank", "submit", str(case_path), *common])
    assert result.exit_code == 0, result.output
    assert "Sent 1 fingerprints" in result.output
    with Case.open(case_path, None) as case:
        case_token = case.setting("bank_case_token:" + live_bank.url)
        events = [e.type for e in case.events()]
    assert case_token and "bank_submitted" in events

    near = "5b" + "5a" * 31
    result = runner.invoke(
        app,
        [
            "bank",
            "lookup",
            "--bank",
            live_bank.url,
            "--token",
            platform,
            "--pdq",
            near,
            "--md5",
            "2" * 32,
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert {(m["signal_type"], m["distance"]) for m in lines} == {("pdq", 1), ("md5", 0)}
    entry_id = lines[0]["entry_id"]

    r = httpx.post(
        live_bank.url + "/v1/feedback",
        json={"entry_id": entry_id, "kind": "removed"},
        headers={"authorization": f"Bearer {platform}"},
    )
    assert r.status_code == 200
    result = runner.invoke(app, ["bank", "alerts", str(case_path), *common])
    assert result.exit_code == 0 and "took a copy down" in result.output

    result = runner.invoke(app, ["bank", "withdraw", str(case_path), *common])
    assert result.exit_code == 0 and "Withdrawn: 1" in result.output
    result = runner.invoke(
        app, ["bank", "lookup", "--bank", live_bank.url, "--token", platform, "--pdq", PDQ]
    )
    assert result.exit_code == 0 and result.output.strip() == ""


def test_unreachable_bank_is_one_calm_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["bank", "lookup", "--bank", "http://127.0.0.1:9", "--token", "x", "--pdq", PDQ]
    )
    assert result.exit_code != 0
    assert "cannot reach the bank" in str(result.exception)
