"""Print copies from distribution lists (recalculated on change), 用印, dispatch (密件不得代领),
PDF, Excel export and search."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text

from tests.documents.test_incoming import registered
from tests.documents.test_outgoing import B, signed_doc

L = "/api/documents/distribution-lists"


async def _list(client, h, name, entries) -> str:
    r = await client.post(
        L, json={"name": name, "entries": [{"recipient": n, "copies": c} for n, c in entries]}, headers=h
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_print_copies_follow_the_lists(client, db, dtenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    county = await _list(client, clerk.h, "各乡镇及区直部门", [("各乡镇人民政府", 18), ("区直各部门", 140)])
    province = await _list(
        client, clerk.h, "省直部门", [("省政府办公厅", 5), ("省发改委", 5), ("省财政厅", 5)]
    )
    doc = await signed_doc(client, clerk, signer)
    r = await client.post(
        f"{B}/{doc['id']}/distribution", json={"list_ids": [county, province]}, headers=clerk.h
    )
    assert r.status_code == 200 and r.json()["print_copies"] == 158 + 15 + 2  # + 2 archive copies
    # adding enterprises to the county list rescales the open document
    r = await client.put(
        f"{L}/{county}",
        json={
            "name": "各乡镇及区直部门",
            "entries": [
                {"recipient": "各乡镇人民政府", "copies": 18},
                {"recipient": "区直各部门", "copies": 140},
                {"recipient": "区属企业", "copies": 69},
            ],
        },
        headers=clerk.h,
    )
    assert r.json()["recalculated"] == 1 and r.json()["copies"] == 227
    got = (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).json()
    assert got["print_copies"] == 227 + 15 + 2 and len(got["recipients"]) == 6
    # removing a list, adding one by hand (a recipient on two sources counts once)
    r = await client.post(
        f"{B}/{doc['id']}/distribution",
        json={
            "list_ids": [province],
            "extra": [{"recipient": "省财政厅", "copies": 5}, {"recipient": "市政府办公室", "copies": 3}],
        },
        headers=clerk.h,
    )
    assert r.json()["print_copies"] == 15 + 3 + 2
    bad = await client.post(
        f"{B}/{doc['id']}/distribution", json={"extra": [{"recipient": "x", "copies": 0}]}, headers=clerk.h
    )
    assert bad.status_code == 422
    assert (await client.get(f"{B}/{doc['id']}", headers=clerk.h)).json()["print_copies"] == 20
    dup = await client.post(
        L, json={"name": "省直部门", "entries": [{"recipient": "a", "copies": 1}]}, headers=clerk.h
    )
    assert dup.status_code == 409


async def test_seal_and_dispatch_classified_no_proxy(client, db, dtenant, person):
    clerk = await person(dtenant, clearance=2)
    signer = await person(dtenant, clearance=2)
    doc = await signed_doc(client, clerk, signer, classification=2, copy_no="000001")
    # not numbered yet: no seal
    assert (
        await client.post(
            f"{B}/{doc['id']}/seal", json={"seal_name": "区政府印", "copies": 10}, headers=clerk.h
        )
    ).status_code == 409
    await client.post(f"{B}/{doc['id']}/number", headers=clerk.h)
    await client.post(
        f"{B}/{doc['id']}/distribution",
        json={"extra": [{"recipient": "市政府", "copies": 3}]},
        headers=clerk.h,
    )
    disp = {"recipient": "市政府", "copies": 1, "receiver_name": "张三", "copy_numbers": "000001"}
    assert (await client.post(f"{B}/{doc['id']}/dispatches", json=disp, headers=clerk.h)).status_code == 409
    r = await client.post(
        f"{B}/{doc['id']}/seal", json={"seal_name": "区政府印", "copies": 6}, headers=clerk.h
    )
    assert r.status_code == 409  # more than the 5 printed copies
    r = await client.post(
        f"{B}/{doc['id']}/seal", json={"seal_name": "区政府印", "copies": 5}, headers=clerk.h
    )
    assert r.status_code == 200 and r.json()["seals"][0]["copies"] == 5
    r = await client.post(f"{B}/{doc['id']}/dispatches", json={**disp, "proxy": True}, headers=clerk.h)
    assert r.status_code == 409 and r.json()["code"] == "classified_no_proxy"
    r = await client.post(f"{B}/{doc['id']}/dispatches", json=disp, headers=clerk.h)
    assert r.status_code == 200 and r.json()["dispatches"][0]["receiver_name"] == "张三"
    assert len(r.json()["dispatches"]) == 1
    async with db.sessionmaker() as s:
        acts = list(
            await s.scalars(
                text(
                    "SELECT action FROM core_audit_log WHERE object_id = :i "
                    "AND action LIKE 'documents.outgoing.%' "
                    "AND action <> 'documents.outgoing.read' ORDER BY id"
                ),
                {"i": doc["id"]},
            )
        )
    assert acts[-2:] == ["documents.outgoing.seal", "documents.outgoing.dispatch"]


async def test_unclassified_may_be_collected_by_proxy(client, dtenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    doc = await signed_doc(client, clerk, signer, seal=False)
    await client.post(f"{B}/{doc['id']}/number", headers=clerk.h)
    r = await client.post(
        f"{B}/{doc['id']}/dispatches",
        json={"recipient": "区教育局", "copies": 2, "receiver_name": "李四（代领）", "proxy": True},
        headers=clerk.h,
    )
    assert r.status_code == 200 and r.json()["dispatches"][0]["proxy"] is True


async def test_pdf(client, dtenant, person):
    clerk, signer = await person(dtenant), await person(dtenant)
    doc = await signed_doc(client, clerk, signer, written_date="2026-07-01")
    assert (await client.get(f"{B}/{doc['id']}/pdf", headers=clerk.h)).status_code == 409
    await client.post(f"{B}/{doc['id']}/number", headers=clerk.h)
    r = await client.get(f"{B}/{doc['id']}/pdf", headers=clerk.h)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/pdf") and r.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(r.content)).pages
    assert len(pages) >= 1


async def test_excel_export_respects_clearance(client, dtenant, person):
    clerk = await person(dtenant, clearance=2)
    await registered(client, clerk.h, title="普通来文的通知")
    await registered(client, clerk.h, title="机密来文的报告", classification=2)
    r = await client.get("/api/documents/incoming/export", headers=clerk.h)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and {row[5] for row in rows[1:]} == {"普通来文的通知", "机密来文的报告"}
    low = await person(dtenant, clearance=0)
    r = await client.get("/api/documents/incoming/export", headers=low.h)
    titles = {
        row[5] for row in list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))[1:]
    }
    assert titles == {"普通来文的通知"}
    no_export = await person(dtenant, perms=["documents.incoming.read"])
    assert (await client.get("/api/documents/incoming/export", headers=no_export.h)).status_code == 403
    no_read = await person(dtenant, perms=["documents.export"])
    assert (await client.get("/api/documents/incoming/export", headers=no_read.h)).status_code == 403


async def test_incoming_search_finds_chinese(client, dtenant, person):
    clerk = await person(dtenant)
    await registered(client, clerk.h, title="关于开展安全生产大检查的通知", body="重点检查危险化学品企业")
    await registered(client, clerk.h, title="关于做好秋季农业生产的意见", body="抓好秋粮收购")
    r = await client.get("/api/documents/incoming", params={"q": "危险化学品"}, headers=clerk.h)
    assert [i["title"] for i in r.json()["items"]] == ["关于开展安全生产大检查的通知"]
    r = await client.get("/api/documents/incoming", params={"q": "农业生产"}, headers=clerk.h)
    assert r.json()["total"] == 1
    r = await client.get("/api/documents/incoming", params={"limit": 1, "offset": 1}, headers=clerk.h)
    assert r.json()["total"] == 2 and len(r.json()["items"]) == 1


async def test_outgoing_export(client, db, dtenant, person):
    clerk, signer = await person(dtenant, clearance=1), await person(dtenant, clearance=1)
    a = await signed_doc(client, clerk, signer, title="关于印发工作要点的通知")
    await signed_doc(client, clerk, signer, title="关于秘密工作的通知", classification=1, copy_no="000001")
    await client.post(f"{B}/{a['id']}/number", headers=clerk.h)
    r = await client.get(f"{B}/export", headers=clerk.h)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "发文字号" and len(rows) == 3
    assert any(
        row[0] and row[0].startswith("甘府发〔") and row[2] == "关于印发工作要点的通知" for row in rows[1:]
    )
    low = await person(dtenant, clearance=0)
    rows = list(
        load_workbook(io.BytesIO((await client.get(f"{B}/export", headers=low.h)).content)).active.iter_rows(
            values_only=True
        )
    )
    assert [row[2] for row in rows[1:]] == ["关于印发工作要点的通知"]
    async with db.sessionmaker() as s:
        n = await s.scalar(
            text(
                "SELECT count(*) FROM core_audit_log WHERE tenant_id = :t "
                "AND action = 'documents.register.export'"
            ),
            {"t": dtenant.id},
        )
    assert n == 2
