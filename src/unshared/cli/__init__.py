"""The ``unshared`` command: a thin typer shell over :mod:`unshared.services`.

Each area registers its own commands from its own module. Domain errors become one calm line on
stderr and an exit code (see :func:`run`); anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import sys

import apsw
import typer

from unshared import __version__
from unshared.cli import (
    analysis_cmds,
    app_cmds,
    bank_cmds,
    case_cmds,
    fingerprint_cmds,
    guide_cmds,
    report_cmds,
    signals_cmds,
)
from unshared.cli.common import console_err
from unshared.errors import UnsharedError

app = typer.Typer(
    name="unshared",
    help="Help for people being blackmailed with intimate images. Nothing leaves this machine "
    "unless you ask. If you are in danger now, call 999 (UK), 911 (US, CA), 112 (IE) or 000 (AU).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"unshared {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """unshared: keep the evidence, follow the plan, stop the images spreading."""


for _module in (
    case_cmds,
    analysis_cmds,
    signals_cmds,
    guide_cmds,
    fingerprint_cmds,
    bank_cmds,
    report_cmds,
    app_cmds,
):
    _module.register(app)


def main() -> None:
    """Entry point: run the app, turning project errors into one line and an exit code."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except UnsharedError as exc:
        console_err.print(f"[red]error:[/red] {exc.describe()}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console_err.print("aborted")
        sys.exit(130)
    except apsw.Error as exc:
        console_err.print(
            f"[red]error:[/red] the case file cannot be read; it may be damaged or truncated ({exc})",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(2)
    except KeyboardInterrupt:
        console_err.print("interrupted: nothing half-saved was kept")
        sys.exit(130)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
