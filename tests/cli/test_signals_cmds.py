"""``unshared signals CASE``: table and jsonl output, read-only, clean errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unshared.casefile.store import Case
from unshared.cli import app
from unshared.importers.base import BytesSource, ImportOptions
from unshared.importers.formats.plaintext import PlainTextImporter

CHAT = """\
2024-05-01T21:00:00+01:00 Emma: hey cutie, saw you in my suggestions
2024-05-01T21:01:00+01:00 Sam: hi
2024-05-01T21:05:00+01:00 Emma: I barely use insta, add me on snap: jess_xo22
2024-05-01T22:00:00+01:00 Emma: I have your nudes and I will send them to all your followers
2024-05-01T22:01:00+01:00 Emma: pay $500 in gift cards or I post it. you have 2 hours
2024-05-01T22:40:00+01:00 Sam: I sent you the $300 on cash app, please delete it
2024-05-01T22:41:00+01:00 Emma: kill yourself
"""


@pytest.fixture
def case_path(tmp_path: Path, passphrase: str) -> Path:
    path = tmp_path / "case.unshared"
    data = CHAT.encode()
    with Case.create(path, passphrase) as case:
        exhibit = case.add_exhibit(io.BytesIO(data), name="chat.txt", source_path="chat.txt")
        source = BytesSource(data, "chat.txt")
        options = ImportOptions(me=frozenset({"Sam"}))
        case.record_import(exhibit, "plaintext", PlainTextImporter().parse(source, options))
    return path


def test_jsonl(case_path: Path) -> None:
    result = CliRunner().invoke(app, ["signals", str(case_path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    *flagged, last = lines
    assert [f["message_id"] for f in flagged] == [1, 3, 4, 5, 7]
    pay = flagged[3]
    assert pay["sender"] == "Emma"
    assert pay["sent_at"] == "2024-05-01T22:01:00+01:00"
    stages = {s["stage"]: s for s in pay["signals"]}
    assert set(stages) == {"threat", "payment_demand", "deadline"}
    assert stages["payment_demand"]["details"]["method"] == "gift card"
    assert all(s["reason"] for f in flagged for s in f["signals"])
    summary = last["summary"]
    assert summary["known_script"] is True
    assert summary["first_threat"]["message_id"] == 4
    assert [d["amount"] for d in summary["demands"]] == ["500"]
    assert [p["message_id"] for p in summary["payments"]] == [6]
    assert summary["offenders"] == ["Emma"]


def test_table(case_path: Path) -> None:
    result = CliRunner().invoke(app, ["signals", str(case_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Signals by message" in out and "Summary" in out
    assert "payment demand" in out and "500 USD by gift card" in out
    assert "known sextortion script" in out
    assert "Payments mentioned by the victim" in out


def test_the_case_is_not_changed(case_path: Path) -> None:
    before = case_path.read_bytes()
    CliRunner().invoke(app, ["signals", str(case_path), "--format", "jsonl"])
    assert case_path.read_bytes() == before


def test_wrong_passphrase_and_missing_case(case_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["signals", str(case_path)], env={"UNSHARED_PASSPHRASE": "nope"})
    assert bad.exit_code != 0
    assert "passphrase" in str(bad.exception)
    missing = runner.invoke(app, ["signals", str(tmp_path / "none.unshared")])
    assert missing.exit_code != 0
    assert "no such case file" in str(missing.exception)


def test_unknown_language(case_path: Path) -> None:
    result = CliRunner().invoke(app, ["signals", str(case_path), "--lang", "xx"])
    assert result.exit_code != 0
    assert "no signal patterns" in str(result.exception)
