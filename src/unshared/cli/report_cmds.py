"""CLI commands of the report area: ``unshared report`` and ``unshared bundle``.

``unshared verify BUNDLE.zip`` is the case area's ``verify`` command; it calls
:func:`show_bundle_check` here when its argument is a zip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from unshared.cli.common import console, console_err, open_case, tagged

__all__ = ["register", "show_bundle_check"]


@contextmanager
def _steps(title: str) -> Iterator[Callable[[str], None]]:
    with console_err.status(title) as status:
        yield lambda what: status.update(f"{title}: {what}")


def show_bundle_check(path: Path) -> None:
    """Check a bundle and print the result; exit code 3 when anything is wrong."""
    from unshared.usecases.exhibits import verify_bundle

    result = verify_bundle(path)
    if result.ok:
        console.print(
            tagged(
                "OK",
                "green",
                f"{path}: {result.files_checked} files and the manifest match, "
                f"{result.exhibits} exhibits present, log chain of {result.log_events} events "
                "intact.",
            ),
            soft_wrap=True,
        )
        if result.set_aside:
            console.print(
                f"{result.set_aside} exhibit(s) set aside in the case are not in this bundle "
                "(the manifest lists them).",
                soft_wrap=True,
            )
        console.print(
            f"report seal: {result.seal} (it must be the seal printed on the report you hold)",
            soft_wrap=True,
        )
        console.print(f"log head: {result.log_head}", soft_wrap=True)
        return
    console_err.print(tagged("The bundle does not check out", "red", f"({path}):"))
    for problem in result.problems:
        console_err.print(f"  - {problem}", soft_wrap=True)
    raise typer.Exit(3)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root app."""

    @app.command("report")
    def report(
        case: Path = typer.Argument(..., help="The case file."),
        out: Path | None = typer.Option(
            None, "--out", "-o", help="Folder for report.html, report.pdf and case.jsonld."
        ),
        platform: list[str] = typer.Option(
            [],
            "--platform",
            "-p",
            help="Print the draft for this platform's report form (instagram, facebook, "
            "snapchat, skype, tiktok, discord, telegram, whatsapp, x, youtube), or 'all' for "
            "every platform in the case. Nothing is sent anywhere.",
        ),
        pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write report.pdf."),
    ) -> None:
        """Make the police-ready evidence report, or print platform report drafts."""
        from unshared.usecases.report import default_report_folder, make_report, platform_drafts

        if platform:
            with open_case(case) as opened:
                drafts = platform_drafts(opened, platform)
            if not drafts:
                console_err.print("No platform is recorded in this case; name one with --platform.")
            for n, draft in enumerate(drafts):
                if n:
                    typer.echo("\n" + "=" * 72 + "\n")
                typer.echo(draft.text, nl=False)
            if out is None:
                return
        target = out or default_report_folder(case)
        with open_case(case) as opened, _steps("Making the report") as step:
            made = make_report(opened, target, pdf=pdf, step=step)
        if made.no_pdf:
            console_err.print(f"({made.no_pdf}; wrote HTML and JSON-LD only)", soft_wrap=True)
        console.print(f"Report written to {made.folder}:", soft_wrap=True)
        for name, sha in made.files.items():
            console.print(f"  {name}  sha256 {sha}", soft_wrap=True)
        console.print(
            f"Recorded in the case log as event {made.event_seq}. Log head when made: "
            f"{made.log_head}",
            soft_wrap=True,
        )
        console.print(
            f"Report seal (printed in the report; note it with your statement): {made.seal}",
            soft_wrap=True,
        )
        console.print("No images are included, only fingerprints and descriptions.", soft_wrap=True)

    @app.command("bundle")
    def bundle(
        case: Path = typer.Argument(..., help="The case file."),
        out: Path = typer.Option(..., "--out", "-o", help="The zip file to write."),
        pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Include report.pdf."),
    ) -> None:
        """Make an evidence bundle: originals, report, CASE file, log and manifest in one zip."""
        from unshared.usecases.report import make_bundle

        with open_case(case) as opened, _steps("Making the bundle") as step:
            made = make_bundle(opened, out, pdf=pdf, step=step)
        # made.files counts manifest.json too; verify checks the other files against it.
        console.print(
            f"Bundle written: {made.path} ({made.files - 1} files and the manifest)",
            soft_wrap=True,
        )
        console.print(f"  sha256 {made.sha256}", soft_wrap=True)
        console.print(f"  report seal {made.seal}", soft_wrap=True)
        console.print(f"  log head {made.log_head}", soft_wrap=True)
        if made.set_aside:
            console.print(
                f"  {made.set_aside} exhibit(s) set aside in the case were left out", soft_wrap=True
            )
        console.print(
            f"Anyone can check it, without the passphrase: unshared verify {made.path}",
            soft_wrap=True,
        )
