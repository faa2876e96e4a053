"""``unshared bank ...``: run a hash bank, or talk to one.

Only ``serve`` and ``token`` touch a bank database; every other command connects to a bank over
HTTP, and only when you run it. Nothing is sent but fingerprints under an opaque case token.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from unshared.cli.common import console, console_err, open_case
from unshared.usecases.bank_admin import DEFAULT_DB

bank_app = typer.Typer(
    name="bank",
    help="The hash bank: platforms block re-uploads, and you are told when they do.",
    no_args_is_help=True,
)

BANK_URL = typer.Option(..., "--bank", envvar="UNSHARED_BANK_URL", help="The bank's URL.")
TOKEN = typer.Option(..., "--token", envvar="UNSHARED_BANK_TOKEN", help="Your API token.")


@bank_app.command()
def serve(
    db: str = typer.Option(DEFAULT_DB, "--db", help="sqlite:///PATH or postgresql://..."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8600, "--port"),
    sync_interval: float = typer.Option(
        2.0, "--sync-interval", help="Seconds between following the changes feed."
    ),
    webhook_allow: list[str] = typer.Option(
        [],
        "--webhook-allow",
        help="A host that webhooks may reach although it is not public (repeat for more).",
    ),
    snapshot: str = typer.Option(
        "",
        "--snapshot",
        help="A folder for the index files: start-up reads them, not the database.",
    ),
) -> None:
    """Run a bank (FastAPI + uvicorn). Migrates the database first."""
    import uvicorn

    from unshared.usecases.bank_admin import bank_app

    app = bank_app(
        db, sync_interval=sync_interval, webhook_allow=webhook_allow, snapshot=snapshot or None
    )
    console.print(f"hash bank on http://{host}:{port} (database {db.split('@')[-1]})")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@bank_app.command()
def token(
    scope: str = typer.Option(..., "--scope", help="submitter, platform or admin"),
    db: str = typer.Option(DEFAULT_DB, "--db", help="sqlite:///PATH or postgresql://..."),
    name: str = typer.Option("", "--name", help="Who the token is for (shown in alerts)."),
    rate: int = typer.Option(600, "--rate", help="Requests a minute allowed."),
) -> None:
    """Print a new API token. Only its hash is stored: keep it safe now."""
    from unshared.usecases.bank_admin import issue_token

    typer.echo(issue_token(db, scope, name, rate))


@bank_app.command()
def tokens(
    db: str = typer.Option(DEFAULT_DB, "--db", help="sqlite:///PATH or postgresql://..."),
) -> None:
    """List the bank's tokens (id, name, scope, rate, made, revoked); never the tokens."""
    from unshared.usecases.bank_admin import list_tokens

    for row in list_tokens(db):
        typer.echo(json.dumps(row, sort_keys=True))


@bank_app.command()
def revoke(
    token_id: int = typer.Argument(..., help="The token's id, from `unshared bank tokens`."),
    db: str = typer.Option(DEFAULT_DB, "--db", help="sqlite:///PATH or postgresql://..."),
) -> None:
    """Revoke a token for good: every server refuses it within 5 seconds."""
    from unshared.usecases.bank_admin import revoke_token

    revoked = revoke_token(db, token_id)
    if not revoked:
        console_err.print(f"No token {token_id}, or it was revoked already.")
        raise typer.Exit(1)
    console.print(f"Token {token_id} is revoked.")


@bank_app.command()
def submit(
    case: Path = typer.Argument(..., help="The case file."),
    bank: str = BANK_URL,
    api_token: str = TOKEN,
    bank_name: str = typer.Option("default", "--bank-name", help="Which bank on the server."),
    webhook: str | None = typer.Option(None, "--webhook", help="Where to send alerts."),
    webhook_secret: str = typer.Option("", "--webhook-secret", help="Signs the alerts."),
) -> None:
    """Send this case's fingerprints (never the images) to a bank."""
    from unshared.usecases.bank import submit_to_bank

    with open_case(case) as opened:
        ids = submit_to_bank(
            opened,
            bank,
            api_token,
            bank_name=bank_name,
            webhook=webhook,
            webhook_secret=webhook_secret,
        )
    console.print(f"Sent {len(ids)} fingerprints. Only hashes left this machine.")


