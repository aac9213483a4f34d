"""``/api/documents/incoming``: the 收文 workflow and its register."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import audit_read, get_storage, invalid, not_found, require_permission, tenant_principal
from plugins.documents import circulation, registers, schemas
from plugins.documents import incoming as svc
from plugins.documents.common import add_action, audit, flush_reads, now
from plugins.documents.models import Attachment, Incoming
from plugins.documents.permissions import (
    EXPORT,
    INCOMING_HANDLE,
    INCOMING_PROPOSE,
    INCOMING_READ,
    INCOMING_REGISTER,
    INSTRUCTION_WRITE,
)
from plugins.documents.views import circulation_dict, incoming_detail, incoming_summary, plain

Limit = Annotated[int, QueryParameter(ge=1, le=registers.MAX_LIMIT)]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000)]
Year = Annotated[int | None, QueryParameter(ge=2000, le=2100)]
Q = Annotated[str | None, QueryParameter(max_length=100)]
Level = Annotated[int | None, QueryParameter(ge=0, le=3)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AttachIn(schemas.Body):
    file_id: uuid.UUID


async def attach(
    session: AsyncSession, request: Request[Any, Any, Any], row: Any, file_id: uuid.UUID
) -> None:
    """Link a file the caller uploaded to core storage (plugin ``documents``) to a document."""
    p = tenant_principal(request)
    f = await get_storage().get(session, file_id, tenant_id=row.tenant_id)
    if f.created_by != p.user_id or f.plugin != "documents":
        raise invalid("file_id", "not_your_upload", "只能附加本人上传的公文附件", "Attach your own upload")
    if f.classification < row.classification:
        raise invalid(
            "file_id",
            "classification_too_low",
            "附件密级低于公文密级",
            "The file is classified below the document",
        )
    exists = await session.scalar(
        select(Attachment.id).where(Attachment.doc_id == row.id, Attachment.file_id == file_id)
    )
    if exists:
        await flush_reads(session)
        return
    session.add(
        Attachment(
            tenant_id=row.tenant_id,
            doc_id=row.id,
            file_id=file_id,
            name=f.original_name,
            added_by=p.user_id,
            added_at=now(),
        )
    )
    await add_action(session, p, row.id, "attach", data={"file_id": str(file_id), "name": f.original_name})
    await audit(session, p, "attachment.add", row, f"附加文件「{f.original_name}」")


async def attachment_url(
    session: AsyncSession, request: Request[Any, Any, Any], row: Any, file_id: uuid.UUID
) -> dict[str, Any]:
    link = await session.scalar(
        select(Attachment).where(Attachment.doc_id == row.id, Attachment.file_id == file_id)
    )
    if link is None:
        raise not_found("attachment", "附件")
    storage = get_storage()
    f = await storage.get(session, file_id, tenant_id=row.tenant_id)
    if f.classification > 0:
        await audit_read(
            session,
            action="documents.attachment.read",
            object_type="core.file",
            object_id=f.id,
            classification=f.classification,
            principal=tenant_principal(request),
            summary=f"查阅附件「{f.original_name}」",
        )
    return {"file_id": str(f.id), "name": f.original_name, "url": storage.presigned_url(f)}


class IncomingController(Controller):
    path = "/incoming"
    tags = ("documents",)

    @post(
        "",
        operation_id="documents_incoming_sign_in",
        status_code=201,
        guards=[require_permission(INCOMING_REGISTER)],
        summary="签收 an incoming item",
    )
    async def sign_in(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, data: JSONBody[schemas.SignIn]
    ) -> dict[str, Any]:
        return incoming_summary(await svc.sign_in(db_session, tenant_principal(request), data))

    @get(
        "",
        operation_id="documents_incoming_list",
        guards=[require_permission(INCOMING_READ)],
        summary="收文登记簿 (filters, full-text search, pagination)",
    )
    async def list_incoming(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        q: Q = None,
        year: Year = None,
        doc_class: schemas.Classes | None = None,
        state_is: Annotated[str | None, QueryParameter(name="state", max_length=20)] = None,
        unit_id: uuid.UUID | None = None,
        classification: Level = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        return await registers.page(
            db_session,
            Incoming,
            tenant_principal(request),
            limit=limit,
            offset=offset,
            q=q,
            year=year,
            doc_class=doc_class,
            state=state_is,
            unit_id=unit_id,
            classification=classification,
        )

    @get(
        "/export",
        operation_id="documents_incoming_export",
        guards=[require_permission(EXPORT, INCOMING_READ)],
        summary="Export the 收文登记簿 as Excel",
    )
    async def export(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        year: Year = None,
        doc_class: schemas.Classes | None = None,
        classification: Level = None,
    ) -> Stream:
        stream, _ = await registers.export(
            db_session,
            tenant_principal(request),
            Incoming,
            year=year,
            doc_class=doc_class,
            classification=classification,
        )
        name = registers.export_name("incoming")
        return Stream(
            stream,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @get("/{doc_id:uuid}", operation_id="documents_incoming_get", guards=[require_permission(INCOMING_READ)])
    async def detail(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, doc_id: uuid.UUID
    ) -> dict[str, Any]:
        return await incoming_detail(db_session, await svc.get(db_session, tenant_principal(request), doc_id))

    @post(
        "/{doc_id:uuid}/open",
        operation_id="documents_incoming_open",
        status_code=200,
        guards=[require_permission(INCOMING_REGISTER)],
        summary="拆封 (not for 亲启件/绝密件 by clerks)",
    )
    async def open_envelope(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, doc_id: uuid.UUID
    ) -> dict[str, Any]:
        return incoming_summary(await svc.open_envelope(db_session, tenant_principal(request), doc_id))

    @post(
        "/{doc_id:uuid}/register",
        operation_id="documents_incoming_register",
        status_code=200,
        guards=[require_permission(INCOMING_REGISTER)],
        summary="登记",
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.Register],
    ) -> dict[str, Any]:
        return incoming_summary(await svc.register(db_session, tenant_principal(request), doc_id, data))

    @post(
        "/{doc_id:uuid}/review",
        operation_id="documents_incoming_review",
        status_code=200,
        guards=[require_permission(INCOMING_REGISTER)],
        summary="初审: accept, 退文 or 转办",
    )
    async def review(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.Review],
    ) -> dict[str, Any]:
        return incoming_summary(await svc.review(db_session, tenant_principal(request), doc_id, data))

    @post(
        "/{doc_id:uuid}/classify",
        operation_id="documents_incoming_classify",
        status_code=200,
        guards=[require_permission(INCOMING_REGISTER)],
        summary="分类 and yearly serial",
    )
    async def classify(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.Classify],
    ) -> dict[str, Any]:
        return incoming_summary(await svc.classify(db_session, tenant_principal(request), doc_id, data))

    @post(
        "/{doc_id:uuid}/proposal",
        operation_id="documents_incoming_propose",
        status_code=200,
        guards=[require_permission(INCOMING_PROPOSE)],
        summary="拟办意见",
    )
    async def propose(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.Proposal],
    ) -> dict[str, Any]:
        return incoming_summary(await svc.propose(db_session, tenant_principal(request), doc_id, data))

    @post(
        "/{doc_id:uuid}/instruction",
        operation_id="documents_incoming_instruct",
        status_code=200,
        guards=[require_permission(INSTRUCTION_WRITE)],
        summary="领导批示",
    )
    async def instruct(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.Instruction],
    ) -> dict[str, Any]:
        row, action = await svc.instruct(db_session, tenant_principal(request), doc_id, data)
        instruction = {"id": action.id, "supervision_item_id": plain(action.supervision_item_id)}
        return {**incoming_summary(row), "instruction": instruction}

    @post(
        "/{doc_id:uuid}/assignment",
        operation_id="documents_incoming_assign",
        status_code=200,
        guards=[require_permission(INCOMING_PROPOSE)],
        summary="承办: lead and co-handling units",
    )
    async def assign(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.Assign],
    ) -> dict[str, Any]:
        return incoming_summary(await svc.assign(db_session, tenant_principal(request), doc_id, data))

    @post(
        "/{doc_id:uuid}/circulation",
        operation_id="documents_incoming_circulate",
        status_code=200,
        guards=[require_permission(INCOMING_PROPOSE)],
        summary="传阅: add readers to the route",
    )
    async def circulate(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.Circulate],
    ) -> dict[str, Any]:
        return incoming_summary(
            await circulation.circulate(db_session, tenant_principal(request), doc_id, data)
        )

    @post(
        "/{doc_id:uuid}/circulation/receive",
        operation_id="documents_incoming_circulation_receive",
        status_code=200,
        guards=[require_permission(INCOMING_READ)],
        summary="A reader receives it",
    )
    async def receive(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, doc_id: uuid.UUID
    ) -> dict[str, Any]:
        return circulation_dict(await circulation.receive(db_session, tenant_principal(request), doc_id))

    @post(
        "/{doc_id:uuid}/circulation/read",
        operation_id="documents_incoming_circulation_read",
        status_code=200,
        guards=[require_permission(INCOMING_READ)],
        summary="A reader signs off (阅毕)",
    )
    async def sign_off(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.SignOff],
    ) -> dict[str, Any]:
        return circulation_dict(
            await circulation.sign_off(db_session, tenant_principal(request), doc_id, data)
        )

    @post(
        "/{doc_id:uuid}/completion",
        operation_id="documents_incoming_complete",
        status_code=200,
        guards=[require_permission(INCOMING_HANDLE)],
        summary="办结 with the result",
    )
    async def complete(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.Complete],
    ) -> dict[str, Any]:
        return incoming_summary(await svc.complete(db_session, tenant_principal(request), doc_id, data))

    @post(
        "/{doc_id:uuid}/attachments",
        operation_id="documents_incoming_attach",
        status_code=200,
        guards=[require_permission(INCOMING_REGISTER)],
        summary="Attach a scan uploaded to /api/files",
    )
    async def add_attachment(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[AttachIn],
    ) -> dict[str, Any]:
        row = await svc.get(db_session, tenant_principal(request), doc_id, lock=True)
        await attach(db_session, request, row, data.file_id)
        return await incoming_detail(db_session, row)

    @get(
        "/{doc_id:uuid}/attachments/{file_id:uuid}",
        operation_id="documents_incoming_attachment",
        guards=[require_permission(INCOMING_READ)],
        summary="A short-lived download link of an attachment",
    )
    async def get_attachment(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, doc_id: uuid.UUID, file_id: uuid.UUID
    ) -> dict[str, Any]:
        row = await svc.get(db_session, tenant_principal(request), doc_id)
        return await attachment_url(db_session, request, row, file_id)
