"""The report and bundle commands, in-process."""

from __future__ import annotations

import hashlib
from pathlib import Path

from typer.testing import CliRunner

from unshared.casefile.store import Case
from unshared.cli import app
from unshared.cli.report_cmds import show_bundle_check

runner = CliRunner()


def test_report_writes_the_pack_and_logs_it(case_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack"
    result = runner.invoke(app, ["report", str(case_path), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and (out / "case.jsonld").is_file()
    assert not (out / "report.pdf").exists()
    assert "report.html" in result.output
    html_sha = hashlib.sha256((out / "report.html").read_bytes()).hexdigest()
    assert html_sha in result.output
    with Case.open(case_path, "correct horse battery staple", readonly=True) as case:
        last = case.head()
    assert last.type == "report_made" and last.hash in (out / "report.html").read_text()
    assert last.hash in result.output  # the seal is printed, to be noted with the statement


def test_report_platform_prints_drafts(case_path: Path) -> None:
    result = runner.invoke(app, ["report", str(case_path), "--platform", "skype"])
    assert result.exit_code == 0, result.output
    assert "live:.cid.5f1e2d3c4b5a" in result.output and "Report to Skype" in result.output
    both = runner.invoke(app, ["report", str(case_path), "-p", "all"])
    assert "Report to Instagram" in both.output and "Report to Skype" in both.output


def test_bundle_then_check(case_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "evidence.zip"
    result = runner.invoke(app, ["bundle", str(case_path), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "unshared verify" in result.output
    show_bundle_check(out)  # returns quietly when the bundle checks out


def test_wrong_passphrase_is_an_error(case_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("UNSHARED_PASSPHRASE", "wrong")
    result = runner.invoke(app, ["report", str(case_path), "--no-pdf"])
    assert result.exit_code != 0


def test_platform_not_in_case_and_unknown_platform(case_path: Path) -> None:
    result = runner.invoke(app, ["report", str(case_path), "--platform", "tiktok"])
    assert result.exit_code == 0
    assert "No TikTok account of the other person is in the case yet" in result.output
    bad = runner.invoke(app, ["report", str(case_path), "--platform", "myspace"])
    assert bad.exit_code != 0 and "choose one of" in str(bad.exception)
