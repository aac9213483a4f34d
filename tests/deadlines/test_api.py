"""/api/deadlines and /api/notifications: tenant scoping, error format, nothing written on bad input."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.db.engine import Database
from core.deadlines.models import Deadline
from core.notifications.models import Notification
from core.notifications.service import create_notification
from core.tenancy.models import Tenant
from tests.deadlines.support import at, register

D = dt.date
Client = AsyncTestClient[Litestar]
READ_ALL = ["core.deadlines.read_all"]


async def _me(client: Client, headers: dict[str, str]) -> uuid.UUID:
    r = await client.get("/api/auth/me", headers=headers)
    assert r.status_code == 200, r.text
    return uuid.UUID(r.json()["user"]["id"])


def _error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["code"] == code
    assert set(body["messages"]) == {"zh-CN", "en"} and isinstance(body["fields"], list)
    return body


async def _overdue(db: Database, tenant: Tenant, object_id: str = "late") -> Deadline:
    # Due 2025-01-08: long past whatever day the suite runs on.
    return await register(
        db, tenant.id, object_id=object_id, basis=D(2025, 1, 6), amount=2, now=at(D(2025, 1, 1))
    )


async def test_list_is_tenant_scoped_and_filtered(
    client: Client, db: Database, tenant: Tenant, other_tenant: Tenant, staff_headers: Any
) -> None:
    h = await staff_headers(tenant, READ_ALL)
    late = await _overdue(db, tenant)
    later = await register(db, tenant.id, object_id="later", object_type="letter", basis=D(2030, 3, 1))
    await register(db, other_tenant.id, object_id="theirs")
    r = await client.get("/api/deadlines", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], body["page"], body["page_size"]) == (2, 1, 20)
    assert [i["id"] for i in body["items"]] == [late.id, later.id]
    assert body["items"][0]["overdue"] and body["items"][0]["missed"]
    assert not body["items"][1]["overdue"] and body["items"][1]["provisional"]
    r = await client.get("/api/deadlines", params={"overdue": "true"}, headers=h)
    assert [i["id"] for i in r.json()["items"]] == [late.id]
    r = await client.get("/api/deadlines", params={"object_type": "letter", "state": "open"}, headers=h)
    assert [i["id"] for i in r.json()["items"]] == [later.id]
    r = await client.get("/api/deadlines", params={"page": 2, "page_size": 1}, headers=h)
    assert [i["id"] for i in r.json()["items"]] == [later.id] and r.json()["total"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page_size": 0},
        {"page_size": 201},
        {"state": "late"},
        {"owner_plugin": "x" * 41},
    ],
)
async def test_list_bad_query_is_422(
    client: Client, tenant: Tenant, staff_headers: Any, params: dict[str, Any]
) -> None:
    h = await staff_headers(tenant)
    _error(await client.get("/api/deadlines", params=params, headers=h), 422, "validation_failed")


async def test_anonymous_is_401(client: Client) -> None:
    _error(await client.get("/api/deadlines"), 401, "not_authenticated")
    _error(await client.get("/api/notifications"), 401, "not_authenticated")


async def test_get_one_with_its_chases(
    client: Client, db: Database, tenant: Tenant, other_tenant: Tenant, staff_headers: Any
) -> None:
    d = await register(db, tenant.id, basis=D(2026, 9, 30), amount=2)
    theirs = await register(db, other_tenant.id, basis=D(2026, 9, 30), amount=2)
    h = await staff_headers(tenant, READ_ALL)
    r = await client.get(f"/api/deadlines/{d.id}", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["due_date"] == "2026-10-09"
    assert [(x["kind"], x["fire_at"][:10]) for x in body["reminders"]] == [
        ("before", "2026-09-30"),
        ("due", "2026-10-09"),
        ("overdue", "2026-10-10"),
    ]
    for missing in (theirs.id, 2**62, 10**20, 0):
        _error(await client.get(f"/api/deadlines/{missing}", headers=h), 404, "not_found")


async def test_explanation(
    client: Client, db: Database, tenant: Tenant, other_tenant: Tenant, staff_headers: Any
) -> None:
    h = await staff_headers(tenant, READ_ALL)
    late = await _overdue(db, tenant)
    on_time = await register(db, tenant.id, object_id="future", basis=D(2030, 3, 1))
    theirs = await _overdue(db, other_tenant)
    url = f"/api/deadlines/{late.id}/explanation"
    for payload in ({"text": ""}, {"text": "   "}, {"text": "长" * 2001}):
        body = _error(await client.post(url, json=payload, headers=h), 422, "validation_failed")
        assert body["fields"][0]["field"] == "text"
    _error(await client.post(url, json={}, headers=h), 422, "validation_failed")
    r = await client.post(url, content=b"not json", headers={**h, "content-type": "application/json"})
    assert r.status_code in (400, 422) and r.json()["status"] == r.status_code  # the one error format
    _error(
        await client.post(f"/api/deadlines/{on_time.id}/explanation", json={"text": "说明"}, headers=h),
        409,
        "deadline_not_overdue",
    )
    _error(
        await client.post(f"/api/deadlines/{theirs.id}/explanation", json={"text": "说明"}, headers=h),
        404,
        "not_found",
    )
    async with db.sessionmaker() as s:  # nothing written by the failed calls
        for x in (late, on_time, theirs):
            row = await s.get(Deadline, x.id)
            assert row is not None and row.explanation is None
    me = await _me(client, h)
    r = await client.post(url, json={"text": "材料于节后补齐，延误两日，已整改。"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["explanation"] == "材料于节后补齐，延误两日，已整改。"
    assert r.json()["explained_by"] == str(me)
    _error(await client.post(url, json={"text": "再说明"}, headers=h), 409, "already_explained")


async def test_without_read_all_only_my_deadlines(
    client: Client, db: Database, tenant: Tenant, staff_headers: Any
) -> None:
    """Deadline titles can name sensitive matters: a person sees what is assigned or escalated to them."""
    h = await staff_headers(tenant)
    me = await _me(client, h)
    mine = await register(db, tenant.id, object_id="mine", basis=D(2030, 3, 1), assignee_id=me)
    escalated = await register(db, tenant.id, object_id="esc", basis=D(2030, 3, 1), escalate_to=me)
    late = await _overdue(db, tenant)  # nobody's in particular
    r = await client.get("/api/deadlines", headers=h)
    assert {i["id"] for i in r.json()["items"]} == {mine.id, escalated.id} and r.json()["total"] == 2
    assert (await client.get(f"/api/deadlines/{mine.id}", headers=h)).status_code == 200
    _error(await client.get(f"/api/deadlines/{late.id}", headers=h), 404, "not_found")
    url = f"/api/deadlines/{late.id}/explanation"
    _error(await client.post(url, json={"text": "说明"}, headers=h), 404, "not_found")
    overseer = await staff_headers(tenant, READ_ALL)
    seen = {i["id"] for i in (await client.get("/api/deadlines", headers=overseer)).json()["items"]}
    assert {mine.id, escalated.id, late.id} <= seen


async def _note(db: Database, tenant_id: uuid.UUID, user: uuid.UUID, key: str) -> Notification:
    async with db.transaction() as s:
        n = await create_notification(
            s,
            tenant_id=tenant_id,
            recipient_id=user,
            kind="deadline.due",
            title=f"催办：{key}",
            title_en=f"Due: {key}",
            dedupe_key=key,
            source_plugin="core",
        )
    assert n is not None
    return n


async def test_notifications_are_my_own(
    client: Client, db: Database, tenant: Tenant, other_tenant: Tenant, staff_headers: Any
) -> None:
    mine_h, peer_h = await staff_headers(tenant), await staff_headers(tenant)
    me, peer = await _me(client, mine_h), await _me(client, peer_h)
    a = await _note(db, tenant.id, me, f"t:{uuid.uuid4()}")
    b = await _note(db, tenant.id, me, f"t:{uuid.uuid4()}")
    theirs = await _note(db, tenant.id, peer, f"t:{uuid.uuid4()}")
    elsewhere = await _note(db, other_tenant.id, me, f"t:{uuid.uuid4()}")
    async with db.transaction() as s:  # the same key twice: no second notification
        assert (
            await create_notification(
                s,
                tenant_id=tenant.id,
                recipient_id=me,
                kind="x",
                title="x",
                dedupe_key=a.dedupe_key,
                source_plugin="core",
            )
            is None
        )
    r = await client.get("/api/notifications", headers=mine_h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [i["id"] for i in body["items"]] == [b.id, a.id]
    assert (body["total"], body["unread"]) == (2, 2)
    for other in (theirs.id, elsewhere.id, 10**20):
        _error(await client.post(f"/api/notifications/{other}/read", headers=mine_h), 404, "not_found")
    r = await client.post(f"/api/notifications/{a.id}/read", headers=mine_h)
    assert r.status_code == 200 and r.json()["read_at"] is not None
    r = await client.get("/api/notifications", params={"unread": "true"}, headers=mine_h)
    assert [i["id"] for i in r.json()["items"]] == [b.id] and r.json()["unread"] == 1
    r = await client.post("/api/notifications/read-all", headers=mine_h)
    assert r.status_code == 200 and r.json() == {"updated": 1}
    # The peer's notification is untouched.
    r = await client.get("/api/notifications", params={"unread": "true"}, headers=peer_h)
    assert [i["id"] for i in r.json()["items"]] == [theirs.id]
    _error(
        await client.get("/api/notifications", params={"page_size": 500}, headers=mine_h),
        422,
        "validation_failed",
    )
