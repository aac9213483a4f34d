"""The orphan sweeper (孤儿清理): objects without rows go, rows without objects are flagged.

- An object whose key has the shape the service makes, no ``core_files`` row, and is older than
  ``older_than`` is removed with all its versions (a crash between upload and commit, a rolled-back
  transaction). Younger objects may belong to an upload still in its transaction and are left alone.
- A live row whose object version is gone is flagged (``missing_at``) and reported, never deleted:
  the row is evidence; an operator restores the object from backup. The flag clears when it returns.
- Tombstoned rows (deleted, removal cut short) are finished: object versions removed, then the row.

Memory stays flat: keys and rows are compared a batch at a time.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from minio import Minio
from minio.error import S3Error
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.settings import get_settings
from core.storage.models import StoredFile
from core.storage.names import is_object_key
from core.storage.service import remove_versions
from core.storage.stream import executor

logger = logging.getLogger(__name__)
BATCH = 500
_MISSING_CODES = {"NoSuchKey", "NoSuchVersion", "NoSuchObject"}


@dataclass
class SweepReport:
    objects_removed: list[str] = field(default_factory=list)
    objects_kept_locked: list[str] = field(default_factory=list)
    rows_flagged: list[str] = field(default_factory=list)
    rows_restored: list[str] = field(default_factory=list)
    tombstones_purged: int = 0


async def _blocking(fn: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(executor(), fn, *args)


def _keys(client: Minio, bucket: str, prefix: str | None) -> Iterator[tuple[str, datetime | None]]:
    for obj in client.list_objects(bucket, prefix=prefix, recursive=True, include_version=True):
        if obj.object_name:
            yield obj.object_name, obj.last_modified


async def _remove_orphans(
    session: AsyncSession,
    client: Minio,
    *,
    bucket: str,
    cutoff: datetime,
    prefix: str | None,
    report: SweepReport,
) -> None:
    listing = _keys(client, bucket, prefix)
    seen_orphans: set[str] = set()
    while True:
        batch: list[tuple[str, datetime | None]] = await _blocking(
            lambda: list(itertools.islice(listing, BATCH))
        )
        if not batch:
            return
        newest: dict[str, datetime | None] = {}
        for key, modified in batch:
            if is_object_key(key) and key not in seen_orphans:
                old = newest.get(key)
                newest[key] = modified if old is None or (modified and modified > old) else old
        if not newest:
            continue
        known = set(
            await session.scalars(select(StoredFile.object_key).where(StoredFile.object_key.in_(newest)))
        )
        for key, modified in newest.items():
            if key in known or (modified is not None and modified > cutoff):
                continue
            seen_orphans.add(key)
            try:
                await _blocking(remove_versions, client, bucket, key)
                report.objects_removed.append(key)
            except S3Error as err:
                # A retained (object-locked) version cannot go before its retention ends.
                logger.warning("orphan %s not removed: %s", key, err.code)
                report.objects_kept_locked.append(key)


def _exists(client: Minio, bucket: str, key: str, version_id: str | None) -> bool:
    try:
        client.stat_object(bucket, key, version_id=version_id)
    except S3Error as err:
        if err.code in _MISSING_CODES:
            return False
        raise
    return True


async def _flag_missing(
    session: AsyncSession,
    client: Minio,
    *,
    bucket: str,
    cutoff: datetime,
    prefix: str | None,
    report: SweepReport,
) -> None:
    last_id = None
    while True:
        stmt = (
            select(StoredFile.id, StoredFile.object_key, StoredFile.version_id, StoredFile.missing_at)
            .where(StoredFile.deleted_at.is_(None), StoredFile.created_at < cutoff)
            .order_by(StoredFile.id)
            .limit(BATCH)
        )
        if last_id is not None:
            stmt = stmt.where(StoredFile.id > last_id)
        if prefix:
            stmt = stmt.where(StoredFile.object_key.startswith(prefix, autoescape=True))
        rows = (await session.execute(stmt)).all()
        if not rows:
            return
        last_id = rows[-1].id
        present = await asyncio.gather(
            *(_blocking(_exists, client, bucket, r.object_key, r.version_id) for r in rows)
        )
        now = utcnow()
        for row, ok in zip(rows, present, strict=True):
            flag = update(StoredFile).where(StoredFile.id == row.id)
            if not ok and row.missing_at is None:
                await session.execute(flag.values(missing_at=now))
                report.rows_flagged.append(str(row.id))
                logger.error("file %s: object %s is missing from the bucket", row.id, row.object_key)
            elif ok and row.missing_at is not None:
                await session.execute(flag.values(missing_at=None))
                report.rows_restored.append(str(row.id))


async def purge_deleted(session: AsyncSession, client: Minio, bucket: str, *, older_than: timedelta) -> int:
    """Finish deletions whose after-commit removal did not complete; returns rows removed."""
    cutoff = utcnow() - older_than
    rows = (
        await session.execute(
            select(StoredFile.id, StoredFile.object_key).where(StoredFile.deleted_at < cutoff).limit(BATCH)
        )
    ).all()
    done = 0
    for row in rows:
        try:
            await _blocking(remove_versions, client, bucket, row.object_key)
        except S3Error as err:
            logger.warning("deleted file %s: object not removed yet: %s", row.id, err.code)
            continue
        await session.execute(delete(StoredFile).where(StoredFile.id == row.id))
        done += 1
    return done


async def sweep_orphans(
    session: AsyncSession,
    client: Minio,
    older_than: timedelta,
    *,
    bucket: str | None = None,
    prefix: str | None = None,
) -> SweepReport:
    """Reconcile ``core_files`` with the bucket (optionally under one ``prefix``, e.g. a tenant id + ``/``).

    Runs in the caller's transaction (the flags commit with it). ``older_than`` protects uploads that
    are still in their transaction: use at least the longest request time (default job: 1 hour).
    """
    bucket = bucket or get_settings().s3_bucket
    cutoff = utcnow() - older_than
    report = SweepReport()
    report.tombstones_purged = await purge_deleted(session, client, bucket, older_than=older_than)
    await _remove_orphans(session, client, bucket=bucket, cutoff=cutoff, prefix=prefix, report=report)
    await _flag_missing(session, client, bucket=bucket, cutoff=cutoff, prefix=prefix, report=report)
    return report


async def sweep_job() -> dict[str, int]:
    """The hourly job ``core.storage_sweep`` (worker process)."""
    from core.runtime import get_runtime  # noqa: PLC0415 - only processes with a runtime run jobs
    from core.storage.client import s3_client  # noqa: PLC0415

    rt = get_runtime()
    assert rt.db is not None
    async with rt.db.transaction() as session:
        report = await sweep_orphans(
            session, s3_client(rt.settings), timedelta(hours=1), bucket=rt.settings.s3_bucket
        )
    return {
        "objects_removed": len(report.objects_removed),
        "rows_flagged": len(report.rows_flagged),
        "tombstones_purged": report.tombstones_purged,
    }
