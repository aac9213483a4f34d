"""建议提案: 3/6 calendar months from assignment (add_months), local milestones, 见面, A-D grades and the
办复率/见面率/满意率 statistics."""

from __future__ import annotations

import secrets

from sqlalchemy import text

P = "/api/supervision/proposals"


def body(units, **kw):
    b = {
        "kind": "npc_suggestion",
        "session_year": 2026,
        "number": secrets.token_hex(3),
        "title": "关于加快农村公路养护的建议",
        "content": "建议加大农村公路养护投入",
        "deputy_name": "陈代表",
        "deputy_contact": "13800000000",
        "lead_unit_id": str(units["jtj"]),
        "assigned_on": "2026-05-10",
        "complex": False,
    }
    b.update(kw)
    return b


async def make(client, h, units, **kw):
    r = await client.post(P, json=body(units, **kw), headers=h)
    assert r.status_code == 201, r.text
    return r.json()


async def test_due_dates_in_calendar_months(client, db, stenant, units, person):
    clerk = await person(stenant)
    assert (await make(client, clerk.h, units))["due_date"] == "2026-08-10"  # 3 months
    assert (await make(client, clerk.h, units, complex=True))["due_date"] == "2026-11-10"  # 6 months
    # no June 31: the month's last day (民法典 202)
    assert (await make(client, clerk.h, units, assigned_on="2026-03-31"))["due_date"] == "2026-06-30"
    # 07-04 + 3 months = 10-04, a National Day rest day → the first working day after, 10-08 (民法典 203)
    p = await make(client, clerk.h, units, assigned_on="2026-07-04", kind="cppcc_proposal")
    assert p["due_date"] == "2026-10-08"
    async with db.sessionmaker() as s:
        rows = (
            await s.execute(
                text(
                    "SELECT kind, rule, amount, due_date::text FROM core_deadlines "
                    "WHERE object_id = :i ORDER BY kind"
                ),
                {"i": p["id"]},
            )
        ).all()
    # assigned after the local 见面 milestone (07-01): only the reply deadline
    assert [tuple(r) for r in rows] == [("reply", "months", 3, "2026-10-08")]
    early = await make(client, clerk.h, units, assigned_on="2026-05-08")
    async with db.sessionmaker() as s:
        kinds = dict(
            (
                await s.execute(
                    text("SELECT kind, due_date::text FROM core_deadlines WHERE object_id = :i"),
                    {"i": early["id"]},
                )
            ).all()
        )
    assert kinds == {"reply": "2026-08-10", "meet": "2026-07-01"}  # 08-08 is a Saturday → Monday 08-10


