"""Case commands: new, add, messages, verify, log, note, action, exhibit, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from unshared.cli.common import Format, console, console_err, open_case, passphrase, region_code
from unshared.errors import InputFileError, IntegrityError
from unshared.usecases import exhibits, records
from unshared.usecases.add import add_evidence
from unshared.usecases.case import new_case


def _byte_progress(total: int, label: str) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console_err,
        transient=True,
        disable=total < (32 << 20),
    )


def new(
    case: Path = typer.Argument(..., help="The case file to create, e.g. lee.unshared"),
    no_encryption: bool = typer.Option(
        False, "--no-encryption", help="Store the case unencrypted (recorded in the file)."
    ),
) -> None:
    """Create a new, empty case file (encrypted with a passphrase unless --no-encryption)."""
    secret = None if no_encryption else passphrase(new=True)
    head = new_case(case, secret)
    state = "unencrypted (as asked)" if no_encryption else "encrypted"
    console.print(f"Created {state} case [bold]{case}[/bold]. Log head: {head}")


def add(
    case: Path = typer.Argument(..., help="The case file."),
    files: list[Path] = typer.Argument(..., help="Exports, screenshots or any evidence file."),
    fmt: str | None = typer.Option(None, "--format", help="Force an importer (e.g. whatsapp)."),
    timezone: str | None = typer.Option(
        None, "--timezone", help="Time zone of exports without offsets (default: this machine's)."
    ),
    me: list[str] = typer.Option(
        [], "--me", help="Your own name or id in the chats (repeatable), to tell the sides apart."
    ),
    region: str = typer.Option(
        "GB", "--region", help="Country for reading phone numbers.", callback=region_code
    ),
) -> None:
    """Add files to the case: each is kept whole and untouched, then its messages are read."""
    from unshared.usecases.add import resolve_timezone

    resolve_timezone(timezone)  # a mistyped zone fails before the passphrase prompt
    with open_case(case) as opened:
        total = sum(f.stat().st_size for f in files if f.is_file())
        with _byte_progress(total, "adding") as bar:
            task = bar.add_task("Storing", total=total)
            results = add_evidence(
                opened,
                files,
                timezone=timezone,
                me=me,
                region=region,
                fmt=fmt,
                progress=lambda n: bar.advance(task, n),
            )
    failed = 0
    for result in results:
        if result.exhibit is None:
            failed += 1
            console_err.print(
                f"[red]not added:[/red] {result.error.describe() if result.error else ''}"
            )
            continue
        dup = "" if result.exhibit.new else " (same bytes as an earlier exhibit)"
        console.print(f"Kept {result.path} as exhibit {result.exhibit.sha256[:16]}…{dup}")
        if result.error is not None:
            failed += 1
            console_err.print(
                f"[yellow]could not read messages:[/yellow] {result.error.describe()}"
            )
            for note in result.notes:
                console_err.print(f"  {note}")
        else:
            console.print(f"  read {result.messages} messages as {result.format}")
    if failed:
        raise typer.Exit(1)


def messages(
    case: Path = typer.Argument(..., help="The case file."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or jsonl"),
) -> None:
    """List every imported message."""
    with open_case(case, readonly=True) as opened:
        if fmt == Format.jsonl:
            out = sys.stdout
            for stored in exhibits.messages(opened):
                data = stored.message.to_dict()
                data["exhibit"] = stored.exhibit_sha256
                out.write(json.dumps(data, ensure_ascii=False) + "\n")
            return
        table = Table("when", "platform", "from", "text", "source", show_lines=False)
        for stored in exhibits.messages(opened):
            msg = stored.message
            when = msg.sent_at.isoformat(sep=" ", timespec="minutes") if msg.sent_at else ""
            if msg.time_assumed:
                when += " (local, assumed)"
            sender = msg.sender or ""
            if msg.sender_id and msg.sender_id != msg.sender:
                sender += f" [{msg.sender_id}]"
            text = msg.text if msg.kind == "message" else f"[italic]{msg.text}[/italic]"
            table.add_row(
                when, msg.platform, sender, text, f"{stored.exhibit_sha256[:12]} {msg.locator}"
            )
        console.print(table)


def verify(
    target: Path = typer.Argument(..., help="A case file, or an evidence bundle (.zip)."),
) -> None:
    """Check every exhibit's hash and the whole log chain; print the head hash."""
    if target.suffix.lower() == ".zip" and target.is_file():
        from unshared.cli.report_cmds import show_bundle_check

        show_bundle_check(target)
        return
    with open_case(target, readonly=True) as opened:
        total = sum(e.size for e in exhibits.list_exhibits(opened))
        with _byte_progress(total, "verifying") as bar:
            task = bar.add_task("Verifying", total=total)
            result = exhibits.verify_case_file(opened, progress=lambda n: bar.advance(task, n))
    if not result.ok:
        for problem in result.problems:
            console_err.print(f"[red]FAIL[/red] {problem}")
        raise IntegrityError(f"{len(result.problems)} problem(s) found", path=str(target))
    console.print(
        f"OK: {result.exhibits} exhibits ({result.bytes_checked} bytes) and "
        f"{result.events} log events verify."
    )
    console.print(f"Log head: {result.head_hash}")


