"""The ``unshared`` command: a thin typer shell over :mod:`unshared.usecases`.

Each area registers its own commands from its own module; each command parses its arguments,
calls one use case and prints the result. Domain errors become one calm line on stderr and an exit
code (see :func:`main`); a usage error is one line and a hint (exit 2); anything else is a bug and
shows a traceback.
"""

from __future__ import annotations

import sys
from typing import NoReturn

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
    police_cmds,
    report_cmds,
    scan_media_cmds,
    signals_cmds,
)
from unshared.cli.common import console_err, tagged
from unshared.errors import UnsharedError

__all__ = ["app", "main"]

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


def _plain_help_types() -> None:
    """Help shows no Python types: a flag shows none (not ``<bool>``), a list argument shows its
    item and ``...`` (``<path>...``, not ``<list[Path]>``); a repeatable option its item."""
    import re

    from typer.core import TyperArgument, TyperOption

    def tidy(shown: str | None, more: str) -> str | None:
        if shown is None:
            return None
        return re.sub(r"<list\[(\w+)\]>(\.\.\.)?", lambda m: f"<{m.group(1).lower()}>{more}", shown)

    option_type = TyperOption.display_type_rich
    argument_type = TyperArgument.display_type_rich

    def option(self: TyperOption, ctx: typer.Context) -> str | None:
        return None if self.is_flag else tidy(option_type(self, ctx), "")

    def argument(self: TyperArgument, ctx: typer.Context) -> str | None:
        return tidy(argument_type(self, ctx), "...")

    TyperOption.display_type_rich = option  # type: ignore[method-assign,assignment]
    TyperArgument.display_type_rich = argument  # type: ignore[method-assign,assignment]


_plain_help_types()

for _module in (
    case_cmds,
    analysis_cmds,
    signals_cmds,
    guide_cmds,
    fingerprint_cmds,
    scan_media_cmds,
    police_cmds,
    bank_cmds,
    report_cmds,
    app_cmds,
):
    _module.register(app)


def main() -> None:
    """Entry point: run the app, turning project errors into one line and an exit code."""
    try:
        code = app(standalone_mode=False, prog_name="unshared")
        if isinstance(code, int) and code:
            sys.exit(code)
    except UnsharedError as exc:
        console_err.print(tagged("error:", "red", exc.describe()), soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console_err.print("aborted")
        sys.exit(130)
    except apsw.Error as exc:
        console_err.print(
            tagged(
                "error:",
                "red",
                f"the case file cannot be read; it may be damaged or truncated ({exc})",
            ),
            soft_wrap=True,
        )
        sys.exit(2)
    except KeyboardInterrupt:
        console_err.print("interrupted: nothing half-saved was kept")
        sys.exit(130)
    except Exception as exc:
        if not isinstance(exc, _click_errors()):
            raise
        _usage_error(exc)


def _click_errors() -> tuple[type[Exception], ...]:
    """The classes of click's errors: typer >= 0.20 vendors click as ``typer._click`` (its errors
    derive from ``typer.TyperException``); older typer uses the ``click`` package itself."""
    found: list[type[Exception]] = []
    vendored = getattr(typer, "TyperException", None)
    if isinstance(vendored, type) and issubclass(vendored, Exception):
        found.append(vendored)
    try:
        import click
    except ImportError:  # pragma: no cover - typer without click
        pass
    else:
        found.append(click.exceptions.ClickException)
    return tuple(found)


def _usage_error(exc: Exception) -> NoReturn:
    """One line saying what is wrong and, for a command line that did not parse, one line saying
    where to look (exit 2; other click errors keep their own code)."""
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    console_err.print(tagged("error:", "red", str(message)), soft_wrap=True)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        path = getattr(ctx, "command_path", None) or "unshared"
        console_err.print(f"hint: run '{path} --help' to see what it takes", highlight=False)
    sys.exit(int(getattr(exc, "exit_code", 2)))
