"""Authorization matrix of the archive routes (/api/archive).

Every route of ArchiveController is listed with the permission it requires; the test enumerates the app's
routes, fails on one missing from the table, and checks anonymous (401), citizen (403), staff without the
permission (403), the holder (allowed) and a holder in another tenant (404 for this tenant's ids).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar.handlers import HTTPRouteHandler

from core.archive.controller import ArchiveController
from core.archive.run import archive_request
from core.identity.bootstrap import create_citizen, create_staff, issue_session
from tests.archive.helpers import install_sample, make_note, request

EXPECTED: dict[str, str] = {
    "archive_request_create": "core.archive.request",
    "archive_request_get": "core.archive.read",
    "archive_items_list": "core.archive.read",
    "archive_item_get": "core.archive.read",
    "archive_export": "core.archive.export",
    "archive_destruction_candidates": "core.archive.destroy.propose",
    "archive_destruction_create": "core.archive.destroy.propose",
    "archive_destruction_get": "core.archive.read",
    "archive_destruction_decide": "core.archive.destroy.approve",
    "archive_destruction_execute": "core.archive.destroy.propose",
}


def _app_routes(app: Any) -> list[tuple[str, str, str]]:
    ours = {v.operation_id for v in vars(ArchiveController).values() if isinstance(v, HTTPRouteHandler)}
    return [
        (handler.operation_id, method, route.path)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.operation_id in ours
        for method in handler.http_methods
        if method != "OPTIONS"
    ]


async def _bearer(db: Any, tenant_id: Any, **kw: Any) -> dict[str, str]:
    async with db.transaction() as s:
        user = await create_staff(
            s, tenant_id=tenant_id, username=f"a{secrets.token_hex(5)}", password=None, **kw
        )
        return {"Authorization": f"Bearer {await issue_session(s, user_id=user.id, tenant_id=tenant_id)}"}


async def test_every_route_is_in_the_matrix(app: Any) -> None:
    found = {op for op, _, _ in _app_routes(app)}
    assert found == set(EXPECTED), {"unlisted": found - set(EXPECTED), "not mounted": set(EXPECTED) - found}


async def test_authorization_matrix(
    app: Any, client: Any, db: Any, settings: Any, tenant: Any, other_tenant: Any
) -> None:
    await install_sample(db, tenant.id)
    note = await make_note(db, settings, tenant.id, year=2010, retention="D10", attachment=False)
    rid = await request(db, tenant.id, note)
    assert await archive_request(db, rid) == "archived"
    proposer = await _bearer(db, tenant.id, permissions=["core.archive.destroy.propose", "core.archive.read"])
    item = (await client.get("/api/archive/items", params={"year": 2010}, headers=proposer)).json()["items"][
        0
    ]
    created = await client.post(
        "/api/archive/destruction",
        headers=proposer,
        json={"title": "矩阵", "reason": "到期", "item_ids": [item["id"]]},
    )
    assert created.status_code == 201, created.text
    ids = {"request_id": str(rid), "item_id": item["id"], "list_id": created.json()["id"]}
    async with db.transaction() as s:
        citizen = await create_citizen(
            s, password="Citizen-Pass-2026", email=f"a{secrets.token_hex(4)}@example.cn"
        )
        token = await issue_session(s, user_id=citizen.id, tenant_id=tenant.id, kind="citizen")
    citizen_h = {"Authorization": f"Bearer {token}"}
    codes = sorted(set(EXPECTED.values()))
    nobody_h = await _bearer(db, tenant.id)
    foreign_h = await _bearer(db, other_tenant.id, permissions=codes)
    holders = {code: await _bearer(db, tenant.id, permissions=[code]) for code in codes}
    failures: list[str] = []

    async def check(op: str, method: str, path: str, headers: dict[str, str], ok: Any, label: str) -> None:
        client.cookies.clear()
        kwargs: dict[str, Any] = {"params": {"year": 2010}} if method == "GET" else {"json": {}}
        r = await client.request(method, path, headers=headers, **kwargs)
        if not ok(r.status_code):
            failures.append(f"{op} {method} {path} as {label} -> {r.status_code} {r.text[:120]}")

    for op, method, template in _app_routes(app):
        need = EXPECTED[op]
        path = re.sub(r"\{(\w+):uuid\}", lambda m: ids[m.group(1)], template)
        await check(op, method, path, {}, lambda c: c == 401, "anonymous")
        await check(op, method, path, citizen_h, lambda c: c == 403, "citizen")
        await check(op, method, path, nobody_h, lambda c: c == 403, "no permission")
        await check(op, method, path, holders[need], lambda c: c not in (401, 403), "holder")
        has_id = "{" in template
        await check(
            op,
            method,
            path,
            foreign_h,
            (lambda c: c in (404, 422)) if has_id else (lambda c: c not in (401, 403)),
            "other tenant's holder",
        )
    assert not failures, "\n".join(failures)
