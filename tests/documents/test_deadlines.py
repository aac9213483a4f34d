"""Step time limits from the working-day calendar across the 2026 National Day holiday; 催办; 书面说明."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from core.api import load_calendar, plugin_settings
from core.plugins.models import PluginState
from tests.documents.test_incoming import ENVELOPE, reg

B = "/api/documents/incoming"
REMINDERS = (
    "SELECT r.workdays_before, (r.fire_at AT TIME ZONE 'Asia/Shanghai')::date FROM core_deadline_reminders r "
    "JOIN core_deadlines d ON d.id = r.deadline_id WHERE d.object_id = :i"
)
D = dt.date


async def test_calendar_2026_national_day(db):
    """The facts the deadlines below rely on, straight from core.calendar (State Council notice 2026)."""
    async with db.sessionmaker() as s:
        cal = await load_calendar(s)
    assert all(not cal.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert cal.is_workday(D(2026, 10, 8)) and cal.is_workday(D(2026, 10, 10))  # Oct 10 (Sat) 调休 workday
    assert cal.is_workday(D(2026, 9, 20)) and not cal.is_workday(D(2026, 9, 27))
    assert not cal.is_workday(D(2026, 9, 25))  # 中秋节


async def _sign_in(client, h, when: str, **kw):
    r = await client.post(B, json={**ENVELOPE, "received_at": when, **kw}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


async def test_register_limit_spans_the_holiday(client, db, dtenant, person):
    clerk = await person(dtenant)
    doc = await _sign_in(client, clerk.h, "2026-09-30T10:00:00+08:00")
    # 2 working days after Wed 09-30: 10-01..07 are off, so 10-08 (1) and 10-09 (2)
    assert doc["due_date"] == "2026-10-09"
    async with db.sessionmaker() as s:
        rem = (
            await s.execute(
                text(REMINDERS),
                {"i": doc["id"]},
            )
        ).all()
    # chases already in the past are not planned; the escalation falls on the 调休 Saturday 10-10
    assert (-1, D(2026, 10, 10)) in set(rem)
    fresh = await _sign_in(client, clerk.h, dt.datetime.now(dt.UTC).isoformat())
    async with db.sessionmaker() as s:
        rem = (
            await s.execute(
                text(REMINDERS),
                {"i": fresh["id"]},
            )
        ).all()
    # 催办 on the day of the deadline (and 2 working days before, when that is still ahead)
    assert (0, D.fromisoformat(fresh["due_date"])) in set(rem)
    before = await _sign_in(client, clerk.h, "2026-09-24T10:00:00+08:00")
    assert before["due_date"] == "2026-09-29"  # 09-25 中秋 and the weekend are skipped
    urgent = await _sign_in(client, clerk.h, "2026-10-03T10:00:00+08:00", urgency="特急")
    assert urgent["due_date"] == "2026-10-08"  # 随到随办: the first working day


async def test_limits_are_per_tenant_settings(client, db, dtenant, person):
    async with db.transaction() as s:
        row = await s.get(PluginState, (dtenant.id, "documents"))
        row.settings = {**(row.settings or {}), "deadline_register_workdays": 3}
    async with db.sessionmaker() as s:
        assert (await plugin_settings(s, dtenant.id, "documents"))["deadline_register_workdays"] == 3
    clerk = await person(dtenant)
    doc = await _sign_in(client, clerk.h, "2026-09-30T10:00:00+08:00")
    assert doc["due_date"] == "2026-10-10"  # the 调休 Saturday counts


async def test_overdue_needs_written_explanation_and_shows_on_board(client, db, dtenant, person):
    clerk = await person(dtenant)
    doc = await _sign_in(client, clerk.h, "2026-09-30T10:00:00+08:00")
    i = doc["id"]
    await client.post(f"{B}/{i}/open", headers=clerk.h)
    await client.post(f"{B}/{i}/register", json=reg("逾期的来文"), headers=clerk.h)
    await client.post(f"{B}/{i}/review", json={"decision": "accept"}, headers=clerk.h)
    await client.post(f"{B}/{i}/classify", json={"doc_class": "办件"}, headers=clerk.h)
    board = (await client.get("/api/documents/overdue", headers=clerk.h)).json()
    items = [it for u in board["units"] for it in u.get("items", [])]
    assert any(it["id"] == i and it["due_date"] == "2026-10-09" for it in items)
    r = await client.post(f"{B}/{i}/proposal", json={"opinion": "拟请领导阅示"}, headers=clerk.h)
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "explanation"
    assert (await client.get(f"{B}/{i}", headers=clerk.h)).json()["state"] == "classified"
    r = await client.post(
        f"{B}/{i}/proposal",
        json={"opinion": "拟请领导阅示", "explanation": "国庆假期后来文积压，未能按时拟办"},
        headers=clerk.h,
    )
    assert r.status_code == 200
    async with db.sessionmaker() as s:
        expl = await s.scalar(
            text("SELECT explanation FROM core_deadlines WHERE object_id = :i AND kind = 'register'"),
            {"i": i},
        )
    assert expl == "国庆假期后来文积压，未能按时拟办"
    board = (await client.get("/api/documents/overdue", headers=clerk.h)).json()
    assert all(it["id"] != i for u in board["units"] for it in u.get("items", []))
