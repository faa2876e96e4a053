"""``unshared signals CASE``: threats, demands and stages in a case, each with its reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from unshared.cli.common import Format, console, console_err, open_case
from unshared.errors import InputFileError
from unshared.model import Message, Signal
from unshared.usecases.signs import check_language, languages, review_signs

if TYPE_CHECKING:
    from unshared.usecases.signs import CaseSummary

_STAGE_NAMES = {
    "contact": "first contact",
    "platform_switch": "move to another app",
    "image_request": "asks for images",
    "threat": "threat",
    "payment_demand": "payment demand",
    "deadline": "deadline",
    "escalation": "harassment",
}
_EXCERPT = 90


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""

    @app.command("signals")
    def signals_command(
        case: Path = typer.Argument(..., help="The case file."),
        fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or jsonl."),
        lang: str = typer.Option(
            "en", "--lang", help=f"Language of the messages ({', '.join(languages())})."
        ),
        context: int = typer.Option(
            3, "--context", min=0, help="Read each message after the sender's N before it."
        ),
        threshold: float | None = typer.Option(
            None, "--threshold", min=0.01, max=0.99, help="Score needed to flag a sign."
        ),
    ) -> None:
        """Show the threats, demands and other stages of the known script, with reasons.

        Nothing is changed in the case: this only reads it.
        """
        check_language(lang)  # an unknown language fails before the passphrase prompt
        if not case.exists():
            raise InputFileError("no such case file", path=str(case))
        progress = Progress(
            TextColumn("reading messages"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console_err,
            transient=True,
            disable=fmt is not Format.table,
        )
        with open_case(case, readonly=True) as opened, progress:
            task = progress.add_task("scan", total=None, visible=False)
            review = review_signs(
                opened,
                lang,
                context=context,
                threshold=threshold,
                starting=lambda total: progress.update(task, total=total, visible=total >= 500),
                progress=lambda n: progress.advance(task, n),
            )
        if fmt is Format.jsonl:
            _print_jsonl(review.rows, review.summary, review.own_flagged)
        else:
            _print_table(review.rows, review.summary)
            if review.own_flagged:
                console.print(
                    f"{review.own_flagged} of the messages marked as yours use words of threats or "
                    "money, as replies to a threat often do: they are not shown, because they are "
                    f"yours. If the name marked as you is not yours: unshared me {case} NAME"
                )


def _print_jsonl(
    rows: list[tuple[int, Message, list[Signal]]], summary: CaseSummary, own_flagged: int
) -> None:
    for mid, message, signals in rows:
        if not signals:
            continue
        obj = {
            "message_id": mid,
            "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            "sender": message.sender,
            "text": message.text,
            "signals": [s.to_dict() for s in signals],
        }
        typer.echo(json.dumps(obj, ensure_ascii=False))
    typer.echo(
        json.dumps({"summary": summary.to_dict(), "own_flagged": own_flagged}, ensure_ascii=False)
    )


def _print_table(rows: list[tuple[int, Message, list[Signal]]], summary: CaseSummary) -> None:
    table = Table(title="Signals by message", show_lines=False, expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("time", no_wrap=True)
    table.add_column("from")
    table.add_column("stage", no_wrap=True)
    table.add_column("why")
    table.add_column("message")
    for mid, message, signals in rows:
        for i, sig in enumerate(signals):
            first = i == 0
            table.add_row(
                str(mid) if first else "",
                _time(message) if first else "",
                (message.sender or "") if first else "",
                _STAGE_NAMES.get(sig.stage, sig.stage),
                sig.reason,
                _excerpt(message.text) if first else "",
            )
    if table.row_count:
        console.print(table)
    else:
        console.print("No signals of the known script were found in this case's messages.")
    console.print(Panel(_summary_text(summary), title="Summary", expand=False))


def _summary_text(summary: CaseSummary) -> str:
    lines = [f"{summary.flagged} of {summary.messages} messages show a stage of the known script."]
    if summary.known_script:
        lines.append(
            "A threat and a demand for money both appear: this is the known sextortion script. "
            "It is not your fault, and paying rarely makes it stop."
        )
    if summary.stages:
        lines.append("")
        lines.append("Stages (first and last message):")
        for s in summary.stages:
            when = f", {s.first_at:%Y-%m-%d %H:%M}" if s.first_at else ""
            lines.append(
                f"  {_STAGE_NAMES.get(s.stage, s.stage)}: {s.count}x, "
                f"#{s.first_message}{when} to #{s.last_message}"
            )
    if summary.first_threat:
        t = summary.first_threat
        lines += ["", f"First threat: #{t.message_id} {_when(t.sent_at)}{_excerpt(t.text)}"]
    if summary.demands:
        lines += ["", "Demands:"]
        for d in summary.demands:
            lines.append(f"  #{d.message_id} {_when(d.sent_at)}{_money(d.details)}")
    if summary.payments:
        lines += ["", "Payments mentioned by the victim:"]
        for p in summary.payments:
            lines.append(f"  #{p.message_id} {_when(p.sent_at)}{_excerpt(p.text)}")
    if summary.key_messages:
        keys = ", ".join(f"#{k}" for k in summary.key_messages[:40])
        more = " ..." if len(summary.key_messages) > 40 else ""
        lines += ["", f"Key messages for the report: {keys}{more}"]
    return "\n".join(lines)


def _money(details: tuple[tuple[str, str], ...]) -> str:
    d = dict(details)
    parts = []
    if "amount" in d:
        parts.append(f"{d['amount']} {d.get('currency', '')}".strip())
    if "method" in d:
        parts.append(f"by {d['method']}")
    return " ".join(parts) or "amount and method not named"


def _time(message: Message) -> str:
    return f"{message.sent_at:%Y-%m-%d %H:%M}" if message.sent_at else ""


def _when(value: Any) -> str:
    return f"({value:%Y-%m-%d %H:%M}) " if value else ""


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1] + "…"
