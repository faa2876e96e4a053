"""``unshared bank ...`` against a real bank on loopback."""

from __future__ import annotations

import json
import sys
import time
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
        case_token = case.bank_token(live_bank.url)
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


def test_tokens_are_listed_without_secrets_and_revoked(live_bank: LiveBank) -> None:
    platform = _token(live_bank, "platform")
    r = httpx.get(
        live_bank.url + "/v1/hashes/lookup",
        params={"signal_type": "pdq", "signal": PDQ},
        headers={"Authorization": f"Bearer {platform}"},
    )
    assert r.status_code == 200

    listed = runner.invoke(app, ["bank", "tokens", "--db", live_bank.db])
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(x) for x in listed.output.splitlines()]
    assert platform not in listed.output and "hash" not in listed.output
    (mine,) = [r for r in rows if r["scope"] == "platform"]
    assert mine["revoked"] is False

    result = runner.invoke(app, ["bank", "revoke", str(mine["id"]), "--db", live_bank.db])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["bank", "revoke", str(mine["id"]), "--db", live_bank.db])
    assert again.exit_code == 1 and "revoked already" in again.output

    # The running server refuses it once its token cache (5 s) has expired.
    deadline = time.monotonic() + 15
    status = 200
    while status == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        status = httpx.get(
            live_bank.url + "/v1/hashes/lookup",
            params={"signal_type": "pdq", "signal": PDQ},
            headers={"Authorization": f"Bearer {platform}"},
        ).status_code
    assert status == 401
    rows = [
        json.loads(x)
        for x in runner.invoke(app, ["bank", "tokens", "--db", live_bank.db]).output.splitlines()
    ]
    assert [r["revoked"] for r in rows if r["id"] == mine["id"]] == [True]


def test_api_revocation_is_immediate_on_that_server(live_bank: LiveBank) -> None:
    admin, platform = _token(live_bank, "admin"), _token(live_bank, "platform")
    headers = {"Authorization": f"Bearer {admin}"}
    listed = httpx.get(live_bank.url + "/v1/tokens", headers=headers).json()
    assert all("token_hash" not in row for row in listed)
    target = max(row["id"] for row in listed if row["scope"] == "platform")
    r = httpx.delete(f"{live_bank.url}/v1/tokens/{target}", headers=headers)
    assert r.status_code == 200
    r = httpx.get(
        live_bank.url + "/v1/hashes/lookup",
        params={"signal_type": "pdq", "signal": PDQ},
        headers={"Authorization": f"Bearer {platform}"},
    )
    assert r.status_code == 401
    assert httpx.delete(f"{live_bank.url}/v1/tokens/{target}", headers=headers).status_code == 404
    audit = httpx.get(live_bank.url + "/v1/audit", headers=headers).json()
    assert any(a["action"] == "token_revoked" and a["target"] == f"token:{target}" for a in audit)


def test_vpdq_lookup_from_a_frame_file_and_from_a_video(
    live_bank: LiveBank, tmp_path: Path
) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import fingerprints_media

    from unshared.fingerprints.media import fingerprint_file

    video = fingerprints_media.write_video(
        tmp_path / "clip.mp4", fingerprints_media.video_frames(seconds=2, fps=8), fps=8
    )
    fp = fingerprint_file(video)
    assert fp.vpdq
    submitter, platform = _token(live_bank, "submitter"), _token(live_bank, "platform")
    case_path = tmp_path / "video.unshared"
    with Case.create(case_path, None) as case:
        case.add_fingerprints([fp], {"count": 1})
    common = ["--bank", live_bank.url, "--token", submitter]
    assert runner.invoke(app, ["bank", "submit", str(case_path), *common]).exit_code == 0
    time.sleep(0.5)  # one sync round of the server

    frames = tmp_path / "frames.txt"  # the vpdq tool's own line format
    frames.write_text("".join(f"{f},{q},{h},{t}\n" for f, h, q, t in fp.vpdq), encoding="utf-8")
    look = ["bank", "lookup", "--bank", live_bank.url, "--token", platform]
    for extra in (["--vpdq", str(frames)], ["--media", str(video)]):
        result = runner.invoke(app, [*look, *extra])
        assert result.exit_code == 0, result.output
        lines = [json.loads(x) for x in result.output.splitlines()]
        videos = [m for m in lines if m["signal_type"] == "vpdq"]
        assert len(videos) == 1 and videos[0]["match"] is True
        assert videos[0]["query_match_percent"] == 100.0
    # --media also looks up the file's exact hashes.
    assert any(m["signal_type"] == "md5" for m in lines)


def test_a_bad_frame_file_names_the_file_and_line(tmp_path: Path) -> None:
    frames = tmp_path / "frames.txt"
    frames.write_text("0,100," + "ab" * 32 + ",0.0\nnot a hash\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["bank", "lookup", "--bank", "http://127.0.0.1:9", "--token", "x", "--vpdq", str(frames)],
    )
    assert result.exit_code == 1
    assert "frames.txt (line 2)" in str(result.exception) or "frames.txt (line 2)" in result.output
