"""One giant message (a pasted file, a spam wall) is folded in the PDF, visibly, and kept whole in
report.html and case.jsonld (issue 22: an 11 MB line kept the PDF renderer busy past 16 minutes)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unshared.cli import app
from unshared.report.render import PDF_TEXT_LIMIT

runner = CliRunner(env={"COLUMNS": "80"})


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_a_giant_message_is_folded_in_the_pdf_and_whole_elsewhere(
    tmp_path: Path, passphrase: str
) -> None:
    words = "pay now or the video goes to everyone you know " * 6000  # about 300 KB
    tail = "THE-VERY-LAST-WORDS"
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    chat.write_text(
        f"12/03/2024, 21:04 - Alex: {words}{tail}\n12/03/2024, 21:05 - Sam: stop\n",
        encoding="utf-8",
    )
    case = tmp_path / "c.unshared"
    for args in (["new", str(case)], ["add", str(case), str(chat), "--timezone", "UTC"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    out = tmp_path / "pack"
    result = runner.invoke(app, ["report", str(case), "--out", str(out)])
    assert result.exit_code == 0, result.output
    pdf = subprocess.run(
        ["pdftotext", str(out / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "the message continues" in pdf and "not shown in the PDF" in pdf
    assert tail not in pdf
    assert len(pdf) < 20 * PDF_TEXT_LIMIT  # the PDF holds the fold, not 300 KB twice
    html = (out / "report.html").read_text()
    assert words + tail in html.replace("&#39;", "'")
    assert "the message continues" not in html
    jsonld = json.loads((out / "case.jsonld").read_text())
    assert tail in json.dumps(jsonld)
