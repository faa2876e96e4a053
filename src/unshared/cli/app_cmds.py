"""``unshared app``: the local web app for victims, on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import os
import socket
import webbrowser
from pathlib import Path

import typer

from unshared.cli.common import console


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def launch_page(url: str) -> Path:
    """A one-line page, readable by this user only, that sends the browser on to ``url``.

    The browser is started with this file's path, never with the launch key itself: a command
    line is visible to every local user (``ps``). The page is removed once the key is spent."""
    import html
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="unshared-"))  # mode 0700
    page = folder / "open.html"
    fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            '<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">'
            f'<meta http-equiv="refresh" content="0;url={html.escape(url)}"><title>Notes</title>'
        )
    return page


def _remove(page: Path) -> None:
    page.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        page.parent.rmdir()


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
    import uvicorn

    from unshared.web.app import AppSettings, create_app

    if case is not None:
        cases_dir = case.resolve().parent
    settings = AppSettings(cases_dir=cases_dir, case_path=case)
    application = create_app(settings)
    chosen = port or _free_port()
    url = f"http://127.0.0.1:{chosen}/?t={settings.launch_token}"
    console.print(f"unshared is running at: {url}", soft_wrap=True)
    console.print("Keep this window open while you use it. Press Ctrl+C to stop.")
    if not no_browser:
        page = launch_page(url)
        application.state.launch_keys.on_spent = lambda: _remove(page)
        webbrowser.open(page.as_uri())
    config = uvicorn.Config(
        application, host="127.0.0.1", port=chosen, log_level="warning", access_log=False
    )
    uvicorn.Server(config).run()


def register(app: typer.Typer) -> None:
    app.command("app")(app_command)
