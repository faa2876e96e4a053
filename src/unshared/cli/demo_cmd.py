"""``unshared demo``: build a demo case from the synthetic samples shipped in the package."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import typer

from unshared import services
from unshared.casefile import Case, verify_case
from unshared.cli.common import console
from unshared.errors import CaseFileError
from unshared.importers import ImportOptions

DEMO_PASSPHRASE = "demo only - not secret"


def _samples() -> list[Path]:
    root = resources.files("unshared") / "data" / "demo"
    found = []
    for entry in root.iterdir():
        if entry.name != "README.txt" and entry.is_file():
            found.append(Path(str(entry)))
    return sorted(found)


def demo(
    out: Path = typer.Option(Path("unshared-demo"), "--out", help="Folder for the demo case."),
) -> None:
    """Build a demo case from invented sample chats and show what unshared does."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "demo.unshared"
    if path.exists():
        raise CaseFileError(
            "a demo case is already there; remove the folder or choose another with --out",
            path=str(path),
        )
    secret = os.environ.get("UNSHARED_PASSPHRASE", DEMO_PASSPHRASE)
    console.print(
        "[bold]unshared demo[/bold]: everything below is invented and stays on this machine."
    )
    with Case.create(path, secret) as case:
        console.print(f"1. Created an encrypted case: {path} (passphrase: '{secret}')")
        samples = _samples()
        results = services.add_files(
            case,
            samples,
            ImportOptions(
                timezone=services.resolve_timezone("Europe/London"), me=frozenset({"Sam"})
            ),
        )
        case.set_setting("me", "Sam")
        for result in results:
            status = (
                f"{result.messages} messages ({result.format})"
                if result.ok
                else f"kept, not read: {result.error}"
            )
            console.print(f"2. Kept {Path(result.path).name} untouched as evidence: {status}")
        services.add_action(case, "blocked-offender", detail="Blocked after saving the chat")
        services.add_note(case, "Demo note: the chat was saved before blocking.")
        result = verify_case(case)
        console.print(
            f"3. Verified {result.exhibits} exhibits and {result.events} log events. "
            f"Log head: {result.head_hash}"
        )
    console.print(f"Done. Look inside with: unshared messages {path}  and  unshared log {path}")
