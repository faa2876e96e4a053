"""Serving a local web app from the command line, one way for ``unshared app`` and
``unshared police app``: 127.0.0.1 only, a free port unless one is given, the launch key handed to
the browser through a private page (never on a command line), uvicorn without an access log."""

from __future__ import annotations

import contextlib
import os
import socket
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

from unshared.cli.common import console

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["free_port", "launch_page", "serve_local"]


def free_port() -> int:
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


def serve_local(
    application: FastAPI,
    token: str,
    *,
    port: int | None,
    browser: bool,
    running: str,
    hint: str,
) -> None:
    """Print ``running: URL`` and ``hint``, open the browser unless told not to, and serve
    ``application`` on 127.0.0.1 until Ctrl+C. ``application.state.launch_keys`` spends
    ``token``."""
    import uvicorn

    chosen = port or free_port()
    url = f"http://127.0.0.1:{chosen}/?t={token}"
    console.print(f"{running}: {url}", soft_wrap=True)
    console.print(hint)
    if browser:
        page = launch_page(url)
        application.state.launch_keys.on_spent = lambda: _remove(page)
        webbrowser.open(page.as_uri())
    config = uvicorn.Config(
        application, host="127.0.0.1", port=chosen, log_level="warning", access_log=False
    )
    uvicorn.Server(config).run()
