"""Case commands: new, add, messages, verify, log, note, action, exhibit, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.padding import Padding
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.text import Text

from unshared.cli.common import (
    Format,
    console,
    console_err,
    open_case,
    passphrase,
    region_code,
    stop_on_signals,
    tagged,
)
from unshared.errors import InputFileError, IntegrityError
from unshared.model import Message
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
    console.print(f"Created {state} case {case}.", soft_wrap=True)
    console.print(f"Log head: {head}", soft_wrap=True)


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
    keep_path: bool = typer.Option(
        False,
        "--keep-path",
        help="Record each file's full path on this computer (by default only its name: a path "
        "can show your user name).",
    ),
) -> None:
    """Add files to the case: each is kept whole and untouched, then its messages are read."""
    from unshared.usecases.add import resolve_timezone

    resolve_timezone(timezone)  # a mistyped zone fails before the passphrase prompt
    try:
        with stop_on_signals(), open_case(case) as opened:
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
                    keep_path=keep_path,
                )
    except KeyboardInterrupt as exc:
        console_err.print(
            "interrupted: the import stopped and none of its messages were kept (the log says "
            "so). Files already kept stay in the case; run the same add again to read them.",
            soft_wrap=True,
        )
        raise typer.Exit(getattr(exc, "exit_code", 130)) from None
    failed = 0
    for result in results:
        if result.exhibit is None:
            failed += 1
            console_err.print(
                tagged("not added:", "red", result.error.describe() if result.error else ""),
                soft_wrap=True,
            )
            continue
        dup = "" if result.exhibit.new else " (same bytes as an earlier exhibit)"
        console.print(
            f"Kept {result.path} as exhibit {result.exhibit.sha256[:16]}…{dup}", soft_wrap=True
        )
        if result.error is not None:
            failed += 1
            console_err.print(
                tagged("could not read messages:", "yellow", result.error.describe()),
                soft_wrap=True,
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
    """List every imported message as one timeline, oldest first, each with its source."""
    with open_case(case, readonly=True) as opened:
        if fmt == Format.jsonl:
            out = sys.stdout
            for stored in exhibits.messages(opened):
                data = stored.message.to_dict()
                data["exhibit"] = stored.exhibit_sha256
                out.write(json.dumps(data, ensure_ascii=False) + "\n")
            return
        entries = exhibits.timeline(opened)
    if not entries:
        console.print("No messages in this case yet. Add an export with: unshared add CASE FILE")
        return
    for entry in entries:
        _print_message(entry)


def _when(msg: Message) -> str:
    if msg.sent_at is None:
        return "(no time)"
    offset = msg.sent_at.utcoffset()
    zone = "UTC" if not offset else msg.sent_at.strftime("%:z")
    when = f"{msg.sent_at:%Y-%m-%d %H:%M} {zone}"
    return when + " (local time, assumed)" if msg.time_assumed else when


def _print_message(entry: exhibits.TimelineEntry) -> None:
    """One message: when, platform and who; the text as it is; attachments; where it came from."""
    msg = entry.stored.message
    sender = msg.sender or msg.sender_id or "(no sender)"
    if msg.sender_id and msg.sender and msg.sender_id != msg.sender:
        sender += f" ({msg.sender_id})"
    if entry.mine:
        sender += " (you)"
    head = Text.assemble((_when(msg), "bold"), f"  {msg.platform}  ", (sender, "bold"))
    console.print(head)
    if msg.text:
        _indented(msg.text, "italic" if msg.kind != "message" else "")
    for attached in msg.attachments:
        what = attached.name or attached.uri or ""
        left_out = " (left out of the export)" if attached.omitted else ""
        _indented(f"attached: {attached.kind} {what}".rstrip() + left_out, "dim")
    source = f"source: {entry.source}, {msg.locator}" if str(msg.locator) else entry.source
    _indented(f"{source} (exhibit {entry.stored.exhibit_sha256[:12]})", "dim")


def _indented(text: str, style: str = "", by: int = 2) -> None:
    """Plain text (never markup), indented, folded at the terminal's width."""
    console.print(Padding(Text(text, style=style), (0, 0, 0, by), expand=False))


