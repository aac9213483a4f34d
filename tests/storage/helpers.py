"""Shared helpers of the storage tests (not fixtures: tests/conftest.py belongs to the core)."""

from __future__ import annotations

import io
import os
import zipfile
from typing import Any
from urllib.parse import quote

from litestar import Litestar
from litestar.testing import AsyncTestClient
from minio import Minio
from sqlalchemy import Table, select

from core.db.engine import Database
from core.settings import Settings
from core.storage.client import s3_client
from core.storage.models import StoredFile

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def pdf_bytes(size: int) -> bytes:
    return PDF + os.urandom(max(0, size - len(PDF)))


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


async def ensure_tables(db: Database) -> None:
    """Create the storage/audit tables if the migration under test does not have them yet (idempotent)."""
    from core.audit.models import AuditCheckpoint, AuditLog  # noqa: PLC0415

    tables: list[Table] = [StoredFile.__table__, AuditLog.__table__, AuditCheckpoint.__table__]  # type: ignore[list-item]
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: StoredFile.metadata.create_all(c, tables=tables, checkfirst=True))


async def upload(
    client: AsyncTestClient[Litestar],
    headers: dict[str, str],
    data: bytes,
    name: str,
    *,
    plugin: str = "core",
    content_type: str = "application/pdf",
    **params: Any,
) -> Any:
    h = {**headers, "X-File-Name": quote(name, safe=""), "Content-Type": content_type}
    return await client.post("/api/files", content=data, headers=h, params={"plugin": plugin, **params})


def objects_under(settings: Settings, prefix: str) -> list[tuple[str, str | None]]:
    """Every object version and delete marker under ``prefix``."""
    s3 = s3_client(settings)
    return [
        (o.object_name or "", o.version_id)
        for o in s3.list_objects(settings.s3_bucket, prefix=prefix, recursive=True, include_version=True)
    ]


def open_uploads(settings: Settings, prefix: str) -> list[str]:
    """Multipart uploads left unfinished under ``prefix``."""
    s3: Minio = s3_client(settings)
    result = s3._list_multipart_uploads(settings.s3_bucket, prefix=prefix)
    return [u.object_name for u in result.uploads]


async def rows_of(db: Database, tenant_id: Any) -> list[StoredFile]:
    async with db.transaction() as session:
        return list(
            (await session.scalars(select(StoredFile).where(StoredFile.tenant_id == tenant_id))).all()
        )
