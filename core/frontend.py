"""Serves the built web app (前端静态文件) from the API process: ``frontend/dist`` at ``/``.

The console is a single-page app (``index.html``), the citizen portal another (``portal/index.html``):
any GET path that is no file falls back to the page of its app, so deep links and reloads work. API,
schema and docs paths are never shadowed: an unknown ``/api/...`` path stays a 404 in the core error
format. Without a build (no ``dist/index.html``) every path here is a 404, so the API runs alone.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.response import File

DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
# Prefixes owned by the API process itself.
RESERVED = ("api", "schema", "static/docs")
# Hashed build output never changes under one name; the HTML pages must always be re-read.
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# Set explicitly: the host's mime table may lack or misname these.
TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".json": "application/json",
}


def _serve(path: Path, cache: str) -> File:
    media = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return File(path, media_type=media, content_disposition_type="inline", headers={"Cache-Control": cache})


def _reserved(rel: str) -> bool:
    return any(rel == p or rel.startswith(p + "/") for p in RESERVED)


def frontend_handlers(dist: Path | None = None) -> list[HTTPRouteHandler]:
    """Route handlers serving ``dist`` (default ``frontend/dist``), checked on every request."""
    root = (dist or DIST).resolve()

    def page(name: str) -> File:
        html = root / name
        if not html.is_file():
            raise NotFoundException()
        return _serve(html, NO_CACHE)

    @get("/", operation_id="frontend_index", include_in_schema=False, sync_to_thread=False)
    def index() -> File:
        """The staff console."""
        return page("index.html")

    @get("/{path:path}", operation_id="frontend_file", include_in_schema=False, sync_to_thread=False)
    def spa(path: str) -> File:
        """A built file, else the page of the app the path belongs to (console or portal)."""
        rel = path.lstrip("/")
        if _reserved(rel) or not (root / "index.html").is_file():
            raise NotFoundException()
        candidate = (root / rel).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            cache = IMMUTABLE if rel.startswith("assets/") else NO_CACHE
            return _serve(candidate, cache)
        last = rel.rsplit("/", 1)[-1]
        if rel.startswith("assets/") or "." in last:
            raise NotFoundException()  # a missing file, not a page of the app
        if rel == "portal" or rel.startswith("portal/"):
            return page("portal/index.html")
        return page("index.html")

    return [index, spa]
