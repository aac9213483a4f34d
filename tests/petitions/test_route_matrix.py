"""Authorization matrix of every 信访 route.

PUBLIC routes answer the portal without sign-in for an office where the module is enabled (header
``X-Fuban-Tenant``) and 404 for one where it is not; CITIZEN routes need a citizen account; every other
route needs the listed permission: anonymous 401, citizen 403, staff without it 403, the holder passes,
and a holder in another office never reaches this office's records (404/422).
"""

from __future__ import annotations

import re
import secrets
import uuid

from litestar.handlers import HTTPRouteHandler
from sqlalchemy import select

from core.identity.bootstrap import create_citizen, create_staff, issue_session
from plugins.petitions.plugin import register_routes
from tests.petitions.helpers import case_body, enable, submit, th

PUBLIC, CITIZEN = "public", "citizen"
READ, HANDLE, ROUTE = "petitions.cases.read", "petitions.cases.handle", "petitions.cases.route"
MAIL, PROOF, STATS = "petitions.mail.handle", "petitions.mail.proofread", "petitions.stats.read"
EXPECTED: dict[str, str] = {
    "petitions_public_challenge": PUBLIC,
    "petitions_public_submit": PUBLIC,
    "petitions_public_track": PUBLIC,
    "petitions_public_review": PUBLIC,
    "petitions_public_notice": PUBLIC,
    "petitions_public_rate": PUBLIC,
    "petitions_public_mail_submit": PUBLIC,
    "petitions_public_mail_track": PUBLIC,
    "petitions_public_mail_rate": PUBLIC,
    "petitions_public_mail_list": PUBLIC,
    "petitions_portal_my_cases": CITIZEN,
    "petitions_cases_list": READ,
    "petitions_cases_get": READ,
    "petitions_cases_duplicates": READ,
    "petitions_cases_notices": READ,
    "petitions_cases_file": READ,
    "petitions_cases_register": "petitions.cases.register",
    "petitions_cases_decide": HANDLE,
    "petitions_cases_extension_request": HANDLE,
    "petitions_cases_extension_approve": "petitions.cases.approve",
    "petitions_cases_answer": HANDLE,
    "petitions_cases_review_request": HANDLE,
    "petitions_cases_followup": HANDLE,
    "petitions_cases_route": ROUTE,
    "petitions_cases_receive": ROUTE,
    "petitions_cases_object": ROUTE,
    "petitions_routings_pull_back": ROUTE,
    "petitions_cases_link": "petitions.cases.merge",
    "petitions_mail_register": MAIL,
    "petitions_mail_list": MAIL,
    "petitions_mail_get": MAIL,
    "petitions_mail_assign": MAIL,
    "petitions_mail_reply": MAIL,
    "petitions_mail_followup": MAIL,
    "petitions_mail_proofread": PROOF,
    "petitions_mail_publish": PROOF,
    "petitions_stats_summary": STATS,
    "petitions_stats_hot_topics": STATS,
    "petitions_stats_export": STATS,
}


def _operation_ids() -> set[str]:
    return {
        v.operation_id for c in register_routes() for v in vars(c).values() if isinstance(v, HTTPRouteHandler)
    }


def _routes(app, ids: dict[str, str]) -> list[tuple[str, str, str]]:
    ours = _operation_ids()
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.operation_id in ours:

                def fill(m: re.Match[str]) -> str:
                    name, _, kind = m.group(1).partition(":")
                    return ids.get(name) or ("1" if kind == "int" else str(uuid.uuid4()))

                path = re.sub(r"\{([^}]+)\}", fill, route.path)
                found.extend((handler.operation_id, method, path) for method in handler.http_methods)
    return found


async def _bearer(db, tenant_id, **kw) -> dict[str, str]:
    async with db.transaction() as s:
        user = await create_staff(
            s, tenant_id=tenant_id, username=f"m{secrets.token_hex(5)}", password=None, **kw
        )
        return {"Authorization": f"Bearer {await issue_session(s, user_id=user.id, tenant_id=tenant_id)}"}


async def test_every_route_is_in_the_matrix(app):
    found = {op for op, _, _ in _routes(app, {})}
    assert found == set(EXPECTED) == _operation_ids(), {
        "unlisted": found - set(EXPECTED),
        "not mounted": set(EXPECTED) - found,
    }


