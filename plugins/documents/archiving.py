"""归档 (archiving) of 发文 and 收文 through the core archive service (issue #8).

Source: rules.md §7 (DA/T 22-2015): one document is one 件 — its metadata (题名, 责任者, 文号, 日期, 密级,
页数, 保管期限, 机构（问题）代码) and files in order, 正本 first:

- ``documents.outgoing`` (发文, once numbered = signed and registered): the GB/T 9704 PDF, to be stored as
  PDF/A, then the attachments already in storage.
- ``documents.incoming`` (收文, once 办结): the scanned attachments in storage, then the 收文处理单 PDF
  (steps, 拟办/批示 opinions, names and times).

保管期限 defaults are tenant settings (``archive_retention_outgoing`` 永久 ``Y``,
``archive_retention_incoming`` 定期30年 ``D30``); the 机构 code is the issuing / lead unit's code, else
``archive_org_code``. Once the job marks a document archived it never changes again
(:func:`plugins.documents.common.ensure_not_archived`).
"""

from __future__ import annotations

import uuid
from typing import Any

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    ArchivableSpec,
    ArchiveGeneratedFile,
    ArchiveItem,
    ArchiveStoredFile,
    Principal,
    Unit,
    audit_record,
    conflict,
    invalid,
    not_found,
    plugin_settings,
    request_archive,
)
from plugins.documents.common import (
    DOCUMENT_ARCHIVED,
    LEVELS,
    PLUGIN,
    actions_of,
    audit,
    local_date,
    now,
)
from plugins.documents.models import Attachment, Incoming
from plugins.documents.models_out import Outgoing

OUTGOING, INCOMING = "documents.outgoing", "documents.incoming"
ARCHIVABLE_OUTGOING = ("numbered",)  # 签发 and 登记 (文号); there is no separate 已分发 state
ARCHIVABLE_INCOMING = ("done",)  # 办结


