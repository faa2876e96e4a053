"""A mistyped command line is one line and a hint, never a traceback (exit 2).

Written before the fix: the installed typer vendors click (``typer._click``), and ``unshared
nosuchcmd`` ended in a 30-line traceback because the CLI caught the old ``click`` class."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "says", "hint"),
    [
        (["nosuchcmd"], "No such command 'nosuchcmd'", "unshared --help"),
        (["add"], "Missing argument", "unshared add --help"),
        (
            ["report", "x.unshared", "--nosuch"],
            "No such option: --nosuch",
            "unshared report --help",
        ),
        (["bank", "nosub"], "No such command 'nosub'", "unshared bank --help"),
        (["identifiers", "x", "--region", "ZZ"], "'ZZ' is not a country code", "--help"),
    ],
)
def test_usage_errors_are_one_line_and_a_hint(cli, args: list[str], says: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 2, result
    assert lines[0].startswith("error: ") and says in lines[0]
    assert lines[1].startswith("hint: ") and hint in lines[1]
    assert "Traceback" not in result.err


def test_report_straight_after_add_carries_the_threat(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Written before the fix: the report said "Threats 0 ... no demand detected"."""
    env = {"UNSHARED_PASSPHRASE": "a long passphrase"}
    case = tmp_path / "sam.unshared"
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "2026-03-02 21:04 Jess: hi\n2026-03-02 23:13 Jess: pay £500 or I send it to everyone\n"
        "2026-03-02 23:15 Sam: no\n",
        encoding="utf-8",
    )
    assert cli("new", str(case), env=env).code == 0
    assert cli("add", str(case), str(chat), "--me", "Sam", env=env).code == 0
    made = cli("report", str(case), "--no-pdf", "--out", str(tmp_path / "out"), env=env)
    assert made.code == 0, made
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "no demand detected" not in html
    assert "Threats</th><td>1 message" in html
