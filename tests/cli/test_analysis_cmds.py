"""``unshared identifiers`` and ``unshared scan``, in-process and as a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from unshared.casefile import Case
from unshared.cli import app
from unshared.model import Locator, Message, Participant

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_scan_jsonl_shape(tmp_path: Path) -> None:
    src = tmp_path / "lines.txt"
    src.write_text("hello\nsend to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(src), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {"line": 1, "text": "hello", "identifiers": [], "signals": []}
    assert rows[1]["line"] == 2
    assert rows[1]["identifiers"] == [
        {
            "kind": "btc_address",
            "value": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "raw": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "valid": "valid",
        }
    ]
    assert isinstance(rows[1]["signals"], list)


def test_scan_reads_with_the_sentence_encoder_unless_fast(tmp_path: Path) -> None:
    src = tmp_path / "lines.txt"
    src.write_text("pay $500 in gift cards or I post it. you have 2 hours\nsee you at 6\n", "utf-8")

    def read(*extra: str) -> list[dict[str, Any]]:
        result = runner.invoke(app, ["scan", str(src), "--format", "jsonl", *extra])
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()][:2]

    full, fast = read(), read("--fast")
    assert {s["stage"] for s in full[0]["signals"]} >= {"threat", "payment_demand"}
    assert {s["stage"] for s in fast[0]["signals"]} >= {"threat", "payment_demand"}
    # The encoder's own reading is shown beside the blended score; --fast has none.
    assert all("sentence" in s["details"] for s in full[0]["signals"] if s["stage"] == "threat")
    assert not any("sentence" in s["details"] for s in fast[0]["signals"])
    assert full[1]["signals"] == fast[1]["signals"] == []


def test_scan_stdin_text_and_region() -> None:
    result = runner.invoke(app, ["scan", "-", "--region", "US"], input="call (415) 555-2671\n")
    assert result.exit_code == 0
    assert "phone: +14155552671" in result.stdout


def test_scan_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    missing = tmp_path / "nope.txt"
    done = subprocess.run(
        [sys.executable, "-m", "unshared", "scan", str(missing)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert "nope.txt" in done.stderr and "no such file" in done.stderr


def test_scan_rejects_non_utf8_naming_the_line(tmp_path: Path) -> None:
    src = tmp_path / "bad.txt"
    src.write_bytes(b"fine\n\xff\xfe broken\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [sys.executable, "-m", "unshared", "scan", str(src), "--format", "jsonl"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert "line 2" in done.stderr


def make_case(path: Path, passphrase: str | None) -> None:
    with Case.create(path, passphrase) as case:
        exhibit = case.add_exhibit(io.BytesIO(b"x"), name="chat.txt", source_path="chat.txt")
        records: list[Message | Participant] = [
            Participant("text", "c", "Jess", side="victim"),
            Message(
                "text", "c", "Mark", "add me on snap jess_h22 or pay $JessH22", Locator(line=1)
            ),
            Message("text", "c", "Mark", "cashapp $JessH22 now", Locator(line=2)),
            Message("text", "c", "Jess", "my email is jess@example.org", Locator(line=3)),
        ]
        case.record_import(exhibit, "plaintext", iter(records))


def test_identifiers_jsonl_runs_analysis_on_encrypted_case(tmp_path: Path, passphrase: str) -> None:
    path = tmp_path / "c.case"
    make_case(path, passphrase)
    result = runner.invoke(app, ["identifiers", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = {r["kind"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["cashtag"]["value"] == "$jessh22" and rows["cashtag"]["uses"] == 2
    assert rows["cashtag"]["sides"] == ["other"]
    assert rows["email"]["sides"] == ["victim"]
    assert rows["snapchat_handle"]["sources"] == {"message": 1}
    with Case.open(path, passphrase) as case:
        runs = sum(1 for e in case.events() if e.type == "analysis_run")
    # A second listing reuses the stored analysis.
    again = runner.invoke(app, ["identifiers", str(path), "--format", "jsonl"])
    assert again.exit_code == 0
    with Case.open(path, passphrase) as case:
        assert sum(1 for e in case.events() if e.type == "analysis_run") == runs == 1


def test_identifiers_table(tmp_path: Path) -> None:
    path = tmp_path / "c.case"
    make_case(path, None)
    result = runner.invoke(app, ["identifiers", str(path)])
    assert result.exit_code == 0, result.output
    assert "cashtag" in result.stdout and "$jessh22" in result.stdout


def test_scan_rejects_unknown_region() -> None:
    result = runner.invoke(app, ["scan", "-", "--region", "XX"], input="hi\n")
    assert result.exit_code == 2
    ok = runner.invoke(app, ["scan", "-", "--region", "uk"], input="call 07488 215390\n")
    assert ok.exit_code == 0 and "+447488215390" in ok.stdout


def test_identifiers_refresh_and_region_rerun(tmp_path: Path) -> None:
    path = tmp_path / "c.case"
    make_case(path, None)
    assert runner.invoke(app, ["identifiers", str(path), "--format", "jsonl"]).exit_code == 0
    again = runner.invoke(app, ["identifiers", str(path), "--format", "jsonl", "--refresh"])
    assert again.exit_code == 0
    assert json.loads(again.stdout.splitlines()[0])["valid"] in ("valid", "shape", "invalid")
    assert runner.invoke(app, ["identifiers", str(path), "--region", "US"]).exit_code == 0
    with Case.open(path, None) as case:
        runs = [json.loads(e.payload) for e in case.events() if e.type == "analysis_run"]
    assert [r["region"] for r in runs] == ["GB", "GB", "US"]
