"""``unshared guide``: the response plan, asked for in plain questions or read from a file.

* ``unshared guide``: one plain question at a time (works with answers piped in, one a line);
* ``unshared guide --answers FILE --format json|text``: no questions;
* ``unshared guide CASE``: also records the answers and the plan in the case log
  (``guide_plan``); ``unshared guide CASE --done STEP_ID`` records a step as done
  (``action`` / ``step-done``); ``unshared guide CASE --status`` shows the plan with ticks.

Questions go to stderr, so ``--format json`` keeps stdout clean for other programs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import typer
from rich.text import Text

from unshared.cli.common import console_err, open_case
from unshared.errors import InputFileError
from unshared.guide.answers import QUESTIONS, normalise_region, parse_yes_no
from unshared.guide.content import GuideData
from unshared.guide.flow import help_now
from unshared.guide.loader import default_guide
from unshared.guide.model import (
    AGE_MAX,
    AGE_MIN,
    PAYMENT_METHODS,
    PLATFORMS,
    REGIONS,
    Answers,
    Plan,
    Region,
)
from unshared.guide.render import contact_line, plan_text

T = TypeVar("T")


class GuideFormat(StrEnum):
    text = "text"
    json = "json"


# ----------------------------------------------------------------------------- questions
def _ask(question: str, parse: Callable[[str], T | None], hint: str, name: str) -> T:
    """Ask until the reply parses. End of input (a pipe that ran out) is a clear error."""
    while True:
        try:
            reply = console_err.input(Text.assemble((question, "bold"), " "))
        except EOFError:
            raise InputFileError(
                "the answers ended before every question was answered", where=name
            ) from None
        if not sys.stdin.isatty():
            console_err.print(reply, markup=False, highlight=False)
        value = parse(reply.strip())
        if value is not None:
            return value
        console_err.print(f"  {hint}")


# Words a person types for "not sure" at the prompt that offers it (an answers file stays strict).
_MAYBE = {"maybe", "perhaps", "dunno", "idk", "not sure yet", "no idea"}


def _yes_no(reply: str) -> tuple[bool | None] | None:
    """yes / no / not sure (or maybe); Enter skips (not sure). ``None`` when the reply is not
    understood."""
    if " ".join(reply.lower().split()) in _MAYBE:
        return (None,)
    understood, value = parse_yes_no(reply)
    return (value,) if understood else None


def _age(reply: str) -> tuple[int | None] | None:
    if not reply:
        return (None,)
    return (int(reply),) if reply.isdigit() and AGE_MIN <= int(reply) <= AGE_MAX else None


def _region(reply: str) -> Region | None:
    if not reply:
        return "UK"
    return normalise_region(reply)


def _pick_many(options: tuple[str, ...]) -> Callable[[str], list[str] | None]:
    def parse(reply: str) -> list[str] | None:
        chosen: list[str] = []
        for part in reply.replace(",", " ").split():
            key = part.lower()
            if key.isdigit() and 1 <= int(key) <= len(options):
                key = options[int(key) - 1]
            if key not in options:
                return None
            if key not in chosen:
                chosen.append(key)
        return chosen

    return parse


def _menu(options: tuple[str, ...], names: dict[str, str]) -> None:
    for number, key in enumerate(options, 1):
        console_err.print(f"  {number}. {names[key]}")


def _now(lines: list[str]) -> None:
    for line in lines:
        console_err.print(line, style="bold red", soft_wrap=True)


def _q(field: str) -> str:
    """The question's words, from the guide (the one source every shell reads)."""
    question = next(q for q in QUESTIONS if q.field == field)
    if question.kind == "yes_no":
        options = "/".join(words.lower() for _, words in question.choices)
        return f"{question.text} ({options}; Enter to skip)"
    return question.text


