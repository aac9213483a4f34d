"""Authorization matrix of every documents route (/api/documents/...).

For each route: anonymous is refused (401, or 404 from the plugin gate that hides the module from a
caller without a tenant), a citizen gets 403, staff without the permission 403, staff holding exactly
the required permission pass the guards, and staff of another tenant (holding every permission) never
find this tenant's ids. A tenant without the plugin gets 404 on every route.
"""

from __future__ import annotations

import re
import secrets
import uuid

from core.identity.bootstrap import create_citizen, create_staff, issue_session
from tests.authz.test_every_route_listed import guard_codes
from tests.documents.conftest import enable
from tests.documents.test_incoming import registered
from tests.documents.test_outgoing import create

R = "documents.incoming.register"
READ_IN = "documents.incoming.read"
READ_OUT = "documents.outgoing.read"
DRAFT = "documents.outgoing.draft"
DISPATCH = "documents.dispatch.manage"
NUMBERS = "documents.numbering.manage"
EXPECTED: dict[str, str] = {
    "documents_incoming_sign_in": R,
    "documents_incoming_list": READ_IN,
    "documents_incoming_export": "documents.export",
    "documents_incoming_get": READ_IN,
    "documents_incoming_open": R,
    "documents_incoming_register": R,
    "documents_incoming_review": R,
    "documents_incoming_classify": R,
    "documents_incoming_propose": "documents.incoming.propose",
    "documents_incoming_instruct": "documents.instruction.write",
    "documents_incoming_assign": "documents.incoming.propose",
    "documents_incoming_circulate": "documents.incoming.propose",
    "documents_incoming_circulation_receive": READ_IN,
    "documents_incoming_circulation_read": READ_IN,
    "documents_incoming_complete": "documents.incoming.handle",
    "documents_incoming_attach": R,
    "documents_incoming_attachment": READ_IN,
    "documents_outgoing_create": DRAFT,
    "documents_outgoing_list": READ_OUT,
    "documents_outgoing_export": "documents.export",
    "documents_outgoing_get": READ_OUT,
    "documents_outgoing_edit": DRAFT,
    "documents_outgoing_submit": DRAFT,
    "documents_outgoing_review": "documents.outgoing.review",
    "documents_outgoing_countersign": "documents.outgoing.countersign",
    "documents_outgoing_legal_review": "documents.outgoing.legal_review",
    "documents_outgoing_sign": "documents.outgoing.sign",
    "documents_outgoing_return": READ_OUT,
    "documents_outgoing_number": NUMBERS,
    "documents_outgoing_distribution": DISPATCH,
    "documents_outgoing_seal": DISPATCH,
    "documents_outgoing_dispatch": DISPATCH,
    "documents_outgoing_pdf": READ_OUT,
    "documents_outgoing_attach": DRAFT,
    "documents_outgoing_attachment": READ_OUT,
    "documents_route_get": READ_OUT,
    "documents_route_set": "documents.route.manage",
    "documents_numbering_ledger": NUMBERS,
    "documents_numbering_reserve": NUMBERS,
    "documents_numbering_void": NUMBERS,
    "documents_numbering_backfill": NUMBERS,
    "documents_lists_list": DISPATCH,
    "documents_lists_create": DISPATCH,
    "documents_lists_update": DISPATCH,
    "documents_overdue": "documents.deadlines.read",
    "documents_incoming_quality": R,
    "documents_incoming_correct": R,
    "documents_incoming_chase": "documents.incoming.propose",
    "documents_outgoing_archive": "documents.archive",
    "documents_incoming_archive": "documents.archive",
}


