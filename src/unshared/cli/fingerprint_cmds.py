"""``unshared fingerprint``: private fingerprints of images and videos, read in place.

``unshared fingerprint CASE MEDIA...`` stores the fingerprints in a case; ``unshared fingerprint
MEDIA... --format jsonl`` prints them. The first argument is taken as a case when it is an existing
unshared case file; otherwise every argument is media. All files are done in this one process.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from unshared.cli.common import Format, console, console_err, open_case
from unshared.errors import UnsharedError

if TYPE_CHECKING:  # the fingerprinting stack (numpy, Pillow, PyAV) loads only when used
    from unshared.fingerprints.service import Options, Outcome
    from unshared.model import Fingerprint

SQLITE_MAGIC = b"SQLite format 3\x00"


class Names(StrEnum):
    full = "full"
    file = "file"
    none = "none"


def is_case_file(path: Path) -> bool:
    """True when ``path`` is an unshared case file (encrypted or not)."""
    from unshared.casefile import crypto

    if not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError:
        return False
    if crypto.is_encrypted_header(header):
        return True
    if header.startswith(SQLITE_MAGIC):
        from unshared.casefile.store import Case

        try:
            Case.open(path, None, readonly=True).close()
        except UnsharedError:
            return False
        return True
    return False


def _progress(total: int) -> Progress:
    return Progress(
        TextColumn("fingerprinting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console_err,
        transient=True,
        disable=total < 2,
    )


def _run(
    targets: list[Path], options: Options, fmt: Format, emit: bool
) -> tuple[list[Fingerprint], int]:
    from unshared.fingerprints.service import fingerprint_many, iter_media

    files = list(iter_media(targets, strict=False))
    prints: list[Fingerprint] = []
    failed = 0

    with _progress(len(files)) as bar:
        task = bar.add_task("files", total=len(files))

        def on_file(outcome: Outcome) -> None:
            nonlocal failed
            bar.advance(task)
            if outcome.error is not None:
                failed += 1
                bar.console.print(
                    f"[red]error:[/red] {outcome.error.describe()}", highlight=False, soft_wrap=True
                )
                return
            fp = outcome.fingerprint
            assert fp is not None
            for warning in fp.warnings:
                bar.console.print(
                    f"[yellow]warning:[/yellow] {outcome.path}: {warning}",
                    highlight=False,
                    soft_wrap=True,
                )
            prints.append(fp)
            if emit and fmt == Format.jsonl:
                typer.echo(json.dumps(fp.to_dict(), ensure_ascii=False))

        fingerprint_many(files, options, on_file=on_file)
    if not files:
        console_err.print("no image or video files found")
    return prints, failed


def _table(prints: list[Fingerprint]) -> None:
    from rich.table import Table

    table = Table("file", "kind", "quality", "PDQ", "SHA-256", box=None)
    for fp in prints:
        table.add_row(
            fp.path or "(hidden)",
            fp.kind + (f" ({len(fp.vpdq)} frames)" if fp.kind == "video" else ""),
            str(fp.quality),
            fp.pdq or "(left out: low quality)",
            fp.sha256[:16] + "…",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""

    @app.command("fingerprint")
    def fingerprint(
        paths: list[Path] = typer.Argument(
            ...,
            metavar="[CASE] MEDIA...",
            help="An optional case file, then image/video files or folders.",
        ),
        fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
        exact: bool = typer.Option(
            False, "--exact", help="Decode every pixel and hash with the reference (slower)."
        ),
        crops: bool = typer.Option(
            True, "--crops/--no-crops", help="Also store crop-tolerant hashes (pdq_crops)."
        ),
        keep_low_quality: bool = typer.Option(
            False, "--keep-low-quality", help="Keep the PDQ of very flat pictures (flagged)."
        ),
        names: Names | None = typer.Option(
            None,
            "--names",
            help="Record the path as given (full), only the file name (file) or nothing (none). "
            "Default: file in a case, full otherwise.",
        ),
    ) -> None:
        """Make private fingerprints of images and videos. The media never leaves this machine
        and is never copied: only hashes are printed or stored in the case."""
        case_path: Path | None = None
        media = list(paths)
        if is_case_file(media[0]):
            if len(media) == 1:
                raise UnsharedError(
                    "this is a case file: name the pictures, videos or folders to fingerprint "
                    "after it",
                    path=str(media[0]),
                )
            case_path, media = media[0], media[1:]
        from unshared.fingerprints.service import Options

        chosen = names.value if names else ("file" if case_path else "full")
        options = Options(
            exact=exact,
            crops=crops,
            keep_low_quality=keep_low_quality,
            names=chosen,  # type: ignore[arg-type]
        )
        if case_path is None:
            prints, failed = _run(media, options, fmt, emit=True)
            if fmt == Format.table and prints:
                _table(prints)
        else:
            with open_case(case_path) as case:
                prints, failed = _run(media, options, fmt, emit=False)
                if prints:
                    case.add_fingerprints(
                        prints,
                        {
                            "files": len(prints),
                            "failed": failed,
                            "sha256": [fp.sha256 for fp in prints],
                            "method": "reference" if exact else "fast",
                            "crops": crops,
                        },
                    )
            console.print(
                f"Stored the fingerprints of {len(prints)} file(s) in {case_path}. "
                "The media itself was not copied."
            )
        if failed:
            # An UnsharedError, not typer.Exit: the root main() turns it into a line and exit 1.
            raise UnsharedError(f"{failed} file(s) could not be fingerprinted (see above)")
