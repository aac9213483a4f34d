"""Effective permissions: computed once, cached per policy version, invalidated on every policy change."""

from __future__ import annotations

import secrets

import pytest

from core.identity.bootstrap import create_staff, issue_session
from core.permissions import enforcer, registry
from core.permissions import service as perms
from core.permissions.models import SeededGrant
from core.plugins.types import PermissionSpec

API = "/api"


async def _person(db, tenant, **kw):
    async with db.transaction() as s:
        user = await create_staff(
            s, tenant_id=tenant.id, username=f"p{secrets.token_hex(5)}", password=None, **kw
        )
        token = await issue_session(s, user_id=user.id, tenant_id=tenant.id)
    return user, {"Authorization": f"Bearer {token}"}


async def test_grant_change_is_seen_on_the_next_request(client, db, tenant):
    _, sec_h = await _person(db, tenant, roles=["secadmin"])
    _, clerk_h = await _person(db, tenant, roles=["clerk"])
    clerk_role = next(
        r
        for r in (await client.get(f"{API}/admin/roles", headers=sec_h)).json()["items"]
        if r["code"] == "clerk"
    )
    granted = (await client.get(f"{API}/admin/roles/{clerk_role['id']}", headers=sec_h)).json()["permissions"]
    before = (await client.get(f"{API}/auth/me", headers=clerk_h)).json()["permissions"]
    assert "core.org.read" in before and sorted(before) == sorted(granted)
    assert (await client.get(f"{API}/admin/units", headers=clerk_h)).status_code == 200

    r = await client.put(
        f"{API}/admin/roles/{clerk_role['id']}/permissions", headers=sec_h, json={"permissions": []}
    )
    assert r.status_code == 200
    assert (await client.get(f"{API}/auth/me", headers=clerk_h)).json()["permissions"] == []
    assert (await client.get(f"{API}/admin/units", headers=clerk_h)).status_code == 403

    r = await client.put(
        f"{API}/admin/roles/{clerk_role['id']}/permissions",
        headers=sec_h,
        json={"permissions": ["core.org.read"]},
    )
    assert r.status_code == 200
    assert (await client.get(f"{API}/auth/me", headers=clerk_h)).json()["permissions"] == ["core.org.read"]
    assert (await client.get(f"{API}/admin/units", headers=clerk_h)).status_code == 200


async def test_role_membership_change_is_seen(client, db, tenant):
    _, sec_h = await _person(db, tenant, roles=["secadmin"])
    user, user_h = await _person(db, tenant)
    leader = next(
        r
        for r in (await client.get(f"{API}/admin/roles", headers=sec_h)).json()["items"]
        if r["code"] == "leader"
    )
    assert (await client.get(f"{API}/auth/me", headers=user_h)).json()["roles"] == []
    r = await client.post(
        f"{API}/admin/roles/{leader['id']}/members", headers=sec_h, json={"user_id": str(user.id)}
    )
    assert r.status_code == 201
    granted = (await client.get(f"{API}/admin/roles/{leader['id']}", headers=sec_h)).json()["permissions"]
    me = (await client.get(f"{API}/auth/me", headers=user_h)).json()
    assert me["roles"] == ["leader"] and "core.org.read" in me["permissions"]
    assert sorted(me["permissions"]) == sorted(granted)
    r = await client.delete(f"{API}/admin/roles/{leader['id']}/members/{user.id}", headers=sec_h)
    assert r.status_code == 204
    assert (await client.get(f"{API}/auth/me", headers=user_h)).json()["permissions"] == []


async def test_version_counter_invalidates_other_processes_caches(db, tenant):
    user, _ = await _person(db, tenant, permissions=["core.org.read"])
    async with db.transaction() as s:
        v1 = await enforcer.policy_version(s, tenant.id)
        assert await enforcer.effective_permissions(s, user.id, tenant.id) == {"core.org.read"}
    # Another process changes the policy straight in PostgreSQL (nothing touches this process's cache).
    async with db.transaction() as s:
        role = (await perms.user_role_codes(s, user.id, tenant.id))[0]
        await s.execute(
            enforcer.CasbinRule.__table__.insert().values(
                ptype="p", v0=role, v1=str(tenant.id), v2="core.org.manage"
            )
        )
        # Without a version bump this process keeps its cached answer ...
        assert await enforcer.effective_permissions(s, user.id, tenant.id, version=v1) == {"core.org.read"}
        v2 = await enforcer.bump_policy_version(s, tenant.id)
    assert v2 == v1 + 1
    async with db.transaction() as s:
        # ... and the bumped version makes it reload.
        assert await enforcer.effective_permissions(s, user.id, tenant.id) == {
            "core.org.read",
            "core.org.manage",
        }


