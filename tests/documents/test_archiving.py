"""归档 of 发文 and 收文 through the core archive service (issue #8), on the real stack.

The archive job runs inline (``core.archive.run.archive_request``), as tests/archive do: one 档号 per
document, objects (PDF/A, scans, 处理单, XML record) in the archive bucket, and the document frozen
afterwards (409 ``document_archived``, nothing changed). Preconditions, other tenants and clearance are
refused with nothing requested.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

from pypdf import PdfReader
from sqlalchemy import func, select, text

from core.archive.models import ArchivedItem, ArchiveRequest
from core.archive.run import archive_bucket, archive_request
from plugins.documents.archiving import collect_incoming, collect_outgoing
from tests.documents.conftest import ALL, enable
from tests.documents.test_incoming import YEAR, registered
from tests.documents.test_incoming import B as IN
from tests.documents.test_outgoing import B as OUT
from tests.documents.test_outgoing import create, signed_doc, step

ARCHIVE = "documents.archive"
CLERK = [*ALL, ARCHIVE, "core.files.upload"]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


async def _upload(client: Any, h: dict[str, str], name: str) -> str:
    up = await client.post(
        "/api/files",
        params={"plugin": "documents"},
        content=PDF + name.encode(),
        headers={**h, "X-File-Name": quote(name), "Content-Type": "application/pdf"},
    )
    assert up.status_code == 201, up.text
    return str(up.json()["id"])


async def _requests(db: Any, tenant_id: uuid.UUID) -> int:
    async with db.sessionmaker() as s:
        q = select(func.count()).select_from(ArchiveRequest).where(ArchiveRequest.tenant_id == tenant_id)
        return int(await s.scalar(q) or 0)


async def _audit_count(db: Any, doc_id: str) -> int:
    async with db.sessionmaker() as s:
        q = text("SELECT count(*) FROM core_audit_log WHERE object_id = :i")
        return int(await s.scalar(q, {"i": doc_id}) or 0)


def _objects(tenant_id: uuid.UUID, archive_no: str) -> dict[str, bytes]:
    bucket = archive_bucket()
    out = {}
    for obj in bucket.client.list_objects(bucket.bucket, prefix=f"{tenant_id}/{archive_no}/", recursive=True):
        resp = bucket.client.get_object(bucket.bucket, obj.object_name)
        try:
            out[obj.object_name.rsplit("/", 1)[1]] = resp.read()
        finally:
            resp.close()
            resp.release_conn()
    return out


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


async def _archive(client: Any, db: Any, kind: str, doc_id: str, h: dict[str, str]) -> ArchivedItem:
    r = await client.post(f"/api/documents/{kind}/{doc_id}/archive", headers=h)
    assert r.status_code == 202, r.text
    body = r.json()
    assert (
        body["state"] == "requested" and body["kind"] == f"documents.{kind}" and body["object_id"] == doc_id
    )
    assert await archive_request(db, uuid.UUID(body["id"])) == "archived"
    async with db.sessionmaker() as s:
        item = await s.scalar(select(ArchivedItem).where(ArchivedItem.object_id == doc_id))
        req = await s.get(ArchiveRequest, uuid.UUID(body["id"]))
    assert item is not None and req is not None and req.state == "archived"
    return item


async def test_archive_outgoing(client, db, dtenant, units, person):
    clerk = await person(dtenant, perms=CLERK, name="文秘")
    signer = await person(dtenant, name="区长")
    doc = await create(client, clerk.h, signer, unit_id=str(units["zfb"]))
    fid = await _upload(client, clerk.h, "附件一.pdf")
    r = await client.post(f"{OUT}/{doc['id']}/attachments", json={"file_id": fid}, headers=clerk.h)
    assert r.status_code == 200, r.text
    await client.post(f"{OUT}/{doc['id']}/submit", headers=clerk.h)
    assert (await step(client, doc["id"], "review", clerk.h, opinion="同意")).status_code == 200
    assert (await step(client, doc["id"], "sign", signer.h, opinion="同意印发")).status_code == 200
    # signed but without its 文号: not yet archivable, and nothing is requested
    r = await client.post(f"{OUT}/{doc['id']}/archive", headers=clerk.h)
    assert r.status_code == 409 and r.json()["code"] == "not_archivable"
    assert await _requests(db, dtenant.id) == 0
    assert (await client.post(f"{OUT}/{doc['id']}/number", headers=clerk.h)).status_code == 200
    # without the permission: 403
    plain = await person(dtenant, perms=ALL)
    assert (await client.post(f"{OUT}/{doc['id']}/archive", headers=plain.h)).status_code == 403

    item = await _archive(client, db, "outgoing", doc["id"], clerk.h)
    assert item.archive_no == f"J001-WS·{YEAR}-Y-ZFB-0001"
    assert item.doc_no == f"甘府发〔{YEAR}〕1号" and item.responsible == "甘州区人民政府"
    assert item.retention == "Y" and item.pages >= 1
    objects = _objects(dtenant.id, item.archive_no)
    assert sorted(objects) == ["00-metadata.xml", f"01-甘府发_{YEAR}_1号.pdf", "02-附件一.pdf"]
    original = objects[f"01-甘府发_{YEAR}_1号.pdf"]
    assert original.startswith(b"%PDF") and b"pdfaid:part>2<" in original and b"GTS_PDFA1" in original
    assert "森林防火" in _pdf_text(original)
    assert objects["02-附件一.pdf"] == PDF + "附件一.pdf".encode()
    record = ET.fromstring(objects["00-metadata.xml"])
    assert record.findtext("档号") == item.archive_no and record.findtext("保管期限") == "永久"
    assert record.findtext("文号") == item.doc_no and record.findtext("机构或问题") == "ZFB"
    assert [f.get("类别") for f in record.iter("电子文件")] == ["original", "attachment"]

    detail = (await client.get(f"{OUT}/{doc['id']}", headers=clerk.h)).json()
    assert detail["archive_no"] == item.archive_no and detail["archived_at"]
    audits = await _audit_count(db, doc["id"])
    # every mutation of an archived 发文 is refused, and nothing changes
    fid2 = await _upload(client, clerk.h, "附件二.pdf")
    attempts = [
        ("PATCH", f"{OUT}/{doc['id']}", {"title": "改动的标题", "reason": "改"}, clerk),
        ("POST", f"{OUT}/{doc['id']}/number", {}, clerk),
        ("POST", f"{OUT}/{doc['id']}/seal", {"seal_name": "区政府印", "copies": 2}, clerk),
        ("POST", f"{OUT}/{doc['id']}/distribution", {"extra": [{"recipient": "财政局", "copies": 1}]}, clerk),
        (
            "POST",
            f"{OUT}/{doc['id']}/dispatches",
            {"recipient": "财政局", "copies": 1, "receiver_name": "张三"},
            clerk,
        ),
        ("POST", f"{OUT}/{doc['id']}/attachments", {"file_id": fid2}, clerk),
        ("POST", f"{OUT}/{doc['id']}/return", {"reason": "重办"}, signer),
        ("POST", f"{OUT}/{doc['id']}/archive", {}, clerk),
    ]
    for method, path, body, who in attempts:
        r = await client.request(method, path, json=body, headers=who.h)
        assert r.status_code == 409 and r.json()["code"] == "document_archived", (path, r.text)
        assert r.json()["messages"]["zh-CN"]
    after = (await client.get(f"{OUT}/{doc['id']}", headers=clerk.h)).json()
    assert after == detail
    assert await _audit_count(db, doc["id"]) == audits
    assert await _requests(db, dtenant.id) == 1


async def _completed(client: Any, clerk: Any, leader: Any, unit: uuid.UUID, **kw: Any) -> str:
    doc_id = await registered(client, clerk.h, **kw)
    assert (
        await client.post(f"{IN}/{doc_id}/review", json={"decision": "accept"}, headers=clerk.h)
    ).is_success
    assert (
        await client.post(f"{IN}/{doc_id}/classify", json={"doc_class": "办件"}, headers=clerk.h)
    ).is_success
    r = await client.post(
        f"{IN}/{doc_id}/proposal",
        json={"opinion": "拟请县长阅示", "leader_ids": [str(leader.id)]},
        headers=clerk.h,
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        f"{IN}/{doc_id}/instruction", json={"opinion": "请财政局牵头办理"}, headers=leader.h
    )
    assert r.status_code == 200, r.text
    r = await client.post(f"{IN}/{doc_id}/assignment", json={"lead_unit_id": str(unit)}, headers=clerk.h)
    assert r.status_code == 200, r.text
    return doc_id


async def test_archive_incoming_with_processing_sheet(client, db, dtenant, units, person):
    clerk = await person(dtenant, perms=CLERK, name="文秘乙")
    leader = await person(dtenant, name="县长甲")
    doc_id = await _completed(client, clerk, leader, units["cz"])
    fid = await _upload(client, clerk.h, "扫描件.pdf")
    r = await client.post(f"{IN}/{doc_id}/attachments", json={"file_id": fid}, headers=clerk.h)
    assert r.status_code == 200, r.text
    # still being handled: 409 and nothing requested
    r = await client.post(f"{IN}/{doc_id}/archive", headers=clerk.h)
    assert r.status_code == 409 and r.json()["code"] == "not_archivable"
    assert await _requests(db, dtenant.id) == 0
    r = await client.post(f"{IN}/{doc_id}/completion", json={"result": "已按批示办结"}, headers=clerk.h)
    assert r.status_code == 200 and r.json()["state"] == "done"

    item = await _archive(client, db, "incoming", doc_id, clerk.h)
    assert item.archive_no == f"J001-WS·{YEAR}-D30-CZ-0001" and item.retention == "D30"
    assert item.doc_no == "市府发〔2026〕12号" and item.responsible == "市人民政府"
    objects = _objects(dtenant.id, item.archive_no)
    assert sorted(objects) == ["00-metadata.xml", "01-扫描件.pdf", "02-收文处理单.pdf"]
    sheet = objects["02-收文处理单.pdf"]
    assert b"pdfaid:part>2<" in sheet
    words = _pdf_text(sheet)
    for expected in (
        "收文处理单",
        "拟办",
        "拟请县长阅示",
        "批示",
        "请财政局牵头办理",
        "县长甲",
        "文秘乙",
        "办结",
    ):
        assert expected in words, expected
    record = ET.fromstring(objects["00-metadata.xml"])
    assert record.findtext("保管期限") == "定期30年"
    assert [f.get("类别") for f in record.iter("电子文件")] == ["original", "form"]

    detail = (await client.get(f"{IN}/{doc_id}", headers=clerk.h)).json()
    assert detail["archive_no"] == item.archive_no and detail["archived_at"]
    audits = await _audit_count(db, doc_id)
    fid2 = await _upload(client, clerk.h, "补扫.pdf")
    attempts = [
        (f"{IN}/{doc_id}/attachments", {"file_id": fid2}, clerk),
        (f"{IN}/{doc_id}/completion", {"result": "再次办结"}, clerk),
        (f"{IN}/{doc_id}/instruction", {"opinion": "补充批示"}, leader),
        (f"{IN}/{doc_id}/circulation", {"reader_ids": [str(leader.id)]}, clerk),
        (f"{IN}/{doc_id}/circulation/receive", {}, leader),
        (f"{IN}/{doc_id}/chase", {"user_ids": [str(leader.id)], "note": "请加快办理"}, clerk),
        (f"{IN}/{doc_id}/correction", {"title": "改", "kind": "registration", "reason": "错"}, clerk),
        (f"{IN}/{doc_id}/archive", {}, clerk),
    ]
    for path, body, who in attempts:
        r = await client.post(path, json=body, headers=who.h)
        assert r.status_code == 409 and r.json()["code"] == "document_archived", (path, r.text)
    assert (await client.get(f"{IN}/{doc_id}", headers=clerk.h)).json() == detail
    assert await _audit_count(db, doc_id) == audits
    assert await _requests(db, dtenant.id) == 1


async def test_preconditions_other_tenant_and_clearance(client, db, dtenant, other_tenant, units, person):
    clerk = await person(dtenant, perms=CLERK, clearance=1)
    signer = await person(dtenant)
    draft = await create(client, clerk.h, signer)
    signed = await signed_doc(client, clerk, signer)
    incoming = await registered(client, clerk.h)
    secret = await registered(client, clerk.h, title="机密来文", classification=1)
    before = {d: await _audit_count(db, d) for d in (draft["id"], signed["id"], incoming, secret)}
    for path in (f"{OUT}/{draft['id']}/archive", f"{OUT}/{signed['id']}/archive", f"{IN}/{incoming}/archive"):
        r = await client.post(path, headers=clerk.h)
        assert r.status_code == 409 and r.json()["code"] == "not_archivable", r.text
    # another tenant's holder of every permission never finds these ids
    await enable(db, other_tenant.id)
    foreign = await person(other_tenant, perms=CLERK, clearance=3)
    for path in (f"{OUT}/{signed['id']}/archive", f"{IN}/{incoming}/archive", f"{IN}/{secret}/archive"):
        assert (await client.post(path, headers=foreign.h)).status_code == 404
    # over clearance: a 秘密 收文 is not found for a holder cleared for 非密 only
    low = await person(dtenant, perms=CLERK, clearance=0)
    assert (await client.post(f"{IN}/{secret}/archive", headers=low.h)).status_code == 404
    assert (await client.post(f"{OUT}/{uuid.uuid4()}/archive", headers=clerk.h)).status_code == 404
    assert await _requests(db, dtenant.id) == 0 and await _requests(db, other_tenant.id) == 0
    assert {d: await _audit_count(db, d) for d in before} == before


async def test_classified_incoming_keeps_its_level(client, db, dtenant, units, person):
    """A 秘密 收文 archives with 密级 秘密; the archive item is hidden from lower clearance."""
    clerk = await person(dtenant, perms=[*CLERK, "core.archive.read"], clearance=1, name="机要员")
    leader = await person(dtenant, clearance=1, name="县长乙")
    doc_id = await _completed(client, clerk, leader, units["jy"], title="机密来文", classification=1)
    r = await client.post(f"{IN}/{doc_id}/completion", json={"result": "办结"}, headers=clerk.h)
    assert r.status_code == 200, r.text
    item = await _archive(client, db, "incoming", doc_id, clerk.h)
    assert item.classification == 1 and item.archive_no == f"J001-WS·{YEAR}-D30-JY-0001"
    low = await person(dtenant, perms=["core.archive.read"], clearance=0)
    assert (await client.get(f"/api/archive/items/{item.id}", headers=low.h)).status_code == 404
    assert (await client.get(f"/api/archive/items/{item.id}", headers=clerk.h)).status_code == 200


async def test_collect_is_deterministic(client, db, dtenant, units, person):
    """A repeated archive run must render the same bytes (core compares checksums)."""
    clerk = await person(dtenant, perms=CLERK)
    signer = await person(dtenant)
    out = await signed_doc(client, clerk, signer, unit_id=str(units["zfb"]))
    assert (await client.post(f"{OUT}/{out['id']}/number", headers=clerk.h)).status_code == 200
    inc = await _completed(client, clerk, signer, units["cz"])
    assert (await client.post(f"{IN}/{inc}/completion", json={"result": "办结"}, headers=clerk.h)).is_success
    for collect, doc_id in ((collect_outgoing, out["id"]), (collect_incoming, inc)):
        async with db.sessionmaker() as s:
            first = await collect(s, dtenant.id, doc_id)
            second = await collect(s, dtenant.id, doc_id)
        assert first == second and first.files
