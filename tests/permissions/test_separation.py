"""三员分立: the system, security and audit administrators are separate people with separate powers."""

from __future__ import annotations

import secrets

import pytest

from core.errors import AppError
from core.identity.bootstrap import create_staff
from core.identity.passwords import hash_password
from tests.conftest import new_staff

API = "/api"
PW_HASH = hash_password("Separation-Pass-2026")


async def _person(db, tenant, **kw):
    return await new_staff(db, tenant, password_hash=PW_HASH, **kw)


async def _role_id(client, headers, code):
    roles = (await client.get(f"{API}/admin/roles", headers=headers, params={"q": code})).json()["items"]
    return next(r["id"] for r in roles if r["code"] == code)


async def test_admin_roles_are_mutually_exclusive(client, db, tenant, other_tenant):
    _, sec_h = await _person(db, tenant, roles=["secadmin"])
    sysadmin, _ = await _person(db, tenant, roles=["sysadmin"])
    plain, _ = await _person(db, tenant)
    sec_role = await _role_id(client, sec_h, "secadmin")
    audit_role = await _role_id(client, sec_h, "auditadmin")
    sys_role = await _role_id(client, sec_h, "sysadmin")

    for role in (sec_role, audit_role):  # a sysadmin cannot also be secadmin or auditadmin
        r = await client.post(
            f"{API}/admin/roles/{role}/members", headers=sec_h, json={"user_id": str(sysadmin.id)}
        )
        assert r.status_code == 409 and r.json()["code"] == "separation_of_duties"
    r = await client.post(
        f"{API}/admin/roles/{audit_role}/members", headers=sec_h, json={"user_id": str(plain.id)}
    )
    assert r.status_code == 201
    r = await client.post(
        f"{API}/admin/roles/{sys_role}/members", headers=sec_h, json={"user_id": str(plain.id)}
    )
    assert r.status_code == 409

    # Exclusive across tenants too: the auditadmin here cannot be another office's sysadmin.
    async with db.transaction() as s:
        await create_staff(s, tenant_id=other_tenant.id, username=plain.username, password=None)
        with pytest.raises(AppError) as err:
            async with s.begin_nested():
                await create_staff(
                    s, tenant_id=other_tenant.id, username=plain.username, password=None, roles=["sysadmin"]
                )
        assert err.value.status == 409


async def test_nobody_grants_themselves(client, db, tenant):
    me, sec_h = await _person(db, tenant, roles=["secadmin"])
    for code in ("sysadmin", "auditadmin", "staff"):
        role = await _role_id(client, sec_h, code)
        r = await client.post(
            f"{API}/admin/roles/{role}/members", headers=sec_h, json={"user_id": str(me.id)}
        )
        assert r.status_code in (403, 409), code
    sec_role = await _role_id(client, sec_h, "secadmin")
    r = await client.put(
        f"{API}/admin/roles/{sec_role}/permissions",
        headers=sec_h,
        json={
            "permissions": [
                "core.roles.manage",
                "core.clearance.manage",
                "core.org.read",
                "core.users.manage",
            ]
        },
    )
    assert r.status_code == 403 and r.json()["code"] == "self_grant_forbidden"
    r = await client.put(f"{API}/admin/users/{me.id}/clearance", headers=sec_h, json={"clearance": 3})
    assert r.status_code == 403


async def test_duty_permissions_stay_with_their_role(client, db, tenant):
    _, sec_h = await _person(db, tenant, roles=["secadmin"])
    r = await client.post(
        f"{API}/admin/roles", headers=sec_h, json={"code": "office-head", "name": "办公室主任"}
    )
    assert r.status_code == 201, r.text
    role = r.json()["id"]
    for duty in ("core.users.manage", "core.roles.manage", "core.audit.read", "core.platform.manage"):
        r = await client.put(
            f"{API}/admin/roles/{role}/permissions",
            headers=sec_h,
            json={"permissions": ["core.org.read", duty]},
        )
        assert r.status_code in (409, 422), duty
    audit_role = await _role_id(client, sec_h, "auditadmin")
    r = await client.put(
        f"{API}/admin/roles/{audit_role}/permissions",
        headers=sec_h,
        json={"permissions": ["core.audit.read", "core.users.manage"]},
    )
    assert r.status_code == 409 and r.json()["code"] == "duty_permission_bound"
    r = await client.put(
        f"{API}/admin/roles/{role}/permissions",
        headers=sec_h,
        json={"permissions": ["core.org.read", "no.such.permission"]},
    )
    assert r.status_code == 422
    r = await client.put(
        f"{API}/admin/roles/{role}/permissions", headers=sec_h, json={"permissions": ["core.org.read"]}
    )
    assert r.status_code == 200 and r.json()["permissions"] == ["core.org.read"]


async def test_each_admin_does_only_their_job(client, db, tenant):
    secadmin, sec_h = await _person(db, tenant, roles=["secadmin"])
    auditadmin, audit_h = await _person(db, tenant, roles=["auditadmin"])
    other_sys, _ = await _person(db, tenant, roles=["sysadmin"])
    _, sys_h = await _person(db, tenant, roles=["sysadmin"])
    # sysadmin: people yes, roles and clearances no.
    assert (
        await client.post(f"{API}/admin/users", headers=sys_h, json={"username": f"p{secrets.token_hex(4)}"})
    ).status_code == 201
    assert (await client.get(f"{API}/admin/roles", headers=sys_h)).status_code == 403
    assert (
        await client.put(f"{API}/admin/users/{other_sys.id}/clearance", headers=sys_h, json={"clearance": 2})
    ).status_code == 403
    # ...and cannot take over the other administrators' accounts.
    for target in (secadmin, auditadmin):
        r = await client.post(f"{API}/admin/users/{target.id}/reset-password", headers=sys_h, json={})
        assert r.status_code == 403 and r.json()["code"] == "separation_of_duties"
        r = await client.patch(f"{API}/admin/users/{target.id}", headers=sys_h, json={"active": False})
        assert r.status_code == 403
    assert (
        await client.post(f"{API}/admin/users/{other_sys.id}/reset-password", headers=sys_h, json={})
    ).status_code == 200
    # secadmin: roles and clearances yes, people no.
    assert (await client.get(f"{API}/admin/roles", headers=sec_h)).status_code == 200
    assert (
        await client.put(f"{API}/admin/users/{other_sys.id}/clearance", headers=sec_h, json={"clearance": 2})
    ).status_code == 200
    assert (
        await client.post(f"{API}/admin/users", headers=sec_h, json={"username": f"p{secrets.token_hex(4)}"})
    ).status_code == 403
    # auditadmin: none of it.
    me = (await client.get(f"{API}/auth/me", headers=audit_h)).json()
    assert "core.audit.read" in me["permissions"]
    assert not {"core.users.manage", "core.roles.manage", "core.org.manage"} & set(me["permissions"])
    for path in ("/admin/roles", "/admin/sessions"):
        assert (await client.get(API + path, headers=audit_h)).status_code == 403
    builtin = await _role_id(client, sec_h, "auditadmin")
    assert (await client.delete(f"{API}/admin/roles/{builtin}", headers=sec_h)).status_code == 409
