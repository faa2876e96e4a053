"""``unshared guide``: interactive, from an answers file, and with a case file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unshared.casefile import Case
from unshared.cli import app
from unshared.guide.casefile_link import plan_status

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "unshared", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_answers_file_to_json(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["guide", "--answers", str(data_dir / "guide" / "teen_uk.yaml"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    ids = [s["id"] for s in plan["steps"]]
    assert ids == [
        "crisis",
        "trusted-adult",
        "stay-calm",
        "dont-pay",
        "payment-western_union",
        "scam-tricks",
        "keep-everything",
        "protect-accounts",
        "platform-instagram",
        "platform-skype",
        "police",
        "remove-images-under18",
        "support",
    ]
    crisis = plan["steps"][0]["contacts"]
    assert [c["phone"] for c in crisis] == ["116 123", None, "0800 068 4141", "0800 1111", "999"]
    assert crisis[1]["text"] == "Text SHOUT to 85258"
    assert all(c["source"].startswith("https://") and c["checked"] for c in crisis)


def test_answers_file_to_text(data_dir: Path) -> None:
    result = runner.invoke(app, ["guide", "-a", str(data_dir / "guide" / "adult_us.json")])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("Your plan.")
    assert "1. Call 911 now" in text
    assert "StopNCII" in text and "Take It Down" in text
    assert "Gift card: check and cancel the payment" in text
    assert "https://" in text and "source" not in text and "step id" not in text
    with_sources = runner.invoke(
        app, ["guide", "-a", str(data_dir / "guide" / "adult_us.json"), "--sources"]
    ).stdout
    assert with_sources.startswith(text.rstrip("\n"))
    assert "Where this advice comes from" in with_sources and "(step id: emergency)" in with_sources


def test_interactive_questions_from_a_pipe() -> None:
    # region, in danger, self-harm, age, deadline (skipped), shared, paid, how, platforms, paused
    replies = "au\nyes\nno\n16\n\nnot sure\nyes\n3 6\n1 8\nno\n"
    result = runner.invoke(app, ["guide", "--format", "json"], input=replies)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    ids = [s["id"] for s in plan["steps"]]
    assert ids[0] == "emergency" and plan["steps"][0]["contacts"][0]["phone"] == "000"
    assert "payment-bank_transfer" in ids and "payment-crypto" in ids
    assert "platform-instagram" in ids and "platform-whatsapp" in ids
    assert "trusted-adult" in ids and "stopncii" not in ids
    assert "call 000 now" in result.stderr
    assert "How old are you?" in result.stderr


def test_interactive_every_question_can_be_skipped() -> None:
    """Issue 15 (10): Enter skips every question; an unknown age takes the under-18 path."""
    result = runner.invoke(app, ["guide", "--format", "json"], input="\n" * 9)
    assert result.exit_code == 0, result.output
    ids = [s["id"] for s in json.loads(result.stdout)["steps"]]
    assert ids[:3] == ["emergency", "crisis", "trusted-adult"]
    assert "remove-images-under18" in ids and "stopncii" not in ids


def test_interactive_lines_before_the_age_question_suit_every_age() -> None:
    """Issue 16: lines shown before the age is asked are not PAPYRUS's or Childline's alone."""
    result = runner.invoke(app, ["guide", "-f", "json"], input="uk\nno\nyes\n40\nno\nno\nno\n\n")
    assert result.exit_code == 0, result.output
    before_age = result.stderr.split("How old are you?")[0]
    assert "Samaritans" in before_age and "85258" in before_age
    assert "PAPYRUS" not in before_age and "Childline" not in before_age
    assert "happening right now" not in result.stderr.lower()


def test_interactive_asks_again_after_a_bad_reply() -> None:
    replies = "UK\nno\nno\nforty\n40\nno\nno\nno\n\n"
    result = runner.invoke(app, ["guide", "-f", "json"], input=replies)
    assert result.exit_code == 0, result.output
    assert "Please type your age as a number" in result.stderr
    ids = [s["id"] for s in json.loads(result.stdout)["steps"]]
    assert "stopncii" in ids and "report-platforms" in ids


def test_interactive_stops_clearly_when_input_ends() -> None:
    result = _run("guide", stdin="uk\nno\n")
    assert result.returncode == 1
    assert "self_harm_thoughts" in result.stderr
    assert "the answers ended before every question was answered" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_answers_file_names_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "answers.yaml"
    bad.write_text("age: 15\nregion: UK\nplatforms: [instagram, bebo]\n")
    result = _run("guide", "--answers", str(bad), "--format", "json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{bad} (platforms[1])" in result.stderr
    assert "bebo" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_answers_file(tmp_path: Path) -> None:
    result = _run("guide", "--answers", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1
    assert "no such answers file" in result.stderr


def test_done_needs_a_case() -> None:
    result = runner.invoke(app, ["guide", "--done", "stay-calm"])
    assert result.exit_code != 0


def test_case_records_plan_and_steps_done(tmp_path: Path, data_dir: Path, passphrase: str) -> None:
    case_path = tmp_path / "case.unshared"
    Case.create(case_path, passphrase).close()
    answers = str(data_dir / "guide" / "teen_uk.yaml")

    result = runner.invoke(app, ["guide", str(case_path), "--answers", answers])
    assert result.exit_code == 0, result.output
    assert "saved in" in result.stderr

    result = runner.invoke(app, ["guide", str(case_path), "--done", "stay-calm"])
    assert result.exit_code == 0, result.output

    with Case.open(case_path, passphrase) as case:
        types = [e.type for e in case.events()]
        assert types == ["case_created", "guide_plan", "action"]
        plan_event = next(e for e in case.events() if e.type == "guide_plan").data()
        assert plan_event["answers"]["age"] == 15
        assert plan_event["plan"]["steps"][0]["id"] == "crisis"
        status = plan_status(case)
    assert [(s.id, d) for s, d in status][:3] == [
        ("crisis", False),
        ("trusted-adult", False),
        ("stay-calm", True),
    ]

    result = runner.invoke(app, ["guide", str(case_path), "--status"])
    assert result.exit_code == 0, result.output
    assert "[done] Stop replying and save the evidence" in result.stdout

    proc = _run("guide", str(case_path), "--done", "no-such-step")
    assert proc.returncode == 1
    assert "no step 'no-such-step'" in proc.stderr


def test_done_before_any_plan(tmp_path: Path, passphrase: str) -> None:
    case_path = tmp_path / "empty.unshared"
    Case.create(case_path, passphrase).close()
    result = _run("guide", str(case_path), "--done", "police")
    assert result.returncode == 1
    assert "no plan yet" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_help_and_formats(fmt: str, data_dir: Path) -> None:
    result = runner.invoke(
        app, ["guide", "-a", str(data_dir / "guide" / "teen_uk.yaml"), "-f", fmt]
    )
    assert result.exit_code == 0
    assert ("{" in result.stdout) == (fmt == "json")
