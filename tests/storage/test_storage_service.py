"""StorageService and the sweeper against the real stack: rollback, object lock, expiry, orphans."""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.retention import Retention
from sqlalchemy import select

from core.db.base import utcnow
from core.db.engine import Database
from core.settings import Settings
from core.storage.controller import provide_storage
from core.storage.models import StoredFile
from core.storage.names import object_key
from core.storage.policy import DEFAULT_POLICY
from core.storage.service import StorageService
from core.storage.sweeper import sweep_orphans
from core.tenancy.models import Tenant
from tests.storage.helpers import ensure_tables, objects_under, pdf_bytes, rows_of, upload

UPLOAD = ["core.files.upload"]


@pytest.fixture(autouse=True)
async def _tables(db: Database) -> None:
    await ensure_tables(db)


@pytest.fixture
def storage(settings: Settings) -> StorageService:
    return StorageService.from_settings(settings)


async def chunks_of(data: bytes, size: int = 65536) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def test_rollback_removes_the_uploaded_object(
    db: Database, settings: Settings, tenant: Tenant, storage: StorageService
) -> None:
    key = ""
    with pytest.raises(RuntimeError, match="business rule failed"):
        async with db.transaction() as session:
            row = await storage.upload(
                session,
                chunks_of(pdf_bytes(10_000)),
                tenant_id=tenant.id,
                plugin="core",
                original_name="回滚.pdf",
                policy=DEFAULT_POLICY,
            )
            key = row.object_key
            assert len(objects_under(settings, key)) == 1
            raise RuntimeError("business rule failed")
    await storage.drain()
    assert await rows_of(db, tenant.id) == []
    assert objects_under(settings, key) == []


async def test_presigned_url_expires(db: Database, tenant: Tenant, storage: StorageService) -> None:
    async with db.transaction() as session:
        row = await storage.upload(
            session,
            chunks_of(pdf_bytes(2000)),
            tenant_id=tenant.id,
            plugin="core",
            original_name="短链.pdf",
            policy=DEFAULT_POLICY,
        )
    assert "X-Amz-Expires=300" in storage.presigned_url(row)
    url = storage.presigned_url(row, expires=timedelta(seconds=1))
    assert "X-Amz-Expires=1&" in url
    await asyncio.sleep(2.5)
    async with httpx.AsyncClient() as direct:
        assert (await direct.get(url)).status_code == 403
    with pytest.raises(ValueError, match="between"):
        storage.presigned_url(row, expires=timedelta(hours=2))


async def test_lock_object_makes_archived_file_immutable(
    client: AsyncTestClient[Litestar],
    app: Litestar,
    db: Database,
    settings: Settings,
    tenant: Tenant,
    staff_headers,
) -> None:
    storage = provide_storage(app.state)
    assert await storage.lock_enabled(), "ensure_bucket must create the bucket with object lock"
    assert storage.client.get_bucket_versioning(settings.s3_bucket).status == "Enabled"
    headers = await staff_headers(tenant, permissions=UPLOAD)
    file_id = uuid.UUID((await upload(client, headers, pdf_bytes(3000), "归档件.pdf")).json()["id"])
    until = utcnow() + timedelta(seconds=20)
    async with db.transaction() as session:
        row = await storage.get(session, file_id, tenant_id=tenant.id)
        await storage.lock_object(session, row, until)
        with pytest.raises(Exception, match="lock"):
            await storage.lock_object(session, row, until - timedelta(seconds=10))
    # Neither the API nor S3 itself lets the locked version go.
    resp = await client.delete(f"/api/files/{file_id}", headers=headers)
    assert resp.status_code == 409 and resp.json()["code"] == "file_locked"
    with pytest.raises(S3Error):
        storage.client.remove_object(settings.s3_bucket, row.object_key, version_id=row.version_id)
    with pytest.raises(S3Error):
        storage.client.set_object_retention(
            settings.s3_bucket,
            row.object_key,
            Retention(COMPLIANCE, until.replace(microsecond=0) - timedelta(seconds=5)),
            version_id=row.version_id,
        )
    assert (await client.get(f"/api/files/{file_id}/content", headers=headers)).status_code == 200
    async with db.transaction() as session:
        locked = await session.get(StoredFile, file_id)
        assert locked is not None and locked.locked_until is not None and locked.lock_mode == "COMPLIANCE"


