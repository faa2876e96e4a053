"""Docs are checked: the CLI reference is the real --help, and every command is documented."""

from __future__ import annotations

from pathlib import Path

from unshared.cli import app
from unshared.cli.docs import cli_reference, command_paths

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_up_to_date() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current.strip() == cli_reference(app).strip(), (
        "docs/cli.md is out of date: run `python -m unshared.cli.docs > docs/cli.md`"
    )


def test_every_command_is_in_the_user_docs() -> None:
    user_docs = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md") if p.name != "cli.md"
    )
    missing = [" ".join(path) for path in command_paths(app)[1:] if " ".join(path) not in user_docs]
    assert not missing, f"commands with no user documentation: {missing}"


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = 'python -m pip install -e ".[test]" && python -m pytest'
    assert command in readme
    assert ci.strip().splitlines()[-1] == command
