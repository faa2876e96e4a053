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

from unshared.cli.common import Format, console, console_err, open_case, tagged
from unshared.errors import UnsharedError
from unshared.usecases.case import Case, is_case_file

if TYPE_CHECKING:  # the fingerprinting stack (numpy, Pillow, PyAV) loads only when used
    from unshared.model import Fingerprint
    from unshared.usecases.fingerprint import Options, Outcome


class Names(StrEnum):
    full = "full"
    file = "file"
    none = "none"


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
    targets: list[Path], options: Options, fmt: Format, case: Case | None
) -> tuple[list[Fingerprint], int]:
    from unshared.usecases.fingerprint import fingerprint_paths, media_files

    files = media_files(targets)
    emit = case is None

    with _progress(len(files)) as bar:
        task = bar.add_task("files", total=len(files))

        def on_file(outcome: Outcome) -> None:
            bar.advance(task)
            if outcome.error is not None:
                bar.console.print(tagged("error:", "red", outcome.error.describe()), soft_wrap=True)
                return
            fp = outcome.fingerprint
            assert fp is not None
            for warning in fp.warnings:
                bar.console.print(
                    tagged("warning:", "yellow", f"{outcome.path}: {warning}"),
                    soft_wrap=True,
                )
            if emit and fmt == Format.jsonl:
                typer.echo(json.dumps(fp.to_dict(), ensure_ascii=False))

        run = fingerprint_paths(targets, options, case=case, files=files, on_file=on_file)
    if not files:
        console_err.print("no image or video files found")
    return run.prints, run.failed


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
        from unshared.usecases.fingerprint import fingerprint_options

        options = fingerprint_options(
            exact=exact,
            crops=crops,
            keep_low_quality=keep_low_quality,
            names=names.value if names else None,
            in_case=case_path is not None,
        )
        if case_path is None:
            prints, failed = _run(media, options, fmt, None)
            if fmt == Format.table and prints:
                _table(prints)
        else:
            with open_case(case_path) as case:
                prints, failed = _run(media, options, fmt, case)
            console.print(
                f"Stored the fingerprints of {len(prints)} file(s) in {case_path}. "
                "The media itself was not copied."
            )
        if failed:
            # An UnsharedError, not typer.Exit: the root main() turns it into a line and exit 1.
            raise UnsharedError(f"{failed} file(s) could not be fingerprinted (see above)")
