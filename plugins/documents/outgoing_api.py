"""``/api/documents/outgoing``: drafts, the approval route, numbering, distribution, PDF and register."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import AppError, FieldError, Msg, conflict, require_permission, tenant_principal
from plugins.documents import distribution as dist
from plugins.documents import outgoing as svc
from plugins.documents import registers, schemas
from plugins.documents.common import LEVELS
from plugins.documents.incoming_api import (
    XLSX,
    AttachIn,
    Level,
    Limit,
    Offset,
    Q,
    Year,
    attach,
    attachment_url,
)
from plugins.documents.models_out import Outgoing
from plugins.documents.permissions import (
    DISPATCH_MANAGE,
    EXPORT,
    NUMBERING_MANAGE,
    OUTGOING_COUNTERSIGN,
    OUTGOING_DRAFT,
    OUTGOING_LEGAL_REVIEW,
    OUTGOING_READ,
    OUTGOING_REVIEW,
    OUTGOING_SIGN,
)
from plugins.documents.views import outgoing_detail, outgoing_summary

Req = Request[Any, Any, Any]


def _pdf_model(row: Outgoing) -> Any:
    from plugins.documents.gbt9704.model import OutgoingPdf  # noqa: PLC0415 - loaded on first use

    assert row.doc_number and row.written_date
    return OutgoingPdf(
        issuer_mark=row.issuer_mark,
        doc_number=row.doc_number,
        title=row.title,
        main_recipients=list(row.main_recipients),
        body=[p for p in row.body.splitlines() if p.strip()],
        signature=row.signature,
        date=row.written_date,
        copy_no=row.copy_no or None,
        classification=LEVELS[row.classification] if row.classification else None,
        secrecy_period=(row.secrecy_period or None) if row.classification else None,
        urgency=row.urgency or None,
        signers=list(row.signers),
        attachments=list(row.attachment_notes),
        note=row.note or None,
        seal=row.seal,
        cc=list(row.cc),
        printer=row.printer,
        print_date=row.print_date,
    )


class OutgoingController(Controller):
    path = "/outgoing"
    tags = ("documents",)

    @post(
        "",
        operation_id="documents_outgoing_create",
        status_code=201,
        guards=[require_permission(OUTGOING_DRAFT)],
        summary="拟稿 with the 18 format elements",
    )
    async def create(
        self, request: Req, db_session: AsyncSession, data: JSONBody[schemas.DraftIn]
    ) -> dict[str, Any]:
        row = await svc.create(db_session, tenant_principal(request), data)
        return await outgoing_detail(db_session, row)

    @get(
        "",
        operation_id="documents_outgoing_list",
        guards=[require_permission(OUTGOING_READ)],
        summary="发文登记簿 (filters, full-text search, pagination)",
    )
    async def list_outgoing(
        self,
        *,
        request: Req,
        db_session: AsyncSession,
        q: Q = None,
        year: Year = None,
        doc_type: Annotated[str | None, QueryParameter(max_length=10)] = None,
        state_is: Annotated[str | None, QueryParameter(name="state", max_length=20)] = None,
        unit_id: uuid.UUID | None = None,
        classification: Level = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        return await registers.page(
            db_session,
            Outgoing,
            tenant_principal(request),
            limit=limit,
            offset=offset,
            q=q,
            year=year,
            doc_class=doc_type,
            state=state_is,
            unit_id=unit_id,
            classification=classification,
        )

    @get(
        "/export",
        operation_id="documents_outgoing_export",
        guards=[require_permission(EXPORT, OUTGOING_READ)],
        summary="Export the 发文登记簿 as Excel",
    )
    async def export(
        self, request: Req, db_session: AsyncSession, year: Year = None, classification: Level = None
    ) -> Stream:
        stream, _ = await registers.export(
            db_session, tenant_principal(request), Outgoing, year=year, classification=classification
        )
        name = registers.export_name("outgoing")
        return Stream(
            stream,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @get("/{doc_id:uuid}", operation_id="documents_outgoing_get", guards=[require_permission(OUTGOING_READ)])
    async def detail(self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID) -> dict[str, Any]:
        row = await svc.get(db_session, tenant_principal(request), doc_id)
        return {**await outgoing_detail(db_session, row), **await dist.records(db_session, row)}

    @patch(
        "/{doc_id:uuid}",
        operation_id="documents_outgoing_edit",
        guards=[require_permission(OUTGOING_DRAFT)],
        summary="Edit (new version; after 签发 back to the signer)",
    )
    async def edit(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[schemas.DraftEdit]
    ) -> dict[str, Any]:
        return await outgoing_detail(
            db_session, await svc.edit(db_session, tenant_principal(request), doc_id, data)
        )

    @post(
        "/{doc_id:uuid}/submit",
        operation_id="documents_outgoing_submit",
        status_code=200,
        guards=[require_permission(OUTGOING_DRAFT)],
        summary="送审: enter the approval route",
    )
    async def submit(self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID) -> dict[str, Any]:
        return outgoing_summary(await svc.submit(db_session, tenant_principal(request), doc_id))

    @post(
        "/{doc_id:uuid}/review",
        operation_id="documents_outgoing_review",
        status_code=200,
        guards=[require_permission(OUTGOING_REVIEW)],
        summary="核稿",
    )
    async def review(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[schemas.StepIn]
    ) -> dict[str, Any]:
        return outgoing_summary(
            await svc.approve(db_session, tenant_principal(request), doc_id, "review", data)
        )

    @post(
        "/{doc_id:uuid}/countersign",
        operation_id="documents_outgoing_countersign",
        status_code=200,
        guards=[require_permission(OUTGOING_COUNTERSIGN)],
        summary="会签 (every co-issuer)",
    )
    async def countersign(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[schemas.StepIn]
    ) -> dict[str, Any]:
        return outgoing_summary(
            await svc.approve(db_session, tenant_principal(request), doc_id, "countersign", data)
        )

    @post(
        "/{doc_id:uuid}/legal-review",
        operation_id="documents_outgoing_legal_review",
        status_code=200,
        guards=[require_permission(OUTGOING_LEGAL_REVIEW)],
        summary="合法性审查 of a 规范性文件",
    )
    async def legal_review(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[schemas.StepIn]
    ) -> dict[str, Any]:
        return outgoing_summary(
            await svc.approve(db_session, tenant_principal(request), doc_id, "legal_review", data)
        )

    @post(
        "/{doc_id:uuid}/sign",
        operation_id="documents_outgoing_sign",
        status_code=200,
        guards=[require_permission(OUTGOING_SIGN)],
        summary="签发 by the designated signer",
    )
    async def sign(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[schemas.StepIn]
    ) -> dict[str, Any]:
        return outgoing_summary(
            await svc.approve(db_session, tenant_principal(request), doc_id, "sign", data)
        )

    @post(
        "/{doc_id:uuid}/return",
        operation_id="documents_outgoing_return",
        status_code=200,
        guards=[require_permission(OUTGOING_READ)],
        summary="退回 to the drafter with a reason",
    )
    async def send_back(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[schemas.ReturnIn]
    ) -> dict[str, Any]:
        return outgoing_summary(
            await svc.send_back(db_session, tenant_principal(request), doc_id, data.reason)
        )

    @post(
        "/{doc_id:uuid}/number",
        operation_id="documents_outgoing_number",
        status_code=200,
        guards=[require_permission(NUMBERING_MANAGE)],
        summary="登记: allocate the 发文字号 (once)",
    )
    async def number(self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID) -> dict[str, Any]:
        return outgoing_summary(await svc.assign_number(db_session, tenant_principal(request), doc_id))

    @post(
        "/{doc_id:uuid}/distribution",
        operation_id="documents_outgoing_distribution",
        status_code=200,
        guards=[require_permission(DISPATCH_MANAGE)],
        summary="Set recipients; print copies recalculated",
    )
    async def distribution(
        self,
        request: Req,
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[schemas.DistributionIn],
    ) -> dict[str, Any]:
        p = tenant_principal(request)
        row = await svc.get(db_session, p, doc_id, lock=True)
        await dist.set_distribution(db_session, p, row, data)
        return {**await outgoing_detail(db_session, row), **await dist.records(db_session, row)}

    @post(
        "/{doc_id:uuid}/seal",
        operation_id="documents_outgoing_seal",
        status_code=200,
        guards=[require_permission(DISPATCH_MANAGE)],
        summary="用印登记",
    )
    async def seal(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[schemas.SealIn]
    ) -> dict[str, Any]:
        p = tenant_principal(request)
        row = await svc.get(db_session, p, doc_id, lock=True)
        await dist.seal(db_session, p, row, data)
        return await dist.records(db_session, row)

    @post(
        "/{doc_id:uuid}/dispatches",
        operation_id="documents_outgoing_dispatch",
        status_code=200,
        guards=[require_permission(DISPATCH_MANAGE)],
        summary="核发 (密件不得代领)",
    )
    async def dispatch(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[schemas.DispatchIn]
    ) -> dict[str, Any]:
        p = tenant_principal(request)
        row = await svc.get(db_session, p, doc_id, lock=True)
        await dist.dispatch(db_session, p, row, data)
        return await dist.records(db_session, row)

    @get(
        "/{doc_id:uuid}/pdf",
        operation_id="documents_outgoing_pdf",
        guards=[require_permission(OUTGOING_READ)],
        summary="The GB/T 9704 layout as PDF (numbered documents)",
    )
    async def pdf(self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID) -> Response[bytes]:
        row = await svc.get(db_session, tenant_principal(request), doc_id)
        if not row.doc_number or not row.written_date:
            raise conflict("not_numbered", "公文尚未签发编号", "The document has no number yet")
        from plugins.documents.gbt9704.render import render_outgoing_pdf  # noqa: PLC0415

        model = _pdf_model(row)
        try:
            data = await to_thread.run_sync(render_outgoing_pdf, model)
        except ValueError as exc:  # OutgoingPdfError names the fields that cannot be laid out
            bad = getattr(exc, "fields", None) or getattr(exc, "errors", None) or {}
            fields = [FieldError(str(k), "layout", Msg(str(v), str(v))) for k, v in dict(bad).items()]
            raise AppError(
                "pdf_layout", Msg("公文要素不符合版式要求", "The document cannot be laid out"), 422, fields
            ) from exc
        name = f"{row.doc_number}.pdf"
        return Response(
            data,
            media_type="application/pdf",
            headers={"Content-Disposition": f"inline; filename*=UTF-8''{_quote(name)}"},
        )

    @post(
        "/{doc_id:uuid}/attachments",
        operation_id="documents_outgoing_attach",
        status_code=200,
        guards=[require_permission(OUTGOING_DRAFT)],
        summary="Attach a file uploaded to /api/files",
    )
    async def add_attachment(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, data: JSONBody[AttachIn]
    ) -> dict[str, Any]:
        row = await svc.get(db_session, tenant_principal(request), doc_id, lock=True)
        await attach(db_session, request, row, data.file_id)
        return await outgoing_detail(db_session, row)

    @get(
        "/{doc_id:uuid}/attachments/{file_id:uuid}",
        operation_id="documents_outgoing_attachment",
        guards=[require_permission(OUTGOING_READ)],
        summary="A short-lived download link of an attachment",
    )
    async def get_attachment(
        self, request: Req, db_session: AsyncSession, doc_id: uuid.UUID, file_id: uuid.UUID
    ) -> dict[str, Any]:
        row = await svc.get(db_session, tenant_principal(request), doc_id)
        return await attachment_url(db_session, request, row, file_id)


def _quote(name: str) -> str:
    from urllib.parse import quote  # noqa: PLC0415

    return quote(name)
