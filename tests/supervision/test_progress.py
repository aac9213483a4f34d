"""进展报告 cadence on the deadline engine, 催办 and escalation to the 负责领导, sub-tasks, 办结 with
evidence and 审核销号."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from core.deadlines.sweep import sweep_due_reminders
from tests.supervision.conftest import UNIT_STAFF, create_item, item_body, upload

B = "/api/supervision/items"
DEADLINES = (
    "SELECT kind, due_date::text, state, escalate_to FROM core_deadlines "
    "WHERE owner_plugin = 'supervision' AND object_id = :i ORDER BY id"
)


async def deadlines_of(db, item_id):
    async with db.sessionmaker() as s:
        return [tuple(r) for r in (await s.execute(text(DEADLINES), {"i": item_id})).all()]


async def test_weekly_reports_chased_by_the_engine(client, db, stenant, units, person):
    clerk, leader = await person(stenant), await person(stenant, name="李副县长")
    staff = await person(stenant, perms=UNIT_STAFF, unit_id=units["jtj"], name="交通局联络员")
    body = item_body(
        units,
        leader,
        basis_date="2026-09-28",
        due_date="2026-12-31",
        cadence="weekly",
        contact_id=str(staff.id),
    )
    item = await create_item(client, clerk.h, body)
    # 09-28 + 7 days = 10-05, a National Day rest day → the next working day 10-08
    assert item["next_report_due"] == "2026-10-08"
    assert await deadlines_of(db, item["id"]) == [
        ("final", "2026-12-31", "open", leader.id),
        ("progress", "2026-10-08", "open", None),
    ]
    f = await upload(client, staff.h, "第一周进展.pdf")
    r = await client.post(
        f"{B}/{item['id']}/reports",
        json={"content": "已完成3处积水点设计", "percent": 20, "file_ids": [f]},
        headers=staff.h,
    )
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["next_report_due"] == "2026-10-15" and got["reports_count"] == 1
    rep = got["reports"][0]
    assert rep["period_due"] == "2026-10-08" and rep["late"] is True  # filed on the real today, after 10-08
    assert rep["files"][0]["name"] == "第一周进展.pdf"
    assert await deadlines_of(db, item["id"]) == [
        ("final", "2026-12-31", "open", leader.id),
        ("progress", "2026-10-08", "done", None),
        ("progress", "2026-10-15", "open", None),
    ]
    url = await client.get(f"{B}/{item['id']}/files/{f}", headers=clerk.h)
    assert url.status_code == 200 and url.json()["url"].startswith("http")
    # a file of someone else cannot be attached
    other = await upload(client, clerk.h)
    r = await client.post(
        f"{B}/{item['id']}/reports",
        json={"content": "x", "percent": 30, "file_ids": [other]},
        headers=staff.h,
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"].startswith("file_ids")
    assert (await client.get(f"{B}/{item['id']}", headers=clerk.h)).json()["reports_count"] == 1


async def test_monthly_cadence_and_cap_at_the_due_date(client, db, stenant, units, person):
    clerk, leader = await person(stenant), await person(stenant)
    monthly = await create_item(
        client,
        clerk.h,
        item_body(units, leader, basis_date="2026-08-31", due_date="2026-12-31", cadence="monthly"),
    )
    assert monthly["next_report_due"] == "2026-09-30"  # 民法典 202: no Sept 31 → the month's last day
    short = await create_item(
        client,
        clerk.h,
        item_body(units, leader, basis_date="2026-12-28", due_date="2026-12-31", cadence="weekly"),
    )
    assert short["next_report_due"] == "2026-12-31"  # never after the 完成时限


async def test_overdue_escalates_to_the_responsible_leader(client, db, stenant, units, person):
    clerk, leader = await person(stenant), await person(stenant, name="张县长")
    item = await create_item(client, clerk.h, item_body(units, leader, due_date="2026-10-09"))
    async with db.sessionmaker() as s:
        rem = (
            await s.execute(
                text(
                    "SELECT r.kind, (r.fire_at AT TIME ZONE 'Asia/Shanghai')::date, r.recipient "
                    "FROM core_deadline_reminders r "
                    "JOIN core_deadlines d ON d.id = r.deadline_id "
                    "WHERE d.object_id = :i AND d.kind = 'final'"
                ),
                {"i": item["id"]},
            )
        ).all()
    # the escalation fires on the first working day after 10-09: the 调休 Saturday 10-10, to the leader
    assert ("overdue", dt.date(2026, 10, 10), leader.id) in {tuple(r) for r in rem}
    await sweep_due_reminders(db.sessionmaker, dt.datetime(2026, 10, 10, 12, tzinfo=dt.UTC))
    async with db.sessionmaker() as s:
        notes = (
            await s.execute(
                text(
                    "SELECT kind, title FROM core_notifications "
                    "WHERE recipient_id = :u AND source_plugin = 'supervision'"
                ),
                {"u": leader.id},
            )
        ).all()
    assert any(k == "deadline.overdue" and "推进城区道路积水点改造" in t for k, t in notes)
    # 催办 by hand, escalated: the contact (here the creator) and the leader are notified
    r = await client.post(
        f"{B}/{item['id']}/chase", json={"note": "请于本周内报送", "escalate": True}, headers=clerk.h
    )
    assert r.status_code == 200 and r.json()["chases"][0]["escalated"] is True
    async with db.sessionmaker() as s:
        kinds = set(
            (
                await s.scalars(
                    text(
                        "SELECT kind FROM core_notifications "
                        "WHERE object_id = :i AND kind LIKE 'supervision.%'"
                    ),
                    {"i": item["id"]},
                )
            ).all()
        )
    assert kinds == {"supervision.chase", "supervision.escalation"}


async def test_tasks_completion_evidence_and_signoff(client, db, stenant, units, person):
    clerk = await person(stenant)
    leader = await person(stenant, perms=["supervision.item.read", "supervision.item.signoff"], name="刘县长")
    staff = await person(stenant, perms=UNIT_STAFF, unit_id=units["jtj"])
    edu = await person(stenant, perms=UNIT_STAFF, unit_id=units["jyj"])
    item = await create_item(client, clerk.h, item_body(units, leader, due_date="2026-10-09"))
    i = item["id"]
    assert (await client.get(f"{B}/{i}", headers=edu.h)).status_code == 404
    r = await client.post(
        f"{B}/{i}/tasks",
        json={"tasks": [{"unit_id": str(units["jyj"]), "content": "学校周边排查", "due_date": "2026-10-08"}]},
        headers=clerk.h,
    )
    assert r.status_code == 200, r.text
    task = r.json()["tasks"][0]
    assert (await client.get(f"{B}/{i}", headers=edu.h)).status_code == 200  # the task's unit now sees it
    r = await client.post(
        f"{B}/{i}/tasks",
        json={"tasks": [{"unit_id": str(units["jyj"]), "content": "晚于时限", "due_date": "2026-10-30"}]},
        headers=clerk.h,
    )
    assert r.status_code == 422
    evidence = await upload(client, staff.h, "验收报告.pdf")
    done = {
        "result": "12处积水点全部改造完成",
        "evidence_file_ids": [evidence],
        "explanation": "汛后施工窗口推迟",
    }
    r = await client.post(f"{B}/{i}/complete", json=done, headers=staff.h)
    assert r.status_code == 409 and r.json()["code"] == "tasks_open"
    r = await client.post(f"{B}/{i}/tasks/{task['id']}/complete", json={"result": "已排查"}, headers=edu.h)
    assert r.status_code == 200 and r.json()["tasks"][0]["done_on"]
    # past the 完成时限: a 书面说明 is required; without it nothing changes
    r = await client.post(f"{B}/{i}/complete", json={**done, "explanation": ""}, headers=staff.h)
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "explanation"
    r = await client.post(f"{B}/{i}/complete", json={**done, "evidence_file_ids": []}, headers=staff.h)
    assert r.status_code == 422
    assert (await client.get(f"{B}/{i}", headers=clerk.h)).json()["state"] == "open"
    r = await client.post(f"{B}/{i}/complete", json=done, headers=staff.h)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "pending_signoff" and r.json()["evidence"][0]["name"] == "验收报告.pdf"
    async with db.sessionmaker() as s:
        expl = await s.scalar(
            text("SELECT explanation FROM core_deadlines WHERE object_id = :i AND kind = 'final'"), {"i": i}
        )
    assert expl == "汛后施工窗口推迟"
    # unit staff cannot sign off; the leader returns it, then approves the second completion
    r = await client.post(
        f"{B}/{i}/signoff", json={"decision": "approve", "opinion": "同意"}, headers=staff.h
    )
    assert r.status_code == 403
    r = await client.post(
        f"{B}/{i}/signoff", json={"decision": "return", "opinion": "缺少验收签字"}, headers=leader.h
    )
    assert r.status_code == 200 and r.json()["state"] == "open"
    assert ("final", "2026-10-09", "open", leader.id) in await deadlines_of(db, i)
    r = await client.post(f"{B}/{i}/complete", json=done, headers=staff.h)
    assert r.json()["state"] == "pending_signoff"
    r = await client.post(
        f"{B}/{i}/signoff", json={"decision": "approve", "opinion": "同意销号"}, headers=leader.h
    )
    assert r.status_code == 200 and r.json()["state"] == "closed" and r.json()["signed_off_at"]
    r = await client.post(
        f"{B}/{i}/signoff", json={"decision": "approve", "opinion": "again"}, headers=leader.h
    )
    assert r.status_code == 409
    assert all(state != "open" for _, _, state, _ in await deadlines_of(db, i))
    async with db.sessionmaker() as s:
        actions = set(
            (await s.scalars(text("SELECT action FROM core_audit_log WHERE object_id = :i"), {"i": i})).all()
        )
    assert {
        "supervision.item.create",
        "supervision.item.decompose",
        "supervision.task.complete",
        "supervision.item.complete",
        "supervision.item.signoff.return",
        "supervision.item.signoff.approve",
    } <= actions


async def test_update_replans_and_cancel(client, db, stenant, units, person):
    clerk, leader = await person(stenant), await person(stenant)
    item = await create_item(
        client,
        clerk.h,
        item_body(units, leader, basis_date="2026-09-28", due_date="2026-12-31", cadence="biweekly"),
    )
    assert item["next_report_due"] == "2026-10-12"  # 09-28 + 14 days
    r = await client.patch(
        f"{B}/{item['id']}", json={"due_date": "2026-10-09", "reason": "领导要求提前"}, headers=clerk.h
    )
    assert r.status_code == 200 and r.json()["due_date"] == "2026-10-09"
    assert r.json()["next_report_due"] == "2026-10-09"
    r = await client.patch(
        f"{B}/{item['id']}", json={"due_date": "2026-01-01", "reason": "x"}, headers=clerk.h
    )
    assert r.status_code == 422
    r = await client.post(f"{B}/{item['id']}/cancel", json={"reason": "批示收回"}, headers=clerk.h)
    assert r.json()["state"] == "cancelled"
    assert all(
        state == "cancelled" for _, _, state, _ in await deadlines_of(db, item["id"]) if state != "done"
    )


async def test_chases_before_and_on_the_due_day(client, db, stenant, units, person):
    """催办 N working days before (setting chase_before_workdays, default 2) and on the due day."""
    from core.api import load_calendar  # noqa: PLC0415
    from plugins.supervision.common import today  # noqa: PLC0415

    async with db.sessionmaker() as s:
        cal = await load_calendar(s)
    due = cal.add_workdays(today(), 10).date
    clerk, leader = await person(stenant), await person(stenant)
    staff = await person(stenant, perms=UNIT_STAFF, unit_id=units["jtj"])
    item = await create_item(
        client,
        clerk.h,
        item_body(
            units, leader, basis_date=today().isoformat(), due_date=due.isoformat(), contact_id=str(staff.id)
        ),
    )
    async with db.sessionmaker() as s:
        rem = (
            await s.execute(
                text(
                    "SELECT r.kind, (r.fire_at AT TIME ZONE 'Asia/Shanghai')::date, r.recipient "
                    "FROM core_deadline_reminders r JOIN core_deadlines d ON d.id = r.deadline_id "
                    "WHERE d.object_id = :i AND d.kind = 'final'"
                ),
                {"i": item["id"]},
            )
        ).all()
    got = {tuple(r) for r in rem}
    assert ("before", cal.add_workdays(due, -2).date, staff.id) in got
    assert ("due", due, staff.id) in got
    assert ("overdue", cal.add_workdays(due, 1).date, leader.id) in got


async def test_foreign_tenant_cannot_touch_real_items(client, db, stenant, other_tenant, units, person):
    from tests.supervision.conftest import enable  # noqa: PLC0415

    clerk, leader = await person(stenant), await person(stenant)
    item = await create_item(client, clerk.h, item_body(units, leader))
    await enable(db, other_tenant.id)
    foreign = await person(other_tenant)
    i = item["id"]
    for path, body in (
        (f"{B}/{i}/reports", {"content": "篡改", "percent": 99}),
        (f"{B}/{i}/complete", {"result": "x", "evidence_file_ids": [await upload(client, foreign.h)]}),
        (f"{B}/{i}/cancel", {"reason": "x"}),
        (
            f"{B}/{i}/tasks",
            {"tasks": [{"unit_id": str(units["jyj"]), "content": "x", "due_date": "2026-10-01"}]},
        ),
    ):
        r = await client.post(path, json=body, headers=foreign.h)
        assert r.status_code in (404, 422), (path, r.status_code)
    r = await client.patch(f"{B}/{i}", json={"due_date": "2026-12-31", "reason": "x"}, headers=foreign.h)
    assert r.status_code == 404
    after = (await client.get(f"{B}/{i}", headers=clerk.h)).json()
    assert (after["state"], after["due_date"], after["reports_count"], after["tasks"]) == (
        "open",
        "2026-10-12",
        0,
        [],
    )
