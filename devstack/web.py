"""The built web app (frontend/dist) for `make dev`: a static server beside the API with the SPA
fallback (any path without a file is index.html), /config.json telling the app where the API is, and
the security headers CloudFront sends (infra/csp.py), so what runs here is what the CDN serves.

The API allows this origin through CORS (MONEYGROW_CORS_ORIGINS, set by devstack/__main__.py).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from infra.csp import content_security_policy

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "frontend" / "dist"
log = logging.getLogger(__name__)


def security_headers(api_url: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(f"'self' {api_url}"),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


def web_app(dist: Path, api_url: str) -> Starlette:
    """The SPA in `dist`, talking to the API at `api_url`."""
    index = dist / "index.html"
    headers = security_headers(api_url)

    async def config(_: Request) -> Response:
        return JSONResponse({"apiUrl": api_url}, headers={"Cache-Control": "no-store"})

    async def spa(request: Request) -> Response:
        path = (dist / request.path_params["path"]).resolve()
        if path.is_file() and path.is_relative_to(dist.resolve()):
            return FileResponse(path)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    class Headers(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
            response = await call_next(request)
            response.headers.update(headers)
            return response

    app = Starlette(
        routes=[
            Route("/config.json", config),
            Mount("/assets", StaticFiles(directory=dist / "assets")),
            Route("/{path:path}", spa),
        ]
    )
    app.add_middleware(Headers)
    return app


def start_web(port: int, api_url: str, dist: Path = DIST) -> str | None:
    """Serve the web app on 127.0.0.1:`port` in a daemon thread; its URL, or None when not built."""
    import uvicorn

    if not (dist / "index.html").is_file():
        return None
    config = uvicorn.Config(web_app(dist, api_url), host="127.0.0.1", port=port, log_level="warning")
    server: Any = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError(f"the web app could not listen on 127.0.0.1:{port}")
    return f"http://127.0.0.1:{port}"
