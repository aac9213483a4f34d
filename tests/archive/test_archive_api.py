"""The /api/archive routes end to end: request, read, 422s that change nothing, cross-tenant and clearance
denial, the accession package (API and `fuban archive export`), and the destruction procedure."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import sys
import uuid
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import pytest
from sqlalchemy import func, select

from core.archive.models import ArchivedItem, ArchiveRequest
from core.archive.run import archive_bucket, archive_request
from core.audit.models import AuditLog
from tests.archive.helpers import install_sample, make_note, request, versions

ALL = ["core.archive.request", "core.archive.read", "core.archive.export", "core.archive.destroy.propose"]


@pytest.fixture(autouse=True)
def _runtime(runtime: Any) -> None:
    """Needs the app's runtime."""


async def _count(db: Any, model: Any, *where: Any) -> int:
    async with db.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _actions(db: Any, tenant_id: uuid.UUID) -> list[str]:
    async with db.sessionmaker() as s:
        return list(
            await s.scalars(
                select(AuditLog.action).where(AuditLog.tenant_id == tenant_id).order_by(AuditLog.id)
            )
        )


async def test_request_read_and_bad_input(
    client: Any, db: Any, settings: Any, tenant: Any, other_tenant: Any, staff_headers: Any
) -> None:
    await install_sample(db, tenant.id)
    await install_sample(db, other_tenant.id)
    h = await staff_headers(tenant, permissions=ALL)
    note = await make_note(db, settings, tenant.id, org="API")
    before = (
        await _count(db, ArchiveRequest, ArchiveRequest.tenant_id == tenant.id),
        await _actions(db, tenant.id),
    )
    bad_bodies = [
        {"kind": "nosuch.kind", "object_id": note},  # unknown kind
        {"kind": "sample.note"},  # no object
        {"kind": "Sample Note!", "object_id": note},  # malformed kind
        {"kind": "sample.note", "object_id": "x" * 101},  # too long
    ]
    for body in bad_bodies:
        r = await client.post("/api/archive/requests", json=body, headers=h)
        assert r.status_code in (400, 422) and r.json()["code"], (body, r.text)
    r = await client.post(
        "/api/archive/requests", json={"kind": "sample.note", "object_id": str(uuid.uuid4())}, headers=h
    )
    assert r.status_code == 404 and r.json()["messages"]["zh-CN"]
    assert (
        await _count(db, ArchiveRequest, ArchiveRequest.tenant_id == tenant.id),
        await _actions(db, tenant.id),
    ) == before
    # Another tenant's staff cannot archive (or see) this tenant's note.
    foreign = await staff_headers(other_tenant, permissions=ALL)
    r = await client.post(
        "/api/archive/requests", json={"kind": "sample.note", "object_id": note}, headers=foreign
    )
    assert r.status_code == 404
    r = await client.post("/api/archive/requests", json={"kind": "sample.note", "object_id": note}, headers=h)
    assert r.status_code == 202 and r.json()["state"] == "requested", r.text
    rid = r.json()["id"]
    again = await client.post(
        "/api/archive/requests", json={"kind": "sample.note", "object_id": note}, headers=h
    )
    assert again.status_code == 202 and again.json()["id"] == rid
    assert await archive_request(db, uuid.UUID(rid)) == "archived"
    got = (await client.get(f"/api/archive/requests/{rid}", headers=h)).json()
    assert got["state"] == "archived" and got["archive_no"] == "J001-WS·2026-Y-API-0001"
    r = await client.post("/api/archive/requests", json={"kind": "sample.note", "object_id": note}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "already_archived"
    page = (await client.get("/api/archive/items", params={"year": 2026, "retention": "Y"}, headers=h)).json()
    item = next(i for i in page["items"] if i["object_id"] == note)
    detail = (await client.get(f"/api/archive/items/{item['id']}", headers=h)).json()
    assert [f["role"] for f in detail["files"]] == ["metadata", "original", "attachment"]
    assert all(len(f["sha256"]) == 64 for f in detail["files"])
    assert (await client.get(f"/api/archive/items/{item['id']}", headers=foreign)).status_code == 404
    assert (await client.get(f"/api/archive/requests/{rid}", headers=foreign)).status_code == 404
    foreign_page = (await client.get("/api/archive/items", params={"year": 2026}, headers=foreign)).json()
    assert all(i["object_id"] != note for i in foreign_page["items"])
    assert (await client.get("/api/archive/items", params={"year": 20260}, headers=h)).status_code == 422


async def test_classified_items_need_clearance(
    client: Any, db: Any, settings: Any, tenant: Any, staff_headers: Any
) -> None:
    await install_sample(db, tenant.id)
    note = await make_note(db, settings, tenant.id, org="MJ", classification=2, attachment=False)
    low = await staff_headers(tenant, permissions=ALL, clearance=0)
    high = await staff_headers(tenant, permissions=ALL, clearance=2)
    body = {"kind": "sample.note", "object_id": note}
    assert (await client.post("/api/archive/requests", json=body, headers=low)).status_code == 404
    r = await client.post("/api/archive/requests", json=body, headers=high)
    assert r.status_code == 202
    assert await archive_request(db, uuid.UUID(r.json()["id"])) == "archived"
    async with db.sessionmaker() as s:
        item = await s.scalar(select(ArchivedItem).where(ArchivedItem.object_id == note))
    assert item is not None
    assert (await client.get(f"/api/archive/items/{item.id}", headers=low)).status_code == 404
    assert (await client.get(f"/api/archive/items/{item.id}", headers=high)).status_code == 200
    async with db.sessionmaker() as s:
        reads = await s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "core.archive.read", AuditLog.object_id == str(item.id))
        )
    assert reads == 1  # reading a 机密 item is audited


