"""The command line as an officer and a victim use it (issue 22): evidence shown as it is, readable
at 80 columns with the output going to a file, calm words for the small things."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from unshared.cli import app
from unshared.cli.docs import cli_reference

ROOT = Path(__file__).resolve().parents[2]
ENV = {"UNSHARED_PASSPHRASE": "a long passphrase"}


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"<exit {self.code}\nstdout: {self.out}\nstderr: {self.err}>"


@pytest.fixture
def cli80(tmp_path: Path) -> Callable[..., Run]:
    """``python -m unshared ARGS`` at 80 columns, stdout and stderr written to files."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Run:
        full = {k: v for k, v in os.environ.items() if k != "UNSHARED_PASSPHRASE"}
        full.update(PYTHONPATH=str(ROOT / "src"), COLUMNS="80", **ENV)
        full.update(env or {})
        out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        with out_path.open("w") as out, err_path.open("w") as err:
            proc = subprocess.run(
                [sys.executable, "-m", "unshared", *args],
                stdout=out,
                stderr=err,
                input=stdin if stdin is not None else "",
                text=True,
                env={k: v for k, v in full.items() if v is not None},
                cwd=tmp_path,
                timeout=300,
            )
        return Run(proc.returncode, out_path.read_text(), err_path.read_text())

    return run


def _case(tmp_path: Path, cli80: Callable[..., Run], *files: Path) -> Path:
    case = tmp_path / "case.unshared"
    made = cli80("new", str(case))
    assert made.code == 0, made
    if files:
        added = cli80("add", str(case), *map(str, files), "--timezone", "Europe/London")
        assert added.code == 0, added
    return case


# ----------------------------------------------------------------------- evidence shown as it is
MARKUP_CHAT = (
    "2026-03-02 21:04 Jess: I have your [video] and you know it\n"
    "2026-03-02 21:05 Jess: [/]\n"
    "2026-03-02 21:06 Jess: look [red]here[/red] now [bold]\n"
    "2026-03-02 21:07 Sam: no\n"
)


def test_square_brackets_in_evidence_are_shown_as_they_are(
    tmp_path: Path, cli80: Callable[..., Run]
) -> None:
    chat = tmp_path / "[b]chat.txt"
    chat.write_text(MARKUP_CHAT)
    case = tmp_path / "case.unshared"
    assert cli80("new", str(case)).code == 0
    added = cli80("add", str(case), str(chat), "--timezone", "Europe/London")
    assert added.code == 0, added
    assert "[b]chat.txt" in added.out
    shown = cli80("messages", str(case))
    assert shown.code == 0, shown
    assert "I have your [video] and you know it" in shown.out
    assert "now [bold]" in shown.out
    assert "[/]" in shown.out
    assert "look [red]here[/red] now" in shown.out
    assert "[b]chat.txt" in shown.out
    listed = cli80("exhibit", "list", str(case))
    assert listed.code == 0 and "[b]chat.txt" in listed.out, listed


def test_telegram_photo_and_instagram_attachments_are_shown(
    tmp_path: Path, cli80: Callable[..., Run], exports_dir: Path
) -> None:
    case = _case(
        tmp_path,
        cli80,
        exports_dir / "telegram" / "chatanalytics_DM_2A_7M.json",
        exports_dir / "instagram" / "chatminer_testlog_mojibake.json",
    )
    shown = cli80("messages", str(case))
    assert shown.code == 0, shown
    assert shown.out.count("[photo]") >= 2
    rows = [
        json.loads(x)
        for x in cli80("messages", str(case), "--format", "jsonl").out.split("\n")
        if x
    ]
    with_files = [r for r in rows if r["attachments"] and not r["text"]]
    assert with_files, "the sample has attachments without text"
    for row in with_files:
        kinds = {a.get("name") or a.get("kind") for a in row["attachments"]}
        assert any(k and k in shown.out for k in kinds), row


def test_messages_are_one_timeline_oldest_first_with_their_source(
    tmp_path: Path, cli80: Callable[..., Run], exports_dir: Path
) -> None:
    case = _case(
        tmp_path,
        cli80,
        exports_dir / "telegram" / "chatanalytics_DM_2A_7M.json",
        exports_dir / "instagram" / "chatminer_testlog_mojibake.json",
    )
    shown = cli80("messages", str(case))
    assert shown.code == 0, shown
    stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d)", shown.out, flags=re.M)
    assert len(stamps) == 21, shown.out
    assert stamps == sorted(stamps)
    # each message names the file it came from, whole, on one line
    for name in ("chatanalytics_DM_2A_7M.json", "chatminer_testlog_mojibake.json"):
        assert name in shown.out
    first_instagram = shown.out.index("instagram")
    assert shown.out.index("2014-12-24") < first_instagram + 200
    assert max(len(line) for line in shown.out.splitlines()) <= 80


