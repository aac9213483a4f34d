"""``/api/archive``: requests (归档申请), items (件), accession export (移交) and destruction (销毁)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.archive import destruction
from core.archive.export import Selection, select_items, stream_package
from core.archive.models import ArchivedItem, ArchiveFile, ArchiveRequest, DestructionList
from core.archive.permissions import DESTROY_APPROVE, DESTROY_PROPOSE, EXPORT, READ, REQUEST
from core.archive.run import archive_bucket
from core.archive.schemas import (
    DecisionIn,
    DestructionIn,
    DestructionOut,
    EntryOut,
    FileOut,
    ItemOut,
    ItemPage,
    RequestIn,
    RequestOut,
)
from core.archive.service import request_archive
from core.archive.specs import normalise_retention
from core.audit.service import record, record_read
from core.errors import not_found
from core.security.guards import principal_or_401, require_permission
from core.security.principal import Principal

Year = Annotated[int, QueryParameter(ge=1900, le=2999)]
Retention = Annotated[str | None, QueryParameter(pattern=r"^(Y|D30|D10)$")]


def _tenant(principal: Principal) -> uuid.UUID:
    assert principal.tenant_id is not None
    return principal.tenant_id


async def _request_out(session: AsyncSession, req: ArchiveRequest) -> RequestOut:
    out = RequestOut.model_validate(req)
    out.archive_no = await session.scalar(
        select(ArchivedItem.archive_no).where(ArchivedItem.request_id == req.id)
    )
    return out


async def _item(session: AsyncSession, principal: Principal, item_id: uuid.UUID) -> ArchivedItem:
    item = await session.get(ArchivedItem, item_id)
    if item is None or item.tenant_id != principal.tenant_id or item.classification > principal.clearance:
        raise not_found("archive_item", "档案")
    return item


async def _list_out(session: AsyncSession, row: DestructionList) -> DestructionOut:
    out = DestructionOut.model_validate(row)
    out.entries = [EntryOut.model_validate(e) for e in await destruction.entries(session, row.id)]
    return out


class ArchiveController(Controller):
    path = "/archive"
    tags = ["archive"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/requests",
        operation_id="archive_request_create",
        status_code=202,
        guards=[require_permission(REQUEST)],
        summary="Request archiving of an object (归档申请)",
    )
    async def create_request(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[RequestIn],
    ) -> RequestOut:
        principal = principal_or_401(request)
        req = await request_archive(
            db_session,
            tenant_id=_tenant(principal),
            kind=data.kind,
            object_id=data.object_id,
            principal=principal,
        )
        return await _request_out(db_session, req)

    @get(
        "/requests/{request_id:uuid}",
        operation_id="archive_request_get",
        guards=[require_permission(READ)],
        summary="An archive request and its state",
    )
    async def get_request(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        request_id: FromPath[uuid.UUID],
    ) -> RequestOut:
        principal = principal_or_401(request)
        req = await db_session.get(ArchiveRequest, request_id)
        if req is None or req.tenant_id != principal.tenant_id:
            raise not_found("archive_request", "归档申请")
        return await _request_out(db_session, req)

    @get(
        "/items",
        operation_id="archive_items_list",
        guards=[require_permission(READ)],
        summary="Archived items (件) of a year, by 档号",
    )
    async def list_items(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        year: Year,
        retention: Retention = None,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> ItemPage:
        principal = principal_or_401(request)
        cond = [
            ArchivedItem.tenant_id == principal.tenant_id,
            ArchivedItem.year == year,
            ArchivedItem.classification <= principal.clearance,
        ]
        if retention:
            cond.append(ArchivedItem.retention == retention)
        total = int(await db_session.scalar(select(func.count()).select_from(ArchivedItem).where(*cond)) or 0)
        rows = await db_session.scalars(
            select(ArchivedItem)
            .where(*cond)
            .order_by(ArchivedItem.retention, ArchivedItem.org_code, ArchivedItem.item_no)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        return ItemPage(items=[ItemOut.model_validate(r) for r in rows], total=total)

    @get(
        "/items/{item_id:uuid}",
        operation_id="archive_item_get",
        guards=[require_permission(READ)],
        summary="One 件 with its files and checksums",
    )
    async def get_item(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        item_id: FromPath[uuid.UUID],
    ) -> ItemOut:
        principal = principal_or_401(request)
        item = await _item(db_session, principal, item_id)
        await record_read(
            db_session,
            action="core.archive.read",
            object_type="core.archive_item",
            object_id=item.id,
            classification=item.classification,
            principal=principal,
            summary=f"查阅档案 {item.archive_no}",
        )
        out = ItemOut.model_validate(item)
        files = await db_session.scalars(
            select(ArchiveFile).where(ArchiveFile.item_id == item.id).order_by(ArchiveFile.seq)
        )
        out.files = [FileOut.model_validate(f) for f in files]
        return out

    @get(
        "/export",
        operation_id="archive_export",
        guards=[require_permission(EXPORT)],
        summary="Accession package (移交包) of a year as a streamed zip",
    )
    async def export(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        year: Year,
        retention: Retention = None,
    ) -> Stream:
        principal = principal_or_401(request)
        sel = Selection(
            _tenant(principal),
            year,
            normalise_retention(retention) if retention else None,
            principal.clearance,
        )
        rows = await select_items(db_session, sel)
        await record(
            db_session,
            action="core.archive.export",
            object_type="core.archive_export",
            object_id=f"{year}-{retention or 'all'}",
            principal=principal,
            summary=f"导出移交包 {year} 年度（{len(rows)}件）",
            after={"year": year, "retention": retention, "items": len(rows)},
        )
        name = f"archive-{year}-{retention or 'all'}.zip"
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
        return Stream(
            stream_package(archive_bucket(), sel, rows), media_type="application/zip", headers=headers
        )

    @get(
        "/destruction/candidates",
        operation_id="archive_destruction_candidates",
        guards=[require_permission(DESTROY_PROPOSE)],
        summary="Expired 定期 items that may be listed for 销毁",
    )
    async def destruction_candidates(
        self, *, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> list[ItemOut]:
        principal = principal_or_401(request)
        return [
            ItemOut.model_validate(i) for i in await destruction.candidates(db_session, _tenant(principal))
        ]

    @post(
        "/destruction",
        operation_id="archive_destruction_create",
        status_code=201,
        guards=[require_permission(DESTROY_PROPOSE)],
        summary="Propose a destruction list (销毁清册)",
    )
    async def destruction_create(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[DestructionIn],
    ) -> DestructionOut:
        principal = principal_or_401(request)
        row = await destruction.propose(
            db_session, principal, title=data.title, reason=data.reason, item_ids=data.item_ids
        )
        return await _list_out(db_session, row)

    @get(
        "/destruction/{list_id:uuid}",
        operation_id="archive_destruction_get",
        guards=[require_permission(READ)],
        summary="A destruction list and its entries (the destruction record)",
    )
    async def destruction_get(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        list_id: FromPath[uuid.UUID],
    ) -> DestructionOut:
        principal = principal_or_401(request)
        row = await db_session.get(DestructionList, list_id)
        if row is None or row.tenant_id != principal.tenant_id:
            raise not_found("destruction_list", "销毁清册")
        return await _list_out(db_session, row)

    @post(
        "/destruction/{list_id:uuid}/decision",
        operation_id="archive_destruction_decide",
        status_code=200,
        guards=[require_permission(DESTROY_APPROVE)],
        summary="Approve or reject a destruction list",
    )
    async def destruction_decide(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        list_id: FromPath[uuid.UUID],
        data: JSONBody[DecisionIn],
    ) -> DestructionOut:
        principal = principal_or_401(request)
        row = await destruction.decide(db_session, principal, list_id, approve=data.approve, note=data.note)
        return await _list_out(db_session, row)

    @post(
        "/destruction/{list_id:uuid}/execute",
        operation_id="archive_destruction_execute",
        status_code=200,
        guards=[require_permission(DESTROY_PROPOSE)],
        summary="Carry out an approved destruction list",
    )
    async def destruction_execute(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        list_id: FromPath[uuid.UUID],
    ) -> DestructionOut:
        principal = principal_or_401(request)
        bucket = archive_bucket()
        await bucket.ensure()
        row = await destruction.execute(db_session, principal, bucket, list_id)
        return await _list_out(db_session, row)