def _fill(path: str) -> str:
    path = re.sub(r"\{[^}:]+:int\}", lambda _: str(secrets.randbelow(10**6) + 1), path)
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def _routes(app) -> list[tuple[str, str, str]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            op = handler.operation_id or ""
            if op.startswith("documents_"):
                found.extend((op, m, _fill(route.path)) for m in handler.http_methods if m != "OPTIONS")
    return found


def _guard_codes(app) -> dict[str, tuple[str, ...]]:
    """Every permission a route's guards require (the export routes need export AND read)."""
    out = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if (handler.operation_id or "").startswith("documents_"):
                out[handler.operation_id] = tuple(
                    sorted({c for g in handler.resolve_guards() for c in guard_codes(g)})
                )
    return out


async def _bearer(db, tenant_id, **kw) -> dict[str, str]:
    async with db.transaction() as s:
        user = await create_staff(
            s, tenant_id=tenant_id, username=f"m{secrets.token_hex(5)}", password=None, **kw
        )
        return {"Authorization": f"Bearer {await issue_session(s, user_id=user.id, tenant_id=tenant_id)}"}


async def test_every_route_is_in_the_matrix(app):
    found = {op for op, _, _ in _routes(app)}
    assert found == set(EXPECTED), {"unlisted": found - set(EXPECTED), "not mounted": set(EXPECTED) - found}


async def test_authorization_matrix(app, client, db, dtenant, other_tenant):
    await enable(db, other_tenant.id)
    async with db.transaction() as s:
        citizen = await create_citizen(
            s, password="Citizen-Pass-2026", email=f"m{secrets.token_hex(4)}@example.cn"
        )
        token = await issue_session(s, user_id=citizen.id, tenant_id=dtenant.id, kind="citizen")
        citizen_h = {"Authorization": f"Bearer {token}"}
    nobody_h = await _bearer(db, dtenant.id, clearance=3)
    codes = sorted(set(EXPECTED.values()))
    foreign_h = await _bearer(db, other_tenant.id, permissions=codes, clearance=3)
    needs = _guard_codes(app)
    holders = {
        c: await _bearer(db, dtenant.id, permissions=list(c), clearance=3) for c in set(needs.values())
    }
    only_listed = {c: await _bearer(db, dtenant.id, permissions=[c], clearance=3) for c in codes}
    failures = []

    async def check(op, method, path, headers, ok, who):
        client.cookies.clear()
        r = await client.request(method, path, headers=headers, json={})
        if not ok(r.status_code):
            failures.append(f"{who}: {op} {method} {path} -> {r.status_code} {r.text[:120]}")

    for op, method, path in _routes(app):
        need = EXPECTED[op]
        await check(op, method, path, {}, lambda c: c in (401, 404), "anonymous")
        await check(op, method, path, citizen_h, lambda c: c == 403, "citizen")
        await check(op, method, path, nobody_h, lambda c: c == 403, "no permission")
        assert need in needs[op], (op, need, needs[op])
        await check(op, method, path, holders[needs[op]], lambda c: c not in (401, 403) and c < 500, "holder")
        if len(needs[op]) > 1:  # holding only the listed code is not enough
            await check(op, method, path, only_listed[need], lambda c: c == 403, "listed code only")
        has_id = path.count("-") >= 4
        foreign_ok = (lambda c: c in (404, 422)) if has_id else (lambda c: c not in (401, 403) and c < 500)
        await check(op, method, path, foreign_h, foreign_ok, "other tenant")
    assert not failures, "\n".join(failures)


async def test_disabled_plugin_hides_every_route(app, client, db, other_tenant):
    h = await _bearer(db, other_tenant.id, permissions=sorted(set(EXPECTED.values())), clearance=3)
    failures = []
    for op, method, path in _routes(app):
        r = await client.request(method, path, headers=h, json={})
        if r.status_code != 404:
            failures.append(f"{op} {method} {path} -> {r.status_code}")
    assert not failures, "\n".join(failures)


async def test_foreign_ids_are_not_found(client, db, dtenant, other_tenant, person):
    """Real ids of this tenant are 404 for another tenant's holder of every permission."""
    clerk, signer = await person(dtenant), await person(dtenant)
    inc = await registered(client, clerk.h)
    out = (await create(client, clerk.h, signer))["id"]
    await enable(db, other_tenant.id)
    foreign = await _bearer(db, other_tenant.id, permissions=sorted(set(EXPECTED.values())), clearance=3)
    for path in (
        f"/api/documents/incoming/{inc}",
        f"/api/documents/outgoing/{out}",
        f"/api/documents/outgoing/{out}/pdf",
    ):
        assert (await client.get(path, headers=foreign)).status_code == 404
    r = await client.post(f"/api/documents/outgoing/{out}/submit", headers=foreign)
    assert r.status_code == 404
    r = await client.patch(f"/api/documents/outgoing/{out}", json={"title": "篡改"}, headers=foreign)
    assert r.status_code == 404
    assert (await client.get(f"/api/documents/outgoing/{out}", headers=clerk.h)).json()["version"] == 1
