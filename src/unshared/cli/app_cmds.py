"""``unshared app``: the local web app for victims, on 127.0.0.1 only."""

from __future__ import annotations

from pathlib import Path

import typer

from unshared.cli.serve import serve_local


def app_command(
    case: Path | None = typer.Argument(None, help="A case file to open first (optional)."),
    port: int | None = typer.Option(
        None, "--port", help="Port on 127.0.0.1 (default: a free one)."
    ),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the browser."),
    cases_dir: Path = typer.Option(
        Path.home() / "unshared-cases", "--cases-dir", help="Folder where new cases are kept."
    ),
) -> None:
    """Open the calm, step-by-step app in your browser. It works offline, on this computer only."""
    from unshared.web.app import AppSettings, create_app

    if case is not None:
        cases_dir = case.resolve().parent
    settings = AppSettings(cases_dir=cases_dir, case_path=case)
    application = create_app(settings)
    serve_local(
        application,
        settings.launch_token,
        port=port,
        browser=not no_browser,
        running="unshared is running at",
        hint="Keep this window open while you use it. Press Ctrl+C to stop.",
    )


def register(app: typer.Typer) -> None:
    app.command("app")(app_command)
