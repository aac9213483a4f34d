"""收文 end to end through the API: sign-in → register → 初审 → 分类 → 拟办 → 批示 → 承办/传阅 → 办结."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from plugins.documents.models import Incoming
from tests.documents.conftest import ALL, enable

B = "/api/documents/incoming"
ENVELOPE = {
    "sender": "市人民政府办公室",
    "recipient": "县政府办公室",
    "envelope_no": "GZ-0001",
    "copies": 2,
    # received now: the step limits run from today, so the flow is never overdue
    "received_at": dt.datetime.now(dt.UTC).isoformat(),
}
YEAR = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year


def reg(title: str = "关于做好防汛抗旱工作的通知", **kw: Any) -> dict[str, Any]:
    return {
        "title": title,
        "issuing_org": "市人民政府",
        "doc_number": "市府发〔2026〕12号",
        "body": "各县区要切实做好防汛准备工作",
        **kw,
    }


async def new_item(client, h, **kw) -> dict[str, Any]:
    r = await client.post(B, json={**ENVELOPE, **kw}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


async def registered(client, h, title="关于做好防汛抗旱工作的通知", **kw) -> str:
    doc = await new_item(client, h)
    assert (await client.post(f"{B}/{doc['id']}/open", headers=h)).status_code == 200
    r = await client.post(f"{B}/{doc['id']}/register", json=reg(title, **kw), headers=h)
    assert r.status_code == 200, r.text
    return doc["id"]


async def to_class(client, h, doc_class: str, **kw) -> dict[str, Any]:
    doc_id = await registered(client, h, **kw)
    assert (
        await client.post(f"{B}/{doc_id}/review", json={"decision": "accept"}, headers=h)
    ).status_code == 200
    r = await client.post(f"{B}/{doc_id}/classify", json={"doc_class": doc_class}, headers=h)
    assert r.status_code == 200, r.text
    return r.json()


async def test_full_flow(client, db, dtenant, units, person):
    clerk = await person(dtenant, name="文秘甲")
    leader = await person(dtenant, name="县长")
    r1, r2, r3 = [await person(dtenant, name=f"读者{i}") for i in range(3)]
    doc = await new_item(client, clerk.h)
    assert doc["state"] == "signed" and doc["envelope_no"] == "GZ-0001" and doc["copies"] == 2
    assert doc["due_date"] > dt.date.today().isoformat()
    doc_id = doc["id"]
    # registering before opening an ordinary envelope is refused
    r = await client.post(f"{B}/{doc_id}/register", json=reg(), headers=clerk.h)
    assert r.status_code == 409
    await client.post(f"{B}/{doc_id}/open", headers=clerk.h)
    assert (await client.post(f"{B}/{doc_id}/register", json=reg(), headers=clerk.h)).status_code == 200
    # 初审 without a reason: 422 and nothing changes
    r = await client.post(f"{B}/{doc_id}/review", json={"decision": "return"}, headers=clerk.h)
    assert r.status_code == 422 and r.json()["fields"]
    assert (await client.get(f"{B}/{doc_id}", headers=clerk.h)).json()["state"] == "registered"
    await client.post(f"{B}/{doc_id}/review", json={"decision": "accept"}, headers=clerk.h)
    r = await client.post(f"{B}/{doc_id}/classify", json={"doc_class": "阅件"}, headers=clerk.h)
    assert r.json()["serial_label"] == f"阅件〔{YEAR}〕0001"
    r = await client.post(f"{B}/{doc_id}/proposal", json={"opinion": "拟请县长阅示"}, headers=clerk.h)
    assert r.status_code == 200 and r.json()["state"] == "proposed"
    # a clerk without the instruction permission cannot 批示
    plain = await person(dtenant, perms=["documents.incoming.read"])
    assert (
        await client.post(f"{B}/{doc_id}/instruction", json={"opinion": "x"}, headers=plain.h)
    ).status_code == 403
    r = await client.post(f"{B}/{doc_id}/instruction", json={"opinion": "请财政局牵头办理"}, headers=leader.h)
    body = r.json()
    assert body["doc_class"] == "办件" and body["serial_label"] == f"办件〔{YEAR}〕0001"
    detail = (await client.get(f"{B}/{doc_id}", headers=clerk.h)).json()
    conv = next(a for a in detail["history"] if a["step"] == "instruct")["data"]["converted"]
    assert conv["from_class"] == "阅件" and conv["from_serial"] == 1 and conv["to_serial"] == 1
    # 承办 with a unit of another tenant is refused; then lead + co units
    r = await client.post(
        f"{B}/{doc_id}/assignment",
        json={"lead_unit_id": str(units["cz"]), "co_unit_ids": [str(units["cz"])]},
        headers=clerk.h,
    )
    assert r.status_code == 422
    r = await client.post(
        f"{B}/{doc_id}/assignment",
        json={"lead_unit_id": str(units["cz"]), "co_unit_ids": [str(units["jy"])]},
        headers=clerk.h,
    )
    assert r.status_code == 200 and r.json()["state"] == "handling"
    # 传阅: r1 then r2 in order, r3 duplicates refused
    r = await client.post(
        f"{B}/{doc_id}/circulation", json={"reader_ids": [str(r1.id), str(r2.id)]}, headers=clerk.h
    )
    assert r.status_code == 200
    r = await client.post(f"{B}/{doc_id}/circulation", json={"reader_ids": [str(r2.id)]}, headers=clerk.h)
    assert r.status_code == 409 and r.json()["code"] == "duplicate_reader"
    r = await client.post(
        f"{B}/{doc_id}/circulation", json={"reader_ids": [str(r3.id), str(r3.id)]}, headers=clerk.h
    )
    assert r.status_code == 422
    # r2 cannot skip ahead of r1
    assert (await client.post(f"{B}/{doc_id}/circulation/receive", headers=r2.h)).status_code == 409
    # someone not on the route cannot receive
    assert (await client.post(f"{B}/{doc_id}/circulation/receive", headers=r3.h)).status_code == 403
    # 办结 refused while readers are pending
    r = await client.post(f"{B}/{doc_id}/completion", json={"result": "已办理"}, headers=clerk.h)
    assert r.status_code == 409
    assert (await client.post(f"{B}/{doc_id}/circulation/receive", headers=r1.h)).status_code == 200
    assert (await client.post(f"{B}/{doc_id}/circulation/receive", headers=r1.h)).status_code == 409
    assert (
        await client.post(f"{B}/{doc_id}/circulation/read", json={"remark": "阅"}, headers=r1.h)
    ).status_code == 200
    assert (await client.post(f"{B}/{doc_id}/circulation/receive", headers=r2.h)).status_code == 200
    assert (await client.post(f"{B}/{doc_id}/circulation/read", json={}, headers=r2.h)).status_code == 200
    r = await client.post(f"{B}/{doc_id}/completion", json={"result": "已按批示办理完毕"}, headers=clerk.h)
    assert r.status_code == 200 and r.json()["state"] == "done"
    detail = (await client.get(f"{B}/{doc_id}", headers=clerk.h)).json()
    circ = detail["circulation"]
    assert [c["reader_id"] for c in circ] == [str(r1.id), str(r2.id)]
    assert all(c["received_at"] and c["read_at"] for c in circ)
    steps = [a["step"] for a in detail["history"]]
    assert steps[:8] == ["sign_in", "open", "register", "review", "classify", "propose", "instruct", "assign"]
    assert steps[-1] == "complete"
    assert {h["role"] for h in detail["handlers"]} == {"lead", "co"}
    async with db.sessionmaker() as s:
        actions = set(
            await s.scalars(text("SELECT action FROM core_audit_log WHERE object_id = :i"), {"i": doc_id})
        )
        deadlines = (
            await s.execute(
                text("SELECT kind, state FROM core_deadlines WHERE object_id = :i ORDER BY id"), {"i": doc_id}
            )
        ).all()
    assert {
        "documents.incoming.sign_in",
        "documents.incoming.instruct",
        "documents.incoming.complete",
    } <= actions
    assert [k for k, _ in deadlines] == ["register", "instruction", "handling"]
    assert all(st == "done" for _, st in deadlines)


async def test_parallel_circulation(client, dtenant, person):
    clerk = await person(dtenant)
    a, b = await person(dtenant), await person(dtenant)
    doc = await to_class(client, clerk.h, "阅件")
    r = await client.post(
        f"{B}/{doc['id']}/circulation",
        json={"reader_ids": [str(a.id), str(b.id)], "parallel": True},
        headers=clerk.h,
    )
    assert r.status_code == 200
    # both may receive at once in a parallel group
    assert (await client.post(f"{B}/{doc['id']}/circulation/receive", headers=b.h)).status_code == 200
    assert (await client.post(f"{B}/{doc['id']}/circulation/receive", headers=a.h)).status_code == 200


async def test_return_and_forward_need_reasons(client, db, dtenant, person):
    clerk = await person(dtenant)
    doc_id = await registered(client, clerk.h)
    r = await client.post(
        f"{B}/{doc_id}/review",
        json={"decision": "return", "reason_code": "越级", "reason": "越级行文，请按程序报送"},
        headers=clerk.h,
    )
    assert r.status_code == 200 and r.json()["state"] == "returned"
    async with db.sessionmaker() as s:
        st = await s.scalar(text("SELECT state FROM core_deadlines WHERE object_id = :i"), {"i": doc_id})
    assert st == "cancelled"
    doc2 = await registered(client, clerk.h)
    r = await client.post(
        f"{B}/{doc2}/review",
        json={"decision": "forward", "reason_code": "非本单位职责", "reason": "属教育局职责"},
        headers=clerk.h,
    )
    assert r.status_code == 422  # forward_to missing
    r = await client.post(
        f"{B}/{doc2}/review",
        json={
            "decision": "forward",
            "reason_code": "非本单位职责",
            "reason": "属教育局职责",
            "forward_to": "县教育局",
        },
        headers=clerk.h,
    )
    assert r.status_code == 200 and r.json()["state"] == "forwarded"


async def test_serials_per_class_and_copy_unnumbered(client, dtenant, other_tenant, person, db):
    clerk = await person(dtenant)
    a = await to_class(client, clerk.h, "办件")
    b = await to_class(client, clerk.h, "办件")
    c = await to_class(client, clerk.h, "抄件")
    d = await to_class(client, clerk.h, "简报")
    assert (a["serial"], b["serial"], c["serial"], d["serial"]) == (1, 2, None, 1)
    assert c["serial_label"] is None and d["serial_label"] == f"简报〔{YEAR}〕0001"
    # another tenant starts from 0001 too
    await enable(db, other_tenant.id)
    other = await person(other_tenant)
    e = await to_class(client, other.h, "办件")
    assert e["serial"] == 1


async def test_sealed_mail_not_opened_by_clerk(client, dtenant, person):
    clerk = await person(
        dtenant, perms=["documents.incoming.register", "documents.incoming.read"], clearance=3
    )
    boss = await person(
        dtenant, perms=["documents.incoming.register", "documents.incoming.read"], clearance=3
    )
    doc = await new_item(client, clerk.h, personal=True, recipient_user_id=str(boss.id))
    r = await client.post(f"{B}/{doc['id']}/open", headers=clerk.h)
    assert r.status_code == 403
    assert (await client.post(f"{B}/{doc['id']}/open", headers=boss.h)).status_code == 200
    secret = await new_item(client, clerk.h, top_secret=True)
    assert secret["classification"] == 3
    assert (await client.post(f"{B}/{secret['id']}/open", headers=clerk.h)).status_code == 403
    # a sealed item is registered from its envelope without opening
    r = await client.post(f"{B}/{secret['id']}/register", json=reg(classification=3), headers=clerk.h)
    assert r.status_code == 200 and r.json()["opened"] is False


async def test_clearance_and_cross_tenant(client, db, dtenant, other_tenant, person):
    clerk = await person(dtenant, clearance=2)
    doc_id = await registered(client, clerk.h, title="机密事项的报告", classification=2)
    low = await person(dtenant, clearance=1)
    assert (await client.get(f"{B}/{doc_id}", headers=low.h)).status_code == 404
    listing = (await client.get(B, headers=low.h)).json()
    assert doc_id not in [i["id"] for i in listing["items"]]
    # cleared but outside the 知悉范围
    outsider = await person(dtenant, clearance=3)
    assert (await client.get(f"{B}/{doc_id}", headers=outsider.h)).status_code == 404
    assert (await client.get(f"{B}/{doc_id}", headers=clerk.h)).status_code == 200
    assert doc_id in [i["id"] for i in (await client.get(B, headers=clerk.h)).json()["items"]]
    async with db.sessionmaker() as s:
        listed = await s.scalar(
            text(
                "SELECT after FROM core_audit_log WHERE action = 'documents.register.list' AND actor_id = :u"
            ),
            {"u": clerk.id},
        )
    assert listed and doc_id in str(listed)
    async with db.sessionmaker() as s:
        reads = await s.scalar(
            text(
                "SELECT count(*) FROM core_audit_log WHERE object_id = :i "
                "AND action = 'documents.incoming.read'"
            ),
            {"i": doc_id},
        )
    assert reads >= 1
    await enable(db, other_tenant.id)
    foreign = await person(other_tenant, clearance=3)
    assert (await client.get(f"{B}/{doc_id}", headers=foreign.h)).status_code == 404
    assert (await client.post(f"{B}/{doc_id}/open", headers=foreign.h)).status_code == 404


async def test_bad_input_changes_nothing(client, db, dtenant, person):
    clerk = await person(dtenant)
    async with db.sessionmaker() as s:
        before = await s.scalar(select(Incoming.id).where(Incoming.tenant_id == dtenant.id).limit(1))
    assert before is None
    r = await client.post(B, json={**ENVELOPE, "copies": 0}, headers=clerk.h)
    assert r.status_code == 422 and r.json()["fields"][0]["field"]
    r = await client.post(B, json={**ENVELOPE, "received_at": "2026-06-01T09:00:00"}, headers=clerk.h)
    assert r.status_code == 422
    r = await client.post(
        B, json={**ENVELOPE, "recipient_user_id": "00000000-0000-0000-0000-000000000001"}, headers=clerk.h
    )
    assert r.status_code == 422
    async with db.sessionmaker() as s:
        n = await s.scalar(
            text("SELECT count(*) FROM documents_incoming WHERE tenant_id = :t"), {"t": dtenant.id}
        )
        d = await s.scalar(
            text("SELECT count(*) FROM core_deadlines WHERE tenant_id = :t"), {"t": dtenant.id}
        )
    assert n == 0 and d == 0


async def test_disabled_tenant_gets_404(client, other_tenant, staff_headers):
    h = await staff_headers(other_tenant, permissions=["documents.incoming.read"])
    assert (await client.get(B, headers=h)).status_code == 404


async def test_corrections_and_error_rate(client, db, dtenant, person):
    clerk = await person(dtenant)
    docs = [await to_class(client, clerk.h, "阅件") for _ in range(3)]
    q = await client.get(f"{B}/quality", params={"year": YEAR}, headers=clerk.h)
    assert q.json()["registered"] == 3 and q.json()["error_rate"] == 0 and q.json()["within_target"]
    target = docs[1]["id"]
    r = await client.post(
        f"{B}/{target}/correction", json={"kind": "classification", "doc_class": "办件"}, headers=clerk.h
    )
    assert r.status_code == 422  # a correction names its reason
    r = await client.post(
        f"{B}/{target}/correction",
        json={"kind": "classification", "doc_class": "办件", "reason": "误分为阅件"},
        headers=clerk.h,
    )
    assert r.status_code == 200 and r.json()["doc_class"] == "办件" and r.json()["serial"] == 1
    r = await client.post(
        f"{B}/{target}/correction",
        json={"kind": "registration", "title": "关于做好防汛抗旱工作的紧急通知", "reason": "标题漏字"},
        headers=clerk.h,
    )
    assert r.status_code == 200
    q = (await client.get(f"{B}/quality", params={"year": YEAR}, headers=clerk.h)).json()
    assert q["corrected"] == 1 and q["error_rate"] == round(1 / 3, 4) and q["within_target"] is False
    assert q["by_kind"] == {"classification": 1, "registration": 1}
    hist = (await client.get(f"{B}/{target}", headers=clerk.h)).json()["history"]
    fixes = [a for a in hist if a["step"] == "correct"]
    assert fixes[0]["data"]["before"]["doc_class"] == "阅件" and fixes[0]["data"]["before"]["serial"] == 2


async def test_sign_in_records_verification(client, dtenant, person):
    clerk = await person(dtenant)
    r = await client.post(B, json={**ENVELOPE, "verified": False}, headers=clerk.h)
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "discrepancy"
    doc = await new_item(client, clerk.h, verified=False, discrepancy="信封标注3份，实收2份")
    detail = (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).json()
    data = detail["history"][0]["data"]
    assert detail["history"][0]["step"] == "sign_in" and data["verified"] is False
    assert data["discrepancy"] == "信封标注3份，实收2份" and data["envelope_no"] == "GZ-0001"


async def test_proposal_routes_a_classified_item_to_the_leader(client, db, dtenant, person):
    clerk = await person(dtenant, clearance=2)
    leader = await person(dtenant, clearance=2, name="常务副县长")
    low_leader = await person(dtenant, clearance=0)
    doc = await to_class(client, clerk.h, "办件", classification=2)
    # the leader is outside the 知悉范围 until the 拟办 routes it to them
    assert (await client.get(f"{B}/{doc['id']}", headers=leader.h)).status_code == 404
    r = await client.post(
        f"{B}/{doc['id']}/proposal",
        json={"opinion": "拟请常务副县长批示", "leader_ids": [str(low_leader.id)]},
        headers=clerk.h,
    )
    assert r.status_code == 422  # not cleared for 机密
    r = await client.post(
        f"{B}/{doc['id']}/proposal",
        json={"opinion": "拟请常务副县长批示", "leader_ids": [str(leader.id)]},
        headers=clerk.h,
    )
    assert r.status_code == 200
    r = await client.post(
        f"{B}/{doc['id']}/instruction", json={"opinion": "请县财政局研究办理"}, headers=leader.h
    )
    assert r.status_code == 200 and r.json()["state"] == "instructed"
    async with db.sessionmaker() as s:
        assignee = await s.scalar(
            text("SELECT assignee_id FROM core_deadlines WHERE object_id = :i AND kind = 'instruction'"),
            {"i": doc["id"]},
        )
    assert str(assignee) == str(leader.id)


async def test_personal_mail_is_seen_by_addressee_and_clerk_only(client, dtenant, person):
    clerk = await person(dtenant)
    boss = await person(dtenant, name="县长")
    colleague = await person(dtenant, perms=[c for c in ALL if c != "documents.incoming.open_sealed"])
    doc = await new_item(client, clerk.h, personal=True, recipient_user_id=str(boss.id))
    assert (await client.get(f"{B}/{doc['id']}", headers=colleague.h)).status_code == 404
    assert doc["id"] not in [i["id"] for i in (await client.get(B, headers=colleague.h)).json()["items"]]
    assert (await client.get(f"{B}/{doc['id']}", headers=boss.h)).status_code == 200
    assert (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).status_code == 200
    # a holder of the special opening permission sees and opens it; the plain colleague cannot open it
    opener = await person(
        dtenant,
        perms=["documents.incoming.register", "documents.incoming.read", "documents.incoming.open_sealed"],
    )
    assert (await client.post(f"{B}/{doc['id']}/open", headers=colleague.h)).status_code == 404
    assert (await client.post(f"{B}/{doc['id']}/open", headers=opener.h)).status_code == 200


async def test_chase_notifies_and_is_recorded(client, db, dtenant, person):
    clerk = await person(dtenant)
    reader = await person(dtenant)
    doc = await to_class(client, clerk.h, "阅件")
    r = await client.post(f"{B}/{doc['id']}/chase", json={"user_ids": [str(reader.id)]}, headers=clerk.h)
    assert r.status_code == 422
    r = await client.post(
        f"{B}/{doc['id']}/chase", json={"user_ids": [str(reader.id)], "note": "请于今日阅毕"}, headers=clerk.h
    )
    assert r.status_code == 200 and r.json()["chased"] == 1
    notes = (await client.get("/api/notifications", headers=reader.h)).json()
    items = notes["items"] if isinstance(notes, dict) else notes
    assert any(n["title"].startswith("催办") for n in items)
    hist = (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).json()["history"]
    assert hist[-1]["step"] == "chase" and hist[-1]["opinion"] == "请于今日阅毕"
