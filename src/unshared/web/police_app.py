"""The analysts' local app for a force database (``unshared police app``): a cluster list, a
drawing of one cluster, each link opening its evidence. Same security model as the victims' app
(:mod:`unshared.web.security`): loopback only, a single-use launch key exchanged for a session
cookie, CSRF on every POST, strict headers, no external assets and no scripts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from unshared.errors import UnsharedError
from unshared.usecases.police import ForceStore, Network, case_view, network
from unshared.usecases.police_views import drawing, link_evidence
from unshared.web.security import LaunchKeys, SecurityMiddleware, csrf_ok, new_token

__all__ = ["create_police_app"]


@dataclass
class _Session:
    store: ForceStore
    lock: threading.RLock = field(default_factory=threading.RLock)
    net: Network | None = None
    made: str = ""
    last_seen: float = field(default_factory=time.monotonic)

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    def network(self, *, again: bool = False) -> Network:
        with self.lock:
            if self.net is None or again:
                self.net = network(self.store)
                self.made = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
            return self.net


def create_police_app(store: ForceStore, launch_token: str) -> FastAPI:
    app = FastAPI(title="unshared police", docs_url=None, redoc_url=None, openapi_url=None)
    session = _Session(store)
    app.state.app_state = session
    app.state.launch_keys = LaunchKeys(launch_token)
    app.state.session_id = new_token()
    app.state.csrf_token = new_token()
    templates = Jinja2Templates(directory=str(resources.files("unshared.web") / "templates"))

    def start_session() -> None:
        app.state.session_id = new_token()
        app.state.csrf_token = new_token()

    def locked_out(_request: Request, *, spent: bool) -> Response:
        why = "This link was already used." if spent else "Start the app again to open it."
        return PlainTextResponse(f"Locked. {why}", status_code=401)

    app.state.start_session = start_session
    app.state.end_session = start_session
    app.state.locked_out = locked_out
    app.add_middleware(SecurityMiddleware)
    static = resources.files("unshared.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    def page(request: Request, name: str, **context: Any) -> Response:
        return templates.TemplateResponse(
            request, f"police/{name}", {"csrf": app.state.csrf_token, **context}
        )

    def guarded(build: Callable[[], Response]) -> Response:
        try:
            with session.lock:
                return build()
        except UnsharedError as exc:
            return PlainTextResponse(exc.message, status_code=404)

    @app.get("/", response_class=HTMLResponse)
    def home() -> RedirectResponse:
        return RedirectResponse("/police", status_code=303)

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/police", response_class=HTMLResponse)
    def clusters(request: Request) -> Response:
        def build() -> Response:
            net = session.network()
            rows = [
                {"id": c.id, "size": len(c.cases), "shared": c.shared()[:5]} for c in net.clusters
            ]
            return page(
                request, "clusters.html", clusters=rows, cases=len(net.names), made=session.made
            )

        return guarded(build)

    @app.post("/police/refresh")
    async def refresh(request: Request) -> Response:
        form = await request.form()
        supplied = form.get("csrf")
        if not csrf_ok(request, supplied if isinstance(supplied, str) else None):
            return PlainTextResponse("This page has expired.", status_code=403)
        session.network(again=True)
        return RedirectResponse("/police", status_code=303)

    @app.get("/police/cluster/{cluster_id}", response_class=HTMLResponse)
    def cluster(request: Request, cluster_id: str) -> Response:
        return guarded(
            lambda: page(
                request, "cluster.html", d=drawing(store, session.network(), cluster_id[:40])
            )
        )

    @app.get("/police/case/{key}", response_class=HTMLResponse)
    def case(request: Request, key: str) -> Response:
        return guarded(lambda: page(request, "case.html", v=case_view(store, key[:64])))

    @app.get("/police/link/{a}/{b}", response_class=HTMLResponse)
    def link(request: Request, a: str, b: str) -> Response:
        return guarded(
            lambda: page(
                request, "link.html", ev=link_evidence(store, session.network(), a[:64], b[:64])
            )
        )

    return app