def verify(
    target: Path = typer.Argument(..., help="A case file, or an evidence bundle (.zip)."),
) -> None:
    """Check every exhibit's hash and the whole log chain; print the head hash."""
    if target.suffix.lower() == ".zip" and not target.exists():
        raise InputFileError("no such file", path=str(target))
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
            console_err.print(tagged("FAIL", "red", problem), soft_wrap=True)
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
    for event in events:
        console.print(
            Text.assemble(
                (f"#{event.seq}", "bold"),
                f"  {event.at.replace('T', ' ')[:19]} UTC  ",
                (event.type, "bold"),
            )
        )
        for key, value in event.data().items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            _indented(f"{key}: {shown}", by=4)
        _indented(f"hash: {event.hash}", "dim", by=4)


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
    ref: str | None = typer.Option(
        None, "--ref", help="Reference, e.g. a crime reference number or a Western Union MTCN."
    ),
    detail: str | None = typer.Option(None, "--detail", help="Details in your own words."),
    amount: str | None = typer.Option(
        None, "--amount", help="For a payment: how much (500, £500)."
    ),
    currency: str | None = typer.Option(
        None, "--currency", help="For a payment: the currency code (GBP, USD, EUR...)."
    ),
    method: str | None = typer.Option(
        None, "--method", help="For a payment: how (Western Union, gift card, bank transfer...)."
    ),
    status: str | None = typer.Option(
        None,
        "--status",
        help="For a payment: " + ", ".join(records.PAYMENT_STATUSES) + ". A later status is "
        "recorded as a new action with the same --ref.",
    ),
    to: str | None = typer.Option(None, "--to", help="Who it was reported or paid to."),
) -> None:
    """Record something done: reported to police or a platform, account suspended, a payment..."""
    with open_case(case) as opened:
        seq = records.add_action(
            opened,
            kind,
            ref,
            detail,
            amount=amount,
            currency=currency,
            method=method,
            status=status,
            to=to,
        )
    console.print(f"Recorded '{kind}' as event {seq}.")


def me(
    case: Path = typer.Argument(..., help="The case file."),
    names: list[str] = typer.Argument(
        None, metavar="NAME", help="Your own name(s) or id(s) in the chats."
    ),
) -> None:
    """Say which person in the chats is you (recorded in the case log; the report and the message
    list use it). Without NAME: list the names in the chats and the current answer."""
    with open_case(case, readonly=not names) as opened:
        found = exhibits.name_me(opened, names) if names else exhibits.people(opened)
    if names:
        console.print(f"Recorded in the case log: you are {', '.join(found.me)}.", soft_wrap=True)
        return
    if not found.names:
        console.print("No names in this case yet. Add a chat export first: unshared add CASE FILE")
        return
    console.print("Names in this case's chats:")
    for name in found.names:
        _indented(name)
    if found.me:
        how = "recorded" if found.recorded else "a guess from the exports; say who you are"
        console.print(f"You: {', '.join(found.me)} ({how})", soft_wrap=True)
    else:
        console.print("Nobody is recorded as you yet. Say who you are: unshared me CASE NAME")


exhibit_app = typer.Typer(help="Exhibits: the files kept in the case, exactly as they were added.")


@exhibit_app.command("list")
def exhibit_list(case: Path = typer.Argument(..., help="The case file.")) -> None:
    """List exhibits with their SHA-256, size and acquisitions."""
    with open_case(case, readonly=True) as opened:
        found = exhibits.list_exhibits(opened)
    for info in found:
        aside = f" (set aside: {info.set_aside})" if info.set_aside else ""
        console.print(Text.assemble((info.sha256, "bold"), f"  {info.size} bytes{aside}"))
        for acq in info.acquisitions:
            _indented(f"{acq.original_name}, added {acq.acquired_at.replace('T', ' ')[:19]} UTC")
            _indented(f"from {acq.source_path}", "dim", by=4)
    if not found:
        console.print("No exhibits in this case yet.")


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
    app.command()(me)
    app.add_typer(exhibit_app, name="exhibit")
    from unshared.cli.demo_cmd import demo

    app.command()(demo)
