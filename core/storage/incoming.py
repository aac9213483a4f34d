"""Reading an upload from the request body without buffering it (raw body or multipart/form-data).

- Raw body: ``Content-Type`` is the declared type, ``X-File-Name`` the name (percent-encoded UTF-8).
- ``multipart/form-data``: the first part named ``file`` with a filename is streamed as it is parsed
  (incremental parser, bounded buffers); other small fields are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from litestar import Request
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from core.errors import invalid
from core.storage.names import decode_header_name

FILE_FIELD = "file"
MAX_OTHER_FIELD = 64 * 1024
NAME_HEADER = "x-file-name"


@dataclass
class IncomingFile:
    """An upload whose body has not been read yet."""

    name: str
    declared_type: str | None
    declared_length: int | None
    chunks: AsyncIterator[bytes]


def _bad_multipart(detail: str) -> Exception:
    zh = f"上传内容格式无效：{detail}"
    return invalid("file", "bad_multipart", zh, f"Invalid multipart body: {detail}")


async def _events(stream: AsyncIterator[bytes], parser: PushMultipartParser) -> AsyncIterator[Any]:
    try:
        async for chunk in stream:
            if chunk:
                for event in parser.parse(chunk):
                    yield event
        for event in parser.parse(b""):
            yield event
    except MultipartError as err:
        raise _bad_multipart(str(err)) from None


async def _file_part(stream: AsyncIterator[bytes], boundary: str) -> IncomingFile:
    parser = PushMultipartParser(boundary, max_segment_count=32)
    events = _events(stream, parser)
    found: MultipartSegment | None = None
    other = 0
    async for event in events:
        if isinstance(event, MultipartSegment):
            if event.name == FILE_FIELD and event.filename is not None:
                found = event
                break
        elif event is not None:
            other += len(event)
            if other > MAX_OTHER_FIELD:
                raise _bad_multipart("form fields before the file are too large")
    if found is None:
        raise invalid("file", "required", "缺少文件（表单字段 file）", "The 'file' form field is missing")

    async def body() -> AsyncIterator[bytes]:
        async for event in events:
            if event is None:
                break
            if isinstance(event, MultipartSegment):  # pragma: no cover - the parser ends segments first
                raise _bad_multipart("unexpected segment")
            yield bytes(event)
        async for _ in events:
            pass  # read to the end so a truncated body is reported, not stored

    return IncomingFile(found.filename or "", found.content_type, None, body())


def _content_length(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


async def read_upload(request: Request[Any, Any, Any]) -> IncomingFile:
    """The file of an upload request; raises 422 for a missing name or a malformed multipart body."""
    content_type = request.headers.get("content-type", "")
    kind, options = parse_options_header(content_type) if content_type else ("", {})
    if kind == "multipart/form-data":
        boundary = options.get("boundary")
        if not boundary:
            raise _bad_multipart("no boundary")
        return await _file_part(request.stream(), boundary)
    name = decode_header_name(request.headers.get(NAME_HEADER))
    return IncomingFile(name, kind or None, _content_length(request), request.stream())
