"""市长信箱 (proof-read before publication, rating and redo) and statistics with the Excel export."""

from __future__ import annotations

import datetime as dt
import io
import secrets

import pytest
from openpyxl import load_workbook

from plugins.petitions import workflow
from tests.petitions.helpers import case_body, challenge, enable, submit, th

MAIL = "/api/petitions/public/mail"


async def _mail(client, tenant, **kw):
    body = {
        "name": "王五",
        "phone": "13600001234",
        "category": "urban",
        "subject": "路灯不亮",
        "body": "解放路路灯已坏一周",
        "allow_publish": True,
        "idempotency_key": secrets.token_hex(10),
        **kw,
    }
    return await client.post(MAIL, json={**body, **await challenge(client, tenant)}, headers=th(tenant))


async def test_mailbox_reply_needs_proofread_before_publication(client, db, tenant, staff_headers):
    await enable(db, tenant)
    r = await _mail(client, tenant)
    assert r.status_code == 201, r.text
    mid, code = r.json()["number"], r.json()["query_code"]
    quiet = await _mail(client, tenant, allow_publish=False, subject="私信")
    handler = await staff_headers(tenant, ["petitions.mail.handle"])
    proof = await staff_headers(tenant, ["petitions.mail.proofread", "petitions.mail.handle"])
    page = (await client.get("/api/petitions/mail", headers=handler)).json()
    lst = page["items"]
    assert page["total"] == 2 and {m["name"] for m in lst} == {"王*"} and lst[0]["phone"] == "136****1234"
    # subject search and status filter; an unknown status is refused, not ignored
    found = (await client.get("/api/petitions/mail", params={"q": "私"}, headers=handler)).json()
    assert found["total"] == 1 and found["items"][0]["subject"] == "私信"
    r = await client.get("/api/petitions/mail", params={"status": "lost"}, headers=handler)
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "status"
    # publication before any proof-read is refused
    assert (await client.post(f"/api/petitions/mail/{mid}/publish", headers=proof)).status_code == 409
    r = await client.post(
        f"/api/petitions/mail/{mid}/reply", json={"text": "已安排维修，三日内修复。"}, headers=proof
    )
    assert r.status_code == 200 and r.json()["status"] == "proofreading"
    # the author cannot proof-read their own reply; the citizen does not see an unchecked reply
    r = await client.post(f"/api/petitions/mail/{mid}/proofread", json={"approve": True}, headers=proof)
    assert r.status_code == 409 and r.json()["code"] == "own_reply"
    t = await client.post(f"{MAIL}/track", json={"query_code": code, "last4": "1234"}, headers=th(tenant))
    assert t.status_code == 200 and t.json()["reply_text"] is None
    assert (
        await client.post(f"/api/petitions/mail/{mid}/proofread", json={"approve": True}, headers=handler)
    ).status_code == 403
    r = await client.post(
        f"/api/petitions/mail/{mid}/reply", json={"text": "已安排维修，三日内修复"}, headers=handler
    )
    r = await client.post(
        f"/api/petitions/mail/{mid}/proofread",
        json={"approve": True, "corrected_text": "已安排维修，三日内修复。"},
        headers=proof,
    )
    assert r.status_code == 200 and r.json()["status"] == "replied" and r.json()["reply_text"].endswith("。")
    assert (await client.get(MAIL, headers=th(tenant))).json()["total"] == 0
    assert (await client.post(f"/api/petitions/mail/{mid}/publish", headers=proof)).status_code == 200
    page = (await client.get(MAIL, params={"page_size": 1}, headers=th(tenant))).json()
    assert page["total"] == 1 and page["items"][0]["reply_text"] == "已安排维修，三日内修复。"
    assert "王五" not in str(page) and "13600001234" not in str(page)
    # a message whose author did not allow publication is never published
    qid = quiet.json()["number"]
    await client.post(f"/api/petitions/mail/{qid}/reply", json={"text": "已转交"}, headers=handler)
    await client.post(f"/api/petitions/mail/{qid}/proofread", json={"approve": True}, headers=proof)
    r = await client.post(f"/api/petitions/mail/{qid}/publish", headers=proof)
    assert r.status_code == 409 and r.json()["code"] == "publish_not_allowed"
    # 不满意 → back to handling, unpublished
    r = await client.post(
        f"{MAIL}/rate",
        json={"query_code": code, "last4": "1234", "rating": "dissatisfied"},
        headers=th(tenant),
    )
    assert r.status_code == 200 and r.json()["status"] == "handling"
    assert (await client.get(MAIL, headers=th(tenant))).json()["total"] == 0
    # replay of the idempotency key returns the same message
    again = await _mail(client, tenant, idempotency_key="k" * 20)
    replay = await _mail(client, tenant, idempotency_key="k" * 20)
    assert replay.status_code == 200 and replay.json()["number"] == again.json()["number"]


