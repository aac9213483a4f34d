"""The archive bucket (档案库): versioned, created with S3 object lock, written idempotently.

Object keys are derived from the 档号 alone (``<tenant>/<档号>/<seq>-<name>``), so an interrupted archive
run that is repeated finds the objects it already wrote and keeps them (no second version): a copied file
must match its recorded sha256 (a mismatch is an error, never a silent overwrite); a generated one is kept
with the checksum of its actual bytes. A run that has just taken a new 档号 knows its keys are free
(``absent``) and skips the look-ups.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, BinaryIO, cast

from minio import Minio
from minio.commonconfig import COMPLIANCE, ENABLED, GOVERNANCE, REPLACE, CopySource
from minio.error import S3Error
from minio.objectlockconfig import ObjectLockConfig
from minio.retention import Retention
from minio.versioningconfig import VersioningConfig

from core.settings import Settings
from core.storage.client import s3_client
from core.storage.stream import executor

logger = logging.getLogger(__name__)

LOCK_MODE = COMPLIANCE  # nobody, not even the bucket owner, can shorten or lift it
_SPOOL_BYTES = 32 * 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_ready: set[tuple[str, str]] = set()

__all__ = ["GOVERNANCE", "LOCK_MODE", "ArchiveBucket", "PutResult", "archive_bucket_name"]


def archive_bucket_name(settings: Settings) -> str:
    """The archive bucket beside the working bucket: ``<FUBAN_S3_BUCKET>-archive``."""
    return f"{settings.s3_bucket}-archive"


def safe_name(name: str) -> str:
    """A key-safe rendering of a file name (the real name is kept in the database and the manifest)."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "file"
    return cleaned[-120:]


class ArchiveIntegrityError(RuntimeError):
    """An archive object already exists with other content than the run would write."""


@dataclass(frozen=True)
class PutResult:
    key: str
    version_id: str | None
    sha256: str
    size: int
    written: bool  # False when the object was already there (a repeated run)


