"""Shared helpers of the archive tests: sample notes (the sample plugin's archivable kind) and files."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select

from core.archive.bucket import ArchiveBucket
from core.archive.models import ArchivedItem, ArchiveFile, ArchiveRequest
from core.archive.service import request_archive
from core.db.engine import Database
from core.plugins.service import PluginService
from core.runtime import get_runtime
from core.settings import Settings
from core.storage.policy import MB, StoragePolicy
from core.storage.service import StorageService
from tests.sample_plugin.plugin import SampleNote

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
POLICY = StoragePolicy(max_bytes=64 * MB, allowed_types=frozenset({"application/pdf"}))


async def install_sample(db: Database, tenant_id: uuid.UUID) -> None:
    service = PluginService(get_runtime().manager)
    async with db.transaction() as s:
        if not await service.is_enabled(s, tenant_id, "sample"):
            await service.install(s, tenant_id, "sample")


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def make_note(
    db: Database,
    settings: Settings,
    tenant_id: uuid.UUID,
    *,
    title: str = "关于做好档案工作的通知",
    year: int = 2026,
    retention: str = "Y",
    org: str = "BGS",
    classification: int = 0,
    attachment: bool = True,
) -> str:
    """A sample note (optionally with a PDF attachment in core storage); returns its id as a string."""
    file_id = None
    if attachment:
        storage = StorageService.from_settings(settings)
        async with db.transaction() as s:
            row = await storage.upload(
                s,
                _chunks(PDF + os.urandom(20_000)),
                tenant_id=tenant_id,
                plugin="sample",
                original_name="附件.pdf",
                policy=POLICY,
            )
            file_id = row.id
    async with db.transaction() as s:
        note = SampleNote(
            tenant_id=tenant_id,
            title=title,
            year=year,
            retention=retention,
            org_code=org,
            classification=classification,
            attachment_id=file_id,
            archived_times=0,
        )
        s.add(note)
        await s.flush()
        return str(note.id)


async def request(db: Database, tenant_id: uuid.UUID, note_id: str) -> uuid.UUID:
    async with db.transaction() as s:
        req = await request_archive(s, tenant_id=tenant_id, kind="sample.note", object_id=note_id)
        return req.id


async def counts(db: Database, note_id: str) -> dict[str, Any]:
    """How many request, item and file rows one note has, and the note's archive marks."""
    async with db.sessionmaker() as s:
        items = list(await s.scalars(select(ArchivedItem).where(ArchivedItem.object_id == note_id)))
        files = (
            await s.scalar(
                select(func.count())
                .select_from(ArchiveFile)
                .where(ArchiveFile.item_id.in_([i.id for i in items]))
            )
            if items
            else 0
        )
        requests = await s.scalar(
            select(func.count()).select_from(ArchiveRequest).where(ArchiveRequest.object_id == note_id)
        )
        note = await s.get(SampleNote, uuid.UUID(note_id))
        assert note is not None
        return {
            "requests": requests,
            "items": items,
            "files": files,
            "archive_no": note.archive_no,
            "archived_times": note.archived_times,
        }


def versions(bucket: ArchiveBucket, prefix: str) -> dict[str, int]:
    """Object key → number of versions under ``prefix`` in the archive bucket."""
    out: dict[str, int] = {}
    for obj in bucket.client.list_objects(bucket.bucket, prefix=prefix, recursive=True, include_version=True):
        out[obj.object_name] = out.get(obj.object_name, 0) + 1
    return out
