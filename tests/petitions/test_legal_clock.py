"""The legal clock (rules.md §0, §4) walked end to end across the 2026 National Day holiday.

2026 schedule in core's calendar data (State Council notice): 10-01..10-07 rest days, 09-25 (中秋) a
rest day, 09-20 (Sun) and 10-10 (Sat) 调休 workdays. "N日" periods are calendar days with a last day
on a rest day moving to the next working day; "N个工作日" count working days including 调休 days.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.calendar.service import load_calendar
from core.deadlines.models import Deadline
from plugins.petitions import workflow
from plugins.petitions.models import Notice
from tests.petitions.helpers import case_body, enable

D = dt.date
ALL = [
    "petitions.cases.read",
    "petitions.cases.register",
    "petitions.cases.handle",
    "petitions.cases.approve",
    "petitions.cases.route",
    "petitions.personal.read",
]


@pytest.fixture
def late_today(monkeypatch):
    # The walk uses fixed 2026 dates; "today" must lie after them wherever the suite runs.
    monkeypatch.setattr(workflow, "today", lambda: D(2026, 12, 31))


async def _deadlines(db, case_id) -> dict[str, list[Deadline]]:
    async with db.sessionmaker() as s:
        rows = (
            await s.scalars(select(Deadline).where(Deadline.object_id == str(case_id)).order_by(Deadline.id))
        ).all()
    out: dict[str, list[Deadline]] = {}
    for d in rows:
        out.setdefault(d.kind, []).append(d)
    return out


async def test_calendar_data_agrees(db):
    async with db.sessionmaker() as s:
        cal = await load_calendar(s)
    assert not any(cal.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert cal.is_workday(D(2026, 10, 8)) and cal.is_workday(D(2026, 10, 9))
    assert cal.is_workday(D(2026, 9, 20)) and cal.is_workday(D(2026, 10, 10))  # 调休 Sun / Sat
    assert not cal.is_workday(D(2026, 9, 25))  # 中秋节


async def test_walk_submission_to_recheck(client, db, tenant, staff_headers, late_today):
    await enable(db, tenant)
    h = await staff_headers(tenant, ALL)
    body = {k: v for k, v in case_body(id_number="620102198001011234").items() if k != "idempotency_key"}
    r = await client.post(
        "/api/petitions/cases", json={**body, "channel": "letter", "received_on": "2026-07-25"}, headers=h
    )
    assert r.status_code == 201, r.text
    cid, code = r.json()["id"], r.json()["query_code"]
    base = f"/api/petitions/cases/{cid}"
    dl = await _deadlines(db, cid)
    # received Sat 07-25: +15 = Sun 08-09 → Mon 08-10 (民法典 203)
    assert dl["route"][0].due_date == dl["accept"][0].due_date == D(2026, 8, 10)
    assert dl["accept"][0].rule == "days" and dl["accept"][0].amount == 15

    # acceptance on Mon 08-03: +60 = Fri 10-02 (National Day) → first working day after = Thu 10-08
    r = await client.post(f"{base}/decision", json={"accept": True, "on": "2026-08-03"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted" and r.json()["handle_due"] == "2026-10-08"
    dl = await _deadlines(db, cid)
    assert dl["accept"][0].state == "done" and dl["route"][0].state == "done"
    handle = dl["handle"][0]
    assert handle.due_date == D(2026, 10, 8) and handle.state == "open"
    # 80 % of the time: 08-03 + 53 = Fri 09-25 (中秋, rest) → Mon 09-28, i.e. 3 working days before 10-08
    # (09-29, 09-30, 10-08); plus a chase on the due day (the engine adds the escalation after it)
    assert sorted(handle.reminder_days) == [0, 3]
    async with db.sessionmaker() as s:
        cal = await load_calendar(s)
    assert cal.add_workdays(D(2026, 10, 8), -3).date == D(2026, 9, 28)
    assert handle.escalate_to is None and handle.assignee_id is not None

    # one extension ≤ 30 days, approved by another person: runs from the end of the 60 days (10-08):
    # +30 = Sat 11-07 → Mon 11-09
    assert (
        await client.post(f"{base}/extension", json={"days": 31, "reason": "x"}, headers=h)
    ).status_code == 422
    r = await client.post(f"{base}/extension", json={"days": 30, "reason": "需要多部门现场勘验"}, headers=h)
    assert r.status_code == 200 and r.json()["extension_state"] == "requested"
    approver = await staff_headers(tenant, ["petitions.cases.approve"])
    handler_only = await staff_headers(tenant, ["petitions.cases.handle"])
    r = await client.post(
        f"{base}/extension/approval", json={"approve": True, "on": "2026-09-01"}, headers=handler_only
    )
    assert r.status_code == 403
    r = await client.post(
        f"{base}/extension/approval", json={"approve": True, "on": "2026-09-01"}, headers=approver
    )
    assert r.status_code == 200, r.text
    assert r.json()["handle_due"] == "2026-11-09" and r.json()["extended_days"] == 30
    assert (
        await client.post(f"{base}/extension", json={"days": 5, "reason": "再延"}, headers=h)
    ).status_code == 409

    # answer on Thu 09-10 with its basis
    r = await client.post(
        f"{base}/answer",
        json={
            "answer_type": "support",
            "text": "责令施工单位停止夜间施工",
            "basis": "《环境噪声污染防治法》第三十条",
            "on": "2026-09-10",
        },
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert (await _deadlines(db, cid))["handle"][0].state == "done"

    # 复查 window: 09-10 + 30 = Sat 10-10, a 调休 workday: it does not move, so 10-11 is too late
    r = await client.post(f"{base}/review-request", json={"reasons": "不服", "on": "2026-10-11"}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "review_window_closed"
    r = await client.post(
        f"{base}/review-request", json={"reasons": "不服处理意见", "on": "2026-10-10"}, headers=h
    )
    assert r.status_code == 200 and r.json()["status"] == "review_requested"
    # 复查 answered within 30 days: 10-10 + 30 = Mon 11-09
    assert (await _deadlines(db, cid))["review"][0].due_date == D(2026, 11, 9)
    r = await client.post(
        f"{base}/answer",
        json={
            "answer_type": "explain",
            "text": "维持原处理意见",
            "basis": "《信访工作条例》第三十五条",
            "on": "2026-10-20",
        },
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "review_answered"

    # 复核: requested Mon 11-02 (within 10-20 + 30 = 11-19), answered within 30 days: 12-02
    r = await client.post(f"{base}/review-request", json={"reasons": "仍不服", "on": "2026-11-02"}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "recheck_requested"
    assert (await _deadlines(db, cid))["recheck"][0].due_date == D(2026, 12, 2)
    r = await client.post(
        f"{base}/answer",
        json={
            "answer_type": "reject",
            "text": "复核维持",
            "basis": "《信访工作条例》第三十六条",
            "on": "2026-11-20",
        },
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "rechecked"
    dl = await _deadlines(db, cid)
    assert all(d.state == "done" for ds in dl.values() for d in ds)
    r = await client.post(f"{base}/review-request", json={"reasons": "再次", "on": "2026-11-21"}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "final"

    # written notices: acceptance, extension (with the reason), answer, 复查, 复核 — all PDF with CJK text
    async with db.sessionmaker() as s:
        kinds = [
            n.kind
            for n in (
                await s.scalars(select(Notice).where(Notice.case_id == uuid.UUID(cid)).order_by(Notice.id))
            ).all()
        ]
    assert kinds == ["acceptance", "extension", "answer", "review", "recheck"]
    r = await client.get(f"{base}/notices", headers=h)
    ext = next(n for n in r.json() if n["kind"] == "extension")
    from core.api import get_storage  # noqa: PLC0415

    async with db.sessionmaker() as s:
        f = await get_storage().get(s, uuid.UUID(ext["file_id"]), tenant_id=tenant.id)
    data = b"".join([c async for c in await get_storage().open(f)])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")
    assert "延期" in text and "需要多部门现场勘验" in text and "2026年11月09日" in text

    # the petitioner tracks the case and downloads the notices with the query code (no account)
    from tests.petitions.helpers import th  # noqa: PLC0415

    t = await client.post(
        "/api/petitions/public/track", json={"query_code": code, "last4": "1234"}, headers=th(tenant)
    )
    assert t.status_code == 200 and t.json()["status"] == "rechecked" and t.json()["answer_type"] == "reject"
    assert [n["kind"] for n in t.json()["notices"]] == kinds
    ext_id = next(n["id"] for n in t.json()["notices"] if n["kind"] == "extension")
    r = await client.post(
        "/api/petitions/public/notice",
        json={"query_code": code, "last4": "1234", "notice_id": ext_id},
        headers=th(tenant),
    )
    assert r.status_code == 200 and r.content == data
    r = await client.post(
        "/api/petitions/public/notice",
        json={"query_code": code, "last4": "4321", "notice_id": ext_id},
        headers=th(tenant),
    )
    assert r.status_code == 404

    # after 复核 the same facts are not accepted again
    r = await client.post(
        "/api/petitions/cases", json={**body, "channel": "letter", "received_on": "2026-12-01"}, headers=h
    )
    again = r.json()["id"]
    r = await client.post(
        f"/api/petitions/cases/{again}/decision", json={"accept": True, "on": "2026-12-02"}, headers=h
    )
    assert r.status_code == 409 and r.json()["code"] == "already_rechecked"
    r = await client.post(
        f"/api/petitions/cases/{again}/decision",
        json={"accept": False, "reason": "同一事实已复核终结", "on": "2026-12-02"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "not_accepted"


async def test_public_submission_starts_the_clock(client, db, tenant):
    from tests.petitions.helpers import submit  # noqa: PLC0415

    await enable(db, tenant)
    r = await submit(client, tenant)
    assert r.status_code == 201
    async with db.sessionmaker() as s:
        from plugins.petitions.models import PetitionCase  # noqa: PLC0415

        case = await s.scalar(select(PetitionCase).where(PetitionCase.tenant_id == tenant.id))
        cal = await load_calendar(s)
    dl = await _deadlines(db, case.id)
    assert dl["accept"][0].due_date == cal.add_days(case.received_on, 15).date