@pytest.fixture
def late_today(monkeypatch):
    monkeypatch.setattr(workflow, "today", lambda: dt.date(2026, 12, 31))


async def test_statistics_and_export(client, db, tenant, staff_headers, late_today):
    await enable(db, tenant)
    h = await staff_headers(
        tenant, ["petitions.cases.register", "petitions.cases.handle", "petitions.stats.read"]
    )
    body = {k: v for k, v in case_body().items() if k != "idempotency_key"}
    ids = []
    for i, (cat, day) in enumerate(
        [
            ("environment", "2026-03-02"),
            ("environment", "2026-03-05"),
            ("land", "2026-04-01"),
            ("land", "2025-04-01"),
        ]
    ):
        r = await client.post(
            "/api/petitions/cases",
            json={
                **body,
                "phone": f"1380000{i:04d}",
                "title": f"事项{i}",
                "facts": f"不同的事实{i}" * 3,
                "category": cat,
                "channel": "visit" if i == 0 else "letter",
                "headcount": 8 if i == 0 else 1,
                "representatives": [{"name": "甲"}] if i == 0 else [],
                "received_on": day,
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    # two accepted; one answered on time and rated satisfied
    for cid, day in ((ids[0], "2026-03-03"), (ids[1], "2026-03-06")):
        await client.post(f"/api/petitions/cases/{cid}/decision", json={"accept": True, "on": day}, headers=h)
    await client.post(
        f"/api/petitions/cases/{ids[0]}/answer",
        json={"answer_type": "support", "text": "已办", "basis": "依据", "on": "2026-03-20"},
        headers=h,
    )
    await client.post(f"/api/petitions/cases/{ids[0]}/followup", json={"rating": "satisfied"}, headers=h)
    r = await client.get(
        "/api/petitions/stats",
        params={"by": "category", "date_from": "2026-01-01", "date_to": "2026-12-31"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    rows = {x["key"]: x for x in r.json()["rows"]}
    env = rows["environment"]
    assert (env["total"], env["accepted"], env["answered"], env["on_time"]) == (2, 2, 1, 1)
    assert env["answer_rate"] == 0.5 and env["on_time_rate"] == 1.0 and env["satisfaction_rate"] == 1.0
    assert rows["land"]["total"] == 1
    yoy = r.json()["year_on_year"]
    assert yoy["total"] == {"current": 3, "last_year": 1, "change": 2.0}
    assert yoy["group_batches"]["current"] == 1 and yoy["group_people"]["current"] == 8
    months = {
        x["key"]
        for x in (
            await client.get(
                "/api/petitions/stats",
                params={"by": "month", "date_from": "2026-01-01", "date_to": "2026-12-31"},
                headers=h,
            )
        ).json()["rows"]
    }
    assert months == {"2026-03", "2026-04"}
    assert (await client.get("/api/petitions/stats", params={"by": "nonsense"}, headers=h)).status_code == 422
    r = await client.get(
        "/api/petitions/stats/export", params={"date_from": "2026-01-01", "date_to": "2026-12-31"}, headers=h
    )
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["按单位", "按类别", "按月份"]
    cats = {row[0].value: row[1].value for row in wb["按类别"].iter_rows(min_row=2)}
    assert cats == {"environment": 2, "land": 1}
    hot = (await client.get("/api/petitions/stats/hot-topics", params={"days": 366}, headers=h)).json()
    assert hot[0]["category"] in ("environment", "land") and hot[0]["recent"] >= 1
    _ = submit


async def test_hotline_call_registered_by_operator(client, db, tenant, other_tenant, staff_headers):
    await enable(db, tenant)
    op = await staff_headers(tenant, ["petitions.mail.handle"])
    body = {
        "name": "赵六",
        "phone": "13500005678",
        "category": "labour",
        "subject": "拖欠工资",
        "body": "某公司拖欠三个月工资",
    }
    assert (
        await client.post("/api/petitions/mail", json={**body, "category": "x"}, headers=op)
    ).status_code == 422
    r = await client.post("/api/petitions/mail", json=body, headers=op)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["name"] == "赵*" and out["status"] == "received" and len(out["query_code"]) == 23
    t = await client.post(
        f"{MAIL}/track", json={"query_code": out["query_code"], "last4": "5678"}, headers=th(tenant)
    )
    assert t.status_code == 200 and t.json()["subject"] == "拖欠工资"
    await enable(db, other_tenant)
    foreign = await staff_headers(other_tenant, ["petitions.mail.handle"])
    assert (await client.get(f"/api/petitions/mail/{out['id']}", headers=foreign)).status_code == 404
