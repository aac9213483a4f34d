"""Unit tree (科室), posts and portfolios (分管): rules and tenant isolation."""

from __future__ import annotations

import secrets

API = "/api"
MANAGE = ["core.org.read", "core.org.manage"]


def _code() -> str:
    return "u" + secrets.token_hex(3)


async def _unit(client, headers, parent=None, name="办公室"):
    r = await client.post(
        f"{API}/admin/units", headers=headers, json={"code": _code(), "name": name, "parent_id": parent}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_tree_move_and_no_cycles(client, tenant, staff_headers):
    h = await staff_headers(tenant, permissions=MANAGE)
    top = await _unit(client, h, name="秘书科")
    child = await _unit(client, h, top["id"], name="文电组")
    grandchild = await _unit(client, h, child["id"], name="机要室")

    tree = (await client.get(f"{API}/admin/units/tree", headers=h)).json()
    assert [n["id"] for n in tree] == [top["id"]]
    assert tree[0]["children"][0]["children"][0]["id"] == grandchild["id"]

    for parent in (top["id"], grandchild["id"]):  # under itself or under its own descendant
        r = await client.patch(f"{API}/admin/units/{top['id']}", headers=h, json={"parent_id": parent})
        assert r.status_code == 422 and r.json()["fields"][0]["code"] == "unit_cycle"

    r = await client.patch(
        f"{API}/admin/units/{grandchild['id']}", headers=h, json={"parent_id": None, "name": "机要科"}
    )
    assert r.status_code == 200 and r.json()["parent_id"] is None and r.json()["name"] == "机要科"
    r = await client.patch(f"{API}/admin/units/{top['id']}", headers=h, json={"code": grandchild["code"]})
    assert r.status_code == 409
    r = await client.post(f"{API}/admin/units", headers=h, json={"code": top["code"], "name": "重复"})
    assert r.status_code == 409
    r = await client.post(f"{API}/admin/units", headers=h, json={"code": "bad code!", "name": "x"})
    assert r.status_code == 422

    page = (await client.get(f"{API}/admin/units", headers=h, params={"q": "文电", "page_size": 10})).json()
    assert page["total"] == 1 and page["items"][0]["id"] == child["id"] and page["page_size"] == 10
    r = await client.get(f"{API}/admin/units", headers=h, params={"page_size": 500})
    assert r.status_code in (400, 422)


async def test_delete_rules(client, db, tenant, staff_headers):
    h = await staff_headers(tenant, permissions=[*MANAGE, "core.users.manage"])
    parent = await _unit(client, h)
    child = await _unit(client, h, parent["id"])
    r = await client.delete(f"{API}/admin/units/{parent['id']}", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "unit_has_children"

    r = await client.post(
        f"{API}/admin/users",
        headers=h,
        json={"username": f"p{secrets.token_hex(4)}", "unit_id": child["id"], "title": "科员"},
    )
    assert r.status_code == 201, r.text
    r = await client.delete(f"{API}/admin/units/{child['id']}", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "unit_has_people"

    empty = await _unit(client, h)
    assert (await client.delete(f"{API}/admin/units/{empty['id']}", headers=h)).status_code == 204
    assert (await client.get(f"{API}/admin/units/{empty['id']}", headers=h)).status_code == 404


async def test_cross_tenant_ids_are_404(client, tenant, other_tenant, staff_headers):
    mine = await staff_headers(tenant, permissions=MANAGE)
    theirs = await staff_headers(other_tenant, permissions=MANAGE)
    unit = await _unit(client, theirs)
    assert (await client.get(f"{API}/admin/units/{unit['id']}", headers=mine)).status_code == 404
    r = await client.patch(f"{API}/admin/units/{unit['id']}", headers=mine, json={"name": "改名"})
    assert r.status_code == 404
    assert (await client.delete(f"{API}/admin/units/{unit['id']}", headers=mine)).status_code == 404
    # Their unit is no valid parent here either.
    r = await client.post(
        f"{API}/admin/units", headers=mine, json={"code": _code(), "name": "x", "parent_id": unit["id"]}
    )
    assert r.status_code == 422
    assert (await client.get(f"{API}/admin/units", headers=mine)).json()["total"] == 0


async def test_posts_and_portfolio(client, tenant, staff_headers):
    h = await staff_headers(tenant, permissions=[*MANAGE, "core.users.manage"])
    a, b = await _unit(client, h, name="综合科"), await _unit(client, h, name="督查科")
    person = (
        await client.post(
            f"{API}/admin/users", headers=h, json={"username": f"p{secrets.token_hex(4)}", "unit_id": a["id"]}
        )
    ).json()
    r = await client.post(
        f"{API}/admin/posts", headers=h, json={"user_id": person["id"], "title": "副主任", "is_leader": True}
    )
    assert r.status_code == 201, r.text
    leader_post = r.json()
    r = await client.put(
        f"{API}/admin/posts/{leader_post['id']}/portfolio", headers=h, json={"unit_ids": [a["id"], b["id"]]}
    )
    assert r.status_code == 200 and set(r.json()["unit_ids"]) == {a["id"], b["id"]}

    detail = (await client.get(f"{API}/admin/users/{person['id']}", headers=h)).json()
    assert len(detail["posts"]) == 2
    plain = next(p for p in detail["posts"] if not p["is_leader"])
    r = await client.put(
        f"{API}/admin/posts/{plain['id']}/portfolio", headers=h, json={"unit_ids": [a["id"]]}
    )
    assert r.status_code == 422 and r.json()["fields"][0]["code"] == "not_leader"
    # A unit in someone's portfolio cannot be deleted.
    r = await client.delete(f"{API}/admin/units/{b['id']}", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "unit_in_portfolio"
