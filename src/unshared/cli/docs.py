"""Generate the CLI reference (docs/cli.md) from the real ``--help`` of every command."""

from __future__ import annotations

from typing import Any

import typer
from typer.main import get_command

__all__ = ["cli_reference", "command_paths"]


def _walk(command: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            found.extend(_walk(command.commands[name], (*path, name)))
    return found


def command_paths(app: typer.Typer) -> list[tuple[str, ...]]:
    return [path for path, _ in _walk(get_command(app), ("unshared",))]


def cli_reference(app: typer.Typer) -> str:
    from typer.testing import CliRunner

    runner = CliRunner()
    root = get_command(app)
    lines = [
        "# CLI reference",
        "",
        "Generated from the real `--help` output by `python -m unshared.cli.docs > docs/cli.md`;",
        "a test fails when this file is out of date.",
        "",
    ]
    for path, _command in _walk(root, ("unshared",)):
        result = runner.invoke(
            app, [*path[1:], "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
        )
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        lines += [f"## `{' '.join(path)}`", "", "```", text, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import os

    os.environ["COLUMNS"] = "100"
    os.environ["TERM"] = "dumb"
    os.environ["NO_COLOR"] = "1"
    from unshared.cli import app

    print(cli_reference(app))
