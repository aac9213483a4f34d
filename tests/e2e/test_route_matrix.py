"""Routes of the built frontend (core/frontend.py): public pages, never shadowing the API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from litestar.handlers import HTTPRouteHandler

PUBLIC = "public"
EXPECTED: dict[str, str] = {
    "frontend_index": PUBLIC,
    "frontend_file": PUBLIC,
}


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("content-type", ""), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read().decode("utf-8", "replace")


def test_frontend_routes_are_mounted(app):
    ops = {
        h.operation_id
        for route in app.routes
        for h in getattr(route, "route_handlers", [])
        if isinstance(h, HTTPRouteHandler) and h.operation_id in EXPECTED
    }
    assert ops == set(EXPECTED)


def test_pages_are_public_and_the_api_is_not_shadowed(web_server):
    status, ctype, body = _get(f"{web_server}/")
    assert status == 200 and ctype.startswith("text/html") and '<div id="app">' in body
    console = body
    status, ctype, body = _get(f"{web_server}/admin/units")  # a deep link of the console
    assert status == 200 and body == console
    status, ctype, body = _get(f"{web_server}/portal/letters/track")  # a deep link of the portal
    assert status == 200 and body != console and "portal" in body
    status, ctype, body = _get(f"{web_server}/api/no-such-route")
    assert status == 404 and ctype.startswith("application/json")
    assert json.loads(body)["code"] == "not_found"
    status, _, body = _get(f"{web_server}/schema/openapi.json")
    assert status == 200 and json.loads(body)["openapi"]
    status, _, _ = _get(f"{web_server}/assets/no-such-file.js")
    assert status == 404
    status, _, _ = _get(f"{web_server}/api/admin/units")  # anonymous: the API still guards itself
    assert status == 401
