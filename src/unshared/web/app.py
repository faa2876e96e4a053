"""The local app for victims: a calm web page over the same use cases the CLI calls.

``create_app(settings)`` builds the FastAPI app with everything injected; nothing is looked up
from globals. Routes live in ``routes_*`` modules, one per step of the path; they get their state
from :mod:`unshared.web.deps`, never from here. Every project error a route does not handle itself
becomes one calm message (:func:`_project_error`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from unshared import __version__
from unshared.errors import UnsharedError
from unshared.web import routes_case, routes_guide, routes_help, routes_protect, routes_report
from unshared.web.deps import AppSettings, AppState, render
from unshared.web.security import (
    CSP,
    SESSION_COOKIE,
    LaunchKeys,
    SecurityMiddleware,
    csrf_ok,
    new_token,
    same_secret,
)

__all__ = ["AppSettings", "AppState", "create_app", "error_status"]

NEUTRAL_ORIGIN = "https://www.bbc.co.uk"
NEUTRAL_SITE = NEUTRAL_ORIGIN + "/weather"


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
    app.state.launch_keys = LaunchKeys(settings.launch_token)
    app.state.session_id = new_token()
    app.state.csrf_token = new_token()
    app.state.templates = _templates()

    def issue_launch_key() -> str:
        """A new one-time launch key (what starting the app again would print)."""
        key: str = app.state.launch_keys.issue()
        return key

    def start_session() -> None:
        """A launch key was spent: a fresh session, and nothing kept from an earlier one."""
        state.forget()
        app.state.session_id = new_token()
        app.state.csrf_token = new_token()
        state.touch()

    def end_session() -> None:
        """The session ended (browser closed, idle, quick exit): lock the case, forget it all."""
        state.forget()
        app.state.session_id = new_token()
        app.state.csrf_token = new_token()

    def locked_out(request: Request, *, spent: bool) -> Response:
        response = render(request, "locked.html", spent=spent, locked=True)
        response.status_code = 401
        return response

    app.state.issue_launch_key = issue_launch_key
    app.state.start_session = start_session
    app.state.end_session = end_session
    app.state.locked_out = locked_out
    app.add_middleware(SecurityMiddleware)
    static = resources.files("unshared.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _watch_idle(state, end_session)

    app.add_exception_handler(UnsharedError, _project_error)
    for module in (routes_guide, routes_case, routes_protect, routes_report, routes_help):
        app.include_router(module.router)

    @app.get("/", response_class=HTMLResponse)
    def home() -> RedirectResponse:
        return RedirectResponse("/safe", status_code=303)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/favicon.ico")
    def favicon() -> FileResponse:
        return FileResponse(str(static / "favicon.ico"), media_type="image/x-icon")

    @app.post("/api/alive")
    def alive(request: Request) -> JSONResponse:
        """The open page says it is still there (the session ends when no page is)."""
        return JSONResponse({"ok": csrf_ok(request, request.headers.get("x-csrf-token"))})

    @app.post("/exit")
    async def quick_exit(request: Request) -> Response:
        """Quick exit: forget everything this session holds, then a neutral page.

        POST only, with the CSRF token: another site cannot end the session (it gets no cookie,
        and its request changes nothing)."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if same_secret(app.state.session_id, cookie):
            form = await request.form()
            supplied = form.get("csrf")
            if not csrf_ok(request, supplied if isinstance(supplied, str) else None):
                return Response("This page has expired.", status_code=403)
            end_session()
        response = RedirectResponse("/bye", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    @app.get("/bye", response_class=HTMLResponse)
    def bye(request: Request) -> Response:
        """A neutral page that works offline (served from this computer); when the neutral site
        can be reached, the page moves on to it."""
        templates: Jinja2Templates = app.state.templates
        response = templates.TemplateResponse(request, "bye.html", {"neutral": NEUTRAL_SITE})
        response.headers["Content-Security-Policy"] = CSP.replace(
            "img-src 'self' data:", f"img-src 'self' data: {NEUTRAL_ORIGIN}"
        )
        return response

    return app


def _watch_idle(state: AppState, end_session: Callable[[], None]) -> None:
    """End the session (closing the case) when no page of the app has been open for a while."""

    def watch() -> None:
        while True:
            time.sleep(min(10.0, state.settings.session_idle / 3))
            if state.case is not None and state.idle_for() > state.settings.session_idle:
                end_session()

    threading.Thread(target=watch, name="unshared-idle", daemon=True).start()


#: HTTP status for each kind of project error a route lets through (default 422).
ERROR_STATUS: dict[str, int] = {
    "WrongPassphrase": 403,
    "NotACaseFile": 422,
    "CaseFileError": 409,
    "IntegrityError": 409,
    "LimitExceeded": 413,
    "BankError": 502,
}


def error_status(exc: UnsharedError) -> int:
    for cls in type(exc).__mro__:
        if cls.__name__ in ERROR_STATUS:
            return ERROR_STATUS[cls.__name__]
    return 422


async def _project_error(request: Request, exc: Exception) -> Response:
    """A project error as one calm line: JSON for the app's API calls, a page for the rest."""
    assert isinstance(exc, UnsharedError)
    status = error_status(exc)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": exc.message, "detail": exc.describe()}, status_code=status)
    response = render(request, "error.html", error=exc.describe())
    response.status_code = status
    return response