def log(
    case: Path = typer.Argument(..., help="The case file."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or jsonl"),
) -> None:
    """Print the case log (every action, in order, with its hash chain)."""
    with open_case(case, readonly=True) as opened:
        events = exhibits.case_log(opened)
    if fmt == Format.jsonl:
        for event in events:
            sys.stdout.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        return
    table = Table("#", "time (UTC)", "event", "details", "hash")
    for event in events:
        table.add_row(str(event.seq), event.at, event.type, event.payload, event.hash[:16] + "…")
    console.print(table)


def note(
    case: Path = typer.Argument(..., help="The case file."),
    text: str = typer.Argument(..., help="The note."),
) -> None:
    """Add a note to the case log."""
    with open_case(case) as opened:
        seq = records.add_note(opened, text)
    console.print(f"Note saved as event {seq}.")


def action(
    case: Path = typer.Argument(..., help="The case file."),
    kind: str = typer.Argument(
        ..., help="What was done: " + ", ".join(records.ACTION_KINDS) + " (or your own word)."
    ),
    ref: str | None = typer.Option(None, "--ref", help="Reference, e.g. a crime reference number."),
    detail: str | None = typer.Option(None, "--detail", help="Details in your own words."),
) -> None:
    """Record something done: reported to police or a platform, account suspended, ..."""
    with open_case(case) as opened:
        seq = records.add_action(opened, kind, ref, detail)
    console.print(f"Recorded '{kind}' as event {seq}.")


exhibit_app = typer.Typer(help="Exhibits: the files kept in the case, exactly as they were added.")


@exhibit_app.command("list")
def exhibit_list(case: Path = typer.Argument(..., help="The case file.")) -> None:
    """List exhibits with their SHA-256, size and acquisitions."""
    with open_case(case, readonly=True) as opened:
        table = Table("sha256", "size", "name", "acquired (UTC)", "source")
        for info in exhibits.list_exhibits(opened):
            for acq in info.acquisitions:
                table.add_row(
                    info.sha256, str(info.size), acq.original_name, acq.acquired_at, acq.source_path
                )
        console.print(table)


@exhibit_app.command("export")
def exhibit_export(
    case: Path = typer.Argument(..., help="The case file."),
    sha256: str = typer.Argument(..., help="The exhibit's SHA-256 (or a unique prefix)."),
    out: Path = typer.Argument(..., help="Where to write the bytes."),
) -> None:
    """Write an exhibit's bytes back out, exactly as they were added."""
    if out.exists():
        raise InputFileError("refusing to overwrite an existing file", path=str(out))
    with open_case(case) as opened:
        info = exhibits.export_exhibit(opened, sha256, out)
    console.print(f"Wrote {info.size} bytes to {out} (SHA-256 {info.sha256}).")


def register(app: typer.Typer) -> None:
    app.command()(new)
    app.command()(add)
    app.command()(messages)
    app.command()(verify)
    app.command()(log)
    app.command()(note)
    app.command()(action)
    app.add_typer(exhibit_app, name="exhibit")
    from unshared.cli.demo_cmd import demo

    app.command()(demo)
