"""Streaming upload to S3 with bounded memory (流式上传).

The request body arrives as an async iterator of chunks. The first bytes decide the MIME type (magic
numbers) before anything is sent to S3. Then chunks are copied into a part buffer (the first one grows
with the data, so a small file costs its own size); each full part is hashed (sha256, in order, off the
event loop) and uploaded by a worker thread while the next part is being received. At most ``parallel``
parts are in flight and finished part buffers are refilled rather than reallocated, so a large file
holds at most ``(parallel + 1) * part_size`` of buffers and the event loop does no per-part allocation. On
any failure (too large, client gone, S3 error) in-flight parts are awaited and the multipart upload is
aborted, so no object is left behind.

The multipart calls are the minio SDK's own (``_create_multipart_upload`` & co., the methods its
``put_object`` is built on): the public ``put_object`` reads from a blocking file object and copies each
part several times, which would need a bridge thread and more memory for the same result.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from collections import deque
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from minio import Minio
from minio.datatypes import Part

from core.errors import AppError, Msg
from core.storage.policy import StoragePolicy
from core.storage.sniff import HEAD_BYTES, sniff_mime

logger = logging.getLogger(__name__)

MIN_PART = 5 * 1024 * 1024  # S3's smallest part (except the last)
_executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="fuban-s3")


def executor() -> ThreadPoolExecutor:
    """The threads that run blocking minio calls for the whole process."""
    return _executor


def too_large(limit: int) -> AppError:
    mb = max(1, limit // (1024 * 1024))
    return AppError(
        "file_too_large",
        Msg(f"文件超过大小上限（{mb} MB）", f"The file exceeds the size limit ({mb} MB)"),
        status=413,
        extra={"max_bytes": limit},
    )


def type_refused(mime: str) -> AppError:
    msg = Msg(f"不允许上传此类型的文件（{mime}）", f"Files of type {mime} are not allowed")
    return AppError("file_type_not_allowed", msg, status=415, extra={"detected_type": mime})


EMPTY_FILE = AppError("file_empty", Msg("文件内容为空", "The file is empty"), status=422)


@dataclass(frozen=True)
class StoredObject:
    """What landed in S3."""

    key: str
    size: int
    sha256: str
    mime: str
    version_id: str | None
    etag: str


class _Head:
    """Reads the first bytes of a stream without losing the rest."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self.chunks = chunks
        self.data = b""
        self.eof = False

    async def fill(self, want: int) -> None:
        parts: list[bytes] = []
        size = 0
        while size < want:
            try:
                chunk = await anext(self.chunks)
            except StopAsyncIteration:
                self.eof = True
                break
            parts.append(chunk)
            size += len(chunk)
        self.data = b"".join(parts)


async def put_stream(
    client: Minio,
    bucket: str,
    key: str,
    chunks: AsyncIterator[bytes],
    *,
    policy: StoragePolicy,
    declared_type: str | None = None,
    declared_length: int | None = None,
    file_name: str = "",
    metadata: Mapping[str, str] | None = None,
    part_size: int = 8 * 1024 * 1024,
    parallel: int = 3,
) -> StoredObject:
    """Stream ``chunks`` into ``bucket/key``; refuse (4xx, nothing stored) what ``policy`` forbids."""
    if part_size < MIN_PART:
        raise ValueError("part_size must be at least 5 MiB")
    if declared_length is not None and declared_length > policy.max_bytes:
        raise too_large(policy.max_bytes)
    head = _Head(chunks)
    await head.fill(HEAD_BYTES)
    if not head.data:
        raise EMPTY_FILE
    mime = sniff_mime(head.data[:HEAD_BYTES], declared_type, file_name)
    if not policy.allows(mime):
        raise type_refused(mime)
    headers = {"Content-Type": mime}
    headers.update({f"x-amz-meta-{k}": v for k, v in (metadata or {}).items()})
    upload = _Upload(client, bucket, key, headers, part_size=part_size, parallel=max(1, parallel))
    return await upload.run(head, policy.max_bytes, mime)


