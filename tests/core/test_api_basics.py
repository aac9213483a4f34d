"""Health, the one error format, and the local docs UI."""

from __future__ import annotations

from typing import Any


async def test_health_checks_all_three_servers(client: Any) -> None:
    r = await client.get("/api/health")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok"
    assert {k for k, v in body["checks"].items() if v["ok"]} == {"database", "redis", "s3"}


async def test_unknown_route_uses_error_format(client: Any) -> None:
    r = await client.get("/api/no-such-thing")
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == "not_found" and body["messages"]["en"] and body["messages"]["zh-CN"]
    assert body["message"] == body["messages"]["zh-CN"]  # zh-CN is the default language
    r = await client.get("/api/no-such-thing", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.json()["message"] == r.json()["messages"]["en"]


async def test_wrong_method_and_unauthenticated(client: Any) -> None:
    r = await client.delete("/api/health")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
    r = await client.get("/api/plugins")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    r = await client.get("/api/plugins", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


async def test_docs_are_served_without_cdn(client: Any) -> None:
    page = await client.get("/schema/swagger")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "http://" not in page.text and "https://" not in page.text
    assert (await client.get("/static/docs/swagger-ui-bundle.js")).status_code == 200
    assert (await client.get("/schema/openapi.json")).json()["paths"]


def test_every_handler_has_an_explicit_operation_id(app: Any) -> None:
    from litestar.routes import HTTPRoute  # noqa: PLC0415

    missing, seen = [], []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        for handler in route.route_handlers:
            if not handler.include_in_schema:
                continue
            if not isinstance(handler.operation_id, str):
                missing.append(f"{route.path} {sorted(handler.http_methods)}")
            else:
                seen.append(handler.operation_id)
    assert not missing, missing
    assert len(seen) == len(set(seen)), "operation ids are unique"
