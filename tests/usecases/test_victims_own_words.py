"""The person's own messages are not the offender's threats or demands (written before the fix).

In a negotiation the victim's replies name the sum, the deadline and the police ("I can only
send 50 today", "delete it by tonight or I go to the police"); read as lines they look like an
offender's. On the old code, once the case knew which names were the person's, those replies
still came out as threats and payment demands in ``unshared signals``, in the case analysis and
in the police report's tallies, beside the offender's. The person's own payment said in the chat
is still found (it is not a stage, and the report lists it as theirs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unshared.cli import app

runner = CliRunner(env={"COLUMNS": "200"})
CHAT = """12/03/2024, 21:04 - Alex: I have your video. Pay £500 by Western Union or everyone sees it
12/03/2024, 21:10 - Sam: if you post it I will report you to the police
12/03/2024, 21:11 - Sam: I can only send 50 today, I need more time
12/03/2024, 21:12 - Sam: you have until tonight to delete it or I go to the police
12/03/2024, 21:20 - Sam: I sent 100 by Western Union, MTCN 4839201746
12/03/2024, 21:31 - Alex: not enough. 400 more or I post it
"""
SAMS = {2, 3, 4, 5}


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _case(tmp_path: Path, *me: str) -> Path:
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    chat.write_text(CHAT, encoding="utf-8")
    path = tmp_path / "c.unshared"
    _ok("new", str(path))
    _ok("add", str(path), str(chat), "--timezone", "UTC", *[a for m in me for a in ("--me", m)])
    return path


def _flagged(path: Path) -> dict[int, set[str]]:
    *lines, _ = [json.loads(x) for x in _ok("signals", str(path), "--format", "jsonl").splitlines()]
    return {f["message_id"]: {s["stage"] for s in f["signals"]} for f in lines}


@pytest.mark.usefixtures("passphrase")
def test_the_persons_own_replies_carry_no_stage_once_their_name_is_known(tmp_path: Path) -> None:
    flagged = _flagged(_case(tmp_path, "Sam"))
    assert not SAMS & set(flagged), flagged
    assert {"threat", "payment_demand"} <= flagged[1] and {"threat"} <= flagged[6]


@pytest.mark.usefixtures("passphrase")
def test_the_report_counts_only_the_offenders_threats_and_demands(tmp_path: Path) -> None:
    path = _case(tmp_path, "Sam")
    out = tmp_path / "pack"
    _ok("report", str(path), "--out", str(out), "--no-pdf")
    summary = (
        (out / "report.html").read_text(encoding="utf-8").split('<section id="identifiers">')[0]
    )
    assert "Threats</th><td>2 message" in summary, summary
    assert "500 GBP by Western Union" in summary
    demanded = summary.split("What was demanded")[1].split("</tr>")[0]
    assert "500 GBP" in demanded and "400" in demanded and "50 " not in demanded
    # the person's own payment is still theirs in the report
    assert "said in the chat" in summary and "4839201746" in summary


@pytest.mark.usefixtures("passphrase")
def test_without_knowing_which_name_is_theirs_every_message_is_still_read(
    tmp_path: Path,
) -> None:
    flagged = _flagged(_case(tmp_path))
    assert SAMS & set(flagged), "the replies look like threats when nobody is known as the person"


@pytest.mark.usefixtures("passphrase")
def test_a_wrong_name_chosen_as_the_persons_is_pointed_out_in_the_report(tmp_path: Path) -> None:
    """With the offender's name given as the person's, the offender's threats are the person's
    own messages and get no stage; the report says how many of the messages marked as the
    person's read like threats or demands, and how to change the name. A person whose own
    messages read like nothing of the kind gets no such line."""
    path = _case(tmp_path, "Alex")
    out = tmp_path / "pack"
    _ok("report", str(path), "--out", str(out), "--no-pdf")
    summary = (
        (out / "report.html").read_text(encoding="utf-8").split('<section id="identifiers">')[0]
    )
    line = summary.split("Threats</th>")[1].split("</tr>")[0]
    assert "of the messages marked as the person reporting’s own read like" in line
    assert "unshared me" in line
    count = int(line.split('<br><span class="small">')[1].split(" ")[0])
    assert count >= 2  # Alex's two threats, at least
    plain = tmp_path / "plain"
    plain.mkdir()
    chat = plain / "WhatsApp Chat with Alex.txt"
    chat.write_text(
        "12/03/2024, 21:04 - Alex: I have your video. Pay £500 or everyone sees it\n"
        "12/03/2024, 21:10 - Sam: please stop\n",
        encoding="utf-8",
    )
    _ok("new", str(plain / "c.unshared"))
    _ok("add", str(plain / "c.unshared"), str(chat), "--timezone", "UTC", "--me", "Sam")
    _ok("report", str(plain / "c.unshared"), "--out", str(plain / "pack"), "--no-pdf")
    html = (plain / "pack" / "report.html").read_text(encoding="utf-8")
    assert "marked as the person reporting’s own" not in html


@pytest.mark.usefixtures("passphrase")
def test_unshared_signals_says_how_many_of_the_persons_own_messages_read_like_threats(
    tmp_path: Path,
) -> None:
    path = _case(tmp_path, "Alex")
    *_, last = [json.loads(x) for x in _ok("signals", str(path), "--format", "jsonl").splitlines()]
    assert last["own_flagged"] >= 2  # Alex's two threats, marked as the person's own
    table = _ok("signals", str(path))
    assert "marked as yours use words of threats or money" in table
    assert "unshared me" in table
    plain = tmp_path / "plain"
    plain.mkdir()
    *_, last = [
        json.loads(x)
        for x in _ok("signals", str(_case(plain, "Sam")), "--format", "jsonl").splitlines()
    ]
    assert last["own_flagged"] >= 1  # Sam's replies read like threats when read alone
