"""``unshared police``: the investigator's side (docs/police.md). Parses, calls
:mod:`unshared.usecases.police`, prints."""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from unshared.cli.common import console, console_err, tagged
from unshared.errors import UnsharedError

police = typer.Typer(
    help="For investigators: many verified bundles in, offender networks out.",
    no_args_is_help=True,
)

DB_HELP = "The force database: sqlite:///force.db (encrypted) or postgresql://..."


class ClusterFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    graphml = "graphml"
    csv = "csv"


def _passphrase(url: str, *, new: bool = False, encrypt: bool = True) -> str | None:
    if url.startswith(("postgresql://", "postgres://")) or not encrypt:
        return None
    value = os.environ.get("UNSHARED_FORCE_PASSPHRASE")
    if value is None:
        if not sys.stdin.isatty():
            raise UnsharedError(
                "no passphrase: there is no terminal to ask on, so set UNSHARED_FORCE_PASSPHRASE"
            )
        value = str(
            typer.prompt("Force database passphrase", hide_input=True, confirmation_prompt=new)
        )
    if new and len(value) < 12:
        raise UnsharedError("choose a passphrase of at least 12 characters; nothing was created")
    return value


def _needs_extra() -> None:
    import importlib.util

    if not all(importlib.util.find_spec(m) for m in ("networkx", "scipy")):
        raise UnsharedError('the police tools need more packages: pip install "unshared[police]"')


def _open(url: str):  # type: ignore[no-untyped-def]
    _needs_extra()
    from unshared.usecases.police import open_force

    encrypted = True
    if not url.startswith(("postgresql://", "postgres://")):
        path = Path(url.removeprefix("sqlite:///"))
        if path.is_file():
            with path.open("rb") as fh:
                encrypted = not fh.read(16).startswith(b"SQLite format 3")
    return open_force(url, _passphrase(url, encrypt=encrypted))


