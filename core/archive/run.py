"""The archive job (归档): one request → one 件 with one 档号 and one copy of each object, however often
it is interrupted and repeated.

Steps, each committed on its own:
1. ``collect`` the 件 from the owning plugin (read-only).
2. Number it: the 档号 row is created once per request (unique ``request_id``); the 件号 counter row is
   locked while the number is taken, so concurrent requests never share a number.
3. Write the objects under keys derived from the 档号 (``bucket.ArchiveBucket``: existing keys with the same
   sha256 are kept, so a repeat writes no second version), then the XML record.
4. One final transaction: file rows with sha256, 件 and request ``archived``, the plugin's
   ``mark_archived`` and the audit record — all or nothing.
A run holds a PostgreSQL advisory lock named after the request for its whole length; a second delivery of
the same message meanwhile returns at once. A killed worker's connection drops, which frees the lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.archive import specs
from core.archive.bucket import ArchiveBucket, PutResult, safe_name
from core.archive.models import ArchiveCounter, ArchivedItem, ArchiveFile, ArchiveRequest
from core.archive.pdfa import to_pdfa
from core.archive.record import FileEntry, item_xml
from core.audit.service import record
from core.calendar.rules import WorkCalendar
from core.calendar.service import load_calendar
from core.db.base import utcnow
from core.db.engine import Database
from core.plugins.types import ArchiveGeneratedFile, ArchiveItem, ArchiveStoredFile
from core.runtime import get_runtime
from core.storage.models import StoredFile
from core.storage.service import StorageService

logger = logging.getLogger(__name__)
DEFAULT_FONDS = "J001"
_buckets: dict[int, ArchiveBucket] = {}


def archive_bucket() -> ArchiveBucket:
    rt = get_runtime()
    found = _buckets.get(id(rt))
    if found is None:
        found = _buckets[id(rt)] = ArchiveBucket.from_settings(rt.settings)
    return found


def format_archive_no(fonds: str, year: int, retention: str, org: str, no: int) -> str:
    """档号 ``全宗号-WS·年度-保管期限-机构-件号`` (DA/T 22-2015 §8), e.g. ``J001-WS·2026-Y-BGS-0001``."""
    return f"{fonds}-WS·{year}-{retention}-{org}-{no:04d}"


def expiry(cal: WorkCalendar, year: int, retention: str) -> dt.date | None:
    """End of the 保管期限 (rules.md §7), ``None`` for 永久.

    Counted from 1 January after the 年度 (国家档案局8号令: 自文件形成之次年1月1日起算), in calendar years via
    the working-day calendar's month arithmetic.
    """
    years = specs.RETENTION_YEARS.get(retention)
    if years is None:
        return None
    return cal.add_months(dt.date(year + 1, 1, 1), 12 * years).date


def lock_until(cal: WorkCalendar, expires_on: dt.date | None, today: dt.date, tz: str) -> dt.datetime | None:
    """S3 retention: to the expiry (D10/D30) or 100 years (永久); ``None`` when already expired."""
    end = expires_on or cal.add_months(today, 12 * specs.PERMANENT_LOCK_YEARS).date
    until = dt.datetime.combine(end, dt.time(), ZoneInfo(tz)).astimezone(dt.UTC)
    return until if until > utcnow() else None


async def fonds_no(session: AsyncSession, tenant_id: uuid.UUID) -> str:
    """全宗号 of the tenant: the core setting ``archive_fonds_no`` (per tenant, default J001)."""
    from core.api import plugin_settings  # noqa: PLC0415 - core.api imports this package's users

    value = (await plugin_settings(session, tenant_id, "core")).get("archive_fonds_no") or DEFAULT_FONDS
    return specs.check_fonds(str(value))


@dataclass(frozen=True)
class Numbered:
    """The 件 of a request; ``fresh`` when this run took the 档号 (so none of its keys exist yet)."""

    item_id: uuid.UUID
    archive_no: str
    lock_until: dt.datetime | None
    fresh: bool = False


async def _number(db: Database, request_id: uuid.UUID, meta: ArchiveItem) -> Numbered:
    async with db.transaction() as s:
        item = await s.scalar(select(ArchivedItem).where(ArchivedItem.request_id == request_id))
        if item is not None:
            return Numbered(item.id, item.archive_no, item.lock_until, fresh=False)
        req = await s.get(ArchiveRequest, request_id, with_for_update=True)
        assert req is not None
        year, retention, org = int(meta.year or meta.doc_date.year), meta.retention, meta.org_code
        key = {"tenant_id": req.tenant_id, "year": year, "retention": retention, "org_code": org}
        await s.execute(insert(ArchiveCounter).values(**key, last_no=0).on_conflict_do_nothing())
        counter = await s.scalar(select(ArchiveCounter).filter_by(**key).with_for_update())
        assert counter is not None
        counter.last_no += 1
        if counter.last_no > 9999:
            raise specs.bad_item("件号 exceeds 9999 for this 年度/保管期限/机构")
        fonds = await fonds_no(s, req.tenant_id)
        cal = await load_calendar(s)
        expires_on = expiry(cal, year, retention)
        settings = get_runtime().settings
        today = utcnow().astimezone(ZoneInfo(settings.timezone)).date()
        item = ArchivedItem(
            request_id=req.id,
            tenant_id=req.tenant_id,
            kind=req.kind,
            object_id=req.object_id,
            archive_no=format_archive_no(fonds, year, retention, org, counter.last_no),
            fonds_no=fonds,
            year=year,
            retention=retention,
            org_code=org,
            item_no=counter.last_no,
            title=meta.title,
            responsible=meta.responsible,
            doc_no=meta.doc_no,
            doc_date=meta.doc_date,
            classification=meta.classification,
            pages=meta.pages,
            extra=dict(meta.extra),
            state="numbered",
            numbered_at=utcnow(),
            expires_on=expires_on,
            lock_until=lock_until(cal, expires_on, today, settings.timezone),
        )
        s.add(item)
        req.state, req.updated_at = "numbered", utcnow()
        await s.flush()
        await record(
            s,
            action="core.archive.number",
            object_type="core.archive_item",
            object_id=item.id,
            tenant_id=req.tenant_id,
            actor_kind="system",
            actor_name="archive job",
            summary=f"归档编号 {item.archive_no}",
            after={"archive_no": item.archive_no},
        )
        return Numbered(item.id, item.archive_no, item.lock_until, fresh=True)


def _pdf_name(name: str) -> str:
    return str(PurePosixPath(name).with_suffix(".pdf")) if PurePosixPath(name).suffix else f"{name}.pdf"


async def _write(
    db: Database, tenant_id: uuid.UUID, meta: ArchiveItem, n: Numbered
) -> list[tuple[FileEntry, uuid.UUID | None, str | None]]:
    bucket = archive_bucket()
    await bucket.ensure()
    storage = _storage()
    prefix = f"{tenant_id}/{n.archive_no}"
    out: list[tuple[FileEntry, uuid.UUID | None, str | None]] = []
    for seq, f in enumerate(meta.files, start=1):
        result: PutResult
        if isinstance(f, ArchiveStoredFile):
            async with db.sessionmaker() as s:
                row = await s.scalar(
                    select(StoredFile).where(
                        StoredFile.id == f.file_id,
                        StoredFile.tenant_id == tenant_id,
                        StoredFile.deleted_at.is_(None),
                    )
                )
            if row is None:
                raise specs.bad_item(f"file {f.file_id} not found")
            name, mime, source = f.name or row.original_name, row.mime, row.id
            key = f"{prefix}/{seq:02d}-{safe_name(name)}"
            result = await bucket.copy_from(
                storage.client,
                storage.bucket,
                row.object_key,
                version_id=row.version_id,
                expected_sha256=row.sha256,
                size=row.size,
                key=key,
                mime=mime,
                until=n.lock_until,
                absent=n.fresh,
            )
        else:
            assert isinstance(f, ArchiveGeneratedFile)
            content, name, mime, source = f.content, f.name, "application/octet-stream", None
            if f.to_pdfa:
                content, name, mime = to_pdfa(f.content, meta.title), _pdf_name(f.name), "application/pdf"
            key = f"{prefix}/{seq:02d}-{safe_name(name)}"
            result = await bucket.put_bytes(key, content, mime, n.lock_until, absent=n.fresh)
        out.append(
            (FileEntry(seq, f.role, name, mime, result.size, result.sha256, key), source, result.version_id)
        )
    return out


def _storage() -> StorageService:
    from core.api import get_storage  # noqa: PLC0415

    return get_storage()


async def _finish(
    db: Database,
    request_id: uuid.UUID,
    n: Numbered,
    written: list[tuple[FileEntry, uuid.UUID | None, str | None]],
) -> str:
    bucket = archive_bucket()
    async with db.transaction() as s:
        req = await s.get(ArchiveRequest, request_id, with_for_update=True)
        item = await s.get(ArchivedItem, n.item_id, with_for_update=True)
        assert req is not None and item is not None
        if req.state == "archived":
            return "done"
        entries = [e for e, _, _ in written]
        xml = item_xml(item, entries)
        meta_key = f"{item.tenant_id}/{item.archive_no}/00-metadata.xml"
        put = await bucket.put_bytes(meta_key, xml, "application/xml", n.lock_until, absent=n.fresh)
        rows = [
            ArchiveFile(
                item_id=item.id,
                seq=0,
                role="metadata",
                name=f"{item.archive_no}.xml",
                object_key=meta_key,
                version_id=put.version_id,
                mime="application/xml",
                size=put.size,
                sha256=put.sha256,
            )
        ]
        rows += [
            ArchiveFile(
                item_id=item.id,
                seq=e.seq,
                role=e.role,
                name=e.name,
                object_key=e.key,
                version_id=version,
                mime=e.mime,
                size=e.size,
                sha256=e.sha256,
                source_file_id=source,
            )
            for e, source, version in written
        ]
        s.add_all(rows)
        item.state, item.archived_at = "archived", utcnow()
        req.state, req.error, req.updated_at = "archived", None, utcnow()
        _plugin, spec = specs.lookup(req.kind)
        await spec.mark_archived(s, req.tenant_id, req.object_id, item.archive_no)
        await record(
            s,
            action="core.archive.archive",
            object_type="core.archive_item",
            object_id=item.id,
            tenant_id=req.tenant_id,
            actor_kind="system",
            actor_name="archive job",
            summary=f"归档 {item.archive_no}「{item.title}」",
            after={
                "archive_no": item.archive_no,
                "files": len(rows),
                "kind": req.kind,
                "object_id": req.object_id,
            },
        )
        return "archived"


async def _run(db: Database, request_id: uuid.UUID) -> str:
    async with db.transaction() as s:
        req = await s.get(ArchiveRequest, request_id, with_for_update=True)
        if req is None:
            return "missing"
        if req.state == "archived":
            return "done"
        req.attempts, req.updated_at = req.attempts + 1, utcnow()
        tenant_id, kind, object_id = req.tenant_id, req.kind, req.object_id
    _plugin, spec = specs.lookup(kind)
    async with db.sessionmaker() as s:
        meta = specs.check_item(await spec.collect(s, tenant_id, object_id))
    numbered = await _number(db, request_id, meta)
    written = await _write(db, tenant_id, meta, numbered)
    return await _finish(db, request_id, numbered, written)


async def archive_request(db: Database, request_id: uuid.UUID) -> str:
    """Archive one request now (the job's body; tests call it directly on their own engine).

    Returns ``archived``, ``done`` (already archived), ``busy`` (another run holds it) or ``missing``.
    """
    async with db.sessionmaker() as guard, guard.begin():
        lock = func.pg_try_advisory_xact_lock(func.hashtextextended(f"core.archive:{request_id}", 0))
        if not await guard.scalar(select(lock)):
            return "busy"
        try:
            return await _run(db, request_id)
        except Exception as exc:
            async with db.transaction() as s:
                req = await s.get(ArchiveRequest, request_id)
                if req is not None and req.state != "archived":
                    req.error, req.updated_at = f"{type(exc).__name__}: {exc}"[:2000], utcnow()
            logger.warning("archive request %s failed", request_id, exc_info=True)
            raise


async def run_archive(request_id: str, **_: object) -> str:
    """Job ``core.archive_run``: :func:`archive_request` on the process's database."""
    db = get_runtime().db
    assert db is not None
    return await archive_request(db, uuid.UUID(request_id))
