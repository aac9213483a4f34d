"""发文 route through the API: 核稿 → 会签 (all) → 签发; 规范性文件 legal review; 退回;
edit after 签发; versions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from tests.documents.conftest import enable

B = "/api/documents/outgoing"
YEAR = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year


def draft(signer, **kw: Any) -> dict[str, Any]:
    return {
        "doc_type": "通知",
        "direction": "down",
        "issuer_mark": "甘州区人民政府文件",
        "issuer_code": "甘府发",
        "title": "关于做好2026年春季森林防火工作的通知",
        "main_recipients": ["各乡镇人民政府", "区直各部门"],
        "body": "为切实做好春季森林防火工作，现就有关事项通知如下。\n一、提高思想认识\n各单位要高度重视。",
        "signature": "甘州区人民政府",
        "disclosure": "主动公开",
        "signer_id": str(signer.id),
        "printer": "甘州区人民政府办公室",
        **kw,
    }


async def create(client, h, signer, **kw) -> dict[str, Any]:
    r = await client.post(B, json=draft(signer, **kw), headers=h)
    assert r.status_code == 201, r.text
    return r.json()


async def step(client, doc_id, name, h, **body) -> Any:
    return await client.post(f"{B}/{doc_id}/{name}", json=body, headers=h)


async def signed_doc(client, clerk, signer, **kw) -> dict[str, Any]:
    doc = await create(client, clerk.h, signer, **kw)
    assert (await client.post(f"{B}/{doc['id']}/submit", headers=clerk.h)).status_code == 200
    assert (await step(client, doc["id"], "review", clerk.h, opinion="同意")).status_code == 200
    r = await step(client, doc["id"], "sign", signer.h, opinion="同意印发")
    assert r.status_code == 200, r.text
    return r.json()


async def test_route_with_countersign_and_sign(client, db, dtenant, person):
    clerk = await person(dtenant, name="拟稿人")
    signer = await person(dtenant, name="区长")
    c1, c2 = await person(dtenant, name="财政局长"), await person(dtenant, name="教育局长")
    doc = await create(client, clerk.h, signer, countersigners=[str(c1.id), str(c2.id)])
    assert doc["state"] == "draft" and doc["version"] == 1 and len(doc["versions"]) == 1
    r = await client.post(f"{B}/{doc['id']}/submit", headers=clerk.h)
    assert r.json()["state"] == "review" and r.json()["due_date"]
    # a countersigner cannot act during 核稿
    assert (await step(client, doc["id"], "countersign", c1.h)).status_code == 409
    assert (await step(client, doc["id"], "review", clerk.h, opinion="文字已核")).json()[
        "state"
    ] == "countersign"
    r = await step(client, doc["id"], "countersign", c1.h, opinion="同意")
    assert r.status_code == 200 and r.json()["state"] == "countersign"  # still waiting for c2
    assert (await step(client, doc["id"], "countersign", c1.h)).status_code == 409  # twice
    outsider = await person(dtenant)
    assert (await step(client, doc["id"], "countersign", outsider.h)).status_code in (403, 404)
    # the signer can't sign before all co-issuers have countersigned
    assert (await step(client, doc["id"], "sign", signer.h)).status_code == 409
    r = await step(client, doc["id"], "countersign", c2.h, opinion="同意")
    assert r.json()["state"] == "sign"  # 非规范性文件: no legal review
    other_leader = await person(dtenant)
    assert (await step(client, doc["id"], "sign", other_leader.h)).status_code == 403
    r = await step(client, doc["id"], "sign", signer.h, opinion="同意印发", written_date="2026-03-02")
    assert r.json()["state"] == "signed" and r.json()["written_date"] == "2026-03-02"
    detail = (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).json()
    sign = next(a for a in detail["history"] if a["step"] == "sign")
    assert sign["opinion"] == "同意印发" and sign["actor_name"] == "区长" and sign["at"]
    assert [a["step"] for a in detail["history"]].count("countersign") == 2
    async with db.sessionmaker() as s:
        acts = set(
            await s.scalars(text("SELECT action FROM core_audit_log WHERE object_id = :i"), {"i": doc["id"]})
        )
    assert {"documents.outgoing.review", "documents.outgoing.countersign", "documents.outgoing.sign"} <= acts


async def test_normative_needs_legal_review(client, dtenant, person):
    clerk, signer, legal = await person(dtenant), await person(dtenant), await person(dtenant)
    # even a tenant route without legal review keeps it for 规范性文件
    r = await client.put("/api/documents/route", json={"steps": ["review", "sign"]}, headers=clerk.h)
    assert r.status_code == 200
    doc = await create(client, clerk.h, signer, normative=True, doc_type="决定")
    await client.post(f"{B}/{doc['id']}/submit", headers=clerk.h)
    r = await step(client, doc["id"], "review", clerk.h)
    assert r.json()["state"] == "legal_review"
    assert (await step(client, doc["id"], "sign", signer.h)).status_code == 409
    no_perm = await person(dtenant, perms=["documents.outgoing.read"])
    assert (await step(client, doc["id"], "legal-review", no_perm.h)).status_code == 403
    r = await step(client, doc["id"], "legal-review", legal.h, opinion="经审查合法")
    assert r.json()["state"] == "sign"
    assert (await step(client, doc["id"], "sign", signer.h)).json()["state"] == "signed"
    bad = await client.put("/api/documents/route", json={"steps": ["sign", "review"]}, headers=clerk.h)
    assert bad.status_code == 422
    assert (await client.get("/api/documents/route", headers=clerk.h)).json()["steps"] == ["review", "sign"]


async def test_send_back_needs_reason_and_returns_to_draft(client, dtenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    doc = await create(client, clerk.h, signer)
    await client.post(f"{B}/{doc['id']}/submit", headers=clerk.h)
    assert (await step(client, doc["id"], "return", clerk.h)).status_code == 422
    assert (await step(client, doc["id"], "return", clerk.h, reason="")).status_code == 422
    r = await step(client, doc["id"], "return", clerk.h, reason="标题不规范，请修改")
    assert r.json()["state"] == "draft"
    r = await client.patch(
        f"{B}/{doc['id']}",
        json={"title": "关于做好春季森林防火工作的通知", "reason": "按核稿意见修改"},
        headers=clerk.h,
    )
    assert r.json()["version"] == 2 and [v["version"] for v in r.json()["versions"]] == [1, 2]
    assert r.json()["versions"][0]["title"] == "关于做好2026年春季森林防火工作的通知"
    await client.post(f"{B}/{doc['id']}/submit", headers=clerk.h)
    # the signer returns too
    await step(client, doc["id"], "review", clerk.h)
    r = await step(client, doc["id"], "return", signer.h, reason="请补充责任分工")
    assert r.json()["state"] == "draft"
    detail = (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).json()
    returns = [a for a in detail["history"] if a["step"] == "return"]
    assert [a["opinion"] for a in returns] == ["标题不规范，请修改", "请补充责任分工"]


async def test_edit_after_sign_returns_to_signer_and_keeps_number(client, dtenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    doc = await signed_doc(client, clerk, signer)
    r = await client.post(f"{B}/{doc['id']}/number", headers=clerk.h)
    number = r.json()["doc_number"]
    assert r.json()["state"] == "numbered" and number.startswith("甘府发〔") and number.endswith("号")
    r = await client.patch(
        f"{B}/{doc['id']}", json={"body": "修改后的正文。", "reason": "领导要求调整"}, headers=clerk.h
    )
    assert r.json()["state"] == "sign" and r.json()["version"] == 2
    r = await step(client, doc["id"], "sign", signer.h, opinion="同意")
    assert r.json()["state"] == "numbered" and r.json()["doc_number"] == number
    again = await client.post(f"{B}/{doc['id']}/number", headers=clerk.h)
    assert again.json()["doc_number"] == number


async def test_upward_rules(client, dtenant, person):
    clerk = await person(dtenant)
    signer = await person(dtenant, perms=["documents.outgoing.sign", "documents.outgoing.read"])
    body = draft(signer, doc_type="请示", direction="up", main_recipients=["市人民政府", "市财政局"])
    r = await client.post(B, json=body, headers=clerk.h)
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "main_recipients"
    r = await client.post(
        B, json={**body, "direction": "down", "main_recipients": ["市人民政府"]}, headers=clerk.h
    )
    assert r.status_code == 422  # 请示 is upward
    r = await client.post(B, json={**body, "main_recipients": ["市人民政府"]}, headers=clerk.h)
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "signers"  # 上行文 shows 签发人
    doc = await create(
        client,
        clerk.h,
        signer,
        doc_type="请示",
        direction="up",
        main_recipients=["市人民政府"],
        signers=["王某"],
    )
    await client.post(f"{B}/{doc['id']}/submit", headers=clerk.h)
    await step(client, doc["id"], "review", clerk.h)
    # the signer lacks the principal leader's upward-signing permission
    assert (await step(client, doc["id"], "sign", signer.h)).status_code == 403
    r = await client.post(B, json={**draft(signer), "disclosure": "不予公开"}, headers=clerk.h)
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "disclosure_reason"


async def test_outgoing_search_and_clearance(client, dtenant, other_tenant, person, db):
    clerk = await person(dtenant, clearance=1)
    signer = await person(dtenant)
    await create(client, clerk.h, signer, title="关于加强城乡饮用水水源地保护的意见", doc_type="意见")
    r = await client.post(
        B, json=draft(signer, title="关于秘密事项的通知", classification=1), headers=clerk.h
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "copy_no"
    await create(client, clerk.h, signer, title="关于秘密事项的通知", classification=1, copy_no="000001")
    r = await client.get(B, params={"q": "饮用水"}, headers=clerk.h)
    assert r.json()["total"] == 1 and "饮用水" in r.json()["items"][0]["title"]
    r = await client.get(B, params={"q": "水源地保护"}, headers=clerk.h)
    assert r.json()["total"] == 1
    low = await person(dtenant, clearance=0)
    titles = [i["title"] for i in (await client.get(B, params={"limit": 200}, headers=low.h)).json()["items"]]
    assert "关于秘密事项的通知" not in titles and "关于加强城乡饮用水水源地保护的意见" in titles
    r = await client.get(B, params={"q": "   "}, headers=clerk.h)
    assert r.status_code in (200, 422)
    r = await client.get(B, params={"year": YEAR, "q": "饮用水"}, headers=clerk.h)
    assert r.json()["total"] == 1
    r = await client.get(B, params={"year": YEAR - 1, "q": "饮用水"}, headers=clerk.h)
    assert r.json()["total"] == 0
    r = await client.get(B, params={"limit": 0}, headers=clerk.h)
    assert r.status_code == 422


async def test_bad_draft_changes_nothing(client, db, dtenant, other_tenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    await enable(db, other_tenant.id)
    foreigner = await person(other_tenant)
    for body in (
        draft(signer, countersigners=[str(foreigner.id)]),  # a co-issuer of another tenant
        draft(foreigner),  # a signer of another tenant
        draft(signer, copy_no="12345"),  # 份号 has 6 digits
        draft(signer, issuer_code="GFF"),  # 机关代字 in Chinese
        {**draft(signer), "doc_type": "便函"},  # not one of the 15 types
        draft(signer, classification=3),  # above the drafter's clearance
    ):
        r = await client.post(B, json=body, headers=clerk.h)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["code"] and r.json()["messages"]["en"]
    async with db.sessionmaker() as s:
        n = await s.scalar(
            text("SELECT count(*) FROM documents_outgoing WHERE tenant_id = :t"), {"t": dtenant.id}
        )
        v = await s.scalar(
            text(
                "SELECT count(*) FROM documents_versions v JOIN documents_outgoing o ON o.id = v.outgoing_id "
                "WHERE o.tenant_id = :t"
            ),
            {"t": dtenant.id},
        )
    assert n == 0 and v == 0


async def test_route_changed_under_a_draft(client, dtenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    doc = await create(client, clerk.h, signer)
    assert (await client.post(f"{B}/{doc['id']}/submit", headers=clerk.h)).json()["state"] == "review"
    assert (
        await client.put("/api/documents/route", json={"steps": ["sign"]}, headers=clerk.h)
    ).status_code == 200
    r = await step(client, doc["id"], "review", clerk.h, opinion="已核")
    assert r.status_code == 200 and r.json()["state"] == "sign"
    bad = await client.post(B, json=draft(signer, secrecy_period="十年", classification=0), headers=clerk.h)
    assert bad.status_code == 422
