"""Platform administration (平台管理): offices (tenants) and their first administrators."""

from __future__ import annotations

import secrets

from core.identity.bootstrap import create_staff, issue_session
from core.org.tenants import ensure_platform_tenant
from core.permissions.core_permissions import BUILTIN_ROLES

API = "/api"


async def _platform_admin(db) -> dict[str, str]:
    async with db.transaction() as s:
        platform = await ensure_platform_tenant(s)
        user = await create_staff(
            s, tenant_id=platform.id, username=f"pa{secrets.token_hex(4)}", password=None, roles=["sysadmin"]
        )
        token = await issue_session(s, user_id=user.id, tenant_id=platform.id)
    return {"Authorization": f"Bearer {token}"}


async def test_create_office_and_its_admins(client, db):
    admin = await _platform_admin(db)
    code = f"county-{secrets.token_hex(3)}"
    r = await client.post(
        f"{API}/admin/tenants", headers=admin, json={"code": code, "name": "甘县人民政府办公室"}
    )
    assert r.status_code == 201, r.text
    office = r.json()
    assert (
        await client.post(f"{API}/admin/tenants", headers=admin, json={"code": code, "name": "x"})
    ).status_code == 409
    page = (await client.get(f"{API}/admin/tenants", headers=admin, params={"q": code})).json()
    assert page["total"] == 1

    username = f"sec{secrets.token_hex(4)}"
    r = await client.post(
        f"{API}/admin/tenants/{office['id']}/admins",
        headers=admin,
        json={"username": username, "display_name": "保密员", "role": "secadmin"},
    )
    assert r.status_code == 201, r.text
    temporary = r.json()["temporary_password"]
    r = await client.post(
        f"{API}/auth/login", json={"username": username, "password": temporary, "tenant": code}
    )
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    sec = {"Authorization": f"Bearer {r.json()['token']}"}
    client.cookies.clear()
    r = await client.post(
        f"{API}/auth/password",
        headers=sec,
        json={"current_password": temporary, "new_password": "Secadmin-Chosen-2026"},
    )
    assert r.status_code == 204
    roles = (await client.get(f"{API}/admin/roles", headers=sec)).json()["items"]
    assert {r["code"] for r in roles} >= set(BUILTIN_ROLES)  # built-in roles exist in the new office
    # The same person cannot also become the office's sysadmin (三员分立).
    r = await client.post(
        f"{API}/admin/tenants/{office['id']}/admins",
        headers=admin,
        json={"username": username, "role": "sysadmin"},
    )
    assert r.status_code == 409

    # Deactivating the office ends what its people can do.
    r = await client.patch(f"{API}/admin/tenants/{office['id']}", headers=admin, json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await client.get(f"{API}/auth/me", headers=sec)).status_code == 401


async def test_only_the_platform_tenant_administers_offices(client, db, tenant, staff_headers):
    sysadmin = await staff_headers(tenant, roles=["sysadmin"])
    assert (await client.get(f"{API}/admin/tenants", headers=sysadmin)).status_code == 403
    secadmin = await staff_headers(tenant, roles=["secadmin"])
    roles = (await client.get(f"{API}/admin/roles", headers=secadmin, params={"q": "sysadmin"})).json()[
        "items"
    ]
    sys_role = next(r for r in roles if r["code"] == "sysadmin")
    r = await client.put(
        f"{API}/admin/roles/{sys_role['id']}/permissions",
        headers=secadmin,
        json={"permissions": ["core.org.read", "core.platform.manage"]},
    )
    assert r.status_code == 422 and r.json()["fields"][0]["code"] == "platform_only"
    # Even a platform permission smuggled into a tenant (bootstrap bypasses the API) opens nothing there.
    smuggled = await staff_headers(tenant, permissions=["core.platform.manage"])
    assert (await client.get(f"{API}/admin/tenants", headers=smuggled)).status_code == 404