async def test_answer_flow_grades_and_rates(client, db, stenant, units, person):
    clerk = await person(stenant)
    answerer = await person(
        stenant, perms=["supervision.proposal.read", "supervision.proposal.answer"], unit_id=units["jtj"]
    )
    outsider = await person(
        stenant, perms=["supervision.proposal.read", "supervision.proposal.answer"], unit_id=units["jyj"]
    )
    p1 = await make(client, clerk.h, units)
    p2 = await make(client, clerk.h, units)
    p3 = await make(client, clerk.h, units, assigned_on="2026-03-31")  # due 06-30
    await make(client, clerk.h, units)  # never answered
    await make(client, clerk.h, units, session_year=2025)  # another year: not counted

    assert (await client.get(f"{P}/{p1['id']}", headers=outsider.h)).status_code == 404
    r = await client.post(
        f"{P}/{p1['id']}/contact",
        json={"contacted_on": "2026-06-20", "method": "meeting"},
        headers=outsider.h,
    )
    assert r.status_code == 404

    async def contact(p, day):
        r = await client.post(
            f"{P}/{p['id']}/contact", json={"contacted_on": day, "method": "visit"}, headers=answerer.h
        )
        assert r.status_code == 200, r.text

    async def answer(p, day, grade):
        r = await client.post(
            f"{P}/{p['id']}/answer",
            json={"answered_on": day, "answer": "已列入年度养护计划", "grade": grade},
            headers=answerer.h,
        )
        assert r.status_code == 200, r.text
        return r.json()

    await contact(p1, "2026-06-20")
    assert (await answer(p1, "2026-07-20", "A"))["grade_name"] == "解决或基本解决"
    await answer(p2, "2026-08-01", "B")  # answered without meeting the deputy
    await contact(p3, "2026-05-01")
    await answer(p3, "2026-07-15", "C")  # after its 06-30 due date
    # bad input: 422, nothing changes
    for bad in (
        {"answered_on": "2026-01-01", "answer": "x", "grade": "A"},
        {"answered_on": "2026-07-01", "answer": "x", "grade": "E"},
    ):
        r = await client.post(f"{P}/{p2['id']}/answer", json=bad, headers=answerer.h)
        assert r.status_code in (409, 422)
    for p, sat in ((p1, "satisfied"), (p2, "basically_satisfied"), (p3, "dissatisfied")):
        r = await client.post(
            f"{P}/{p['id']}/feedback",
            json={"satisfaction": sat, "feedback_on": "2026-09-01"},
            headers=clerk.h,
        )
        assert r.status_code == 200 and r.json()["state"] == "closed"
    r = await client.post(
        f"{P}/{p1['id']}/feedback",
        json={"satisfaction": "satisfied", "feedback_on": "2026-09-01"},
        headers=answerer.h,
    )
    assert r.status_code == 403
    s = (await client.get(f"{P}/stats", params={"year": 2026}, headers=clerk.h)).json()
    assert (s["total"], s["answered"], s["answer_rate"]) == (4, 3, 75.0)
    assert (s["contacted_before_answer"], s["contact_rate"]) == (2, 66.7)
    assert (s["on_time"], s["on_time_rate"]) == (2, 66.7)
    assert (s["feedback"], s["satisfaction_rate"]) == (3, 66.7)
    assert s["grades"] == {"A": 1, "B": 1, "C": 1, "D": 0}
    assert s["milestones"] == {
        "assign_by": "2026-05-10",
        "meet_by": "2026-07-01",
        "reply_by": "2026-08-20",
        "summary_by": "2026-09-01",
    }
    # the answering unit sees only its own proposals in the register
    assert (await client.get(P, params={"year": 2026}, headers=outsider.h)).json()["total"] == 0
    assert (await client.get(P, params={"year": 2026}, headers=answerer.h)).json()["total"] == 4


async def test_duplicate_and_bad_proposals(client, db, stenant, other_tenant, units, person):
    clerk = await person(stenant)
    first = await make(client, clerk.h, units, number="0042")
    r = await client.post(P, json=body(units, number="0042"), headers=clerk.h)
    assert r.status_code == 409
    for bad in (
        body(units, kind="motion"),
        body(units, lead_unit_id=str(other_tenant.id)),
        body(units, title=""),
    ):
        assert (await client.post(P, json=bad, headers=clerk.h)).status_code == 422
    assert (await client.get(P, headers=clerk.h)).json()["total"] == 1
    assert (await client.get(f"{P}/{first['id']}", headers=clerk.h)).json()["number"] == "0042"


async def test_supervise_a_proposal_once(client, db, stenant, units, person):
    clerk, leader = await person(stenant), await person(stenant)
    p = await make(client, clerk.h, units, assigned_on="2026-07-04")  # due 10-08
    r = await client.post(f"{P}/{p['id']}/supervise", json={"leader_id": str(leader.id)}, headers=clerk.h)
    assert r.status_code == 201 and r.json()["created"] is True and r.json()["due_date"] == "2026-10-08"
    again = await client.post(f"{P}/{p['id']}/supervise", json={"leader_id": str(leader.id)}, headers=clerk.h)
    assert again.json() == {**r.json(), "created": False}
    item = (await client.get(f"/api/supervision/items/{r.json()['item_id']}", headers=clerk.h)).json()
    assert (item["source_kind"], item["source_id"], item["lead_unit_id"]) == (
        "proposal",
        p["id"],
        str(units["jtj"]),
    )
    assert item["next_report_due"] == "2026-08-04"  # monthly: 07-04 + 1 month
