"""``unshared demo``: build a demo case from the synthetic samples shipped in the package."""

from __future__ import annotations

from pathlib import Path

import typer

from unshared.cli.common import console, tagged


def demo(
    out: Path = typer.Option(Path("unshared-demo"), "--out", help="Folder for the demo case."),
) -> None:
    """Build a demo case from invented sample chats and show what unshared does."""
    # Every area of the toolkit runs below; they load here, not when any command starts.
    from unshared.usecases.demo import run_demo

    console.print(
        tagged("unshared demo:", "bold", "everything below is invented and stays on this machine.")
    )
    made = run_demo(out, lambda line: console.print(line, soft_wrap=True))
    console.print(
        f"Done. Look inside with: unshared messages {made.case}, unshared log {made.case}, "
        f"and check the bundle with: unshared verify {made.bundle}"
    )
