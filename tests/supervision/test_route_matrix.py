"""Authorization matrix of every supervision route (/api/supervision/...).

For each route: anonymous is refused (401, or 404 from the plugin gate), a citizen gets 403, staff
without the permission 403, staff holding exactly the required permission pass the guards, and staff of
another tenant (holding every permission) never find this tenant's ids. A tenant without the plugin
gets 404 on every route.
"""

from __future__ import annotations

import re
import secrets
import uuid

from core.identity.bootstrap import create_citizen, create_staff, issue_session
from tests.supervision.conftest import enable

READ = "supervision.item.read"
MANAGE = "supervision.item.manage"
PROGRESS = "supervision.progress.report"
P_READ = "supervision.proposal.read"
P_MANAGE = "supervision.proposal.manage"
P_ANSWER = "supervision.proposal.answer"
EXPORT = "supervision.report.export"
EXPECTED: dict[str, str] = {
    "supervision_items_create": MANAGE,
    "supervision_items_list": READ,
    "supervision_items_board": READ,
    "supervision_items_get": READ,
    "supervision_items_update": MANAGE,
    "supervision_items_decompose": MANAGE,
    "supervision_tasks_complete": PROGRESS,
    "supervision_progress_report": PROGRESS,
    "supervision_items_file": READ,
    "supervision_items_chase": MANAGE,
    "supervision_items_complete": PROGRESS,
    "supervision_items_signoff": "supervision.item.signoff",
    "supervision_items_cancel": MANAGE,
    "supervision_proposals_create": P_MANAGE,
    "supervision_proposals_list": P_READ,
    "supervision_proposals_stats": P_READ,
    "supervision_proposals_get": P_READ,
    "supervision_proposals_contact": P_ANSWER,
    "supervision_proposals_answer": P_ANSWER,
    "supervision_proposals_feedback": P_MANAGE,
    "supervision_proposals_supervise": MANAGE,
    "supervision_bulletin_data": EXPORT,
    "supervision_bulletin_pdf": EXPORT,
    "supervision_bulletin_xlsx": EXPORT,
    "supervision_bulletin_generate": EXPORT,
    "supervision_bulletin_archive": EXPORT,
}


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def _routes(app) -> list[tuple[str, str, str]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            op = handler.operation_id or ""
            if op.startswith("supervision_"):
                found.extend((op, m, _fill(route.path)) for m in handler.http_methods if m != "OPTIONS")
    return found


async def _bearer(db, tenant_id, **kw) -> dict[str, str]:
    async with db.transaction() as s:
        user = await create_staff(
            s, tenant_id=tenant_id, username=f"m{secrets.token_hex(5)}", password=None, **kw
        )
        return {"Authorization": f"Bearer {await issue_session(s, user_id=user.id, tenant_id=tenant_id)}"}


async def test_every_route_is_in_the_matrix(app):
    found = {op for op, _, _ in _routes(app)}
    assert found == set(EXPECTED), {"unlisted": found - set(EXPECTED), "not mounted": set(EXPECTED) - found}


async def test_authorization_matrix(app, client, db, stenant, other_tenant):
    await enable(db, other_tenant.id)
    async with db.transaction() as s:
        citizen = await create_citizen(
            s, password="Citizen-Pass-2026", email=f"m{secrets.token_hex(4)}@example.cn"
        )
        token = await issue_session(s, user_id=citizen.id, tenant_id=stenant.id, kind="citizen")
        citizen_h = {"Authorization": f"Bearer {token}"}
    nobody_h = await _bearer(db, stenant.id)
    codes = sorted(set(EXPECTED.values()))
    foreign_h = await _bearer(db, other_tenant.id, permissions=codes)
    holders = {c: await _bearer(db, stenant.id, permissions=[c]) for c in codes}
    failures = []

    async def check(op, method, path, headers, ok, who):
        client.cookies.clear()
        r = await client.request(method, path, headers=headers, json={})
        if not ok(r.status_code):
            failures.append(f"{who}: {op} {method} {path} -> {r.status_code} {r.text[:120]}")

    for op, method, path in _routes(app):
        need = EXPECTED[op]
        await check(op, method, path, {}, lambda c: c in (401, 404), "anonymous")
        await check(op, method, path, citizen_h, lambda c: c == 403, "citizen")
        await check(op, method, path, nobody_h, lambda c: c == 403, "no permission")
        await check(op, method, path, holders[need], lambda c: c not in (401, 403) and c < 500, "holder")
        has_id = path.count("-") >= 4
        foreign_ok = (lambda c: c in (404, 422)) if has_id else (lambda c: c not in (401, 403) and c < 500)
        await check(op, method, path, foreign_h, foreign_ok, "other tenant")
    assert not failures, "\n".join(failures)


async def test_disabled_plugin_hides_every_route(app, client, db, other_tenant):
    h = await _bearer(db, other_tenant.id, permissions=sorted(set(EXPECTED.values())))
    failures = []
    for op, method, path in _routes(app):
        r = await client.request(method, path, headers=h, json={})
        if r.status_code != 404:
            failures.append(f"{op} {method} {path} -> {r.status_code}")
    assert not failures, "\n".join(failures)


async def test_disabling_hides_existing_items(client, db, stenant, units, person):
    """Enabled, then disabled for the tenant: the same caller gets 404 and the data stays."""
    from core.plugins.service import PluginService  # noqa: PLC0415
    from core.runtime import get_runtime  # noqa: PLC0415
    from tests.supervision.conftest import create_item, item_body  # noqa: PLC0415

    clerk, leader = await person(stenant), await person(stenant)
    item = await create_item(client, clerk.h, item_body(units, leader))
    async with db.transaction() as s:
        await PluginService(get_runtime().manager).disable(s, stenant.id, "supervision")
    assert (await client.get(f"/api/supervision/items/{item['id']}", headers=clerk.h)).status_code == 404
    assert (await client.get("/api/supervision/items", headers=clerk.h)).status_code == 404
    async with db.transaction() as s:
        await PluginService(get_runtime().manager).enable(s, stenant.id, "supervision")
    assert (await client.get(f"/api/supervision/items/{item['id']}", headers=clerk.h)).status_code == 200
