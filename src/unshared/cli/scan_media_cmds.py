"""``unshared scan-media``: check a platform's hosted media against a hash bank, on Dask.

The command parses its options, calls :func:`unshared.usecases.scan_media.scan_media` and shows a
progress bar (and the Dask dashboard link when it runs on a cluster)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from unshared.cli.common import console, console_err


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""

    @app.command("scan-media")
    def scan_media(
        source: str = typer.Argument(
            ...,
            help="A folder, an fsspec URL (s3://, gs://, az://, file://) or a CSV/Parquet manifest with a path column.",
        ),
        bank: str = typer.Option(
            ..., "--bank", help="The bank's database: a sqlite:/// or postgresql:// URL, or a file."
        ),
        out: Path = typer.Option(
            Path("scan-results"),
            "--out",
            help="Folder for the results (Parquet, one file per partition).",
        ),
        cluster: str | None = typer.Option(
            None,
            "--cluster",
            help="A Dask scheduler, e.g. tcp://scheduler:8786 (default: this machine).",
        ),
        workers: int | None = typer.Option(
            None, "--workers", min=1, help="Local workers (default: one per core)."
        ),
        partition_size: int = typer.Option(
            64, "--partition-size", min=1, help="Files per task and per result file."
        ),
        threshold: int = typer.Option(31, "--threshold", min=0, max=63, help="PDQ distance."),
    ) -> None:
        """Fingerprint every image and video of SOURCE in parallel and match it against a hash
        bank. Files are read in place, never copied; a stopped run resumes where it was."""
        from unshared.usecases.scan_media import scan_media as run

        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console_err,
            transient=True,
        ) as bar:
            task = bar.add_task("Partitions", total=None)

            def started(dashboard: str | None) -> None:
                if dashboard:
                    console_err.print(f"Dask dashboard: {escape(dashboard)}", soft_wrap=True)

            result = run(
                source,
                bank,
                out,
                cluster=cluster,
                workers=workers,
                partition_size=partition_size,
                threshold=threshold,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                started=started,
            )
        console.print(
            f"Scanned {result.files} file(s) in {result.partitions - result.skipped} partition(s) "
            f"({result.skipped} already done); {result.matched} matched the bank; "
            f"{len(result.unreadable)} could not be read. Results: {escape(str(result.out))}",
            soft_wrap=True,
        )
        for path, why in result.unreadable[:20]:
            console.print(f"  unreadable: {escape(path)}: {escape(why)}", soft_wrap=True)
        if len(result.unreadable) > 20:
            console.print(
                f"  and {len(result.unreadable) - 20} more (the error column in the results)"
            )
