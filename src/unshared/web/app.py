"""The local app for victims: a calm web page over the same use cases the CLI calls.

``create_app(settings)`` builds the FastAPI app with everything injected; nothing is looked up
from globals. Routes live in ``routes_*`` modules, one per step of the path; they get their state
from :mod:`unshared.web.deps`, never from here. Every project error a route does not handle itself
becomes one calm message (:func:`_project_error`).
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from unshared import __version__
from unshared.errors import UnsharedError
from unshared.web import routes_case, routes_guide, routes_protect, routes_report
from unshared.web.deps import AppSettings, AppState, render
from unshared.web.security import SESSION_COOKIE, SecurityMiddleware, new_token

__all__ = ["AppSettings", "AppState", "create_app", "error_status"]

NEUTRAL_SITE = "https://www.bbc.co.uk/weather"


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

    app.add_exception_handler(UnsharedError, _project_error)
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
        state.forget()
        app.state.session_id = new_token()
        response = RedirectResponse(NEUTRAL_SITE, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    return app


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