@pytest.fixture
def saved_registry():
    # The registry is process-wide (the app under test shares it): put it back afterwards.
    specs, grants = registry.specs_by_plugin(), registry.grants_by_plugin()
    yield
    registry.set_registered_permissions(specs)
    registry.set_default_grants(grants)


async def test_seeding_never_re_adds_removed_grants(db, tenant, saved_registry):
    registry.set_registered_permissions(
        {
            "demo": [
                PermissionSpec("demo.things.read", "查看", "Read things"),
                PermissionSpec("demo.things.write", "修改", "Write things"),
            ],
        }
    )
    registry.set_default_grants(
        {"demo": {"clerk": ["demo.things.read", "demo.things.write"], "demo-role": ["demo.things.read"]}}
    )
    async with db.transaction() as s:
        await perms.ensure_tenant_setup(s, tenant.id)
        assert await registry.seed_default_grants(s, tenant.id, "demo") == 3
        assert await registry.seed_default_grants(s, tenant.id, "demo") == 0  # idempotent
        assert "demo.things.write" in await perms.role_permissions(s, tenant.id, "clerk")
        assert await perms.role_permissions(s, tenant.id, "demo-role") == ["demo.things.read"]
        await perms.remove_grant(s, tenant.id, "clerk", "demo.things.write")  # an admin removes one
    async with db.transaction() as s:
        assert await registry.seed_default_grants(s, tenant.id, "demo") == 0  # re-install
        assert "demo.things.write" not in await perms.role_permissions(s, tenant.id, "clerk")
        seeded = (
            await s.execute(
                SeededGrant.__table__.select().where(
                    SeededGrant.tenant_id == tenant.id, SeededGrant.plugin == "demo"
                )
            )
        ).all()
        assert len(seeded) == 3


def test_registry_validation(saved_registry):
    with pytest.raises(ValueError, match="must start with"):
        registry.set_registered_permissions({"demo": [PermissionSpec("other.x", "x", "x")]})
    with pytest.raises(ValueError, match="declared twice"):
        registry.set_registered_permissions(
            {"demo": [PermissionSpec("demo.x", "x", "x"), PermissionSpec("demo.x", "y", "y")]}
        )
    registry.set_registered_permissions({"demo": [PermissionSpec("demo.x", "x", "x")]})
    with pytest.raises(ValueError, match="unknown or foreign"):
        registry.set_default_grants({"demo": {"clerk": ["core.org.read"]}})
    with pytest.raises(ValueError, match="may only be granted"):
        registry.set_default_grants({"core": {"clerk": ["core.users.manage"]}})
    # The core plugin may add codes of its own; core's identity codes are always there.
    registry.set_registered_permissions(
        {"core": [PermissionSpec("core.calendar.manage", "日历", "Calendar")]}
    )
    codes = {e.spec.code for e in registry.catalogue()}
    assert {"core.calendar.manage", "core.org.read", "core.roles.manage"} <= codes
    registry.set_default_grants({"core": {"sysadmin": ["core.calendar.manage"]}})
    assert "core.calendar.manage" in registry.default_grants("core")["sysadmin"]
    assert "core.users.manage" in registry.default_grants("core")["sysadmin"]


async def test_catalogue_endpoint(client, tenant, staff_headers):
    h = await staff_headers(tenant)
    items = (await client.get(f"{API}/admin/permissions", headers=h)).json()
    read = next(i for i in items if i["code"] == "core.org.read")
    assert read["plugin"] == "core" and read["title"] == "查看组织机构" and read["title_en"]