def test_log_details_are_readable_at_80_columns(tmp_path: Path, cli80: Callable[..., Run]) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("2026-03-02 21:04 Jess: pay £500 or I send it\n")
    case = _case(tmp_path, cli80, chat)
    assert cli80("note", str(case), "Saved the chat before blocking [important]").code == 0
    shown = cli80("log", str(case))
    assert shown.code == 0, shown
    assert "Saved the chat before blocking [important]" in shown.out
    assert "chat.txt" in shown.out
    assert "acquired_at" not in shown.out or '{"acquired_at"' not in shown.out
    head = json.loads(cli80("log", str(case), "--format", "jsonl").out.splitlines()[-1])["hash"]
    assert head in shown.out
    assert max(len(line) for line in shown.out.splitlines()) <= 80


def test_identifiers_are_whole_when_output_goes_to_a_file(
    tmp_path: Path, cli80: Callable[..., Run]
) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "2026-03-02 21:04 Jess: add me on skype live:.cid.1234567890abcdef or "
        "https://www.instagram.com/some.very.long.profile_name_here/\n"
        "2026-03-02 21:05 Jess: wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\n"
    )
    case = _case(tmp_path, cli80, chat)
    shown = cli80("identifiers", str(case))
    assert shown.code == 0, shown
    for value in (
        "live:.cid.1234567890abcdef",
        "https://www.instagram.com/some.very.long.profile_name_here/",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    ):
        assert value in shown.out, shown.out
    assert "uses" in shown.out.lower()


# ----------------------------------------------------------------------------- who is reporting
def test_me_records_who_is_reporting(tmp_path: Path, cli80: Callable[..., Run]) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("2026-03-02 21:04 Jess: pay or else\n2026-03-02 21:05 Sam: no\n")
    case = _case(tmp_path, cli80, chat)
    people = cli80("me", str(case))
    assert people.code == 0, people
    assert "Jess" in people.out and "Sam" in people.out
    named = cli80("me", str(case), "Sam")
    assert named.code == 0, named
    assert "Sam" in named.out
    events = [
        json.loads(x) for x in cli80("log", str(case), "--format", "jsonl").out.split("\n") if x
    ]
    assert events[-1]["type"] == "victims_named"
    assert events[-1]["payload"]["names"] == ["Sam"]
    shown = cli80("messages", str(case))
    lines = shown.out.splitlines()
    assert any("Sam (you)" in line for line in lines), shown.out
    assert not any("Jess (you)" in line for line in lines)
    again = cli80("me", str(case))
    assert "Sam" in again.out and "recorded" in again.out
    unknown = cli80("me", str(case), "Nobody")
    assert unknown.code != 0 and "Nobody" in unknown.err


# ---------------------------------------------------------------------------------- smaller ones
def test_help_shows_no_python_types() -> None:
    text = cli_reference(app)
    assert "<bool>" not in text
    assert "list[" not in text


def test_short_passphrase_is_refused_with_the_reason(
    tmp_path: Path, cli80: Callable[..., Run]
) -> None:
    case = tmp_path / "c.unshared"
    refused = cli80("new", str(case), env={"UNSHARED_PASSPHRASE": "abc12"})
    assert refused.code == 2, refused
    assert "at least 8" in refused.err
    assert len(refused.err.strip().splitlines()) == 1
    assert not case.exists()


def test_no_terminal_and_no_passphrase_names_the_variable(
    tmp_path: Path, cli80: Callable[..., Run]
) -> None:
    case = tmp_path / "c.unshared"
    result = cli80("new", str(case), env={"UNSHARED_PASSPHRASE": None})
    assert result.code == 2, result
    assert "UNSHARED_PASSPHRASE" in result.err
    assert "aborted" not in result.err
    assert not case.exists()


def test_verify_a_missing_zip_says_no_such_file(tmp_path: Path, cli80: Callable[..., Run]) -> None:
    result = cli80("verify", "nothere.zip")
    assert result.code == 1, result
    assert "no such file" in result.err and "case file" not in result.err


