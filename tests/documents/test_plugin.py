"""Plugin wiring: menu per tenant and permission, default grants of the built-in roles, settings."""

from __future__ import annotations

from core.runtime import get_runtime
from plugins.documents.permissions import DEFAULT_GRANTS, SPECS


def _keys(nodes) -> set[str]:
    out = set()
    for n in nodes:
        out.add(n["key"])
        out |= _keys(n["children"])
    return out


async def test_menu_follows_plugin_and_permissions(client, dtenant, other_tenant, person, staff_headers):
    full = await person(dtenant)
    r = await client.get("/api/menu", headers=full.h)
    keys = _keys(r.json())
    assert {"documents.root", "documents.incoming", "documents.outgoing", "documents.numbering"} <= keys
    reader = await person(dtenant, perms=["documents.incoming.read"])
    keys = _keys((await client.get("/api/menu", headers=reader.h)).json())
    assert "documents.incoming" in keys and "documents.numbering" not in keys
    foreign = await staff_headers(other_tenant, permissions=["documents.incoming.read"])
    assert not any(
        k.startswith("documents.") for k in _keys((await client.get("/api/menu", headers=foreign)).json())
    )


async def test_default_grants_for_builtin_roles(client, dtenant, person):
    assert set(DEFAULT_GRANTS) == {"clerk", "leader", "staff"}
    declared = {s.code for s in SPECS}
    assert all(set(codes) <= declared for codes in DEFAULT_GRANTS.values())
    assert {p.code for p in get_runtime().permissions["documents"]} == declared
    clerk = await person(dtenant, perms=[], roles=("clerk",))
    leader = await person(dtenant, perms=[], roles=("leader",))
    r = await client.post(
        "/api/documents/incoming",
        json={
            "sender": "市政府",
            "recipient": "县政府办",
            "copies": 1,
            "received_at": "2026-11-02T09:00:00+08:00",
        },
        headers=clerk.h,
    )
    assert r.status_code == 201
    # a leader writes instructions but does not sign in mail
    assert (await client.post("/api/documents/incoming", json={}, headers=leader.h)).status_code == 403
    assert (await client.get("/api/documents/incoming", headers=leader.h)).status_code == 200


def test_settings_declare_the_time_limits():
    conf = get_runtime().plugin_settings["documents"]
    assert conf["deadline_register_workdays"] == 2 and conf["deadline_instruction_workdays"] == 3
    assert conf["deadline_handling_workdays"] == 2 and conf["deadline_forward_workdays"] == 10
    assert conf["deadline_forward_urgent_workdays"] == 0
