"""CLI commands for identifiers: ``unshared identifiers CASE`` and ``unshared scan [FILE|-]``.

Thin shells over :mod:`unshared.usecases.analyse`; domain errors propagate as
:class:`UnsharedError`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from unshared.cli.common import Format, console, console_err, open_case, region_code
from unshared.errors import InputFileError

REGION_HELP = "Country for reading phone numbers without a +country code (ISO code, e.g. GB, US)."


class ScanFormat(StrEnum):
    text = "text"
    jsonl = "jsonl"


def _read_lines(file: str) -> Iterator[tuple[int, str]]:
    if file == "-":
        stream: BinaryIO = sys.stdin.buffer
        name = "standard input"
    else:
        path = Path(file)
        if not path.exists():
            raise InputFileError("no such file", path=file)
        if path.is_dir():
            raise InputFileError("this is a folder; give a text file", path=file)
        try:
            stream = path.open("rb")
        except OSError as exc:
            raise InputFileError(f"cannot read the file ({exc.strerror})", path=file) from None
        name = file
    try:
        for number, line in enumerate(stream, 1):
            try:
                text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InputFileError(
                    "this line is not UTF-8 text", path=name, where=f"line {number}"
                ) from None
            yield number, text.rstrip("\r\n")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""

    @app.command("identifiers")
    def identifiers_cmd(
        case_path: Path = typer.Argument(..., metavar="CASE", help="The case file."),
        fmt: Format = typer.Option(Format.table, "--format", help="table or jsonl."),
        region: str = typer.Option("GB", "--region", help=REGION_HELP, callback=region_code),
        refresh: bool = typer.Option(False, "--refresh", help="Analyse again even if up to date."),
    ) -> None:
        """List the identifiers police need (Skype IDs, profile links, phones, wallets, MTCNs...)
        found in a case, who used them and how often."""
        from unshared.usecases.analyse import identifiers

        with (
            open_case(case_path) as case,
            Progress(
                TextColumn("Reading messages for identifiers"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console_err,
                transient=True,
            ) as bar,
        ):
            task = bar.add_task("analyse", total=None, visible=False)
            rows = identifiers(
                case,
                region,
                refresh=refresh,
                starting=lambda total: bar.update(task, total=total, visible=True),
                progress=lambda n: bar.advance(task, n),
            )
        if fmt == Format.jsonl:
            for row in rows:
                typer.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
            return
        if not rows:
            console.print("No identifiers found in this case.")
            return
        console.print(f"Identifiers ({len(rows)}):", style="bold")
        for row in rows:
            # The value is never folded or cut: it is what police copy into their systems.
            console.print(Text.assemble((row["kind"], "bold"), "  ", row["value"]), soft_wrap=True)
            found = ", ".join(f"{k} ({n})" for k, n in row["sources"].items())
            sides = ", ".join(row["sides"])
            console.print(
                Text(f"  {row['valid']} · found in {found} · side: {sides} · uses: {row['uses']}"),
                style="dim",
            )

    @app.command("scan")
    def scan_cmd(
        file: str = typer.Argument("-", metavar="[FILE|-]", help="Text file, or - for stdin."),
        fmt: ScanFormat = typer.Option(ScanFormat.text, "--format", help="text or jsonl."),
        region: str = typer.Option("GB", "--region", help=REGION_HELP, callback=region_code),
        context: int = typer.Option(
            0, "--context", min=0, help="Read each line after the N lines before it."
        ),
        threshold: float | None = typer.Option(
            None, "--threshold", min=0.01, max=0.99, help="Score needed to flag a sign."
        ),
        fast: bool = typer.Option(
            False,
            "--fast",
            help="Words and rules only, without the sentence encoder: more than ten times faster "
            "on chat, for large backlogs.",
        ),
    ) -> None:
        """Check any text, one message per line, without a case: identifiers and warning signs."""
        from unshared.usecases.analyse import check_lines

        lines = 0
        total = 0
        for line in check_lines(
            _read_lines(file), region, context=context, threshold=threshold, encoder=not fast
        ):
            number, text, found, signals = line.line, line.text, line.identifiers, line.signals
            lines += 1
            total += len(found)
            if fmt == ScanFormat.jsonl:
                row = {
                    "line": number,
                    "text": text,
                    "identifiers": [i.to_dict() for i in found],
                    "signals": [s.to_dict() for s in signals],
                }
                typer.echo(json.dumps(row, ensure_ascii=False))
                continue
            if not found and not signals:
                continue
            console.print(f"line {number}:", style="bold")
            for ident in found:
                note = {"invalid": " (fails its check: maybe mistyped)", "valid": " (checked)"}
                console.print(
                    f"  {ident.kind}: {ident.value}{note.get(ident.validity, '')}", soft_wrap=True
                )
            for signal in signals:
                console.print(f"  sign: {signal.stage}: {signal.reason}")
        if fmt == ScanFormat.text:
            console_err.print(f"{lines} line(s) checked, {total} identifier(s) found.")
