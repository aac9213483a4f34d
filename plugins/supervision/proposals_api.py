"""``/api/supervision/proposals`` (建议提案办理) and ``/api/supervision/bulletin`` (督查通报)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import require_permission, tenant_principal
from plugins.supervision import bulletin, bulletins, schemas
from plugins.supervision import proposals as svc
from plugins.supervision.common import tenant_of
from plugins.supervision.permissions import (
    ITEM_MANAGE,
    PROPOSAL_ANSWER,
    PROPOSAL_MANAGE,
    PROPOSAL_READ,
    REPORT_EXPORT,
)

Req = Request[Any, Any, Any]
Kind = Annotated[Literal["npc_suggestion", "cppcc_proposal"] | None, QueryParameter()]
YearQ = Annotated[int, QueryParameter(ge=2000, le=2100)]
Month = Annotated[str, QueryParameter(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProposalController(Controller):
    path = "/proposals"
    tags = ("supervision",)

    @post(
        "",
        operation_id="supervision_proposals_create",
        status_code=201,
        guards=[require_permission(PROPOSAL_MANAGE)],
        summary="交办 a 建议/提案 (due 3 or 6 months later)",
    )
    async def create(
        self, request: Req, db_session: AsyncSession, data: JSONBody[schemas.ProposalIn]
    ) -> dict[str, Any]:
        return svc.view(await svc.create(db_session, tenant_principal(request), data.model_dump()))

    @get("", operation_id="supervision_proposals_list", guards=[require_permission(PROPOSAL_READ)])
    async def list_proposals(
        self,
        *,
        request: Req,
        db_session: AsyncSession,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        kind: Kind = None,
        state_is: Annotated[
            Literal["assigned", "answered", "closed"] | None, QueryParameter(name="state")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> dict[str, Any]:
        rows, total = await svc.list_proposals(
            db_session,
            tenant_principal(request),
            year=year,
            kind=kind,
            state=state_is,
            limit=limit,
            offset=offset,
        )
        return {"total": total, "items": [svc.view(r) for r in rows]}

    @get(
        "/stats",
        operation_id="supervision_proposals_stats",
        guards=[require_permission(PROPOSAL_READ)],
        summary="办复率, 见面率, 满意率, grades A-D",
    )
    async def stats(
        self, request: Req, db_session: AsyncSession, year: YearQ, kind: Kind = None
    ) -> dict[str, Any]:
        return await svc.stats(db_session, tenant_principal(request), year, kind)

    @get(
        "/{proposal_id:uuid}",
        operation_id="supervision_proposals_get",
        guards=[require_permission(PROPOSAL_READ)],
    )
    async def detail(self, request: Req, db_session: AsyncSession, proposal_id: uuid.UUID) -> dict[str, Any]:
        return svc.view(await svc.load(db_session, tenant_principal(request), proposal_id))

    @post(
        "/{proposal_id:uuid}/contact",
        operation_id="supervision_proposals_contact",
        status_code=200,
        guards=[require_permission(PROPOSAL_ANSWER)],
        summary="见面/沟通 with the deputy",
    )
    async def contact(
        self,
        request: Req,
        db_session: AsyncSession,
        proposal_id: uuid.UUID,
        data: JSONBody[schemas.ContactIn],
    ) -> dict[str, Any]:
        row = await svc.contact(
            db_session, tenant_principal(request), proposal_id, data.contacted_on, data.method
        )
        return svc.view(row)

    @post(
        "/{proposal_id:uuid}/answer",
        operation_id="supervision_proposals_answer",
        status_code=200,
        guards=[require_permission(PROPOSAL_ANSWER)],
        summary="书面答复 graded A/B/C/D",
    )
    async def answer(
        self, request: Req, db_session: AsyncSession, proposal_id: uuid.UUID, data: JSONBody[schemas.AnswerIn]
    ) -> dict[str, Any]:
        return svc.view(
            await svc.answer(db_session, tenant_principal(request), proposal_id, data.model_dump())
        )

    @post(
        "/{proposal_id:uuid}/feedback",
        operation_id="supervision_proposals_feedback",
        status_code=200,
        guards=[require_permission(PROPOSAL_MANAGE)],
        summary="The deputy's satisfaction (满意度)",
    )
    async def feedback(
        self,
        request: Req,
        db_session: AsyncSession,
        proposal_id: uuid.UUID,
        data: JSONBody[schemas.FeedbackIn],
    ) -> dict[str, Any]:
        row = await svc.feedback(
            db_session, tenant_principal(request), proposal_id, data.satisfaction, data.feedback_on
        )
        return svc.view(row)

    @post(
        "/{proposal_id:uuid}/supervise",
        operation_id="supervision_proposals_supervise",
        status_code=201,
        guards=[require_permission(ITEM_MANAGE)],
        summary="立项督办 a proposal (once; again returns the item)",
    )
    async def supervise(
        self,
        request: Req,
        db_session: AsyncSession,
        proposal_id: uuid.UUID,
        data: JSONBody[schemas.SuperviseIn],
    ) -> dict[str, Any]:
        item, created = await svc.supervise(
            db_session, tenant_principal(request), proposal_id, data.model_dump()
        )
        return {"item_id": str(item.id), "created": created, "due_date": item.due_date.isoformat()}


class BulletinController(Controller):
    path = "/bulletin"
    tags = ("supervision",)

    @get(
        "",
        operation_id="supervision_bulletin_data",
        guards=[require_permission(REPORT_EXPORT)],
        summary="The monthly 督查通报's figures",
    )
    async def data(self, request: Req, db_session: AsyncSession, month: Month) -> dict[str, Any]:
        return await bulletin.collect(db_session, tenant_of(tenant_principal(request)), month)

    @get(
        "/pdf",
        operation_id="supervision_bulletin_pdf",
        guards=[require_permission(REPORT_EXPORT)],
        summary="督查通报 as PDF",
    )
    async def pdf(self, request: Req, db_session: AsyncSession, month: Month) -> Response[bytes]:
        data = await bulletin.collect(db_session, tenant_of(tenant_principal(request)), month)
        return Response(
            bulletin.render_pdf(data),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="bulletin-{month}.pdf"'},
        )

    @get(
        "/xlsx",
        operation_id="supervision_bulletin_xlsx",
        guards=[require_permission(REPORT_EXPORT)],
        summary="督查通报 as Excel",
    )
    async def xlsx(self, request: Req, db_session: AsyncSession, month: Month) -> Response[bytes]:
        data = await bulletin.collect(db_session, tenant_of(tenant_principal(request)), month)
        return Response(
            bulletin.render_xlsx(data),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="bulletin-{month}.xlsx"'},
        )

    @post(
        "/generate",
        operation_id="supervision_bulletin_generate",
        status_code=201,
        guards=[require_permission(REPORT_EXPORT)],
        summary="Generate and store a month's 督查通报",
    )
    async def generate(self, request: Req, db_session: AsyncSession, month: Month) -> dict[str, Any]:
        p = tenant_principal(request)
        row = await bulletins.generate(db_session, tenant_of(p), month, p)
        return next(b for b in await bulletins.archive(db_session, tenant_of(p)) if b["month"] == row.month)

    @get(
        "/archive",
        operation_id="supervision_bulletin_archive",
        guards=[require_permission(REPORT_EXPORT)],
        summary="Stored monthly bulletins with short-lived download URLs",
    )
    async def archive(self, request: Req, db_session: AsyncSession) -> list[dict[str, Any]]:
        return await bulletins.archive(db_session, tenant_of(tenant_principal(request)))