def _key(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except OSError as exc:
        raise UnsharedError(f"cannot read the key file ({exc.strerror})", path=str(path)) from None


def register(app: typer.Typer) -> None:
    app.add_typer(police, name="police")


@police.command("init")
def init_cmd(
    db: str = typer.Option(..., "--db", help=DB_HELP),
    no_encryption: bool = typer.Option(
        False, "--no-encryption", help="An unencrypted SQLite file (tests only)."
    ),
) -> None:
    """Make an empty force database (encrypted SQLite unless it is PostgreSQL)."""
    _needs_extra()
    from unshared.usecases.police import init

    init(db, _passphrase(db, new=True, encrypt=not no_encryption))
    console.print(f"Force database ready: {db.split('@')[-1]}")


@police.command("import")
def import_cmd(
    bundles: list[Path] = typer.Argument(..., help="Evidence bundles (zip) made by unshared."),
    db: str = typer.Option(..., "--db", help=DB_HELP),
) -> None:
    """Verify each bundle, then import the other party's side of it. A bundle that fails
    verification is refused and nothing of it is stored; importing twice changes nothing."""
    from rich.progress import Progress

    from unshared.usecases.police import import_bundles

    store = _open(db)
    try:
        with Progress(console=console_err, transient=True) as bar:
            task = bar.add_task("Bundles", total=len(bundles))
            report = import_bundles(store, bundles, progress=lambda _p, _s: bar.advance(task))
    finally:
        store.close()
    for done in report.done:
        console.print(
            f"{done.status}: case {done.case_key[:12]} (bundle {done.bundle_sha256[:12]}): "
            f"{done.identifiers} identifiers, {done.messages} messages, {done.images} pictures"
        )
    for path, why in report.refused:
        console_err.print(tagged("refused:", "red", f"{path}: {why}"), soft_wrap=True)
    if report.refused:
        raise typer.Exit(3)


@police.command("clusters")
def clusters_cmd(
    db: str = typer.Option(..., "--db", help=DB_HELP),
    fmt: ClusterFormat = typer.Option(ClusterFormat.table, "--format", help="Output format."),
    min_strength: float = typer.Option(
        0.5, "--min-strength", min=0.0, max=1.0, help="Weakest link that joins two cases."
    ),
) -> None:
    """Offender networks: groups of cases joined by what their offenders shared."""
    from unshared.usecases.police import network, render_clusters

    store = _open(db)
    try:
        net = network(store, min_strength=min_strength)
    finally:
        store.close()
    if fmt != ClusterFormat.table:
        sys.stdout.write(render_clusters(net, fmt.value))
        return
    if not net.clusters:
        console.print("No two cases are linked yet.")
        return
    table = Table("cluster", "cases", "what they share", show_lines=True)
    for c in net.clusters:
        shared = "\n".join(f"{k}: {s} ({n} cases)" for k, s, n in c.shared()[:6])
        table.add_row(c.id, "\n".join(net.names[i] for i in c.cases), shared)
    console.print(table)


@police.command("case")
def case_cmd(
    key: str = typer.Argument(..., help="The case key, or its first characters (6 or more)."),
    db: str = typer.Option(..., "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One case: its bundles, what its offender used and said, and the cases it is linked to."""
    from dataclasses import asdict

    from unshared.usecases.police import case_view

    store = _open(db)
    try:
        view = case_view(store, key)
    finally:
        store.close()
    if as_json:
        console.print_json(json.dumps(asdict(view), ensure_ascii=False))
        return
    console.print(f"Case {view.key}  cluster: {view.cluster or 'none'}")
    for b in view.bundles:
        console.print(
            f"  bundle {b['bundle_sha256'][:16]} seal {b['seal'][:16]} imported {b['imported_at']} "
            f"by {b['imported_by']}"
        )
    for i in view.identifiers:
        console.print(f"  {i['kind']}: {i['value']}  (message {i['message']}, {i['locator']})")
    for link in view.links:
        why = "; ".join(f"{r['kind']}: {r['shared']}" for r in link["reasons"])
        console.print(f"  linked to {link['other']} ({link['strength']:.2f}): {why}")


@police.command("entity")
def entity_cmd(
    value: str = typer.Argument(..., help="An identifier: Skype ID, phone, wallet, e-mail..."),
    db: str = typer.Option(..., "--db", help=DB_HELP),
) -> None:
    """Every case where the other party used this identifier, with where."""
    from unshared.usecases.police import entity_view

    store = _open(db)
    try:
        rows = entity_view(store, value)
    finally:
        store.close()
    if not rows:
        console.print("Not seen in any case.")
        return
    for r in rows:
        console.print(
            f"{r['kind']} {r['value']}: case {r['case']} message {r['message']} "
            f"({r['locator']}, exhibit {r['exhibit'][:12]})"
        )


@police.command("export-shared")
def export_cmd(
    db: str = typer.Option(..., "--db", help=DB_HELP),
    key_file: Path = typer.Option(..., "--key-file", help="The key the forces agreed on."),
    out: Path = typer.Option(..., "--out", help="Where to write the export."),
) -> None:
    """Keyed hashes of offender identifiers and PDQ hashes of offender pictures, nothing else,
    for another force's ``police match``."""
    from unshared.usecases.police import export_shared

    store = _open(db)
    try:
        text = export_shared(store, _key(key_file))
    finally:
        store.close()
    out.write_text(text, encoding="utf-8")
    console.print(f"Written: {out} ({len(text.splitlines()) - 1} hashes)")


@police.command("match")
def match_cmd(
    export: Path = typer.Argument(..., help="Another force's export."),
    db: str = typer.Option(..., "--db", help=DB_HELP),
    key_file: Path = typer.Option(..., "--key-file", help="The key the forces agreed on."),
) -> None:
    """Which of our offender identifiers and pictures another force has also seen."""
    from unshared.usecases.police import match_shared

    try:
        text = export.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnsharedError(f"cannot read the export ({exc})", path=str(export)) from None
    store = _open(db)
    try:
        found = match_shared(store, _key(key_file), text, export.name)
    finally:
        store.close()
    if not found:
        console.print("No overlap.")
    for o in found:
        extra = f" (PDQ distance {o.distance})" if o.distance is not None else ""
        console.print(f"also seen by the other force: {o.kind} {o.value}{extra}")


@police.command("audit")
def audit_cmd(db: str = typer.Option(..., "--db", help=DB_HELP)) -> None:
    """Who imported and read what, when; and whether that record is unbroken."""
    from unshared.usecases.police import audit_trail

    store = _open(db)
    try:
        rows, problems = audit_trail(store)
    finally:
        store.close()
    for r in rows:
        console.print(f"{r.id:>6} {r.at} {r.actor}: {r.action} {r.target} {r.detail}")
    for p in problems:
        console_err.print(tagged("broken:", "red", p))
    if problems:
        raise typer.Exit(3)


@police.command("app")
def app_cmd(
    db: str = typer.Option(..., "--db", help=DB_HELP),
    port: int | None = typer.Option(None, "--port", help="Port on 127.0.0.1 (default: free)."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the browser."),
) -> None:
    """The analysts' view in your browser: clusters, a drawing of each, every link with its
    evidence. On this computer only; every page opened is audited."""
    from unshared.cli.serve import serve_local
    from unshared.web.police_app import create_police_app
    from unshared.web.security import new_token

    store = _open(db)
    token = new_token()
    try:
        serve_local(
            create_police_app(store, token),
            token,
            port=port,
            browser=not no_browser,
            running="The analysts' view is running at",
            hint="Press Ctrl+C to stop.",
        )
    finally:
        store.close()