def _id(object_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(object_id)
    except ValueError:
        raise not_found("document", "公文") from None


async def _row(session: AsyncSession, model: Any, tenant_id: uuid.UUID, object_id: str, *, lock: bool) -> Any:
    stmt = select(model).where(model.id == _id(object_id), model.tenant_id == tenant_id)
    row = await session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise not_found("document", "公文")
    return row


def check_outgoing(row: Outgoing) -> None:
    """409 unless the 发文 is signed and numbered (and not yet archived)."""
    if row.archived_at is not None:
        raise DOCUMENT_ARCHIVED
    if row.state not in ARCHIVABLE_OUTGOING or not row.doc_number or not row.written_date:
        raise conflict(
            "not_archivable",
            "发文须签发并登记文号后方可归档",
            "Only a signed and numbered outgoing document can be archived",
        )


def check_incoming(row: Incoming) -> None:
    """409 unless the 收文 is 办结 (and not yet archived)."""
    if row.archived_at is not None:
        raise DOCUMENT_ARCHIVED
    if row.state not in ARCHIVABLE_INCOMING:
        raise conflict(
            "not_archivable",
            "收文办结后方可归档",
            "Only a completed incoming document can be archived",
        )


async def _settings(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, Any]:
    return await plugin_settings(session, tenant_id, PLUGIN)


async def org_code(session: AsyncSession, tenant_id: uuid.UUID, unit_id: uuid.UUID | None) -> str:
    """机构（问题）代码: the unit's code in capitals (DA/T 22 uses letters and digits), else the setting."""
    if unit_id is not None:
        code = await session.scalar(select(Unit.code).where(Unit.id == unit_id, Unit.tenant_id == tenant_id))
        cleaned = "".join(ch for ch in str(code or "").upper() if ch.isascii() and ch.isalnum())
        if cleaned:
            return cleaned[:10]
    fallback = str((await _settings(session, tenant_id)).get("archive_org_code") or "")
    if not fallback:
        raise invalid("org_code", "no_org_code", "未设置机构代码", "No unit code for the archive number")
    return fallback


async def _attachments(session: AsyncSession, doc_id: uuid.UUID, role: str) -> list[ArchiveStoredFile]:
    rows = await session.scalars(
        select(Attachment).where(Attachment.doc_id == doc_id).order_by(Attachment.id)
    )
    return [ArchiveStoredFile(file_id=a.file_id, name=a.name, role=role) for a in rows]


async def collect_outgoing(session: AsyncSession, tenant_id: uuid.UUID, object_id: str) -> ArchiveItem:
    """The 发文's 件: GB/T 9704 正本 (→ PDF/A) and attachments; metadata from the 18 format elements."""
    from plugins.documents.archive_sheet import page_count  # noqa: PLC0415
    from plugins.documents.gbt9704.render import render_outgoing_pdf  # noqa: PLC0415
    from plugins.documents.outgoing_api import _pdf_model  # noqa: PLC0415

    row: Outgoing = await _row(session, Outgoing, tenant_id, object_id, lock=False)
    check_outgoing(row)
    assert row.doc_number and row.written_date
    pdf = await to_thread.run_sync(render_outgoing_pdf, _pdf_model(row))
    conf = await _settings(session, tenant_id)
    extra = {
        "发文机关标志": row.issuer_mark,
        "文种": row.doc_type,
        "主送机关": "、".join(row.main_recipients),
        "抄送机关": "、".join(row.cc),
        "签发人": "、".join(row.signers),
        "紧急程度": row.urgency,
        "保密期限": row.secrecy_period if row.classification else "",
        "公开属性": row.disclosure,
        "附注": row.note,
    }
    return ArchiveItem(
        title=row.title,
        responsible=row.signature or row.issuer_mark,
        doc_no=row.doc_number,
        doc_date=row.written_date,
        retention=str(conf.get("archive_retention_outgoing") or "Y"),
        org_code=await org_code(session, tenant_id, row.unit_id),
        classification=row.classification,
        pages=page_count(pdf),
        files=(
            ArchiveGeneratedFile(name=f"{row.doc_number}.pdf", content=pdf, to_pdfa=True, role="original"),
            *await _attachments(session, row.id, "attachment"),
        ),
        extra={k: v for k, v in extra.items() if v},
    )


async def collect_incoming(session: AsyncSession, tenant_id: uuid.UUID, object_id: str) -> ArchiveItem:
    """The 收文's 件: the scans in storage (正本) and the 收文处理单; metadata from 登记."""
    from plugins.documents.archive_sheet import page_count, render_sheet, steps_of  # noqa: PLC0415

    row: Incoming = await _row(session, Incoming, tenant_id, object_id, lock=False)
    check_incoming(row)
    steps = steps_of(await actions_of(session, row.id))
    sheet = await to_thread.run_sync(render_sheet, row, steps)
    conf = await _settings(session, tenant_id)
    extra = {
        "来文单位": row.sender,
        "收文分类": row.doc_class or "",
        "收文编号": str(row.serial or ""),
        "紧急程度": row.urgency,
        "密级": LEVELS[row.classification],
        "办理结果": row.result,
    }
    return ArchiveItem(
        title=row.title or f"{row.sender}来文",
        responsible=row.issuing_org or row.sender,
        doc_no=row.doc_number,
        doc_date=local_date(row.received_at),
        retention=str(conf.get("archive_retention_incoming") or "D30"),
        org_code=await org_code(session, tenant_id, row.unit_id),
        classification=row.classification,
        pages=page_count(sheet),
        files=(
            *await _attachments(session, row.id, "original"),
            ArchiveGeneratedFile(name="收文处理单.pdf", content=sheet, to_pdfa=True, role="form"),
        ),
        extra={k: v for k, v in extra.items() if v},
    )


def _marker(model: Any, kind: str) -> Any:
    async def mark(session: AsyncSession, tenant_id: uuid.UUID, object_id: str, archive_no: str) -> None:
        """Called by the archive job in its final transaction: the document becomes immutable."""
        row = await _row(session, model, tenant_id, object_id, lock=True)
        before = {"archived_at": None, "archive_no": row.archive_no}
        row.archived_at, row.archive_no = now(), archive_no
        await session.flush()
        await audit_record(
            session,
            action=f"{kind}.archived",
            object_type=model.__tablename__,
            object_id=row.id,
            tenant_id=tenant_id,
            actor_kind="system",
            actor_name="archive job",
            summary=f"已归档，档号{archive_no}",
            before=before,
            after={"archive_no": archive_no},
        )

    return mark


def specs() -> list[ArchivableSpec]:
    return [
        ArchivableSpec(OUTGOING, "发文", collect_outgoing, _marker(Outgoing, OUTGOING)),
        ArchivableSpec(INCOMING, "收文", collect_incoming, _marker(Incoming, INCOMING)),
    ]


async def request(session: AsyncSession, p: Principal, kind: str, row: Outgoing | Incoming) -> Any:
    """归档申请 for a document the caller may see; preconditions first, so a refusal requests nothing."""
    (check_outgoing if kind == OUTGOING else check_incoming)(row)  # type: ignore[arg-type]
    req = await request_archive(
        session, tenant_id=row.tenant_id, kind=kind, object_id=str(row.id), principal=p
    )
    await audit(
        session,
        p,
        f"{kind.removeprefix('documents.')}.archive_request",
        row,
        f"申请归档《{row.title}》",
        after={"archive_request_id": str(req.id)},
    )
    return req