def test_bundle_and_verify_count_files_alike_and_a_cut_zip_is_damaged(
    tmp_path: Path, cli80: Callable[..., Run]
) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("2026-03-02 21:04 Jess: pay £500 or I send it\n")
    case = _case(tmp_path, cli80, chat)
    bundle = tmp_path / "b.zip"
    made = cli80("bundle", str(case), "--out", str(bundle), "--no-pdf")
    assert made.code == 0, made
    made_count = int(re.search(r"(\d+) files and the manifest", made.out).group(1))  # type: ignore[union-attr]
    checked = cli80("verify", str(bundle))
    assert checked.code == 0, checked
    checked_count = int(re.search(r"(\d+) files and the manifest", checked.out).group(1))  # type: ignore[union-attr]
    with zipfile.ZipFile(bundle) as z:
        assert made_count == checked_count == len(z.namelist()) - 1
    cut = tmp_path / "cut.zip"
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size * 2 // 3])
    damaged = cli80("verify", str(cut))
    assert damaged.code != 0
    assert "manifest.json: missing" not in damaged.err
    assert "damaged" in damaged.err or "truncated" in damaged.err


def test_demo_words(tmp_path: Path, cli80: Callable[..., Run]) -> None:
    result = cli80("demo", "--out", str(tmp_path / "demo"), env={"UNSHARED_PASSPHRASE": None})
    assert result.code == 0, result
    secret_lines = [line for line in result.out.splitlines() if "demo only - not secret" in line]
    assert secret_lines and all(len(line) <= 80 for line in secret_lines), result.out
    assert "Verified 1 exhibit and" in result.out, result.out


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (8, "an 8-step plan"),
        (11, "an 11-step plan"),
        (12, "a 12-step plan"),
        (1, "a 1-step plan"),
        (18, "an 18-step plan"),
    ],
)
def test_a_or_an_before_a_number(count: int, words: str) -> None:
    from unshared.usecases.demo import step_plan

    assert step_plan(count) == words


@pytest.mark.parametrize("word", ["maybe", "not sure", "Not sure", "dunno"])
def test_guide_accepts_maybe_where_it_offers_not_sure(word: str, cli80: Callable[..., Run]) -> None:
    answers = f"UK\n{word}\n{word}\n" + "\n" * 20
    result = cli80("guide", stdin=answers, env={"UNSHARED_PASSPHRASE": None})
    assert "Please type yes" not in result.err, result
    assert result.code == 0, result


# ------------------------------------------------------------------------------------ interrupts
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_import_stops_rolls_back_and_can_be_run_again(
    tmp_path: Path, signum: int, code: int
) -> None:
    big = tmp_path / "big.txt"
    with big.open("w") as fh:
        # Long enough to still be reading at the signal (an idle machine reads 250,000 in ~3 s).
        for n in range(600_000):
            fh.write(f"2026-03-02 21:{n % 60:02d} Jess: message number {n}, pay now\n")
    case = tmp_path / "case.unshared"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="80", **ENV)
    run = [sys.executable, "-m", "unshared"]
    assert subprocess.run([*run, "new", str(case)], env=env, capture_output=True).returncode == 0
    add = [*run, "add", str(case), str(big), "--timezone", "UTC"]
    with (tmp_path / "out.txt").open("w") as out, (tmp_path / "err.txt").open("w") as err:
        proc = subprocess.Popen(add, env=env, stdout=out, stderr=err, cwd=tmp_path)
        time.sleep(4)  # the exhibit is stored; the messages are being read
        assert proc.poll() is None, "the import finished before it could be interrupted"
        proc.send_signal(signum)
        sent = time.monotonic()
        proc.wait(timeout=30)
        waited = time.monotonic() - sent
    said = (tmp_path / "err.txt").read_text()
    assert proc.returncode == code, said
    assert waited < 5, waited  # stops at once (within a second on an idle machine)
    assert "interrupted" in said and "add" in said
    log = subprocess.run(
        [*run, "log", str(case), "--format", "jsonl"], env=env, capture_output=True, text=True
    )
    events = [json.loads(x) for x in log.stdout.splitlines()]
    assert [e["type"] for e in events] == ["case_created", "exhibit_added", "import_failed"]
    assert events[-1]["payload"]["error_type"] == "Interrupted"
    listed = subprocess.run(
        [*run, "messages", str(case), "--format", "jsonl"], env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0 and listed.stdout == ""
    again = subprocess.run(add, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "read 600000 messages" in again.stdout