def read_vpdq_frames(path: Path) -> list[str]:
    """Frame hashes from a file: one 64-hex PDQ a line, the vpdq tool's
    ``frame,quality,hash,timestamp`` lines, or ``unshared fingerprint --format jsonl`` output."""
    from unshared.errors import InputFileError, ParseError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read it: {exc}", path=str(path)) from exc
    frames: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ParseError(
                    f"not JSON: {exc.msg}", path=str(path), where=f"line {number}"
                ) from exc
            frames.extend(str(f["pdq"]) for f in record.get("vpdq") or [] if f.get("pdq"))
            continue
        fields = [f.strip() for f in line.split(",")]
        hexes = [f for f in fields if len(f) == 64 and all(c in HEX for c in f.lower())]
        if len(hexes) != 1:
            raise ParseError(
                "expected one 64-hex-digit PDQ hash on this line",
                path=str(path),
                where=f"line {number}",
            )
        frames.append(hexes[0].lower())
    if not frames:
        raise InputFileError("no frame hashes in it", path=str(path))
    return frames


HEX = frozenset("0123456789abcdef")


@bank_app.command()
def lookup(
    bank: str = BANK_URL,
    api_token: str = TOKEN,
    pdq: str | None = typer.Option(None, "--pdq", help="A PDQ hash (64 hex digits)."),
    md5: str | None = typer.Option(None, "--md5"),
    sha256: str | None = typer.Option(None, "--sha256"),
    vpdq: Path | None = typer.Option(
        None, "--vpdq", help="A file of a video's vPDQ frame hashes (one a line, or JSONL)."
    ),
    media: Path | None = typer.Option(
        None,
        "--media",
        help="An image or video: fingerprinted here, and only its hashes are sent.",
    ),
    threshold: int = typer.Option(31, "--threshold", help="Largest PDQ distance to report."),
    min_percent: float = typer.Option(
        80.0, "--min-percent", help="vPDQ: share of frames that must match, both ways."
    ),
) -> None:
    """Look hashes up; prints one JSON line per match (entry id, signal type, distance)."""
    from unshared.usecases.bank import lookup as bank_lookup

    frames = read_vpdq_frames(vpdq) if vpdq is not None else []
    if not (pdq or md5 or sha256 or frames or media):
        raise typer.BadParameter("give at least one of --pdq, --md5, --sha256, --vpdq, --media")
    found = bank_lookup(
        bank,
        api_token,
        hashes={"pdq": pdq, "md5": md5, "sha256": sha256},
        frames=frames,
        media=media,  # read in place; only its hashes leave
        threshold=threshold,
        min_percent=min_percent,
    )
    for match in [*found.matches, *found.videos]:
        typer.echo(json.dumps(match, sort_keys=True))


@bank_app.command()
def withdraw(
    case: Path = typer.Argument(...), bank: str = BANK_URL, api_token: str = TOKEN
) -> None:
    """Take this case's fingerprints out of the bank."""
    from unshared.usecases.bank import withdraw_from_bank

    with open_case(case) as opened:
        count = withdraw_from_bank(opened, bank, api_token)
    if count is None:
        console.print("This case was never sent to that bank; nothing to withdraw.")
        return
    console.print(f"Withdrawn: {count} fingerprints no longer match anywhere.")


@bank_app.command()
def alerts(
    case: Path = typer.Argument(...),
    bank: str = BANK_URL,
    api_token: str = TOKEN,
    jsonl: bool = typer.Option(False, "--jsonl", help="One JSON object a line."),
) -> None:
    """What platforms reported about this case's fingerprints."""
    from unshared.usecases.bank import bank_alerts, case_token

    with open_case(case) as opened:
        token = case_token(opened, bank)
    if token is None:
        console.print("This case was never sent to that bank.")
        return
    found = bank_alerts(token, bank, api_token)
    if jsonl:
        for alert in found:
            typer.echo(json.dumps(alert, sort_keys=True))
        return
    if not found:
        console.print("No reports from platforms yet.")
    words = {
        "matched": "found a copy",
        "blocked": "blocked an upload",
        "removed": "took a copy down",
        "false_positive": "says a match was not this image",
        "quarantined": "paused a fingerprint after false-match reports",
    }
    for alert in found:
        what = words.get(alert["kind"], alert["kind"])
        console.print(f"{alert['at'][:19]}  {alert['platform']} {what} (entry {alert['entry_id']})")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""
    app.add_typer(bank_app)
