"""Stored monthly 督查通报: generated on the 1st of each month for the month before (per tenant, a
scheduled job) or on demand; the PDF and Excel go to core storage, one row per tenant and month."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Database, Principal, StoragePolicy, get_database, get_storage
from plugins.supervision import bulletin
from plugins.supervision.common import PLUGIN, audit, today
from plugins.supervision.models import Bulletin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POLICY = StoragePolicy(max_bytes=50 * 1024 * 1024, allowed_types=frozenset({"application/pdf", XLSX}))


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def generate(
    session: AsyncSession, tenant_id: uuid.UUID, month: str, principal: Principal | None
) -> Bulletin:
    """Render and store the bulletin of ``month``; generating again replaces the stored files."""
    data = await bulletin.collect(session, tenant_id, month)
    storage = get_storage()
    by = principal.user_id if principal else None
    files = {}
    for kind, body, mime in (
        ("pdf", bulletin.render_pdf(data), "application/pdf"),
        ("xlsx", bulletin.render_xlsx(data), XLSX),
    ):
        files[kind] = await storage.upload(
            session,
            _chunks(body),
            tenant_id=tenant_id,
            plugin=PLUGIN,
            original_name=f"督查通报{month}.{kind}",
            policy=POLICY,
            created_by=by,
            declared_type=mime,
            declared_length=len(body),
        )
    row = await session.scalar(
        select(Bulletin).where(Bulletin.tenant_id == tenant_id, Bulletin.month == month).with_for_update()
    )
    old = [] if row is None else [row.pdf_file_id, row.xlsx_file_id]
    if row is None:
        row = Bulletin(tenant_id=tenant_id, month=month)
        session.add(row)
    row.as_of = dt.date.fromisoformat(data["as_of"])
    row.pdf_file_id, row.xlsx_file_id, row.generated_by = files["pdf"].id, files["xlsx"].id, by
    await session.flush()
    for fid in old:
        await storage.delete(session, await storage.get(session, fid, tenant_id=tenant_id))
    await audit(
        session,
        principal,
        "bulletin.generate",
        "supervision_bulletin",
        row.id,
        f"生成{month}督查通报",
        after={"month": month, "as_of": data["as_of"], "total": data["total"], "lights": data["lights"]},
        tenant_id=tenant_id,
    )
    return row


def previous_month(on: dt.date) -> str:
    """``YYYY-MM`` of the month before ``on``'s."""
    year, mon = (on.year, on.month - 1) if on.month > 1 else (on.year - 1, 12)
    return f"{year:04d}-{mon:02d}"


async def monthly_job(tenant_id: str, **_: Any) -> str | None:
    """Scheduled on the 1st: the previous month's bulletin, once (a re-run finds it stored)."""
    return await generate_missing(get_database(), uuid.UUID(tenant_id), previous_month(today()))


async def generate_missing(db: Database, tenant_id: uuid.UUID, month: str) -> str | None:
    """Generate ``month``'s bulletin unless stored; returns the month when it generated one."""
    async with db.transaction() as session:
        exists = await session.scalar(
            select(Bulletin.id).where(Bulletin.tenant_id == tenant_id, Bulletin.month == month)
        )
        if exists is not None:
            return None
        await generate(session, tenant_id, month, None)
    return month


async def archive(session: AsyncSession, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = (
        await session.scalars(
            select(Bulletin).where(Bulletin.tenant_id == tenant_id).order_by(Bulletin.month.desc())
        )
    ).all()
    storage = get_storage()
    out = []
    for r in rows:
        urls = {}
        for kind, fid in (("pdf", r.pdf_file_id), ("xlsx", r.xlsx_file_id)):
            urls[kind] = storage.presigned_url(await storage.get(session, fid, tenant_id=tenant_id))
        out.append(
            {
                "month": r.month,
                "as_of": r.as_of.isoformat(),
                "generated_at": r.generated_at.isoformat(),
                "pdf_url": urls["pdf"],
                "xlsx_url": urls["xlsx"],
                "pdf_file_id": str(r.pdf_file_id),
                "xlsx_file_id": str(r.xlsx_file_id),
            }
        )
    return out
