"""The report names files, never the folders they came from; set-aside exhibits are named as such.

A path like /home/<user name>/Downloads/... can identify the person; the case keeps only the file
name unless they ask (`add --keep-path`), and the report (HTML, PDF, JSON-LD) shows only names.
Run through the CLI at 80 columns, as a person would.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unshared.casefile.store import Case
from unshared.cli import app
from unshared.usecases.exhibits import set_aside_exhibit

runner = CliRunner(env={"COLUMNS": "80"})
CHAT = (
    "12/03/2024, 21:04 - Alex: I have your video. Pay 500 GBP or I send it to your friends\n"
    "12/03/2024, 21:05 - Sam: please don't\n"
)


@pytest.fixture
def chat(tmp_path: Path) -> Path:
    folder = tmp_path / "home" / "samantha-private-username" / "Downloads"
    folder.mkdir(parents=True)
    path = folder / "WhatsApp Chat with Alex.txt"
    path.write_text(CHAT, encoding="utf-8")
    return path


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _report_texts(out: Path) -> list[str]:
    texts = [(out / "report.html").read_text(), (out / "case.jsonld").read_text()]
    if shutil.which("pdftotext") and (out / "report.pdf").exists():
        pdf = subprocess.run(
            ["pdftotext", str(out / "report.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
        texts.append(pdf)
    return texts


def test_the_case_and_the_report_keep_only_the_file_name(
    chat: Path, tmp_path: Path, passphrase: str
) -> None:
    case = tmp_path / "c.unshared"
    _invoke("new", str(case))
    _invoke("add", str(case), str(chat), "--timezone", "UTC")
    listed = _invoke("exhibit", "list", str(case))
    assert "samantha-private-username" not in listed
    assert "WhatsApp Chat with Alex.txt" in listed
    out = tmp_path / "pack"
    _invoke("report", str(case), "--out", str(out))
    texts = _report_texts(out)
    assert len(texts) == 3  # HTML, JSON-LD and the PDF's text
    for text in texts:
        assert "samantha-private-username" not in text
    assert all("WhatsApp Chat with Alex.txt" in text for text in texts[:2])
    log = _invoke("log", str(case))
    assert "samantha-private-username" not in log


def test_keep_path_records_the_path_but_the_report_still_shows_the_name(
    chat: Path, tmp_path: Path, passphrase: str
) -> None:
    case = tmp_path / "c.unshared"
    _invoke("new", str(case))
    _invoke("add", str(case), str(chat), "--timezone", "UTC", "--keep-path")
    listed = runner.invoke(app, ["exhibit", "list", str(case)], env={"COLUMNS": "400"}).output
    assert "samantha-private-username" in listed
    out = tmp_path / "pack"
    _invoke("report", str(case), "--out", str(out), "--no-pdf")
    for text in _report_texts(out):
        assert "samantha-private-username" not in text


def test_a_set_aside_exhibit_is_named_as_set_aside_in_the_report(
    chat: Path, tmp_path: Path, passphrase: str
) -> None:
    case = tmp_path / "c.unshared"
    _invoke("new", str(case))
    _invoke("add", str(case), str(chat), "--timezone", "UTC")
    extra = tmp_path / "holiday.txt"
    extra.write_text("not evidence\n")
    runner.invoke(app, ["add", str(case), str(extra)])
    with Case.open(case, passphrase) as opened:
        set_aside_exhibit(opened, hashlib.sha256(extra.read_bytes()).hexdigest())
    out = tmp_path / "pack"
    _invoke("report", str(case), "--out", str(out), "--no-pdf")
    html = (out / "report.html").read_text()
    assert "1 set aside (kept in the case, left out of evidence bundles)" in html
    assert "<b>Set aside</b> (added by mistake)" in html