async def test_authorization_matrix(app, client, db, tenant, other_tenant):
    from plugins.petitions.models import PetitionCase  # noqa: PLC0415

    await enable(db, tenant)
    await enable(db, other_tenant)
    assert (await submit(client, tenant)).status_code == 201
    async with db.sessionmaker() as s:
        case_id = str(await s.scalar(select(PetitionCase.id).where(PetitionCase.tenant_id == tenant.id)))
    async with db.transaction() as s:
        citizen = await create_citizen(
            s, password="Citizen-Pass-2026", email=f"m{secrets.token_hex(4)}@example.cn"
        )
        token = await issue_session(s, user_id=citizen.id, tenant_id=tenant.id, kind="citizen")
        citizen_h = {"Authorization": f"Bearer {token}"}
    nobody_h = await _bearer(db, tenant.id)
    codes = sorted({c for c in EXPECTED.values() if "." in c})
    foreign_h = await _bearer(db, other_tenant.id, permissions=codes)
    holders = {c: await _bearer(db, tenant.id, permissions=[c]) for c in codes}
    failures = []

    async def check(op, method, path, headers, ok, what):
        client.cookies.clear()
        r = await client.request(method, path, headers=headers, json={})
        if not ok(r.status_code):
            failures.append(f"{what}: {op} {method} {path} -> {r.status_code} {r.text[:120]}")
        if r.status_code >= 500:
            failures.append(f"{what}: {op} 5xx")

    denied = lambda c: c in (401, 403)  # noqa: E731
    allowed = lambda c: c not in (401, 403)  # noqa: E731
    for op, method, path in _routes(app, {"case_id": case_id}):
        need = EXPECTED[op]
        if need == PUBLIC:
            await check(op, method, path, th(tenant), allowed, "anonymous")
            await check(
                op, method, path, {"X-Fuban-Tenant": "no-such-office"}, lambda c: c == 404, "unknown office"
            )
            continue
        await check(op, method, path, th(tenant), lambda c: c == 401, "anonymous")
        await check(
            op,
            method,
            path,
            {**citizen_h, **th(tenant)},
            allowed if need == CITIZEN else (lambda c: c == 403),
            "citizen",
        )
        if need == CITIZEN:
            continue
        await check(op, method, path, nobody_h, denied, "no permission")
        await check(op, method, path, holders[need], allowed, "holder")
        # another office's holder: this office's records are never found there
        await check(
            op,
            method,
            path,
            foreign_h,
            (lambda c: c in (404, 422)) if case_id in path else allowed,
            "other office",
        )
    assert not failures, "\n".join(failures)


async def test_public_routes_404_where_the_module_is_off(client, db, tenant, other_tenant):
    await enable(db, tenant)
    for method, path in (
        ("GET", "/api/petitions/public/challenge"),
        ("GET", "/api/petitions/public/mail"),
        ("POST", "/api/petitions/public/cases"),
        ("POST", "/api/petitions/public/track"),
    ):
        r = await client.request(method, path, headers=th(other_tenant), json=case_body())
        assert r.status_code == 404, (path, r.status_code)


async def test_bad_staff_input_is_422_and_changes_nothing(client, db, tenant, staff_headers):
    await enable(db, tenant)
    h = await staff_headers(tenant, [READ, HANDLE, "petitions.cases.register"])
    body = {k: v for k, v in case_body().items() if k != "idempotency_key"}
    cid = (await client.post("/api/petitions/cases", json={**body, "channel": "letter"}, headers=h)).json()[
        "id"
    ]
    before = (await client.get(f"/api/petitions/cases/{cid}", headers=h)).json()
    for path, payload in (
        (f"/api/petitions/cases/{cid}/decision", {"accept": "maybe"}),
        (f"/api/petitions/cases/{cid}/decision", {"accept": False}),  # reason required
        (f"/api/petitions/cases/{cid}/decision", {"accept": True, "on": "2999-01-01"}),
        (f"/api/petitions/cases/{cid}/answer", {"answer_type": "maybe", "text": "x", "basis": "y"}),
        (f"/api/petitions/cases/{cid}/extension", {"days": 0, "reason": "x"}),
        ("/api/petitions/cases", {**body, "channel": "carrier-pigeon"}),
        ("/api/petitions/cases", {**body, "channel": "letter", "unknown": 1}),
    ):
        r = await client.post(path, json=payload, headers=h)
        assert r.status_code == 422, (path, payload, r.text)
        assert r.json()["code"] in ("validation_failed",) and r.json()["messages"]["zh-CN"]
    after = (await client.get(f"/api/petitions/cases/{cid}", headers=h)).json()
    assert {k: v for k, v in after.items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"
    }
    assert len((await client.get("/api/petitions/cases", headers=h)).json()["items"]) == 1


async def test_lists_mask_personal_data_even_for_permitted_staff(client, db, tenant, staff_headers):
    await enable(db, tenant)
    assert (await submit(client, tenant, name="欧阳娜娜", phone="13912345678")).status_code == 201
    h = await staff_headers(tenant, [READ, "petitions.personal.read"])
    item = (await client.get("/api/petitions/cases", headers=h)).json()["items"][0]
    assert item["name"] == "欧***" and item["phone"] == "139****5678"
    assert "欧阳娜娜" not in str(item) and "13912345678" not in str(item)


async def test_refused_attachment_leaves_no_object_and_no_row(client, db, tenant):
    import base64  # noqa: PLC0415

    from tests.petitions.helpers import PNG, count_objects, count_rows, drain  # noqa: PLC0415

    await enable(db, tenant, files_max_mb=1)
    good = {"name": "ok.png", "content_base64": base64.b64encode(PNG).decode()}
    exe = {"name": "x.exe", "content_base64": base64.b64encode(b"MZ" + b"\x00" * 500).decode()}
    big = {"name": "big.png", "content_base64": base64.b64encode(PNG + b"\x00" * (1024 * 1024)).decode()}
    assert (await submit(client, tenant, attachments=[good, exe])).status_code == 415
    assert (await submit(client, tenant, attachments=[good, big])).status_code == 413
    await drain()
    assert await count_rows(db, tenant) == (0, 0) and count_objects(tenant) == 0