def _check_package(data: bytes, expect: set[str]) -> dict[str, Any]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    names = set(zf.namelist())
    sums = dict(reversed(line.split("  ", 1)) for line in zf.read("SHA256SUMS").decode().splitlines() if line)
    for path, digest in sums.items():
        assert path in names and hashlib.sha256(zf.read(path)).hexdigest() == digest
    manifest = ET.fromstring(zf.read("manifest.xml"))
    assert {e.findtext("档号") for e in manifest.findall("文件")} == expect
    rows = list(csv.reader(io.StringIO(zf.read("目录.csv").decode("utf-8-sig"))))
    assert rows[0][0] == "档号" and {r[0] for r in rows[1:]} == expect
    listing = json.loads(zf.read("manifest.json"))
    assert listing["count"] == len(expect)
    return sums


async def test_export_package_api_and_cli(
    client: Any, db: Any, settings: Any, tenant: Any, staff_headers: Any, tmp_path: Any
) -> None:
    await install_sample(db, tenant.id)
    nos = set()
    for org in ("BGS", "BGS", "MSK"):
        note = await make_note(db, settings, tenant.id, year=2025, retention="D30", org=org)
        assert await archive_request(db, await request(db, tenant.id, note)) == "archived"
        async with db.sessionmaker() as s:
            nos.add(await s.scalar(select(ArchivedItem.archive_no).where(ArchivedItem.object_id == note)))
    assert nos == {"J001-WS·2025-D30-BGS-0001", "J001-WS·2025-D30-BGS-0002", "J001-WS·2025-D30-MSK-0001"}
    h = await staff_headers(tenant, permissions=["core.archive.export"])
    r = await client.get("/api/archive/export", params={"year": 2025, "retention": "D30"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    sums = _check_package(r.content, nos)
    assert len(sums) == 9  # 3 件 × (XML record, 正文 PDF/A, 附件)
    assert "core.archive.export" in await _actions(db, tenant.id)
    empty = await client.get("/api/archive/export", params={"year": 1999}, headers=h)
    _check_package(empty.content, set())
    assert (
        await client.get("/api/archive/export", params={"year": 2025, "retention": "X"}, headers=h)
    ).status_code == 422
    path = str(tmp_path / "移交包.zip")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "core.cli",
        "archive",
        "export",
        "--tenant",
        tenant.code,
        "--year",
        "2025",
        "--retention",
        "D30",
        "-o",
        path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert "3 items" in stdout.decode()
    assert _check_package((tmp_path / "移交包.zip").read_bytes(), nos) == sums
    assert not (tmp_path / "移交包.zip.part").exists()


async def test_destruction_needs_expiry_approval_by_another_person(
    client: Any, db: Any, settings: Any, tenant: Any, staff_headers: Any
) -> None:
    await install_sample(db, tenant.id)
    ids = {}
    for label, year, retention in (("old", 2010, "D10"), ("young", 2026, "D10"), ("permanent", 2010, "Y")):
        note = await make_note(db, settings, tenant.id, year=year, retention=retention, org="XH")
        assert await archive_request(db, await request(db, tenant.id, note)) == "archived"
        async with db.sessionmaker() as s:
            item = await s.scalar(select(ArchivedItem).where(ArchivedItem.object_id == note))
            assert item is not None
            ids[label] = item
    assert ids["old"].lock_until is None and ids["young"].lock_until is not None
    proposer = await staff_headers(
        tenant,
        permissions=["core.archive.destroy.propose", "core.archive.destroy.approve", "core.archive.read"],
    )
    approver = await staff_headers(tenant, permissions=["core.archive.destroy.approve"])
    candidates = (await client.get("/api/archive/destruction/candidates", headers=proposer)).json()
    assert str(ids["old"].id) in {c["id"] for c in candidates}
    assert not {str(ids["young"].id), str(ids["permanent"].id)} & {c["id"] for c in candidates}
    audit_before = await _actions(db, tenant.id)
    for bad in ("young", "permanent"):
        r = await client.post(
            "/api/archive/destruction",
            headers=proposer,
            json={"title": "清册", "reason": "到期", "item_ids": [str(ids["old"].id), str(ids[bad].id)]},
        )
        assert r.status_code == 422 and r.json()["code"], r.text
    r = await client.post(
        "/api/archive/destruction", headers=proposer, json={"title": "清册", "reason": "到期", "item_ids": []}
    )
    assert r.status_code == 422
    assert await _actions(db, tenant.id) == audit_before  # refused proposals changed nothing
    r = await client.post(
        "/api/archive/destruction",
        headers=proposer,
        json={
            "title": "2010年度到期档案销毁清册",
            "reason": "保管期限已满，经鉴定无保存价值",
            "item_ids": [str(ids["old"].id)],
        },
    )
    assert r.status_code == 201, r.text
    list_id = r.json()["id"]
    assert (
        await client.post(f"/api/archive/destruction/{list_id}/execute", headers=proposer)
    ).status_code == 409
    same = await client.post(
        f"/api/archive/destruction/{list_id}/decision", headers=proposer, json={"approve": True}
    )
    assert same.status_code == 403 and same.json()["code"] == "second_person_required"
    ok = await client.post(
        f"/api/archive/destruction/{list_id}/decision",
        headers=approver,
        json={"approve": True, "note": "同意销毁"},
    )
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    again = await client.post(
        f"/api/archive/destruction/{list_id}/decision", headers=approver, json={"approve": True}
    )
    assert again.status_code == 409
    prefix = f"{tenant.id}/{ids['old'].archive_no}/"
    assert len(versions(archive_bucket(), prefix)) == 3
    done = await client.post(f"/api/archive/destruction/{list_id}/execute", headers=proposer)
    assert done.status_code == 200 and done.json()["state"] == "executed", done.text
    assert done.json()["entries"][0]["objects_removed"] == 3
    assert versions(archive_bucket(), prefix) == {}
    async with db.sessionmaker() as s:
        old = await s.get(ArchivedItem, ids["old"].id)
        young = await s.get(ArchivedItem, ids["young"].id)
    assert old is not None and old.state == "destroyed" and old.destroyed_at is not None
    assert young is not None and young.state == "archived"
    actions = await _actions(db, tenant.id)
    for step in (
        "core.archive.destroy.propose",
        "core.archive.destroy.approve",
        "core.archive.destroy.execute",
    ):
        assert actions.count(step) == 1
    record = (await client.get(f"/api/archive/destruction/{list_id}", headers=proposer)).json()
    assert record["entries"][0]["archive_no"] == ids["old"].archive_no and record["executed_at"]


async def test_destruction_respects_object_lock(
    client: Any, db: Any, settings: Any, tenant: Any, staff_headers: Any
) -> None:
    """Even an approved list cannot remove an object S3 still holds: 409 and nothing marked destroyed."""
    import datetime as dt  # noqa: PLC0415

    from minio.commonconfig import COMPLIANCE  # noqa: PLC0415
    from minio.retention import Retention  # noqa: PLC0415

    from core.archive.models import ArchiveFile  # noqa: PLC0415

    await install_sample(db, tenant.id)
    note = await make_note(db, settings, tenant.id, year=2012, retention="D10", org="SD", attachment=False)
    assert await archive_request(db, await request(db, tenant.id, note)) == "archived"
    async with db.sessionmaker() as s:
        item = await s.scalar(select(ArchivedItem).where(ArchivedItem.object_id == note))
        assert item is not None
        files = list(await s.scalars(select(ArchiveFile).where(ArchiveFile.item_id == item.id)))
    bucket = archive_bucket()
    until = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
    f = files[-1]  # e.g. a legal hold: the bureau asked to keep it a little longer
    bucket.client.set_object_retention(
        bucket.bucket, f.object_key, Retention(COMPLIANCE, until), version_id=f.version_id
    )
    proposer = await staff_headers(tenant, permissions=["core.archive.destroy.propose"])
    approver = await staff_headers(tenant, permissions=["core.archive.destroy.approve"])
    r = await client.post(
        "/api/archive/destruction",
        headers=proposer,
        json={"title": "锁定测试", "reason": "到期", "item_ids": [str(item.id)]},
    )
    list_id = r.json()["id"]
    assert (
        await client.post(
            f"/api/archive/destruction/{list_id}/decision", headers=approver, json={"approve": True}
        )
    ).status_code == 200
    r = await client.post(f"/api/archive/destruction/{list_id}/execute", headers=proposer)
    assert r.status_code == 409 and r.json()["code"] == "retention_in_force", r.text
    async with db.sessionmaker() as s:
        again = await s.get(ArchivedItem, item.id)
        assert again is not None and again.state == "archived" and again.destroyed_at is None
    assert f.object_key in versions(bucket, f.object_key)


async def test_resume_sweep_resends_interrupted_requests(db: Any, settings: Any, tenant: Any) -> None:
    import datetime as dt  # noqa: PLC0415

    import redis  # noqa: PLC0415

    from core.archive.service import resume_stale  # noqa: PLC0415

    await install_sample(db, tenant.id)
    note = await make_note(db, settings, tenant.id, org="RS", attachment=False)
    rid = await request(db, tenant.id, note)
    async with db.transaction() as s:
        req = await s.get(ArchiveRequest, rid)
        assert req is not None
        req.updated_at = req.updated_at - dt.timedelta(hours=1)  # as if a worker died an hour ago
    r = redis.Redis.from_url(settings.redis_url)
    before = [m for m in r.hvals("fuban:core.msgs") if str(rid).encode() in m]
    async with db.sessionmaker() as s:
        assert await resume_stale(s) >= 1
    after = [json.loads(m) for m in r.hvals("fuban:core.msgs") if str(rid).encode() in m]
    assert len(after) == len(before) + 1
    assert {m["actor_name"] for m in after} == {"core.archive_run"}
    assert await archive_request(db, rid) == "archived"
    async with db.sessionmaker() as s:
        await resume_stale(s, older_than=dt.timedelta(0))
    final = [m for m in r.hvals("fuban:core.msgs") if str(rid).encode() in m]
    assert len(final) == len(after)  # an archived request is never sent again
