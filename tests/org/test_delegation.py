"""Delegation (代理): the stand-in acts with the leader's permissions; every action carries both people."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from core.db.base import utcnow
from core.identity import audit_hook
from core.identity.passwords import hash_password
from core.org.models import Delegation
from tests.conftest import new_staff

API = "/api"
PW_HASH = hash_password("Delegation-Pass-2026")
HEADER = "X-Fuban-On-Behalf-Of"


async def _person(db, tenant, **kw):
    return await new_staff(db, tenant, password_hash=PW_HASH, **kw)


def _period(start_h: float = -1, end_h: float = 24) -> dict[str, str]:
    now = utcnow()
    return {
        "starts_at": (now + timedelta(hours=start_h)).isoformat(),
        "ends_at": (now + timedelta(hours=end_h)).isoformat(),
    }


@pytest.fixture
def audit_records():
    records: list[dict] = []

    async def recorder(session, principal, action, *, object_type, object_id, tenant_id, summary):
        records.append(
            {
                "action": action,
                "acted_by": principal.user_id if principal else None,
                "on_behalf_of": principal.on_behalf_of if principal else None,
                "object_id": object_id,
            }
        )

    previous = audit_hook.get_audit_recorder()

    async def both(*args, **kwargs):
        await recorder(*args, **kwargs)
        if previous is not None:
            await previous(*args, **kwargs)

    audit_hook.set_audit_recorder(both)
    yield records
    audit_hook.set_audit_recorder(previous)


async def test_stand_in_acts_for_leader(client, db, tenant, audit_records):
    leader, leader_h = await _person(
        db, tenant, permissions=["core.org.read", "core.org.manage"], clearance=3, is_leader=True
    )
    stand_in, stand_in_h = await _person(db, tenant, permissions=["core.org.read"], clearance=1)

    r = await client.post(
        f"{API}/admin/delegations",
        headers=leader_h,
        json={"stand_in_user_id": str(stand_in.id), "reason": "出差", **_period()},
    )
    assert r.status_code == 201, r.text
    delegation = r.json()
    assert delegation["principal_user_id"] == str(leader.id) and delegation["created_by"] == str(leader.id)

    # On their own, the stand-in lacks core.org.manage.
    r = await client.post(f"{API}/admin/units", headers=stand_in_h, json={"code": "d1", "name": "代理测试"})
    assert r.status_code == 403
    acting = {**stand_in_h, HEADER: str(leader.id)}
    me = (await client.get(f"{API}/auth/me", headers=acting)).json()
    assert me["user"]["id"] == str(stand_in.id) and me["acting_for"] == str(leader.id)
    assert "core.org.manage" in me["permissions"]
    assert me["clearance"] == 1  # never above the stand-in's own clearance
    assert [d["id"] for d in me["delegations_received"]] == [delegation["id"]]

    r = await client.post(f"{API}/admin/units", headers=acting, json={"code": "d1", "name": "代理测试"})
    assert r.status_code == 201, r.text
    record = next(x for x in audit_records if x["action"] == "core.unit.create")
    assert record["acted_by"] == stand_in.id and record["on_behalf_of"] == leader.id  # both people

    # The leader cannot act for the stand-in (the delegation points one way only).
    r = await client.get(f"{API}/auth/me", headers={**leader_h, HEADER: str(stand_in.id)})
    assert r.status_code == 403 and r.json()["code"] == "delegation_not_active"

    # Revoked: acting stops at once.
    r = await client.post(f"{API}/admin/delegations/{delegation['id']}/revoke", headers=leader_h)
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = await client.get(f"{API}/auth/me", headers=acting)
    assert r.status_code == 403 and r.json()["code"] == "delegation_not_active"


async def test_delegation_window_and_rules(client, db, tenant, other_tenant):
    leader, leader_h = await _person(db, tenant, permissions=["core.org.read"])
    stand_in, stand_in_h = await _person(db, tenant)
    outsider, _ = await _person(db, other_tenant)
    acting = {**stand_in_h, HEADER: str(leader.id)}

    r = await client.post(
        f"{API}/admin/delegations",
        headers=leader_h,
        json={"stand_in_user_id": str(stand_in.id), **_period(2, 5)},
    )
    assert r.status_code == 201
    assert (await client.get(f"{API}/auth/me", headers=acting)).status_code == 403  # not started yet
    async with db.transaction() as s:  # time passes beyond the end
        d = await s.get(Delegation, uuid.UUID(r.json()["id"]))
        d.starts_at, d.ends_at = utcnow() - timedelta(hours=5), utcnow() - timedelta(minutes=1)
    assert (await client.get(f"{API}/auth/me", headers=acting)).status_code == 403

    bad = [
        {"stand_in_user_id": str(leader.id), **_period()},  # to oneself
        {"stand_in_user_id": str(outsider.id), **_period()},  # another tenant's person
        {"stand_in_user_id": str(stand_in.id), **_period(5, 2)},  # ends before it starts
        {"stand_in_user_id": str(stand_in.id), **_period(-5, -2)},  # already over
        {
            "stand_in_user_id": str(stand_in.id),
            "starts_at": "2026-01-01T00:00:00",
            "ends_at": "2026-12-01T00:00:00",
        },
    ]
    for body in bad:
        r = await client.post(f"{API}/admin/delegations", headers=leader_h, json=body)
        assert r.status_code in (400, 422), (body, r.text)
    # Delegating someone else's work needs core.delegations.manage.
    r = await client.post(
        f"{API}/admin/delegations",
        headers=stand_in_h,
        json={"principal_user_id": str(leader.id), "stand_in_user_id": str(stand_in.id), **_period()},
    )
    assert r.status_code == 403
    assert (
        await client.get(f"{API}/auth/me", headers={**stand_in_h, HEADER: "not-a-uuid"})
    ).status_code == 422


async def test_listing_is_scoped(client, db, tenant, other_tenant):
    _leader, leader_h = await _person(db, tenant)
    stand_in, stand_in_h = await _person(db, tenant)
    _, bystander_h = await _person(db, tenant)
    _, manager_h = await _person(db, tenant, roles=["sysadmin"])
    _, foreign_manager_h = await _person(db, other_tenant, roles=["sysadmin"])
    r = await client.post(
        f"{API}/admin/delegations", headers=leader_h, json={"stand_in_user_id": str(stand_in.id), **_period()}
    )
    did = r.json()["id"]
    for headers, expected in (
        (leader_h, True),
        (stand_in_h, True),
        (bystander_h, False),
        (manager_h, True),
        (foreign_manager_h, False),
    ):
        ids = [
            d["id"] for d in (await client.get(f"{API}/admin/delegations", headers=headers)).json()["items"]
        ]
        assert (did in ids) is expected
    assert (
        await client.post(f"{API}/admin/delegations/{did}/revoke", headers=bystander_h)
    ).status_code == 404
    assert (
        await client.post(f"{API}/admin/delegations/{did}/revoke", headers=foreign_manager_h)
    ).status_code == 404