class ArchiveBucket:
    """Blocking S3 calls on the storage thread pool; one instance per process."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> ArchiveBucket:
        return cls(s3_client(settings), archive_bucket_name(settings))

    async def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor(), lambda: fn(*args, **kwargs))

    def _ensure(self) -> None:
        marker = (self.client._base_url.host, self.bucket)
        if marker in _ready:
            return
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket, object_lock=True)
            except S3Error as err:
                if err.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        if self.client.get_bucket_versioning(self.bucket).status != ENABLED:
            self.client.set_bucket_versioning(self.bucket, VersioningConfig(ENABLED))
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error:
            # SeaweedFS accepts enabling object lock on an existing bucket; MinIO does not.
            self.client.set_object_lock_config(self.bucket, ObjectLockConfig(None, None, None))
            self.client.get_object_lock_config(self.bucket)
        _ready.add(marker)

    async def ensure(self) -> None:
        """Create the bucket with object lock and versioning (idempotent, once per process)."""
        await self._run(self._ensure)

    def _existing(self, key: str) -> tuple[str | None, str | None, int] | None:
        try:
            stat = self.client.stat_object(self.bucket, key)
        except S3Error as err:
            if err.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound"):
                return None
            raise
        meta = {k.lower(): v for k, v in (stat.metadata or {}).items()}
        return meta.get("x-amz-meta-sha256"), stat.version_id, int(stat.size or 0)

    def _put(
        self,
        key: str,
        data: IO[bytes],
        length: int,
        *,
        sha256: str,
        mime: str,
        until: datetime | None,
        absent: bool = False,
    ) -> PutResult:
        found = None if absent else self._existing(key)
        if found is not None:
            digest, version, size = found
            if digest != sha256:
                raise ArchiveIntegrityError(f"{key} exists with sha256 {digest}, expected {sha256}")
            return PutResult(key, version, sha256, size, written=False)
        retention = Retention(LOCK_MODE, until) if until is not None else None
        result = self.client.put_object(
            self.bucket,
            key,
            cast(BinaryIO, data),
            length,
            content_type=mime,
            metadata={"sha256": sha256},
            retention=retention,
        )
        return PutResult(key, result.version_id, sha256, length, written=True)

    async def put_bytes(
        self, key: str, content: bytes, mime: str, until: datetime | None, *, absent: bool = False
    ) -> PutResult:
        """Write a generated object once. Its key belongs to one 档号, so an object already there was
        written by an earlier run of the same request: it is kept (S3 writes whole objects only) and its
        checksum is taken from its actual bytes, even if this run rendered different bytes."""
        digest = hashlib.sha256(content).hexdigest()

        def run() -> PutResult:
            found = None if absent else self._existing(key)
            if found is not None and found[0] == digest:
                return PutResult(key, found[1], digest, found[2], written=False)
            if found is not None:
                kept = self._read(key, found[1])
                actual = hashlib.sha256(kept).hexdigest()
                if actual != found[0]:
                    raise ArchiveIntegrityError(f"{key}: content differs from its recorded sha256")
                return PutResult(key, found[1], actual, len(kept), written=False)
            return self._put(
                key, io.BytesIO(content), len(content), sha256=digest, mime=mime, until=until, absent=True
            )

        result: PutResult = await self._run(run)
        return result

    def _read(self, key: str, version_id: str | None) -> bytes:
        response = self.client.get_object(self.bucket, key, version_id=version_id)
        try:
            return bytes(response.read())
        finally:
            response.close()
            response.release_conn()

    async def copy_from(
        self,
        source: Minio,
        bucket: str,
        src_key: str,
        *,
        version_id: str | None,
        expected_sha256: str,
        size: int,
        key: str,
        mime: str,
        until: datetime | None,
        verify: bool = False,
        absent: bool = False,
    ) -> PutResult:
        """Copy a stored file (one version) into the archive.

        By default S3 copies it server-side (no bytes through this process); the sha256 recorded is the
        one the storage service computed while the file was uploaded, and the accession export re-hashes
        every byte it sends. ``verify`` (or a server refusing the copy) streams it through here instead,
        checking the sha256 on the way. Retention is set right after a copy, and again on a repeat, so
        an interruption between the two cannot leave the object unlocked.
        """

        def streamed() -> PutResult:
            with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
                digest = hashlib.sha256()
                response = source.get_object(bucket, src_key, version_id=version_id)
                try:
                    for chunk in response.stream(1024 * 1024):
                        digest.update(chunk)
                        spool.write(chunk)
                finally:
                    response.close()
                    response.release_conn()
                if digest.hexdigest() != expected_sha256:
                    raise ArchiveIntegrityError(f"{src_key}: content differs from its recorded sha256")
                length = spool.tell()
                spool.seek(0)
                return self._put(
                    key, spool, length, sha256=expected_sha256, mime=mime, until=until, absent=absent
                )

        def run() -> PutResult:
            found = None if absent else self._existing(key)
            if found is not None and found[0] != expected_sha256:
                raise ArchiveIntegrityError(
                    f"{key} exists with sha256 {found[0]}, expected {expected_sha256}"
                )
            if found is None and verify:
                return streamed()
            if found is None:
                try:
                    copied = self.client.copy_object(
                        self.bucket,
                        key,
                        CopySource(bucket, src_key, version_id=version_id),
                        metadata={"sha256": expected_sha256, "Content-Type": mime},
                        metadata_directive=REPLACE,
                    )
                except S3Error as err:
                    logger.info("server-side copy refused (%s); streaming %s instead", err.code, src_key)
                    return streamed()
                version, written = copied.version_id, True
            else:
                version, written = found[1], False
            if until is not None:
                self.client.set_object_retention(
                    self.bucket, key, Retention(LOCK_MODE, until), version_id=version
                )
            return PutResult(key, version, expected_sha256, size, written=written)

        result: PutResult = await self._run(run)
        return result

    async def get(self, key: str, version_id: str | None) -> bytes:
        data: bytes = await self._run(self._read, key, version_id)
        return data

    def open_stream(self, key: str, version_id: str | None) -> Any:
        """Blocking: the object's response (``.stream(n)``; close and release it afterwards)."""
        return self.client.get_object(self.bucket, key, version_id=version_id)

    async def remove_all_versions(self, key: str) -> int:
        """Remove every version of ``key``; S3 refuses (``S3Error``) while a retention is in force."""

        def run() -> int:
            removed = 0
            for obj in self.client.list_objects(self.bucket, prefix=key, include_version=True):
                if obj.object_name == key:
                    self.client.remove_object(self.bucket, key, version_id=obj.version_id)
                    removed += 1
            return removed

        count: int = await self._run(run)
        return count
