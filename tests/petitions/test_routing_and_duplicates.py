"""转送/交办 with receipt, objection, pull-back and status flowing back; duplicates and repeats."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.deadlines.models import Deadline
from core.org.models import Unit
from plugins.petitions import workflow
from tests.conftest import new_staff
from tests.petitions.helpers import case_body, enable, submit, th

D = dt.date
ALL = [
    "petitions.cases.read",
    "petitions.cases.register",
    "petitions.cases.handle",
    "petitions.cases.route",
    "petitions.cases.merge",
    "petitions.personal.read",
]


@pytest.fixture
def late_today(monkeypatch):
    monkeypatch.setattr(workflow, "today", lambda: D(2026, 12, 31))


def _letter(**kw):
    body = {k: v for k, v in case_body(**kw).items() if k != "idempotency_key"}
    return {**body, "channel": "letter"}


async def test_transfer_to_township_objection_and_status_flow(
    client, db, tenant, other_tenant, staff_headers, late_today
):
    await enable(db, tenant)
    await enable(db, other_tenant)
    county = await staff_headers(tenant, ALL)
    town = await staff_headers(other_tenant, ALL)
    r = await client.post(
        "/api/petitions/cases", json={**_letter(), "received_on": "2026-09-05"}, headers=county
    )
    cid = r.json()["id"]
    # received Sat 09-05: +15 = Sun 09-20, a 调休 workday: it stays 09-20
    async with db.sessionmaker() as s:
        due = await s.scalar(
            select(Deadline.due_date).where(Deadline.object_id == cid, Deadline.kind == "accept")
        )
    assert due == D(2026, 9, 20)
    # the target must exist and have the module
    r = await client.post(
        f"/api/petitions/cases/{cid}/routings", json={"tenant_code": "nope"}, headers=county
    )
    assert r.status_code == 422
    r = await client.post(
        f"/api/petitions/cases/{cid}/routings",
        json={"tenant_code": other_tenant.code, "on": "2026-09-28"},
        headers=county,
    )
    assert r.status_code == 201, r.text
    target = r.json()["target_case_id"]
    routing_id = r.json()["id"]
    assert r.json()["case_status"] == "referred"
    # the township sees it, the county's id is a 404 there and vice versa
    assert (await client.get(f"/api/petitions/cases/{cid}", headers=town)).status_code == 404
    assert (await client.get(f"/api/petitions/cases/{target}", headers=county)).status_code == 404
    # acceptance needs a receipt first
    r = await client.post(f"/api/petitions/cases/{target}/decision", json={"accept": True}, headers=town)
    assert r.status_code == 409 and r.json()["code"] == "not_received"
    r = await client.post(f"/api/petitions/cases/{target}/receive", json={"on": "2026-09-29"}, headers=town)
    assert r.status_code == 200 and r.json()["status"] == "received"
    # objection: 5 working days after Tue 09-29 = 09-30, 10-08, 10-09, Sat 10-10 (调休), Mon 10-12
    async with db.sessionmaker() as s:
        due = await s.scalar(
            select(Deadline.due_date).where(Deadline.object_id == target, Deadline.kind == "objection")
        )
    assert due == D(2026, 10, 12)
    r = await client.post(
        f"/api/petitions/cases/{target}/objection",
        json={"reason": "非本镇职权", "on": "2026-10-13"},
        headers=town,
    )
    assert r.status_code == 409 and r.json()["code"] == "objection_window_closed"
    r = await client.post(
        f"/api/petitions/cases/{target}/objection",
        json={"reason": "非本镇职权", "on": "2026-10-12"},
        headers=town,
    )
    assert r.status_code == 200 and r.json()["status"] == "returned"
    origin = (await client.get(f"/api/petitions/cases/{cid}", headers=county)).json()
    assert origin["status"] == "registered"
    assert (
        origin["routings"][0]["state"] == "objected" and origin["routings"][0]["target_status"] == "returned"
    )
    assert any("异议" in e["text"] for e in origin["events"])
    assert (
        await client.post(f"/api/petitions/routings/{routing_id}/pull-back", json={}, headers=county)
    ).status_code == 409

    # route again, receive, accept there: the status flows back to the county and the citizen
    r = await client.post(
        f"/api/petitions/cases/{cid}/routings", json={"tenant_code": other_tenant.code}, headers=county
    )
    target2 = r.json()["target_case_id"]
    await client.post(f"/api/petitions/cases/{target2}/receive", json={}, headers=town)
    r = await client.post(f"/api/petitions/cases/{target2}/decision", json={"accept": True}, headers=town)
    assert r.status_code == 200
    origin = (await client.get(f"/api/petitions/cases/{cid}", headers=county)).json()
    assert origin["routings"][-1]["target_status"] == "accepted"
    # too late to pull back now
    r = await client.post(
        f"/api/petitions/routings/{origin['routings'][-1]['id']}/pull-back", json={}, headers=county
    )
    assert r.status_code == 409 and r.json()["code"] == "already_decided"
    # another tenant cannot pull back the county's routing
    r = await client.post(
        f"/api/petitions/routings/{origin['routings'][-1]['id']}/pull-back", json={}, headers=town
    )
    assert r.status_code == 404


async def test_assign_to_unit_receive_and_pull_back(client, db, tenant, other_tenant, staff_headers):
    await enable(db, tenant)
    h = await staff_headers(tenant, ALL)
    async with db.transaction() as s:
        unit = Unit(tenant_id=tenant.id, code="xfk", name="信访科")
        foreign = Unit(tenant_id=other_tenant.id, code="xfk", name="外单位")
        s.add_all([unit, foreign])
    cid = (await client.post("/api/petitions/cases", json=_letter(), headers=h)).json()["id"]
    r = await client.post(
        f"/api/petitions/cases/{cid}/routings", json={"mode": "assign", "unit_id": str(foreign.id)}, headers=h
    )
    assert r.status_code == 422
    r = await client.post(
        f"/api/petitions/cases/{cid}/routings", json={"mode": "assign", "unit_id": str(unit.id)}, headers=h
    )
    assert r.status_code == 201
    rid = r.json()["id"]
    r = await client.post(
        f"/api/petitions/cases/{cid}/routings", json={"mode": "assign", "unit_id": str(unit.id)}, headers=h
    )
    assert r.status_code == 409
    assert (await client.post(f"/api/petitions/cases/{cid}/receive", json={}, headers=h)).status_code == 200
    r = await client.post(f"/api/petitions/routings/{rid}/pull-back", json={}, headers=h)
    assert r.status_code == 200 and r.json()["state"] == "pulled_back"
    detail = (await client.get(f"/api/petitions/cases/{cid}", headers=h)).json()
    assert detail["unit_id"] is None and detail["routings"][0]["received_on"] is not None


async def test_duplicates_repeats_and_merge(client, db, tenant, staff_headers):
    await enable(db, tenant)
    h = await staff_headers(tenant, ALL)
    a = await submit(client, tenant)
    assert a.status_code == 201
    # same person, near-identical text → flagged as a likely repeat
    await submit(client, tenant, facts="工地每晚施工至凌晨两点，噪音严重影响休息。")
    # different person, same text → a similar-text duplicate; unrelated text → nothing
    await submit(client, tenant, phone="13900001111", name="李四")
    await submit(
        client,
        tenant,
        phone="13700002222",
        title="道路破损",
        request="请修路",
        facts="村道坑洼不平已半年",
        reasons="影响出行",
        category="urban",
    )
    lst = (await client.get("/api/petitions/cases", headers=h)).json()["items"]
    repeat = next(c for c in lst if c["facts"].endswith("。"))
    assert repeat["is_repeat"] is True
    first = next(c for c in lst if c["phone"] == "138****1234" and not c["facts"].endswith("。"))
    dups = (await client.get(f"/api/petitions/cases/{first['id']}/duplicates", headers=h)).json()
    same = [d for d in dups if d["same_person"]]
    other = [d for d in dups if not d["same_person"]]
    assert len(same) == 1 and same[0]["similarity"] > 0.8
    assert len(other) == 1 and other[0]["similarity"] > 0.9  # 李四's copy; the road case is not listed
    assert len(lst) == 4
    # merge the repeat into the first
    r = await client.post(
        f"/api/petitions/cases/{repeat['id']}/link",
        json={"other_id": first["id"], "mode": "merge"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "merged"
    r = await client.post(
        f"/api/petitions/cases/{repeat['id']}/link",
        json={"other_id": repeat["id"], "mode": "link"},
        headers=h,
    )
    assert r.status_code == 409


async def test_lists_are_masked_and_reads_audited(client, db, tenant, other_tenant, staff_headers):
    from core.audit.models import AuditLog  # noqa: PLC0415

    await enable(db, tenant)
    await enable(db, other_tenant)
    await submit(client, tenant, id_number="62010219800101123X")
    reader = await staff_headers(tenant, ["petitions.cases.read"])
    personal = await staff_headers(tenant, ["petitions.cases.read", "petitions.personal.read"])
    foreign = await staff_headers(other_tenant, ["petitions.cases.read", "petitions.personal.read"])
    for h in (reader, personal):
        item = (await client.get("/api/petitions/cases", headers=h)).json()["items"][0]
        assert (
            item["name"] == "张**"
            and item["phone"] == "138****1234"
            and item["id_number"] == "62************123X"
        )
    cid = item["id"]
    d = (await client.get(f"/api/petitions/cases/{cid}", headers=reader)).json()
    assert d["name"] == "张**" and d["address"].endswith("****")
    d = (await client.get(f"/api/petitions/cases/{cid}", headers=personal)).json()
    assert d["name"] == "张三丰" and d["phone"] == "13812341234"
    assert (await client.get(f"/api/petitions/cases/{cid}", headers=foreign)).status_code == 404
    assert (await client.get("/api/petitions/cases", headers=foreign)).json()["items"] == []
    async with db.sessionmaker() as s:
        reads = (
            await s.scalars(
                select(AuditLog).where(AuditLog.action == "petitions.case.read", AuditLog.object_id == cid)
            )
        ).all()
    assert len(reads) == 2
    _ = th


async def test_case_list_filters_searches_and_counts(client, db, tenant, staff_headers):
    await enable(db, tenant)
    for title, category in (("路灯不亮", "urban"), ("工资拖欠", "labour"), ("路面塌陷_50%", "urban")):
        assert (await submit(client, tenant, title=title, category=category)).status_code == 201
    await submit(client, tenant, title="噪音", name="李四光")
    reader = await staff_headers(tenant, ["petitions.cases.read"])
    personal = await staff_headers(tenant, ["petitions.cases.read", "petitions.personal.read"])

    async def listing(h, **params):
        r = await client.get("/api/petitions/cases", params=params, headers=h)
        assert r.status_code == 200, r.text
        return r.json()

    everything = await listing(reader, page_size=2)
    assert everything["total"] == 4 and len(everything["items"]) == 2
    assert (await listing(reader, page=2, page_size=3))["items"][0]["title"] == "路灯不亮"  # oldest last
    assert {c["title"] for c in (await listing(reader, q="路"))["items"]} == {"路灯不亮", "路面塌陷_50%"}
    assert (await listing(reader, q="_50%"))["total"] == 1  # LIKE wildcards are matched literally
    assert (await listing(reader, q="%"))["total"] == 1
    urban = await listing(reader, category="urban", channel="web", status="registered")
    assert urban["total"] == 2
    number = everything["items"][0]["number"]
    assert [c["number"] for c in (await listing(reader, q=number.lower()))["items"]] == [number]
    # names are searched only for staff allowed to see personal data; both lists stay masked
    assert (await listing(reader, q="李四光"))["total"] == 0
    hit = await listing(personal, q="李四光")
    assert hit["total"] == 1 and hit["items"][0]["name"] == "李**"
    bad = (
        ({"status": "lost"}, 422),
        ({"channel": "pigeon"}, 422),
        ({"q": "x" * 101}, 422),
        ({"page_size": 0}, 422),
    )
    for params, status in bad:
        r = await client.get("/api/petitions/cases", params=params, headers=reader)
        assert r.status_code == status and r.json()["fields"][0]["field"] == next(iter(params)), r.text


async def test_referred_case_carries_the_attachments(client, db, tenant, other_tenant, staff_headers):
    import base64  # noqa: PLC0415

    from tests.petitions.helpers import PNG  # noqa: PLC0415

    await enable(db, tenant, escalation_user_id="not-a-uuid")  # a mistyped setting must not break intake
    await enable(db, other_tenant)
    county = await staff_headers(tenant, ALL)
    town = await staff_headers(other_tenant, ALL)
    att = [{"name": "照片.png", "content_base64": base64.b64encode(PNG).decode()}]
    r = await client.post("/api/petitions/cases", json={**_letter(), "attachments": att}, headers=county)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    file_id = (await client.get(f"/api/petitions/cases/{cid}", headers=county)).json()["attachments"][0]
    r = await client.post(
        f"/api/petitions/cases/{cid}/routings", json={"tenant_code": other_tenant.code}, headers=county
    )
    target = r.json()["target_case_id"]
    detail = (await client.get(f"/api/petitions/cases/{target}", headers=town)).json()
    assert detail["attachments"] == [file_id]
    r = await client.get(
        f"/api/petitions/cases/{target}/files/{file_id}", headers=town, follow_redirects=False
    )
    assert r.status_code == 307 and "X-Amz-Signature" in r.headers["location"]
    # not through a case it is not linked to
    other = (await client.post("/api/petitions/cases", json=_letter(), headers=town)).json()["id"]
    r = await client.get(
        f"/api/petitions/cases/{other}/files/{file_id}", headers=town, follow_redirects=False
    )
    assert r.status_code == 404


async def test_routing_notifies_the_people_who_act(client, db, tenant, other_tenant):
    from core.notifications.models import Notification  # noqa: PLC0415

    await enable(db, tenant)
    await enable(db, other_tenant)
    async with db.transaction() as s:
        unit = Unit(tenant_id=tenant.id, code="xfk", name="信访科")
        s.add(unit)
        await s.flush()

    async def person(t, perms, unit_id=None):
        user, headers = await new_staff(db, t, permissions=perms, unit_id=unit_id)
        return user.id, headers

    county, h = await person(tenant, ALL)
    in_unit, _ = await person(tenant, ["petitions.cases.handle"], unit.id)
    outside_unit, _ = await person(tenant, ["petitions.cases.handle"])
    town, town_h = await person(other_tenant, ALL)
    town_reader, _ = await person(other_tenant, ["petitions.cases.read"])

    async def inbox(user_id):
        async with db.sessionmaker() as s:
            rows = await s.scalars(select(Notification).where(Notification.recipient_id == user_id))
            return [(n.kind, n.link, n.title) for n in rows]

    cid = (await client.post("/api/petitions/cases", json=_letter(), headers=h)).json()["id"]
    r = await client.post(
        f"/api/petitions/cases/{cid}/routings", json={"mode": "assign", "unit_id": str(unit.id)}, headers=h
    )
    assert r.status_code == 201
    [(kind, link, title)] = await inbox(in_unit)
    assert kind == "petitions.assigned" and link == f"/petitions/cases/{cid}" and "信访科" in title
    assert await inbox(outside_unit) == []  # the unit has its own handler
    await client.post(f"/api/petitions/routings/{r.json()['id']}/pull-back", json={}, headers=h)

    r = await client.post(
        f"/api/petitions/cases/{cid}/routings", json={"tenant_code": other_tenant.code}, headers=h
    )
    assert r.status_code == 201
    [(kind, link, title)] = await inbox(town)
    assert kind == "petitions.referred_in" and link.startswith("/petitions/cases/") and cid not in link
    assert "张" not in title  # no personal data in notifications
    assert await inbox(town_reader) == []  # only those who can receive it
    copy_id = link.rsplit("/", 1)[1]
    assert (await client.post(f"/api/petitions/cases/{copy_id}/receive", json={}, headers=town_h)).is_success
    r = await client.post(
        f"/api/petitions/cases/{copy_id}/objection", json={"reason": "不属本机关职责"}, headers=town_h
    )
    assert r.status_code == 200, r.text
    assert [k for k, _l, _t in await inbox(county)] == ["petitions.returned"]
