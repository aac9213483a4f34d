"""督办事项: 立项 by hand and through the event hook (idempotent), lights across National Day 2026,
bad input, cross-tenant and unit scoping."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text

from core.api import load_calendar, publish_event
from plugins.supervision.models import Item
from tests.supervision.conftest import UNIT_STAFF, create_item, enable, item_body

B = "/api/supervision/items"
D = dt.date


async def count_items(db, tenant) -> int:
    async with db.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(Item).where(Item.tenant_id == tenant.id)))


async def test_calendar_facts_2026_national_day(db):
    """What the lights below rely on (State Council notice 2026, imported in core.calendar).

    The notice: 10-01..07 off, 09-20 (Sun) and 10-10 (Sat) are 调休 workdays, 09-25 中秋 off. The brief
    spoke of 10-01..08 off and 09-27 as a workday; the imported notice (rules.md §0) is what counts.
    """
    async with db.sessionmaker() as s:
        cal = await load_calendar(s)
    assert all(not cal.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert cal.is_workday(D(2026, 10, 8)) and cal.is_workday(D(2026, 10, 10))
    assert cal.is_workday(D(2026, 9, 20)) and not cal.is_workday(D(2026, 9, 27))


async def test_create_by_hand_and_lights_across_the_holiday(client, db, stenant, units, person):
    clerk = await person(stenant, name="督查员")
    leader = await person(stenant, name="王县长")
    item = await create_item(client, clerk.h, item_body(units, leader))
    assert item["due_date"] == "2026-10-12" and item["state"] == "open"
    assert item["co_unit_ids"] == [str(units["fgw"])]
    get = lambda day: client.get(f"{B}/{item['id']}", params={"as_of": day}, headers=clerk.h)  # noqa: E731
    # 09-29 → 10-12: 09-30, 10-08, 10-09, 10-10 (调休 Saturday), 10-12 = 5 working days: yellow,
    # although 13 calendar days (and 9 Mon-Fri days) remain.
    r = (await get("2026-09-29")).json()
    assert (r["remaining_workdays"], r["light"]) == (5, "yellow")
    # 09-28: one more working day (09-29) → 6 → green
    r = (await get("2026-09-28")).json()
    assert (r["remaining_workdays"], r["light"]) == (6, "green")
    # in the middle of the holiday: 10-08, 10-09, 10-10, 10-12 = 4 → yellow
    r = (await get("2026-10-03")).json()
    assert (r["remaining_workdays"], r["light"]) == (4, "yellow")
    # due day: 0 working days left → red; after it: overdue → red
    r = (await get("2026-10-12")).json()
    assert (r["remaining_workdays"], r["light"], r["overdue"]) == (0, "red", False)
    r = (await get("2026-10-13")).json()
    assert (r["light"], r["overdue"]) == ("red", True)
    # the list filters by light in SQL with the same answer
    lst = await client.get(B, params={"as_of": "2026-09-29", "light": "yellow"}, headers=clerk.h)
    assert [i["id"] for i in lst.json()["items"]] == [item["id"]]
    lst = await client.get(B, params={"as_of": "2026-09-29", "light": "green"}, headers=clerk.h)
    assert lst.json()["total"] == 0
    board = (await client.get(f"{B}/board", params={"as_of": "2026-09-28"}, headers=clerk.h)).json()
    assert board["lights"] == {"green": 1, "yellow": 0, "red": 0}


async def test_due_in_workdays_uses_the_calendar(client, stenant, units, person):
    clerk, leader = await person(stenant), await person(stenant)
    body = item_body(units, leader, basis_date="2026-09-29", workdays=5)
    del body["due_date"]
    item = await create_item(client, clerk.h, body)
    # 09-30, 10-08, 10-09, 10-10, 10-12
    assert (item["due_date"], item["due_rule"], item["due_workdays"]) == ("2026-10-12", "workdays", 5)


async def test_light_thresholds_are_tenant_settings(client, db, stenant, units, person):
    await enable(db, stenant.id, light_yellow_workdays=3)
    clerk, leader = await person(stenant), await person(stenant)
    item = await create_item(client, clerk.h, item_body(units, leader))
    r = await client.get(f"{B}/{item['id']}", params={"as_of": "2026-09-29"}, headers=clerk.h)
    assert (r.json()["remaining_workdays"], r.json()["light"]) == (5, "green")


async def test_event_creates_one_item_per_source(client, db, stenant, units, person):
    leader, clerk = await person(stenant), await person(stenant)
    payload = {
        "tenant_id": str(stenant.id),
        "source_kind": "instruction",
        "source_plugin": "documents",
        "source_id": "incoming-4711",
        "title": "落实县长批示：校园周边交通整治",
        "content": "请交通局牵头、教育局配合，开学前完成校园周边交通整治。督办。",
        "lead_unit_id": str(units["jtj"]),
        "co_unit_ids": [str(units["jyj"])],
        "leader_id": str(leader.id),
        "basis_date": "2026-09-29",
        "workdays": 3,
        "cadence": "weekly",
        "requested_by": str(leader.id),
    }
    async with db.transaction() as s:
        first = dict(payload)
        assert await publish_event(s, "supervision.item.requested", first, tenant_id=stenant.id) == 1
    async with db.transaction() as s:
        again = dict(payload, title="重复发布")
        await publish_event(s, "supervision.item.requested", again, tenant_id=stenant.id)
    assert first["created"] is True and again["created"] is False
    assert first["item_id"] == again["item_id"]
    assert await count_items(db, stenant) == 1
    item = (await client.get(f"{B}/{first['item_id']}", headers=clerk.h)).json()
    assert item["title"] == "落实县长批示：校园周边交通整治"
    assert item["due_date"] == "2026-10-09"  # 09-30, 10-08, 10-09
    assert item["source_plugin"] == "documents" and item["source_id"] == "incoming-4711"
    async with db.sessionmaker() as s:
        audit = await s.scalar(
            text(
                "SELECT count(*) FROM core_audit_log "
                "WHERE action = 'supervision.item.create' AND object_id = :i"
            ),
            {"i": first["item_id"]},
        )
    assert audit == 1


async def test_bad_event_payload_rolls_back_the_publisher(db, stenant, units, person):
    leader = await person(stenant)
    bad = {
        "tenant_id": str(stenant.id),
        "source_kind": "instruction",
        "source_plugin": "documents",
        "source_id": "x-1",
        "title": "缺少完成时限",
        "content": "……",
        "lead_unit_id": str(units["jtj"]),
        "leader_id": str(leader.id),
        "requested_by": str(leader.id),
    }
    from core.api import AppError  # noqa: PLC0415

    try:
        async with db.transaction() as s:
            await publish_event(s, "supervision.item.requested", bad, tenant_id=stenant.id)
        raise AssertionError("a payload without a due date must be refused")
    except AppError as exc:
        assert exc.status == 422
    assert await count_items(db, stenant) == 0


async def test_event_is_ignored_where_the_plugin_is_off(db, other_tenant):
    async with db.transaction() as s:
        ran = await publish_event(s, "supervision.item.requested", {"x": 1}, tenant_id=other_tenant.id)
    assert ran == 0


async def test_bad_input_is_422_and_changes_nothing(client, db, stenant, other_tenant, units, person):
    clerk, leader = await person(stenant), await person(stenant)
    foreign_leader = await person(other_tenant)
    cases = [
        item_body(units, leader, title=""),
        item_body(units, leader, workdays=5),  # both due_date and workdays
        item_body(units, leader, due_date="2026-09-01"),  # before the basis date
        item_body(units, leader, lead_unit_id="00000000-0000-0000-0000-000000000001"),
        item_body(units, foreign_leader),
        item_body(units, leader, cadence="daily"),
        item_body(units, leader, surprise=1),
        item_body(units, leader, due_date="9999-12-31"),  # outside the calendar's window
    ]
    for body in cases:
        r = await client.post(B, json=body, headers=clerk.h)
        assert r.status_code == 422, (body, r.text)
        err = r.json()
        assert err["status"] == 422 and err["messages"]["zh-CN"] and err["fields"]
    assert await count_items(db, stenant) == 0
    for params in ({"as_of": "9999-12-30", "light": "green"}, {"as_of": "not-a-day"}):
        r = await client.get(B, params=params, headers=clerk.h)
        assert r.status_code in (400, 422) and r.json()["status"] == r.status_code


async def test_cross_tenant_and_unit_scope(client, db, stenant, other_tenant, units, person):
    clerk, leader = await person(stenant), await person(stenant)
    mine = await create_item(client, clerk.h, item_body(units, leader))
    other = await create_item(
        client,
        clerk.h,
        item_body(units, leader, lead_unit_id=str(units["jyj"]), co_unit_ids=[], title="教育事项"),
    )
    await enable(db, other_tenant.id)
    foreign = await person(other_tenant)
    assert (await client.get(f"{B}/{mine['id']}", headers=foreign.h)).status_code == 404
    r = await client.post(f"{B}/{mine['id']}/chase", json={"note": "快办"}, headers=foreign.h)
    assert r.status_code == 404
    assert (await client.get(B, headers=foreign.h)).json()["total"] == 0
    # staff of the co-operating unit 发展改革局 see the first item only
    fgw = await person(stenant, perms=UNIT_STAFF, unit_id=units["fgw"])
    seen = (await client.get(B, headers=fgw.h)).json()
    assert [i["id"] for i in seen["items"]] == [mine["id"]]
    assert (await client.get(f"{B}/{other['id']}", headers=fgw.h)).status_code == 404
    r = await client.post(f"{B}/{other['id']}/reports", json={"content": "x", "percent": 5}, headers=fgw.h)
    assert r.status_code == 404
    board = (await client.get(f"{B}/board", headers=fgw.h)).json()
    assert sum(board["states"].values()) == 1


async def test_concurrent_requests_for_one_source_make_one_item(db, stenant, units, person):
    import asyncio  # noqa: PLC0415

    leader = await person(stenant)
    payload = {
        "tenant_id": str(stenant.id),
        "source_kind": "meeting",
        "source_plugin": "meetings",
        "source_id": "minutes-2026-31#3",
        "title": "常务会议议定事项：老旧小区改造",
        "content": "住建局牵头，年底前完成改造方案",
        "lead_unit_id": str(units["fgw"]),
        "leader_id": str(leader.id),
        "due_date": "2026-12-31",
        "requested_by": str(leader.id),
    }

    async def publish():
        body = dict(payload)
        async with db.transaction() as s:
            await publish_event(s, "supervision.item.requested", body, tenant_id=stenant.id)
        return body

    a, b = await asyncio.gather(publish(), publish())
    assert a["item_id"] == b["item_id"] and {a["created"], b["created"]} == {True, False}
    assert await count_items(db, stenant) == 1


async def test_default_grants(db, stenant):
    from core.permissions.service import role_permissions  # noqa: PLC0415

    async with db.sessionmaker() as s:
        clerk = set(await role_permissions(s, stenant.id, "clerk"))
        leader = set(await role_permissions(s, stenant.id, "leader"))
        staff = set(await role_permissions(s, stenant.id, "staff"))
    assert {"supervision.item.manage", "supervision.proposal.manage", "supervision.report.export"} <= clerk
    assert "supervision.item.signoff" in leader and "supervision.item.manage" not in leader
    assert {"supervision.item.read", "supervision.progress.report"} <= staff
    assert "supervision.item.signoff" not in staff and "supervision.item.manage" not in staff
