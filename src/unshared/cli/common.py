"""Shared CLI helpers: consoles, passphrase prompt, output formats."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from unshared.errors import UnsharedError
from unshared.usecases.case import Case
from unshared.usecases.case import open_case as open_case_file

# Evidence is never markup: message text, names and file names print as they are ("[/]",
# "[photo]", "I have your [video]"), so neither console reads markup; our own words are styled
# with :func:`tagged` or ``style=``.
console = Console(highlight=False, markup=False)
console_err = Console(stderr=True, highlight=False, markup=False)


def tagged(tag: str, style: str, rest: str = "") -> Text:
    """``tag`` in ``style``, then ``rest`` as plain text (``tagged("error:", "red", message)``)."""
    return Text.assemble((tag, style), " " + rest if rest else "")


class Format(str, Enum):
    table = "table"
    jsonl = "jsonl"


#: A new case's passphrase is at least this long: the case holds the evidence of a crime.
MIN_PASSPHRASE = 8


class PassphraseProblem(UnsharedError):
    """No passphrase can be asked for, or a new one is too short (nothing is written)."""

    exit_code = 2


def passphrase(new: bool = False) -> str:
    """The case passphrase from ``UNSHARED_PASSPHRASE`` or a hidden prompt. A new case's
    passphrase must have at least :data:`MIN_PASSPHRASE` characters."""
    value = os.environ.get("UNSHARED_PASSPHRASE")
    if value is None:
        if not sys.stdin.isatty():
            raise PassphraseProblem(
                "no passphrase: there is no terminal to ask on, so set UNSHARED_PASSPHRASE"
            )
        if new:
            value = str(
                typer.prompt(
                    "Choose a passphrase for this case (8 characters or more)",
                    hide_input=True,
                    confirmation_prompt=True,
                )
            )
        else:
            return str(typer.prompt("Passphrase", hide_input=True))
    if new and len(value) < MIN_PASSPHRASE:
        raise PassphraseProblem(
            f"the passphrase is {len(value)} characters; choose one of at least {MIN_PASSPHRASE} "
            "(a few words you will remember are best). Nothing was created."
        )
    return value


def open_case(path: Path, *, readonly: bool = False) -> Case:
    """Open a case, asking for the passphrase only when the case is encrypted."""
    return open_case_file(path, passphrase, readonly=readonly)


def region_code(value: str) -> str:
    """``--region``: an ISO 3166 country code libphonenumber knows (GB, US, NG...)."""
    from unshared.errors import InputFileError
    from unshared.usecases.analyse import phone_region_code

    try:
        return phone_region_code(value)
    except InputFileError as exc:
        raise typer.BadParameter(exc.message) from None


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM during work that must stop cleanly; ``exit_code`` is 128 plus
    the signal's number (130, 143)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.exit_code = 128 + signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` (even where SIGINT was ignored when the
    program started), so an import stops at once and rolls back; the handlers are put back
    after."""

    def stop(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    before = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
