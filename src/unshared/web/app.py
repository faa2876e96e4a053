"""The local app for victims: a calm web page over the same services the CLI uses.

``create_app(settings)`` builds the FastAPI app with everything injected; nothing is looked up
from globals. Routes live in ``routes_*`` modules, one per step of the path.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from unshared import __version__
from unshared.casefile import Case
from unshared.web.security import SESSION_COOKIE, SecurityMiddleware, new_token

__all__ = ["AppSettings", "AppState", "create_app"]

NEUTRAL_SITE = "https://www.bbc.co.uk/weather"


@dataclass
class AppSettings:
    """Where cases live and which case to open first."""

    cases_dir: Path
    case_path: Path | None = None
    launch_token: str = field(default_factory=new_token)


@dataclass
class AppState:
    """What one person's session holds: the open case and the guide answers."""

    settings: AppSettings
    case: Case | None = None
    case_path: Path | None = None
    answers: Any = None
    plan: Any = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    last_results: list[dict[str, Any]] = field(default_factory=list)
    done_local: set[str] = field(default_factory=set)
    session_prints: list[dict[str, Any]] = field(default_factory=list)

    def close_case(self) -> None:
        with self.lock:
            if self.case is not None:
                self.case.close()
            self.case = None
            self.case_path = None


def _templates() -> Jinja2Templates:
    folder = resources.files("unshared.web") / "templates"
    templates = Jinja2Templates(directory=str(folder))
    templates.env.globals["version"] = __version__
    return templates


def create_app(settings: AppSettings) -> FastAPI:
    app = FastAPI(
        title="unshared",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    state = AppState(settings)
    app.state.app_state = state
    app.state.launch_token = settings.launch_token
    app.state.session_id = new_token()
    app.state.csrf_token = new_token()
    app.state.templates = _templates()
    app.add_middleware(SecurityMiddleware)
    static = resources.files("unshared.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    from unshared.web import routes_case, routes_guide, routes_protect, routes_report

    for module in (routes_guide, routes_case, routes_protect, routes_report):
        app.include_router(module.router)

    @app.get("/", response_class=HTMLResponse)
    def home() -> RedirectResponse:
        return RedirectResponse("/safe", status_code=303)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/exit")
    def quick_exit() -> RedirectResponse:
        """Quick exit: forget the session and leave for a neutral site."""
        state.close_case()
        state.answers = None
        state.plan = None
        app.state.session_id = new_token()
        response = RedirectResponse(NEUTRAL_SITE, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    return app


def session_state(request: Request) -> AppState:
    """The state of the one person using this app (the open case, the guide answers)."""
    state: AppState = request.app.state.app_state
    return state


def phone_region(state: AppState) -> str:
    """The ISO country for reading phone numbers, from the guide's region (UK -> GB)."""
    from unshared.guide.loader import phone_region as for_region

    return for_region(state.answers.region if state.answers is not None else "UK")


def render(request: Request, template: str, **context: Any) -> HTMLResponse:
    """Render a page with what every page needs: help panel, csrf token, steps."""
    from unshared.web.help import help_contacts

    state = session_state(request)
    region = getattr(state.answers, "region", "UK") if state.answers is not None else "UK"
    base = {
        "request": request,
        "csrf": request.app.state.csrf_token,
        "help": help_contacts(region),
        "case_name": state.case_path.name if state.case_path else None,
        "page": template.removesuffix(".html"),
    }
    base.update(context)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, base)
