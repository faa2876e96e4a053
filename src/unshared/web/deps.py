"""What every route needs, in one place the routes import (never :mod:`unshared.web.app`).

:class:`AppState` is the one person's session: the open case, the guide answers and plan, and what
this session did without a case. :func:`session_state` hands it to a route; :func:`render` draws a
page with what every page shows (the help panel, the CSRF token, the step).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from unshared.guide.model import Answers, Plan, Region
from unshared.usecases.case import Case
from unshared.web.security import new_token

__all__ = [
    "AppSettings",
    "AppState",
    "PrintSummary",
    "UploadSummary",
    "phone_region",
    "render",
    "session_state",
]


@dataclass
class AppSettings:
    """Where cases live and which case to open first."""

    cases_dir: Path
    case_path: Path | None = None
    launch_token: str = field(default_factory=new_token)
    #: Seconds without any open page of the app before the session ends and the case closes.
    session_idle: float = 300.0


class UploadSummary(TypedDict):
    """One upload as the case page lists it."""

    name: str
    sha256: str | None
    messages: int
    format: str | None
    kept: bool
    error: str | None
    duplicate: bool
    said: str


class PrintSummary(TypedDict):
    """One fingerprint as the protect page shows it (no path: only the file's name)."""

    name: str
    kind: str
    sha256: str
    md5: str
    pdq: str | None
    quality: int | None
    warnings: list[str]


@dataclass
class AppState:
    """What one person's session holds: the open case and the guide answers."""

    settings: AppSettings
    case: Case | None = None
    case_path: Path | None = None
    answers: Answers | None = None
    plan: Plan | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    last_results: list[UploadSummary] = field(default_factory=list)
    done_local: set[str] = field(default_factory=set)
    session_prints: list[PrintSummary] = field(default_factory=list)
    #: Told once per session how to use a private window and where downloads go.
    told_private: bool = False
    #: Where this session wrote the evidence pack (the person chose it), to offer removing it.
    export_folder: Path | None = None
    export_files: list[str] = field(default_factory=list)
    #: What the person was last told (kept until they see it: errors stay on screen).
    flash: dict[str, str] = field(default_factory=dict)
    last_seen: float = field(default_factory=time.monotonic)

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    def idle_for(self) -> float:
        return time.monotonic() - self.last_seen

    def close_case(self) -> None:
        with self.lock:
            if self.case is not None:
                self.case.close()
            self.case = None
            self.case_path = None

    def forget(self) -> None:
        """The session ended (quick exit, browser closed, idle): close the case and forget
        everything it held: answers, plan, ticks, fingerprints, uploads, messages."""
        self.close_case()
        with self.lock:
            self.answers = None
            self.plan = None
            self.last_results = []
            self.done_local = set()
            self.session_prints = []
            self.told_private = False
            self.export_folder = None
            self.export_files = []
            self.flash = {}


def session_state(request: Request) -> AppState:
    """The state of the one person using this app (the open case, the guide answers)."""
    state = request.app.state.app_state
    assert isinstance(state, AppState)
    return state


def phone_region(state: AppState) -> str:
    """The ISO country for reading phone numbers, from the guide's region (UK -> GB)."""
    from unshared.guide.loader import phone_region as for_region

    return for_region(state.answers.region if state.answers is not None else "UK")


def render(request: Request, template: str, **context: object) -> HTMLResponse:
    """Render a page with what every page needs: help panel, csrf token, steps."""
    from unshared.web.help import help_contacts

    state = session_state(request)
    region: Region = state.answers.region if state.answers is not None else "UK"
    age = state.answers.age if state.answers is not None else None
    locked = bool(context.get("locked"))
    base: dict[str, object] = {
        "request": request,
        "csrf": "" if locked else request.app.state.csrf_token,
        "help": help_contacts(region, age),
        "case_name": state.case_path.name if state.case_path and not locked else None,
        "page": template.removesuffix(".html"),
        "tell_private": not state.told_private and not locked,
        "flash": {} if locked else state.flash,
    }
    base.update(context)
    if not locked:
        state.told_private = True
        state.flash = {}
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, base)
