"""Accession package (移交包) for the archives bureau: a zip streamed with bounded memory.

Layout: ``manifest.xml`` (移交清单, every 件's DA/T record), ``manifest.json``, ``目录.csv`` (归档文件目录),
``SHA256SUMS`` (sha256 of every file in the package), then ``<档号>/<file>`` for each 件. Object bytes are
hashed while streamed; a mismatch with the recorded checksum aborts the stream (the zip is then cut short
and unusable rather than silently wrong).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.archive.bucket import ArchiveBucket, ArchiveIntegrityError
from core.archive.models import ArchivedItem, ArchiveFile
from core.archive.record import CLASSIFICATION_ZH, RETENTION_ZH, FileEntry, item_element
from core.storage.stream import executor

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Selection:
    tenant_id: uuid.UUID
    year: int
    retention: str | None
    max_classification: int


async def select_items(session: AsyncSession, sel: Selection) -> list[tuple[ArchivedItem, list[ArchiveFile]]]:
    cond = [
        ArchivedItem.tenant_id == sel.tenant_id,
        ArchivedItem.year == sel.year,
        ArchivedItem.state == "archived",
        ArchivedItem.classification <= sel.max_classification,
    ]
    if sel.retention:
        cond.append(ArchivedItem.retention == sel.retention)
    items = list(
        await session.scalars(
            select(ArchivedItem)
            .where(*cond)
            .order_by(ArchivedItem.retention, ArchivedItem.org_code, ArchivedItem.item_no)
        )
    )
    files: dict[uuid.UUID, list[ArchiveFile]] = {i.id: [] for i in items}
    if items:
        for f in await session.scalars(
            select(ArchiveFile)
            .where(ArchiveFile.item_id.in_(list(files)), ArchiveFile.removed_at.is_(None))
            .order_by(ArchiveFile.seq)
        ):
            files[f.item_id].append(f)
    return [(i, files[i.id]) for i in items]


def _path(item: ArchivedItem, f: ArchiveFile) -> str:
    return f"{item.archive_no}/{f.object_key.rsplit('/', 1)[-1]}"


def manifests(sel: Selection, rows: Sequence[tuple[ArchivedItem, list[ArchiveFile]]]) -> dict[str, bytes]:
    """The package's catalogue files (name → bytes), written before the objects."""
    root = ET.Element(
        "移交清单",
        {
            "标准": "DA/T 22-2015",
            "年度": str(sel.year),
            "保管期限": RETENTION_ZH.get(sel.retention or "", "全部"),
            "件数": str(len(rows)),
        },
    )
    listing: list[dict[str, object]] = []
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["档号", "题名", "责任者", "文号", "日期", "密级", "页数", "保管期限", "备注"])
    sums: list[str] = []
    for item, files in rows:
        entries = [FileEntry(f.seq, f.role, f.name, f.mime, f.size, f.sha256, _path(item, f)) for f in files]
        root.append(item_element(item, entries))
        listing.append(
            {
                "archive_no": item.archive_no,
                "title": item.title,
                "year": item.year,
                "retention": item.retention,
                "files": [
                    {"path": e.key, "name": e.name, "sha256": e.sha256, "size": e.size} for e in entries
                ],
            }
        )
        writer.writerow(
            [
                item.archive_no,
                item.title,
                item.responsible,
                item.doc_no,
                item.doc_date.strftime("%Y%m%d"),
                CLASSIFICATION_ZH.get(item.classification, ""),
                item.pages,
                RETENTION_ZH[item.retention],
                "",
            ]
        )
        sums.extend(f"{e.sha256}  {e.key}" for e in entries)
    ET.indent(root)
    return {
        "manifest.xml": ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n",
        "manifest.json": json.dumps(
            {"year": sel.year, "retention": sel.retention, "count": len(rows), "items": listing},
            ensure_ascii=False,
            indent=1,
        ).encode(),
        "目录.csv": ("\ufeff" + table.getvalue()).encode(),  # BOM: Excel opens UTF-8 CSV correctly
        "SHA256SUMS": "".join(f"{line}\n" for line in sums).encode(),
    }


class _Sink(io.RawIOBase):
    """A write-only, non-seekable file: zipfile writes into it, the generator drains it."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.offset = 0

    def writable(self) -> bool:
        return True

    def write(self, b: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.buffer += b
        self.offset += len(b)
        return len(b)

    def tell(self) -> int:
        return self.offset

    def drain(self) -> bytes:
        out = bytes(self.buffer)
        self.buffer.clear()
        return out


async def stream_package(
    bucket: ArchiveBucket, sel: Selection, rows: Sequence[tuple[ArchivedItem, list[ArchiveFile]]]
) -> AsyncIterator[bytes]:
    """The zip, chunk by chunk; objects are read from S3 a megabyte at a time."""
    loop = asyncio.get_running_loop()
    sink = _Sink()
    zf = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    for name, content in manifests(sel, rows).items():
        zf.writestr(name, content)
        yield sink.drain()
    for item, files in rows:
        for f in files:
            response = await loop.run_in_executor(executor(), bucket.open_stream, f.object_key, f.version_id)
            digest = hashlib.sha256()
            try:
                reader = response.stream(CHUNK)
                with zf.open(zipfile.ZipInfo(_path(item, f)), mode="w", force_zip64=True) as out:
                    while chunk := await loop.run_in_executor(executor(), next, reader, b""):
                        digest.update(chunk)
                        out.write(chunk)
                        if len(sink.buffer) >= CHUNK:
                            yield sink.drain()
            finally:
                response.close()
                response.release_conn()
            if digest.hexdigest() != f.sha256:
                raise ArchiveIntegrityError(f"{f.object_key}: sha256 differs from the record")
            yield sink.drain()
    zf.close()
    yield sink.drain()
