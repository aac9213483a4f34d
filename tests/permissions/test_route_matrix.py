"""Authorization matrix of the identity, organisation and permission routes.

Every route these packages mount is listed below with what it requires; the test enumerates the app's
routes, fails on any route missing from the table, and checks anonymous, citizen, staff without
permissions, staff of another tenant and staff holding exactly the required permission.
"""

from __future__ import annotations

import re
import secrets
import uuid

from litestar.handlers import HTTPRouteHandler

from core.identity.bootstrap import create_citizen, create_staff, issue_session
from core.identity.routes import route_handlers
from core.org.tenants import ensure_platform_tenant

PUBLIC, SIGNED_IN, STAFF, CITIZEN = "public", "signed-in", "staff", "citizen"
PLATFORM = "core.platform.manage"
EXPECTED: dict[str, str] = {
    "auth_login": PUBLIC,
    "portal_register": PUBLIC,
    "portal_login": PUBLIC,
    "auth_logout": SIGNED_IN,
    "auth_logout_all": SIGNED_IN,
    "portal_me": CITIZEN,
    "auth_me": STAFF,
    "auth_sessions": STAFF,
    "auth_switch_tenant": STAFF,
    "auth_change_password": STAFF,
    "org_list_delegations": STAFF,
    "org_create_delegation": STAFF,
    "org_revoke_delegation": STAFF,
    "perm_catalogue": STAFF,
    "admin_reset_password": "core.users.manage",
    "admin_unlock_user": "core.users.manage",
    "admin_list_sessions": "core.sessions.manage",
    "admin_revoke_session": "core.sessions.manage",
    "platform_list_tenants": PLATFORM,
    "platform_create_tenant": PLATFORM,
    "platform_update_tenant": PLATFORM,
    "platform_create_tenant_admin": PLATFORM,
    "org_list_units": "core.org.read",
    "org_unit_tree": "core.org.read",
    "org_get_unit": "core.org.read",
    "org_create_unit": "core.org.manage",
    "org_update_unit": "core.org.manage",
    "org_delete_unit": "core.org.manage",
    "org_list_people": "core.org.read",
    "org_get_person": "core.org.read",
    "org_create_person": "core.users.manage",
    "org_update_person": "core.users.manage",
    "org_remove_person": "core.users.manage",
    "org_set_clearance": "core.clearance.manage",
    "org_list_posts": "core.org.read",
    "org_create_post": "core.org.manage",
    "org_update_post": "core.org.manage",
    "org_delete_post": "core.org.manage",
    "org_get_portfolio": "core.org.read",
    "org_set_portfolio": "core.org.manage",
    **{
        op: "core.roles.manage"
        for op in (
            "perm_list_roles",
            "perm_create_role",
            "perm_get_role",
            "perm_update_role",
            "perm_delete_role",
            "perm_set_role_permissions",
            "perm_list_role_members",
            "perm_add_role_member",
            "perm_remove_role_member",
        )
    },
}


def _our_operation_ids() -> set[str]:
    ids = set()
    for controller in route_handlers():
        for value in vars(controller).values():
            if isinstance(value, HTTPRouteHandler):
                ids.add(value.operation_id)
    return ids


def _app_routes(app) -> list[tuple[str, str, str]]:
    ours = _our_operation_ids()
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.operation_id in ours:
                path = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), route.path)
                found.extend((handler.operation_id, method, path) for method in handler.http_methods)
    return found


async def _bearer(db, tenant_id, **kw) -> dict[str, str]:
    async with db.transaction() as s:
        user = await create_staff(
            s, tenant_id=tenant_id, username=f"m{secrets.token_hex(5)}", password=None, **kw
        )
        return {"Authorization": f"Bearer {await issue_session(s, user_id=user.id, tenant_id=tenant_id)}"}


async def test_every_route_is_in_the_matrix(app):
    found = {op for op, _, _ in _app_routes(app)}
    assert found == set(EXPECTED), {"unlisted": found - set(EXPECTED), "not mounted": set(EXPECTED) - found}


async def test_authorization_matrix(app, client, db, tenant, other_tenant):
    async with db.transaction() as s:
        citizen = await create_citizen(
            s, password="Citizen-Pass-2026", email=f"m{secrets.token_hex(4)}@example.cn"
        )
        citizen_token = await issue_session(s, user_id=citizen.id, tenant_id=tenant.id, kind="citizen")
        citizen_h = {"Authorization": f"Bearer {citizen_token}"}
        platform = await ensure_platform_tenant(s)
    nobody_h = await _bearer(db, tenant.id)
    every_code = sorted({c for c in EXPECTED.values() if "." in c and c != PLATFORM})
    foreign_h = await _bearer(db, other_tenant.id, permissions=every_code)
    holders = {code: await _bearer(db, tenant.id, permissions=[code]) for code in every_code}
    holders[PLATFORM] = await _bearer(db, platform.id, roles=["sysadmin"])
    tenant_sysadmin_h = await _bearer(db, tenant.id, roles=["sysadmin"])

    failures = []

    async def check(op, method, path, headers, ok):
        client.cookies.clear()
        r = await client.request(method, path, headers=headers, json={})
        if ok(r.status_code):
            return
        failures.append(f"{op} {method} {path} -> {r.status_code} {r.text[:120]}")

    for op, method, path in _app_routes(app):
        need = EXPECTED[op]
        denied = lambda code: code in (401, 403)  # noqa: E731
        allowed = lambda code: code not in (401, 403)  # noqa: E731
        await check(op, method, path, {}, allowed if need == PUBLIC else (lambda c: c == 401))
        if need == PUBLIC:
            continue
        if need == SIGNED_IN:  # logging out ends the session: use throwaway sessions
            async with db.transaction() as s:
                other = await create_citizen(s, password="x", phone=f"1{secrets.randbelow(10**10):010d}")
                token = await issue_session(s, user_id=other.id, tenant_id=None, kind="citizen")
            await check(op, method, path, {"Authorization": f"Bearer {token}"}, allowed)
            await check(op, method, path, await _bearer(db, tenant.id), allowed)
            continue
        await check(op, method, path, citizen_h, allowed if need == CITIZEN else (lambda c: c == 403))
        await check(op, method, path, nobody_h, allowed if need == STAFF else denied)
        if "." in need:
            await check(op, method, path, holders[need], allowed)
            if need == PLATFORM:  # a tenant's own sysadmin is no platform administrator
                await check(op, method, path, tenant_sysadmin_h, denied)
            else:  # ids of another tenant are never found there
                has_id = "-" in path
                await check(op, method, path, foreign_h, (lambda c: c in (404, 422)) if has_id else allowed)
    assert not failures, "\n".join(failures)
