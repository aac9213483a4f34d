"""Registers (登记簿): filtered, paginated lists with Chinese full-text search, and Excel export.

Every query carries the tenant, 密级 ≤ clearance and 知悉范围 filters in SQL, so totals, pages and
exports never include a row the caller may not see.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Principal, audit_read, audit_record, invalid
from plugins.documents import incoming as incoming_svc
from plugins.documents.common import LEVELS, OFFICE_TZ, PLUGIN, visible
from plugins.documents.models import Incoming
from plugins.documents.models_out import Outgoing
from plugins.documents.views import incoming_summary, outgoing_summary, serial_label

MAX_LIMIT = 200
EXPORT_MAX = 50_000


def _tsquery(q: str) -> str | None:
    try:
        from plugins.documents.search.segment import tsquery  # noqa: PLC0415 - the shared segmenter
    except ImportError:  # until it lands: AND of the segmenter's tokens, letters and digits only
        from plugins.documents.common import segment_text  # noqa: PLC0415

        words = ["".join(ch for ch in t if ch.isalnum()) for t in segment_text(q).split()]
        words = [w for w in words if w]
        return " & ".join(f"'{w}'" for w in words) or None
    return tsquery(q)


def filtered(
    model: Any,
    p: Principal,
    *,
    q: str | None = None,
    year: int | None = None,
    doc_class: str | None = None,
    state: str | None = None,
    unit_id: uuid.UUID | None = None,
    classification: int | None = None,
) -> Select[Any]:
    owner = incoming_svc.owner_cols() if model is Incoming else (Outgoing.created_by, Outgoing.signer_id)
    stmt = select(model).where(visible(model, p, owner_cols=owner))
    if q:
        query = _tsquery(q)
        if query is None:
            raise invalid("q", "empty_query", "检索词无有效内容", "The search text has no searchable words")
        stmt = stmt.where(model.tsv.op("@@")(func.to_tsquery("simple", query)))
    if year is not None:
        # The register's year: the serial/number year, else the local year of receipt/drafting.
        if model is Incoming:
            local = func.timezone(str(OFFICE_TZ), Incoming.received_at)
            col: Any = func.coalesce(Incoming.year, func.extract("year", local))
        else:
            local = func.timezone(str(OFFICE_TZ), Outgoing.created_at)
            col = func.coalesce(Outgoing.number_year, func.extract("year", local))
        stmt = stmt.where(col == year)
    if doc_class is not None:
        stmt = stmt.where((Incoming.doc_class if model is Incoming else Outgoing.doc_type) == doc_class)
    if state is not None:
        stmt = stmt.where(model.state == state)
    if unit_id is not None:
        stmt = stmt.where(model.unit_id == unit_id)
    if classification is not None:
        stmt = stmt.where(model.classification == classification)
    return stmt


async def page(
    session: AsyncSession, model: Any, p: Principal, *, limit: int, offset: int, **filters: Any
) -> dict[str, Any]:
    stmt = filtered(model, p, **filters)
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    order = (model.created_at.desc(), model.id)
    rows = list(await session.scalars(stmt.order_by(*order).limit(limit).offset(offset)))
    view = incoming_summary if model is Incoming else outgoing_summary
    classified = [r for r in rows if r.classification > 0]
    if classified:  # a list shows classified titles: one read record naming them
        await audit_read(
            session,
            action=f"{PLUGIN}.register.list",
            object_type=model.__tablename__,
            object_id="list",
            classification=max(r.classification for r in classified),
            principal=p,
            summary=f"登记簿列出{len(classified)}件涉密公文",
            details={"ids": [str(r.id) for r in classified]},
        )
    return {"items": [view(r) for r in rows], "total": int(total or 0), "limit": limit, "offset": offset}


INCOMING_COLUMNS = [
    "编号",
    "类别",
    "收文时间",
    "来文机关",
    "发文字号",
    "标题",
    "密级",
    "份数",
    "状态",
    "去向",
]
OUTGOING_COLUMNS = ["发文字号", "文种", "标题", "密级", "紧急程度", "主送", "成文日期", "状态", "可否公开"]


def _incoming_row(r: Incoming) -> list[Any]:
    received = r.received_at.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
    return [
        serial_label(r) or "",
        r.doc_class or "",
        received,
        r.issuing_org or r.sender,
        r.doc_number,
        r.title,
        LEVELS[r.classification],
        r.copies,
        r.state,
        r.destination,
    ]


def _outgoing_row(r: Outgoing) -> list[Any]:
    return [
        r.doc_number or "",
        r.doc_type,
        r.title,
        LEVELS[r.classification],
        r.urgency or "",
        "、".join(r.main_recipients),
        r.written_date.isoformat() if r.written_date else "",
        r.state,
        r.disclosure,
    ]


async def export(
    session: AsyncSession, p: Principal, model: Any, **filters: Any
) -> tuple[AsyncIterator[bytes], int]:
    """The register as an .xlsx workbook streamed from a spooled temporary file, and its row count.

    Rows come from a server-side cursor and openpyxl's write-only mode, so memory stays flat however
    long the register is; the export itself is audited with the highest 密级 it contained.
    """
    from openpyxl import Workbook  # noqa: PLC0415

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("收文登记簿" if model is Incoming else "发文登记簿")
    ws.append(INCOMING_COLUMNS if model is Incoming else OUTGOING_COLUMNS)
    stmt = filtered(model, p, **filters).order_by(model.created_at, model.id).limit(EXPORT_MAX)
    count = 0
    max_level = 0
    async for r in await session.stream_scalars(stmt.execution_options(yield_per=500)):
        ws.append(_incoming_row(r) if model is Incoming else _outgoing_row(r))
        count += 1
        max_level = max(max_level, r.classification)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the stream
    wb.save(spool)
    spool.seek(0)
    await audit_record(
        session,
        action=f"{PLUGIN}.register.export",
        object_type=model.__tablename__,
        object_id=None,
        principal=p,
        summary=f"导出登记簿{count}条",
        after={
            "rows": count,
            "max_classification": max_level,
            "filters": {k: str(v) for k, v in filters.items() if v},
        },
    )
    return _chunks(spool), count


async def _chunks(spool: Any, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    try:
        while block := spool.read(size):
            yield block
    finally:
        spool.close()


def export_name(kind: str) -> str:
    return f"documents-{kind}-{dt.datetime.now(OFFICE_TZ):%Y%m%d%H%M}.xlsx"
