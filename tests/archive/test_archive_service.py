"""The archive job in-process on the real stack: 档号, files, XML record, PDF/A, object lock, numbering."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from minio.error import S3Error
from pypdf import PdfReader
from sqlalchemy import select

from core.archive.models import ArchivedItem, ArchiveFile
from core.archive.run import archive_bucket, archive_request, expiry, format_archive_no
from core.calendar.service import load_calendar
from core.runtime import get_runtime
from tests.archive.helpers import counts, install_sample, make_note, request, versions
from tests.sample_plugin.plugin import SampleNote


@pytest.fixture(autouse=True)
def _runtime(runtime: Any) -> None:
    """Needs the app's runtime (loaded plugins, settings)."""


def test_archive_number_format() -> None:
    assert format_archive_no("J001", 2026, "Y", "BGS", 1) == "J001-WS·2026-Y-BGS-0001"
    assert format_archive_no("J001", 2026, "D10", "MSK", 123) == "J001-WS·2026-D10-MSK-0123"


async def test_expiry_counts_from_next_january_in_calendar_years(db: Any) -> None:
    async with db.sessionmaker() as s:
        cal = await load_calendar(s)
    assert expiry(cal, 2026, "Y") is None
    # 2026 + D10 → from 2027-01-01, ten calendar years: 2037-01-01 (a holiday) moves to the next working day.
    d10 = expiry(cal, 2026, "D10")
    assert d10 is not None and dt.date(2037, 1, 1) <= d10 <= dt.date(2037, 1, 6)
    d30 = expiry(cal, 2010, "D30")
    assert d30 is not None and d30.year == 2041


async def test_archive_writes_locked_objects_record_and_marks_once(
    db: Any, settings: Any, tenant: Any
) -> None:
    await install_sample(db, tenant.id)
    note = await make_note(db, settings, tenant.id, title="关于做好2026年档案工作的通知")
    rid = await request(db, tenant.id, note)
    assert await archive_request(db, rid) == "archived"
    assert await archive_request(db, rid) == "done"
    c = await counts(db, note)
    item: ArchivedItem = c["items"][0]
    assert len(c["items"]) == 1 and c["archived_times"] == 1 and c["archive_no"] == item.archive_no
    assert item.archive_no == "J001-WS·2026-Y-BGS-0001" and item.state == "archived"
    assert item.lock_until is not None and item.lock_until.year >= dt.date.today().year + 99
    bucket = archive_bucket()
    async with db.sessionmaker() as s:
        files = list(
            await s.scalars(
                select(ArchiveFile).where(ArchiveFile.item_id == item.id).order_by(ArchiveFile.seq)
            )
        )
    assert [f.role for f in files] == ["metadata", "original", "attachment"]
    assert versions(bucket, f"{tenant.id}/{item.archive_no}/") == {f.object_key: 1 for f in files}
    for f in files:
        data = await bucket.get(f.object_key, f.version_id)
        assert hashlib.sha256(data).hexdigest() == f.sha256 and len(data) == f.size
        retention = bucket.client.get_object_retention(bucket.bucket, f.object_key, version_id=f.version_id)
        assert retention is not None and retention.mode == "COMPLIANCE"
        with pytest.raises(S3Error):  # object lock: not even the service account can delete it
            bucket.client.remove_object(bucket.bucket, f.object_key, version_id=f.version_id)
    xml = ET.fromstring(await bucket.get(files[0].object_key, files[0].version_id))
    assert xml.findtext("档号") == item.archive_no and xml.findtext("题名") == "关于做好2026年档案工作的通知"
    assert (
        xml.findtext("保管期限") == "永久"
        and xml.findtext("件号") == "0001"
        and xml.findtext("日期") == "20260301"
    )
    sums = {e.findtext("文件名"): e.findtext("校验码") for e in xml.iter("电子文件")}
    assert sums == {"正文.pdf": files[1].sha256, "附件.pdf": files[2].sha256}
    pdf = PdfReader(io.BytesIO(await bucket.get(files[1].object_key, files[1].version_id)))
    assert "/OutputIntents" in pdf.trailer["/Root"]
    assert b"<pdfaid:part>2</pdfaid:part>" in pdf.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert "关于做好2026年档案工作的通知" in pdf.pages[0].extract_text()


async def test_numbers_are_per_group_and_never_shared_under_concurrency(
    db: Any, settings: Any, tenant: Any
) -> None:
    await install_sample(db, tenant.id)
    notes = [
        await make_note(db, settings, tenant.id, retention="D10", org="MSK", attachment=False)
        for _ in range(8)
    ]
    other = await make_note(db, settings, tenant.id, retention="D10", org="ZFB", attachment=False)
    rids = [await request(db, tenant.id, n) for n in [*notes, other]]
    assert set(await asyncio.gather(*(archive_request(db, r) for r in rids))) == {"archived"}
    async with db.sessionmaker() as s:
        items = list(await s.scalars(select(ArchivedItem).where(ArchivedItem.tenant_id == tenant.id)))
    msk = sorted(i.item_no for i in items if i.org_code == "MSK")
    assert msk == list(range(1, 9))
    assert [i.archive_no for i in items if i.org_code == "ZFB"] == ["J001-WS·2026-D10-ZFB-0001"]
    d10 = next(i for i in items if i.org_code == "ZFB")
    assert d10.expires_on is not None and d10.expires_on.year == 2037


async def test_collect_failure_leaves_no_number(db: Any, settings: Any, tenant: Any) -> None:
    """A 件 whose file vanished fails before anything is written, and no 件号 is used up."""
    await install_sample(db, tenant.id)
    note = await make_note(db, settings, tenant.id, org="CWK")
    rid = await request(db, tenant.id, note)
    async with db.transaction() as s:
        row = await s.get(SampleNote, uuid.UUID(note))
        assert row is not None
        row.org_code = "bad code"
    with pytest.raises(Exception, match="机构代码"):
        await archive_request(db, rid)
    c = await counts(db, note)
    assert c["items"] == [] and c["archived_times"] == 0


async def test_repeated_writes_keep_one_version(tenant: Any) -> None:
    """A key belongs to one 档号: a repeat keeps the first object (generated) or refuses (copy, differing)."""
    from core.archive.bucket import ArchiveIntegrityError  # noqa: PLC0415
    from core.storage.client import s3_client  # noqa: PLC0415

    bucket = archive_bucket()
    await bucket.ensure()
    key = f"{tenant.id}/TEST-WS·2026-D10-CS-0001/01-x.pdf"
    first = await bucket.put_bytes(key, b"%PDF-first", "application/pdf", None)
    again = await bucket.put_bytes(key, b"%PDF-other rendering", "application/pdf", None)
    assert (
        first.written
        and not again.written
        and again.sha256 == first.sha256 == hashlib.sha256(b"%PDF-first").hexdigest()
    )
    same = await bucket.put_bytes(key, b"%PDF-first", "application/pdf", None)
    assert not same.written and same.version_id == first.version_id
    assert versions(bucket, key) == {key: 1}
    source = s3_client(get_runtime().settings)
    with pytest.raises(ArchiveIntegrityError):
        await bucket.copy_from(
            source,
            bucket.bucket,
            key,
            version_id=None,
            expected_sha256="0" * 64,
            size=10,
            key=key + "2",
            mime="application/pdf",
            until=None,
            verify=True,
        )
    assert versions(bucket, key + "2") == {}
