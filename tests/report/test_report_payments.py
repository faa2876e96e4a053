"""Payments and demands in the report as an officer reads them (issue 22), through the CLI at 80
columns: the person's own payment said in the chat, a payment recorded with amount, currency,
method and status, demands with their currency, and the key identifiers (the MTCN and the wallet
kept; a Telegram account number shown as an id, not a username)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unshared.cli import app
from unshared.errors import UnsharedError

runner = CliRunner(env={"COLUMNS": "80"})
WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
CHAT = f"""12/03/2024, 21:04 - Alex: I have your video. Pay £500 by Western Union or everyone sees it
12/03/2024, 21:05 - Alex: or send bitcoin to {WALLET}
12/03/2024, 21:30 - Sam: I sent 100 by Western Union, MTCN 4839201746
12/03/2024, 21:31 - Alex: not enough. 400 more or I post it
"""


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def case(tmp_path: Path, passphrase: str) -> Path:
    chat = tmp_path / "WhatsApp Chat with Alex.txt"
    chat.write_text(CHAT, encoding="utf-8")
    path = tmp_path / "c.unshared"
    _ok("new", str(path))
    _ok("add", str(path), str(chat), "--timezone", "UTC", "--me", "Sam")
    return path


def _html(case: Path, tmp_path: Path) -> str:
    out = tmp_path / "pack"
    _ok("report", str(case), "--out", str(out), "--no-pdf")
    return (out / "report.html").read_text()


def _summary(html: str) -> str:
    return html.split('<section id="identifiers">')[0]


def test_the_persons_own_payment_in_the_chat_is_in_the_report(case: Path, tmp_path: Path) -> None:
    summary = _summary(_html(case, tmp_path))
    assert "100" in summary and "said in the chat" in summary
    assert "4839201746" in summary
    assert "Western Union" in summary


def test_demands_keep_their_currency(case: Path, tmp_path: Path) -> None:
    summary = _summary(_html(case, tmp_path))
    assert "500 GBP by Western Union" in summary


def test_key_identifiers_keep_the_mtcn_and_the_wallet(case: Path, tmp_path: Path) -> None:
    summary = _summary(_html(case, tmp_path))
    key = summary.split("Key identifiers")[1].split("</tr>")[0]
    assert "4839201746" in key and WALLET in key


def test_a_payment_recorded_with_amount_currency_method_and_status(
    case: Path, tmp_path: Path
) -> None:
    _ok(
        "action",
        str(case),
        "paid",
        "--ref",
        "4839201746",
        "--amount",
        "£100",
        "--method",
        "Western Union",
        "--status",
        "sent",
    )
    _ok("action", str(case), "paid", "--ref", "4839201746", "--status", "cancelled")
    summary = _summary(_html(case, tmp_path))
    line = summary.split("What was paid")[1].split("</tr>")[0]
    assert "100 GBP by Western Union, reference" in line and "<b>cancelled</b>" in line
    assert "amount not recorded" not in line and "status not recorded" not in line
    log = json.loads("[" + ",".join(_ok("log", str(case), "--format", "jsonl").splitlines()) + "]")
    paid = [e["payload"] for e in log if e["type"] == "action"]
    assert (
        paid[0]["amount"] == "100" and paid[0]["currency"] == "GBP" and paid[0]["status"] == "sent"
    )
    assert paid[1]["status"] == "cancelled"  # a new event; the first is never changed


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--status", "maybe", "use one of sent, collected, cancelled, refunded"),
        ("--currency", "pounds", "3-letter code"),
        ("--amount", "lots", "write a number"),
    ],
)
def test_a_wrong_payment_detail_is_one_clear_line(
    case: Path, option: str, value: str, said: str
) -> None:
    result = runner.invoke(app, ["action", str(case), "paid", option, value])
    assert result.exit_code != 0
    assert isinstance(result.exception, UnsharedError)  # printed as one line by the CLI's main
    assert said in str(result.exception)


def test_scan_quotes_the_whole_amount_and_never_a_timestamp(tmp_path: Path) -> None:
    lines = tmp_path / "lines.txt"
    lines.write_text(
        "Pay £500 by Western Union or everyone sees the video\n"
        "[12/03/2026 10:41] send 300 now or else\n",
        encoding="utf-8",
    )
    out = _ok("scan", "--format", "jsonl", str(lines))
    rows = [json.loads(x) for x in out.splitlines()]
    demand = next(s for s in rows[0]["signals"] if s["stage"] == "payment_demand")
    assert '"£500"' in demand["reason"] and '"5"' not in demand["reason"]
    second = next(s for s in rows[1]["signals"] if s["stage"] == "payment_demand")
    assert second["details"]["amount"] == "300"
    for stamp in ('"12"', '"2026"', '"03"', '"10"', '"41"'):
        assert stamp not in second["reason"]


def test_a_telegram_account_number_is_an_id_not_a_username(
    tmp_path: Path, passphrase: str, exports_dir: Path
) -> None:
    path = tmp_path / "t.unshared"
    _ok("new", str(path))
    _ok("add", str(path), str(exports_dir / "telegram" / "chatanalytics_DM_2A_7M.json"))
    html = _html(path, tmp_path)
    assert "Telegram user ID (number)" in html
    assert "300000000" in html and "Telegram username" not in html
