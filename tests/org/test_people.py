"""People (人员): search and pagination, tenant isolation, removal, and several posts in several tenants."""

from __future__ import annotations

import secrets

API = "/api"
ADMIN = ["core.org.read", "core.users.manage"]


async def _create(client, headers, **body):
    body.setdefault("username", f"p{secrets.token_hex(5)}")
    r = await client.post(f"{API}/admin/users", headers=headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_create_search_and_paginate(client, tenant, staff_headers):
    h = await staff_headers(tenant, permissions=ADMIN)
    tag = secrets.token_hex(3)
    created = [
        await _create(client, h, display_name=f"王{tag}{i}", phone=f"1380000{i:04d}") for i in range(5)
    ]
    assert created[0]["temporary_password"] and created[0]["must_change_password"] is True
    assert created[0]["clearance"] == 0

    page = (
        await client.get(f"{API}/admin/users", headers=h, params={"q": f"王{tag}", "page_size": 2})
    ).json()
    assert page["total"] == 5 and len(page["items"]) == 2 and page["page"] == 1
    last = (
        await client.get(f"{API}/admin/users", headers=h, params={"q": f"王{tag}", "page_size": 2, "page": 3})
    ).json()
    assert len(last["items"]) == 1
    # LIKE wildcards in the search are literal.
    assert (await client.get(f"{API}/admin/users", headers=h, params={"q": "%"})).json()["total"] == 0

    r = await client.post(f"{API}/admin/users", headers=h, json={"username": created[0]["username"]})
    assert r.status_code == 409 and r.json()["code"] == "username_taken"
    r = await client.post(f"{API}/admin/users", headers=h, json={"username": "Bad Name!"})
    assert r.status_code == 422
    r = await client.post(
        f"{API}/admin/users", headers=h, json={"username": f"p{secrets.token_hex(4)}", "password": "weak"}
    )
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    r = await client.post(
        f"{API}/admin/users", headers=h, json={"username": f"p{secrets.token_hex(4)}", "unexpected": True}
    )
    assert r.status_code in (400, 422)


async def test_cross_tenant_people_are_404(client, tenant, other_tenant, staff_headers):
    mine = await staff_headers(tenant, permissions=[*ADMIN, "core.org.manage", "core.clearance.manage"])
    theirs = await staff_headers(other_tenant, permissions=ADMIN)
    stranger = await _create(client, theirs, display_name="外单位")
    uid = stranger["id"]
    assert (await client.get(f"{API}/admin/users/{uid}", headers=mine)).status_code == 404
    assert (
        await client.patch(f"{API}/admin/users/{uid}", headers=mine, json={"display_name": "x"})
    ).status_code == 404
    assert (await client.delete(f"{API}/admin/users/{uid}", headers=mine)).status_code == 404
    assert (
        await client.put(f"{API}/admin/users/{uid}/clearance", headers=mine, json={"clearance": 3})
    ).status_code == 404
    assert (await client.post(f"{API}/admin/posts", headers=mine, json={"user_id": uid})).status_code == 404
    listed = (await client.get(f"{API}/admin/users", headers=mine, params={"q": "外单位"})).json()
    assert listed["total"] == 0


async def test_person_in_two_tenants_and_removal(client, tenant, other_tenant, staff_headers):
    mine = await staff_headers(tenant, roles=["sysadmin"])
    theirs = await staff_headers(other_tenant, roles=["sysadmin"])
    person = await _create(client, mine, password="Shared-Person-2026")
    # The other office adds the same account by username: one person, two posts, two tenants.
    r = await client.post(
        f"{API}/admin/posts", headers=theirs, json={"username": person["username"], "title": "借调"}
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"{API}/auth/login", json={"username": person["username"], "password": "Shared-Person-2026"}
    )
    token = {"Authorization": f"Bearer {r.json()['token']}"}
    client.cookies.clear()
    me = (await client.get(f"{API}/auth/me", headers=token)).json()
    assert {t["id"] for t in me["tenants"]} == {str(tenant.id), str(other_tenant.id)}

    # Neither office may reset or disable an account the other one uses too.
    r = await client.post(f"{API}/admin/users/{person['id']}/reset-password", headers=theirs, json={})
    assert r.status_code == 403 and r.json()["code"] == "account_shared"
    r = await client.patch(f"{API}/admin/users/{person['id']}", headers=mine, json={"active": False})
    assert r.status_code == 403 and r.json()["code"] == "account_shared"

    # Removed here: the account lives on for the other tenant, but its session here ends.
    assert (await client.delete(f"{API}/admin/users/{person['id']}", headers=mine)).status_code == 204
    assert (await client.get(f"{API}/admin/users/{person['id']}", headers=mine)).status_code == 404
    assert (await client.get(f"{API}/auth/me", headers=token)).status_code == 401
    detail = (await client.get(f"{API}/admin/users/{person['id']}", headers=theirs)).json()
    assert detail["active"] is True and len(detail["posts"]) == 1


async def test_deactivation_ends_sessions(client, tenant, staff_headers):
    h = await staff_headers(tenant, permissions=ADMIN)
    person = await _create(client, h, password="Deactivate-Me-2026")
    r = await client.post(
        f"{API}/auth/login", json={"username": person["username"], "password": "Deactivate-Me-2026"}
    )
    token = {"Authorization": f"Bearer {r.json()['token']}"}
    client.cookies.clear()
    r = await client.patch(
        f"{API}/admin/users/{person['id']}", headers=h, json={"active": False, "phone": "010-1234"}
    )
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["phone"] == "010-1234"
    assert (await client.get(f"{API}/auth/me", headers=token)).status_code == 401


async def test_read_only_cannot_write(client, tenant, staff_headers):
    reader = await staff_headers(tenant, permissions=["core.org.read"])
    assert (await client.get(f"{API}/admin/users", headers=reader)).status_code == 200
    r = await client.post(f"{API}/admin/users", headers=reader, json={"username": f"p{secrets.token_hex(4)}"})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    nobody = await staff_headers(tenant)
    assert (await client.get(f"{API}/admin/users", headers=nobody)).status_code == 403
    assert (await client.get(f"{API}/admin/users")).status_code == 401
