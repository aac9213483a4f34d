"""The storage service (文件存储): upload, look up, hand out, lock and delete files.

Consistency between ``core_files`` and the bucket:

- Upload streams the object first, then adds the row in the caller's transaction. Should that
  transaction roll back, the object is removed right after the rollback (and the orphan sweeper catches
  what a crash leaves behind).
- Delete marks the row deleted (tombstone, invisible at once) in the caller's transaction; after the
  commit every version of the object is removed and then the row. If that is cut short, the sweeper's
  :func:`core.storage.sweeper.purge_deleted` finishes it. A live row therefore always has its object.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

from minio import Minio
from minio.error import S3Error
from minio.retention import Retention
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from core.audit.service import record
from core.db.base import utcnow
from core.errors import AppError, Msg, conflict, invalid, not_found
from core.settings import Settings
from core.storage import names
from core.storage.client import s3_client
from core.storage.models import StoredFile
from core.storage.policy import StoragePolicy
from core.storage.stream import StoredObject, executor, put_stream

logger = logging.getLogger(__name__)

DEFAULT_URL_EXPIRY = timedelta(minutes=5)
LOCK_MODES = ("COMPLIANCE", "GOVERNANCE")
_AFTER = "fuban_storage_after"

FILE_LOCKED = AppError("file_locked", Msg("文件已归档锁定，不能删除", "The file is locked (archived)"), 409)
LOCK_UNSUPPORTED = AppError(
    "object_lock_unavailable",
    Msg(
        "存储桶未启用对象锁定，无法锁定归档文件",
        "The bucket has no object lock: archived files cannot be locked",
    ),
    status=409,
)


def file_not_found() -> AppError:
    return not_found("file", "文件")


class StorageService:
    """Files of every plugin in one bucket, keyed ``<tenant>/<plugin>/<yyyy>/<mm>/<uuid>``."""

    def __init__(
        self,
        client: Minio,
        bucket: str,
        *,
        part_size: int = 8 * 1024 * 1024,
        parallel: int = 3,
        url_expiry: timedelta = DEFAULT_URL_EXPIRY,
        presign_client: Minio | None = None,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.part_size = part_size
        self.parallel = parallel
        self.url_expiry = url_expiry
        # Presigned URLs carry the host in their signature: sign for the address browsers use.
        self.presign_client = presign_client or client
        self._tasks: set[asyncio.Future[Any]] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> StorageService:
        public = str(getattr(settings, "s3_public_endpoint", "") or "")
        presign = None
        if public:
            presign = s3_client(settings.model_copy(update={"s3_endpoint": public}))
        return cls(s3_client(settings), settings.s3_bucket, presign_client=presign)

    async def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor(), lambda: fn(*args, **kwargs))

    # -- writing ---------------------------------------------------------------------------------------

    async def store(
        self,
        chunks: AsyncIterator[bytes],
        *,
        tenant_id: uuid.UUID,
        plugin: str,
        original_name: str,
        policy: StoragePolicy,
        declared_type: str | None = None,
        declared_length: int | None = None,
        file_id: uuid.UUID | None = None,
        created_by: uuid.UUID | None = None,
    ) -> tuple[uuid.UUID, str, StoredObject]:
        """Stream one object into the bucket (no database): ``(file id, validated name, object)``."""
        name = names.validate_name(original_name)
        file_id = file_id or uuid.uuid4()
        key = names.object_key(tenant_id, plugin, utcnow(), file_id)
        meta = {
            "original-name": names.encode_meta(name),
            "file-id": str(file_id),
            "tenant": str(tenant_id),
            "plugin": plugin,
        }
        if created_by is not None:
            meta["created-by"] = str(created_by)
        obj = await put_stream(
            self.client,
            self.bucket,
            key,
            chunks,
            policy=policy,
            declared_type=declared_type,
            declared_length=declared_length,
            file_name=name,
            metadata=meta,
            part_size=self.part_size,
            parallel=self.parallel,
        )
        return file_id, name, obj

    async def upload(
        self,
        session: AsyncSession,
        chunks: AsyncIterator[bytes],
        *,
        tenant_id: uuid.UUID,
        plugin: str,
        original_name: str,
        policy: StoragePolicy,
        created_by: uuid.UUID | None = None,
        classification: int = 0,
        declared_type: str | None = None,
        declared_length: int | None = None,
    ) -> StoredFile:
        """Stream a file to S3 and add its ``core_files`` row in the caller's transaction.

        Refusals (bad name 422, too large 413, type not allowed 415, empty 422) leave neither object nor
        row. Not audited here: the caller records the business action (the controller records
        ``core.files.upload``).
        """
        if not 0 <= classification <= 3:
            raise invalid("classification", "out_of_range", "密级取值无效", "Classification must be 0..3")
        file_id, name, obj = await self.store(
            chunks,
            tenant_id=tenant_id,
            plugin=plugin,
            original_name=original_name,
            policy=policy,
            declared_type=declared_type,
            declared_length=declared_length,
            created_by=created_by,
        )
        row = StoredFile(
            id=file_id,
            tenant_id=tenant_id,
            plugin=plugin,
            object_key=obj.key,
            version_id=obj.version_id,
            original_name=name,
            mime=obj.mime,
            size=obj.size,
            sha256=obj.sha256,
            classification=classification,
            created_by=created_by,
            created_at=utcnow(),
        )
        try:
            session.add(row)
            await session.flush()
        except BaseException:
            await self.remove_object(obj.key)
            raise
        self._after(session, "rollback", obj.key, None)
        return row

    # -- reading ---------------------------------------------------------------------------------------

    async def get(self, session: AsyncSession, file_id: uuid.UUID, *, tenant_id: uuid.UUID) -> StoredFile:
        """A live file of ``tenant_id``; 404 for unknown, deleted or another tenant's files alike."""
        row = await session.scalar(
            select(StoredFile).where(
                StoredFile.id == file_id, StoredFile.tenant_id == tenant_id, StoredFile.deleted_at.is_(None)
            )
        )
        if row is None:
            raise file_not_found()
        return row

    def presigned_url(self, f: StoredFile, *, expires: timedelta | None = None, inline: bool = False) -> str:
        """A short-lived GET URL for exactly the stored version, with the original name as download name."""
        expiry = expires or self.url_expiry
        if not timedelta(seconds=1) <= expiry <= timedelta(hours=1):
            raise ValueError("presigned URLs live between 1 second and 1 hour")
        headers: dict[str, Any] = {
            "response-content-disposition": names.content_disposition(
                f.original_name, inline=inline, mime=f.mime
            ),
            "response-content-type": f.mime,
        }
        return self.presign_client.presigned_get_object(
            self.bucket,
            f.object_key,
            expires=expiry,
            response_headers=headers,
            version_id=f.version_id,
        )

    async def open(self, f: StoredFile, *, chunk_size: int = 4 * 1024 * 1024) -> AsyncIterator[bytes]:
        """The object's bytes as an async iterator (for serving through the API)."""
        response = await self._run(self.client.get_object, self.bucket, f.object_key, version_id=f.version_id)
        return _iterate(response, chunk_size, self._run)

    # -- archive lock ----------------------------------------------------------------------------------

    async def lock_enabled(self) -> bool:
        try:
            await self._run(self.client.get_object_lock_config, self.bucket)
        except S3Error:
            return False
        return True

    async def lock_object(
        self, session: AsyncSession, f: StoredFile, until: datetime, *, mode: str = "COMPLIANCE"
    ) -> None:
        """Put S3 object-lock retention on the file's version until ``until`` (归档: immutable).

        ``COMPLIANCE`` cannot be shortened or removed by anyone; retention can only be extended.
        """
        if mode not in LOCK_MODES:
            raise ValueError(f"lock mode must be one of {LOCK_MODES}")
        until = until.replace(microsecond=0)
        if until <= utcnow():
            raise invalid("until", "in_past", "锁定期限须晚于当前时间", "The lock must end in the future")
        if f.locked_until is not None and until < f.locked_until:
            raise conflict("lock_shortening", "不能缩短锁定期限", "A lock can only be extended")
        if not await self.lock_enabled():
            raise LOCK_UNSUPPORTED
        await self._run(
            self.client.set_object_retention,
            self.bucket,
            f.object_key,
            Retention(mode, until),
            version_id=f.version_id,
        )
        before = {"locked_until": f.locked_until.isoformat() if f.locked_until else None}
        f.locked_until, f.lock_mode = until, mode
        await session.flush()
        await record(
            session,
            action="core.files.lock",
            object_type="core.file",
            object_id=f.id,
            tenant_id=f.tenant_id,
            summary=f"归档锁定文件「{f.original_name}」",
            before=before,
            after={"locked_until": until.isoformat(), "mode": mode},
        )

    # -- deleting --------------------------------------------------------------------------------------

    async def delete(self, session: AsyncSession, f: StoredFile) -> None:
        """Tombstone the row now; remove the object's versions and then the row after the commit."""
        if f.locked_until is not None and f.locked_until > utcnow():
            raise FILE_LOCKED
        f.deleted_at = utcnow()
        await session.flush()
        self._after(session, "commit", f.object_key, f.id)

    async def remove_object(self, key: str) -> int:
        """Delete every version (and delete marker) of ``key``; returns how many were removed."""
        return int(await self._run(remove_versions, self.client, self.bucket, key))

    # -- after commit / rollback ----------------------------------------------------------------------

    def _after(self, session: AsyncSession, when: str, key: str, row_id: uuid.UUID | None) -> None:
        info = session.sync_session.info
        pending: dict[str, list[tuple[str, uuid.UUID | None]]] | None = info.get(_AFTER)
        if pending is None:
            pending = {"commit": [], "rollback": []}
            info[_AFTER] = pending
            engine = session.bind
            sync = session.sync_session
            event.listen(sync, "after_commit", lambda s: self._fire(s, "commit", engine))
            event.listen(sync, "after_rollback", lambda s: self._fire(s, "rollback", engine))
        pending[when].append((key, row_id))

    def _fire(self, sync: Session, when: str, engine: Any) -> None:
        pending = sync.info.get(_AFTER) or {}
        jobs = list(pending.get(when, []))
        for lst in pending.values():
            lst.clear()
        if not jobs:
            return
        loop = asyncio.get_running_loop()
        for key, row_id in jobs:
            task = loop.create_task(self._finish_removal(key, row_id, engine))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _finish_removal(self, key: str, row_id: uuid.UUID | None, engine: AsyncEngine | None) -> None:
        try:
            await self.remove_object(key)
            if row_id is not None and engine is not None:
                async with AsyncSession(engine) as s, s.begin():
                    await s.execute(
                        delete(StoredFile).where(StoredFile.id == row_id, StoredFile.deleted_at.is_not(None))
                    )
        except Exception:
            logger.warning("could not finish removing %s; the sweeper will retry", key, exc_info=True)

    async def drain(self) -> None:
        """Wait (up to 30 s) for pending after-commit removals: shutdown, tests. Polls, because they may
        run on another event loop than the caller's (the test client serves the app from a thread)."""
        for _ in range(1500):
            if not self._tasks:
                return
            await asyncio.sleep(0.02)


def remove_versions(client: Minio, bucket: str, key: str) -> int:
    """Blocking: remove all versions of exactly ``key``. Locked versions raise ``S3Error``."""
    removed = 0
    for obj in client.list_objects(bucket, prefix=key, include_version=True):
        if obj.object_name != key:
            continue
        client.remove_object(bucket, key, version_id=obj.version_id)
        removed += 1
    return removed


async def _iterate(response: Any, chunk_size: int, run: Callable[..., Any]) -> AsyncIterator[bytes]:
    """Chunks of a minio response, reading the next one from S3 while the current one is sent."""
    reader = response.stream(chunk_size)
    pending: Any = asyncio.ensure_future(run(next, reader, b""))
    try:
        while True:
            chunk = await pending
            pending = None
            if not chunk:
                break
            pending = asyncio.ensure_future(run(next, reader, b""))
            yield chunk
    finally:
        if pending is not None:
            with contextlib.suppress(Exception):
                await pending  # never close the connection under a read in progress
        response.close()
        response.release_conn()
