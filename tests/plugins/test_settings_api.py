"""``/api/plugins/{name}/settings``: per-tenant overrides of a plugin's declared settings."""

from __future__ import annotations

from typing import Any

from core.api import plugin_settings

ADMIN = ["core.plugins.manage"]
URL = "/api/plugins/sample/settings"


async def _installed(client: Any, headers: dict[str, str]) -> None:
    assert (await client.post("/api/plugins/sample/install", headers=headers)).status_code in (200, 201)


async def test_read_change_and_reset(
    client: Any, db: Any, tenant: Any, other_tenant: Any, staff_headers: Any
) -> None:
    admin = await staff_headers(tenant, ADMIN)
    assert (await client.get(URL, headers=admin)).status_code == 404  # not installed here yet
    await _installed(client, admin)
    body = (await client.get(URL, headers=admin)).json()
    assert body["defaults"] == {"greeting": "你好", "chase_before_workdays": 2}
    assert body["overrides"] == {} and body["effective"] == body["defaults"]

    r = await client.put(URL, headers=admin, json={"values": {"chase_before_workdays": 3}})
    assert r.status_code == 200 and r.json()["effective"]["chase_before_workdays"] == 3
    async with db.sessionmaker() as s:
        assert (await plugin_settings(s, tenant.id, "sample"))["chase_before_workdays"] == 3

    # Another office keeps the defaults.
    other_admin = await staff_headers(other_tenant, ADMIN)
    await _installed(client, other_admin)
    assert (await client.get(URL, headers=other_admin)).json()["effective"]["chase_before_workdays"] == 2

    r = await client.put(URL, headers=admin, json={"values": {"chase_before_workdays": None}})
    assert r.json()["overrides"] == {} and r.json()["effective"]["chase_before_workdays"] == 2


async def test_bad_values_are_422_and_change_nothing(
    client: Any, db: Any, tenant: Any, staff_headers: Any
) -> None:
    admin = await staff_headers(tenant, ADMIN)
    await _installed(client, admin)
    assert (await client.put(URL, headers=admin, json={"values": {"greeting": "您好"}})).status_code == 200
    bad = {"values": {"greeting": 5, "ghost": 1, "chase_before_workdays": True}}
    r = await client.put(URL, headers=admin, json=bad)
    assert r.status_code == 422
    codes = {f["field"]: f["code"] for f in r.json()["fields"]}
    assert codes == {
        "values.greeting": "wrong_type",
        "values.ghost": "unknown_setting",
        "values.chase_before_workdays": "wrong_type",
    }
    assert r.json()["messages"]["en"] and r.json()["messages"]["zh-CN"]
    assert (await client.get(URL, headers=admin)).json()["overrides"] == {"greeting": "您好"}
    r = await client.put(URL, headers=admin, json={"values": {}, "extra": 1})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "extra"


async def test_only_plugin_managers(client: Any, tenant: Any, staff_headers: Any) -> None:
    await _installed(client, await staff_headers(tenant, ADMIN))
    clerk = await staff_headers(tenant)
    assert (await client.get(URL, headers=clerk)).status_code == 403
    assert (await client.put(URL, headers=clerk, json={"values": {"greeting": "x"}})).status_code == 403
    assert (await client.get(URL)).status_code == 401