class _Upload:
    def __init__(
        self, client: Minio, bucket: str, key: str, headers: dict[str, str], *, part_size: int, parallel: int
    ) -> None:
        self.client, self.bucket, self.key, self.headers = client, bucket, key, headers
        self.part_size, self.parallel = part_size, parallel
        self.loop = asyncio.get_running_loop()
        self.hasher = hashlib.sha256()
        self.hashing: asyncio.Future[None] | None = None
        self.upload_id: str | None = None
        self.in_flight: deque[tuple[int, asyncio.Future[str], bytearray]] = deque()
        self.parts: list[Part] = []
        # Full part buffers whose upload (and hash) finished: refilled instead of allocating fresh ones,
        # which spares the event loop the page faults and reallocations of a new buffer per part.
        self.spare: list[bytearray] = []

    async def _call(self, fn: Any, *args: Any) -> Any:
        return await self.loop.run_in_executor(_executor, fn, *args)

    async def _hash(self, data: bytes | bytearray | memoryview) -> None:
        # One hash step at a time keeps the digest in byte order; each runs off the event loop.
        if self.hashing is not None:
            await self.hashing
        self.hashing = self.loop.run_in_executor(_executor, self.hasher.update, data)

    async def _send_part(self, data: bytearray) -> None:
        await self._hash(data)
        if self.upload_id is None:
            self.upload_id = await self._call(
                self.client._create_multipart_upload, self.bucket, self.key, dict(self.headers)
            )
        while len(self.in_flight) >= self.parallel:
            await self._collect_one()
        number = len(self.parts) + len(self.in_flight) + 1
        upload_part: Any = self.client._upload_part
        fut = self.loop.run_in_executor(
            _executor, upload_part, self.bucket, self.key, data, None, self.upload_id, number
        )
        self.in_flight.append((number, fut, data))

    async def _collect_one(self) -> None:
        number, fut, data = self.in_flight.popleft()
        self.parts.append(Part(number, await fut))
        # Safe to refill: hash steps run in order and each awaits the previous one, so this part's hash
        # finished before the newer part now in flight was handed to the hasher.
        if len(data) == self.part_size:
            self.spare.append(data)

    async def run(self, head: _Head, max_bytes: int, mime: str) -> StoredObject:
        # Grows as data arrives: a 20 KB photo must not cost a whole part's buffer under concurrency.
        buf = bytearray()
        pos = 0
        total = 0
        try:
            pending: bytes | None = head.data
            while True:
                if pending is None:
                    if head.eof:
                        break
                    try:
                        pending = await anext(head.chunks)
                    except StopAsyncIteration:
                        break
                chunk = memoryview(pending)
                pending = None
                total += len(chunk)
                if total > max_bytes:
                    raise too_large(max_bytes)
                while chunk:
                    n = min(len(chunk), self.part_size - pos)
                    # Appends to the growing first buffer; overwrites in place in a recycled full one.
                    buf[pos : pos + n] = chunk[:n]
                    pos += n
                    chunk = chunk[n:]
                    if pos == self.part_size:
                        await self._send_part(buf)
                        buf = self.spare.pop() if self.spare else bytearray(self.part_size)
                        pos = 0
            return await self._finish(buf, pos, total, mime)
        except BaseException:
            await self._abort()
            raise

    async def _finish(self, buf: bytearray, pos: int, total: int, mime: str) -> StoredObject:
        if self.upload_id is None:
            data = bytes(memoryview(buf)[:pos])
            await self._hash(data)
            meta: dict[str, Any] = {k: v for k, v in self.headers.items() if k != "Content-Type"}
            result = await self._call(
                lambda: self.client.put_object(
                    self.bucket,
                    self.key,
                    io.BytesIO(data),
                    len(data),
                    content_type=mime,
                    metadata=meta,
                    part_size=self.part_size,
                )
            )
            version_id, etag = result.version_id, result.etag
        else:
            if pos:
                await self._send_part(buf[:pos])
            while self.in_flight:
                await self._collect_one()
            done = await self._call(
                self.client._complete_multipart_upload, self.bucket, self.key, self.upload_id, self.parts
            )
            version_id, etag = done.version_id, done.etag or ""
        assert self.hashing is not None
        await self.hashing
        return StoredObject(self.key, total, self.hasher.hexdigest(), mime, version_id, etag)

    async def _abort(self) -> None:
        for _, fut, _data in self.in_flight:
            try:
                await fut
            except Exception:  # noqa: S112 - the part's own error is irrelevant once aborting
                continue
        self.in_flight.clear()
        if self.upload_id is not None:
            try:
                await self._call(self.client._abort_multipart_upload, self.bucket, self.key, self.upload_id)
            except Exception:
                # Left-over parts expire through the bucket's abort-incomplete-upload lifecycle rule.
                logger.warning(
                    "could not abort multipart upload %s of %s", self.upload_id, self.key, exc_info=True
                )
