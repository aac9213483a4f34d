"""Authorization matrix of the core's own feature routes (health, plugins, menu, calendar, deadlines,
notifications) and the sample plugin's routes.

Same shape as tests/permissions/test_route_matrix.py: every route listed with what it requires, checked
for anonymous, citizen, staff without permissions, staff of another tenant and the rightful caller.
Together with the other ``test_route_matrix.py`` files, tests/authz/test_every_route_listed.py makes
sure no route of the app is left out.
"""

from __future__ import annotations

import re
import secrets
import uuid

from core.identity.bootstrap import create_citizen, issue_session
from core.org.tenants import ensure_platform_tenant
from core.permissions.core_permissions import PLATFORM_CODES
from core.plugins.service import PluginService
from core.runtime import get_runtime

PUBLIC, STAFF = "public", "staff"
EXPECTED: dict[str, str] = {
    "health_get": PUBLIC,
    "health_live": PUBLIC,
    "plugins_list": STAFF,
    "plugins_install": "core.plugins.manage",
    "plugins_enable": "core.plugins.manage",
    "plugins_disable": "core.plugins.manage",
    "plugins_uninstall": "core.plugins.manage",
    "plugins_get_settings": "core.plugins.manage",
    "plugins_set_settings": "core.plugins.manage",
    "menu_get": STAFF,
    "calendar_compute": STAFF,
    "calendar_list_days": STAFF,
    "calendar_list_years": STAFF,
    "calendar_import_year": "core.calendar.manage",
    "deadlines_list": STAFF,
    "deadlines_get": STAFF,
    "deadlines_explain": STAFF,
    "notifications_list": STAFF,
    "notifications_read": STAFF,
    "notifications_read_all": STAFF,
    # The sample plugin (tests/sample_plugin), mounted under /api/sample behind the plugin gate.
    "sample_hello": "sample.items.read",
    "sample_public": PUBLIC,
}

# Concrete values for path parameters: ids that exist nowhere, a plugin that is not installed, a year
# far from any schedule. A path the caller may reach must then answer 404/422 — never 401/403.
_PARAMS = {"name": "ghost", "year": "2031", "deadline_id": "987654321", "notification_id": "987654321"}


def _routes(app) -> list[tuple[str, str, str]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.operation_id in EXPECTED:
                path = re.sub(
                    r"\{([^:}]+)(:[^}]+)?\}", lambda m: _PARAMS.get(m.group(1), str(uuid.uuid4())), route.path
                )
                found.extend((handler.operation_id, m, path) for m in handler.http_methods if m != "OPTIONS")
    return found


async def test_every_listed_route_is_mounted(app):
    assert {op for op, _, _ in _routes(app)} == set(EXPECTED)


async def test_authorization_matrix(app, client, db, tenant, other_tenant, staff_headers):
    async with db.transaction() as s:
        citizen = await create_citizen(
            s, password="Citizen-Pass-2026", email=f"c{secrets.token_hex(4)}@example.cn"
        )
        token = await issue_session(s, user_id=citizen.id, tenant_id=tenant.id, kind="citizen")
        citizen_h = {"Authorization": f"Bearer {token}"}
        platform = await ensure_platform_tenant(s)
        service = PluginService(get_runtime().manager)
        for t in (tenant, other_tenant):
            await service.install(s, t.id, "sample")
            await service.enable(s, t.id, "sample")
    codes = sorted({c for c in EXPECTED.values() if "." in c})
    nobody_h = await staff_headers(tenant)
    # Platform powers are held in the platform tenant; a county office holding the code is still refused.
    holders = {
        code: await staff_headers(platform if code in PLATFORM_CODES else tenant, permissions=[code])
        for code in codes
    }
    foreign_h = await staff_headers(other_tenant, permissions=codes)
    public_h = {"X-Fuban-Tenant": tenant.code}

    failures: list[str] = []

    async def check(op, method, path, headers, ok, who):
        client.cookies.clear()
        r = await client.request(method, path, headers=headers, json={})
        if not ok(r.status_code):
            failures.append(f"{who}: {op} {method} {path} -> {r.status_code} {r.text[:160]}")

    def allowed(code: int) -> bool:
        return code not in (401, 403) and code < 500

    for op, method, path in _routes(app):
        need = EXPECTED[op]
        if need == PUBLIC:
            await check(op, method, path, public_h, allowed, "anonymous")
            continue
        # Without a tenant the plugin gate cannot tell whether the plugin is on: 404 hides it, like 401.
        gated = path.startswith("/api/sample/")
        await check(op, method, path, {}, lambda c, g=gated: c == 401 or (g and c == 404), "anonymous")
        await check(op, method, path, citizen_h, lambda c: c == 403, "citizen")
        await check(op, method, path, nobody_h, allowed if need == STAFF else (lambda c: c == 403), "no-perm")
        if need != STAFF:
            await check(op, method, path, holders[need], allowed, "holder")
            # Another tenant's holder acts in their own tenant: allowed there, never on our objects
            # (tenant scoping of ids is tested with real objects in each module's tests).
            if need in PLATFORM_CODES:
                await check(op, method, path, foreign_h, lambda c: c in (403, 404), "county holder")
            else:
                await check(op, method, path, foreign_h, allowed, "foreign holder")
    assert not failures, "\n".join(failures)


async def test_disabled_plugin_routes_are_404_for_that_tenant(client, db, tenant, staff_headers):
    """The plugin gate: the sample plugin is not enabled for a fresh tenant, so even a holder gets 404."""
    holder = await staff_headers(tenant, permissions=["sample.items.read"])
    assert (await client.get("/api/sample/hello", headers=holder)).status_code == 404
    assert (
        await client.get("/api/sample/public", headers={"X-Fuban-Tenant": tenant.code})
    ).status_code == 404