async def test_sweeper_removes_orphans_and_flags_missing_objects(
    client: AsyncTestClient[Litestar],
    db: Database,
    settings: Settings,
    tenant: Tenant,
    staff_headers,
    storage: StorageService,
) -> None:
    prefix = f"{tenant.id}/"
    # An object without a row (a crash between upload and commit).
    orphan = object_key(tenant.id, "core", utcnow(), uuid.uuid4())
    storage.client.put_object(settings.s3_bucket, orphan, io.BytesIO(b"%PDF-orphan"), 11)
    # A foreign key shape is never touched.
    foreign = f"{tenant.id}/manual-note.txt"
    storage.client.put_object(settings.s3_bucket, foreign, io.BytesIO(b"keep"), 4)
    # A row whose object vanished behind the application's back.
    headers = await staff_headers(tenant, permissions=UPLOAD)
    lost_id = (await upload(client, headers, pdf_bytes(1000), "丢失.pdf")).json()["id"]
    kept_id = (await upload(client, headers, pdf_bytes(1000), "完好.pdf")).json()["id"]
    async with db.transaction() as session:
        lost = await session.get(StoredFile, uuid.UUID(lost_id))
        assert lost is not None
    await storage.remove_object(lost.object_key)

    # Young objects may belong to an upload still in its transaction: left alone.
    async with db.transaction() as session:
        report = await sweep_orphans(
            session, storage.client, timedelta(hours=1), bucket=settings.s3_bucket, prefix=prefix
        )
    assert report.objects_removed == [] and report.rows_flagged == []
    assert objects_under(settings, orphan)

    async with db.transaction() as session:
        report = await sweep_orphans(
            session, storage.client, timedelta(0), bucket=settings.s3_bucket, prefix=prefix
        )
    assert report.objects_removed == [orphan]
    assert report.rows_flagged == [lost_id]
    assert objects_under(settings, orphan) == []
    assert objects_under(settings, foreign)
    meta = (await client.get(f"/api/files/{lost_id}", headers=headers)).json()
    assert meta["missing"] is True
    assert (await client.get(f"/api/files/{lost_id}/download", headers=headers)).status_code == 410
    assert (await client.get(f"/api/files/{kept_id}", headers=headers)).json()["missing"] is False
    async with db.transaction() as session:
        rows = (await session.scalars(select(StoredFile.id).where(StoredFile.tenant_id == tenant.id))).all()
    assert {str(r) for r in rows} == {lost_id, kept_id}, "rows are flagged, never deleted"
    await storage.remove_object(foreign)


async def test_many_part_upload_is_byte_exact(
    db: Database, settings: Settings, tenant: Tenant, storage: StorageService
) -> None:
    """Part buffers are recycled once their upload finished: no part may be overwritten while in flight."""
    storage.part_size, storage.parallel = 5 * 1024 * 1024, 2
    # Distinct random content per part, in odd chunk sizes that straddle part boundaries.
    data = b"%PDF-1.7\n" + random.Random(7).randbytes(27 * 1024 * 1024 + 12345)

    async def odd_chunks() -> AsyncIterator[bytes]:
        sizes = [1, 70_001, 300_017, 1 << 20]
        pos = i = 0
        while pos < len(data):
            yield data[pos : pos + sizes[i % 4]]
            pos += sizes[i % 4]
            i += 1

    async with db.transaction() as session:
        row = await storage.upload(
            session,
            odd_chunks(),
            tenant_id=tenant.id,
            plugin="core",
            original_name="大文件.pdf",
            policy=DEFAULT_POLICY,
        )
    assert row.size == len(data) and row.sha256 == hashlib.sha256(data).hexdigest()
    got = storage.client.get_object(settings.s3_bucket, row.object_key)
    try:
        assert got.read() == data
    finally:
        got.close()
        got.release_conn()
    parts = storage.client.stat_object(settings.s3_bucket, row.object_key).etag
    assert parts.endswith("-6")  # 27 MB in 5 MB parts: it really went through the multipart path
