"""Plugin wiring: menu per tenant and permission, default grants of the built-in roles, settings."""

from __future__ import annotations

from core.runtime import get_runtime
from plugins.documents.permissions import DEFAULT_GRANTS, SPECS
from tests.documents.test_incoming import to_class
from tests.documents.test_outgoing import signed_doc


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


async def test_events_for_other_modules(client, dtenant, person, runtime):
    seen = []

    async def handler(event):
        seen.append((event.name, event.tenant_id, event.payload))

    handlers = runtime.event_handlers
    for name in ("documents.incoming.completed", "documents.outgoing.numbered"):
        handlers.setdefault(name, []).append(("core", handler))
    try:
        clerk, signer = await person(dtenant), await person(dtenant)
        doc = await to_class(client, clerk.h, "抄件")
        r = await client.post(
            f"/api/documents/incoming/{doc['id']}/completion", json={"result": "已阅存"}, headers=clerk.h
        )
        assert r.status_code == 200
        out = await signed_doc(client, clerk, signer)
        number = (await client.post(f"/api/documents/outgoing/{out['id']}/number", headers=clerk.h)).json()
    finally:
        for name in ("documents.incoming.completed", "documents.outgoing.numbered"):
            handlers[name].remove(("core", handler))
    assert [(n, t) for n, t, _ in seen] == [
        ("documents.incoming.completed", dtenant.id),
        ("documents.outgoing.numbered", dtenant.id),
    ]
    assert seen[0][2]["id"] == doc["id"] and seen[1][2]["doc_number"] == number["doc_number"]