def ask_answers(data: GuideData) -> Answers:
    """The plain questions, one at a time; Enter skips any of them. Urgent help comes first."""
    console_err.print(
        "A few short questions, then your plan. Press Enter to skip any of them. "
        "Nothing you type leaves this computer."
    )
    region: Region = _ask(
        f"{_q('region')} ({', '.join(REGIONS)}; press Enter for UK)",
        _region,
        f"Please type one of {', '.join(REGIONS)}.",
        "region",
    )
    info = data.regions[region]
    yes_no = "Please type yes, no or not sure (or press Enter to skip)."
    (danger,) = _ask(_q("in_danger"), _yes_no, yes_no, "in_danger")
    if danger is not False:
        _now([f"If anyone is in danger, call {info.emergency.phone} now. This plan will wait."])
    (harm,) = _ask(_q("self_harm_thoughts"), _yes_no, yes_no, "self_harm_thoughts")
    if harm is not False:
        # The age is not known yet: only lines that suit every age.
        _now(["You don't have to cope with this alone. You can call or text now:"])
        _now([f"  {contact_line(c)}" for c in help_now(data, region)])
    (age,) = _ask(
        f"{_q('age')} (a number; Enter to skip)",
        _age,
        "Please type your age as a number, or press Enter to skip.",
        "age",
    )
    (deadline,) = _ask(_q("deadline"), _yes_no, yes_no, "deadline")
    (shared,) = _ask(_q("images_shared"), _yes_no, yes_no, "images_shared")
    (paid,) = _ask(_q("paid"), _yes_no, yes_no, "paid")
    methods: list[str] = []
    if paid:
        _menu(PAYMENT_METHODS, {k: v.name for k, v in data.payments.items()})
        methods = _ask(
            f"{_q('payment_methods')} Type the numbers, for example: 1 3 (or press Enter to skip)",
            _pick_many(PAYMENT_METHODS),
            "Please type numbers from the list, with spaces between them.",
            "payment_methods",
        )
    _menu(PLATFORMS, {k: v.name for k, v in data.platforms.items()})
    platforms = _ask(
        f"{_q('platforms')} Type the numbers (or press Enter to skip)",
        _pick_many(PLATFORMS),
        "Please type numbers from the list, with spaces between them.",
        "platforms",
    )
    suspended: bool | None = None
    if platforms:
        (suspended,) = _ask(_q("account_suspended"), _yes_no, yes_no, "account_suspended")
    return Answers(
        age=age,
        region=region,
        in_danger=danger,
        self_harm_thoughts=harm,
        deadline=deadline,
        images_shared=shared,
        paid=paid,
        payment_methods=tuple(methods),
        platforms=tuple(platforms),
        account_suspended=suspended,
    )


# ----------------------------------------------------------------------------- case file
def _emit(
    plan: Plan, fmt: GuideFormat, done: frozenset[str] = frozenset(), sources: bool = False
) -> None:
    if fmt is GuideFormat.json:
        typer.echo(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(plan_text(plan, done=done, sources=sources), nl=False)


def guide(
    case: Path | None = typer.Argument(
        None, help="A case file: record the answers and the plan in its log.", show_default=False
    ),
    answers: Path | None = typer.Option(
        None,
        "--answers",
        "-a",
        help="Read the answers from this YAML or JSON file instead of asking.",
        show_default=False,
    ),
    fmt: GuideFormat = typer.Option(GuideFormat.text, "--format", "-f", help="text or json."),
    done: str | None = typer.Option(
        None,
        "--done",
        help="With CASE: record that this step (its id) is done.",
        show_default=False,
    ),
    status: bool = typer.Option(
        False, "--status", help="With CASE: show the case's plan and which steps are done."
    ),
    sources: bool = typer.Option(
        False,
        "--sources",
        help="Add where each piece of advice comes from, and each step's id (for --done).",
    ),
) -> None:
    """Your plan, step by step, following police advice. Asks a few plain questions."""
    if (done or status) and case is None:
        raise typer.BadParameter("--done and --status need a case file", param_hint="CASE")
    data = default_guide()
    from unshared.usecases.plan import answers_from_file, make_plan, plan_in_case, steps_done

    if case is not None and (done or status):
        with open_case(case) as opened:
            found = plan_in_case(opened, done=done)
        if done:
            console_err.print(f"Step {done} is marked done in {case}.")
        if found.plan is None:
            console_err.print(f"{case} has no plan yet. Run: unshared guide {case}")
            raise typer.Exit(1)
        if status:
            _emit(found.plan, fmt, found.done, sources)
        return

    opened_case = open_case(case) if case is not None else None
    try:
        person = answers_from_file(answers) if answers is not None else ask_answers(data)
        plan = make_plan(person, opened_case)
        finished: frozenset[str] = frozenset()
        if opened_case is not None:
            finished = frozenset(steps_done(opened_case))
            console_err.print(
                f"The plan is saved in {case}. Mark a step done with: "
                f"unshared guide {case} --done STEP_ID (see the ids with --sources)"
            )
    finally:
        if opened_case is not None:
            opened_case.close()
    _emit(plan, fmt, finished, sources)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.command("guide")(guide)
