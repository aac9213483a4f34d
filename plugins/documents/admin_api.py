"""Tenant configuration and registers: approval route, 发文字号 ledger, distribution lists, overdue board."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.params import JSONBody, QueryParameter
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import require_permission, tenant_principal
from plugins.documents import distribution as dist
from plugins.documents import incoming as incoming_svc
from plugins.documents import numbering, route_config, schemas
from plugins.documents import outgoing as outgoing_svc
from plugins.documents import quality as quality_svc
from plugins.documents.common import local_date, now, tenant_of, visible
from plugins.documents.models import Incoming
from plugins.documents.models_out import DistributionList, Outgoing
from plugins.documents.permissions import (
    DEADLINES_READ,
    DISPATCH_MANAGE,
    INCOMING_REGISTER,
    NUMBERING_MANAGE,
    OUTGOING_READ,
    ROUTE_MANAGE,
)
from plugins.documents.views import incoming_summary, number_dict

Req = Request[Any, Any, Any]
Code = Annotated[str, QueryParameter(pattern=r"^[\u4e00-\u9fff]{2,10}$", description="机关代字")]
YearQ = Annotated[int, QueryParameter(ge=2000, le=2100)]
CLOSED_IN = ("done", "returned")
CLOSED_OUT = ("draft", "signed", "numbered")


class RouteController(Controller):
    path = "/route"
    tags = ("documents",)

    @get(
        "",
        operation_id="documents_route_get",
        guards=[require_permission(OUTGOING_READ)],
        summary="The tenant's approval route for 发文",
    )
    async def get_route(self, request: Req, db_session: AsyncSession) -> dict[str, Any]:
        return {"steps": await route_config.route_of(db_session, tenant_of(tenant_principal(request)))}

    @put(
        "",
        operation_id="documents_route_set",
        guards=[require_permission(ROUTE_MANAGE)],
        summary="Change the approval route (规范性文件 always keep legal review)",
    )
    async def set_route(
        self, request: Req, db_session: AsyncSession, data: JSONBody[schemas.RouteIn]
    ) -> dict[str, Any]:
        return {
            "steps": await route_config.set_route(db_session, tenant_principal(request), list(data.steps))
        }


class NumberingController(Controller):
    path = "/numbering"
    tags = ("documents",)
    guards = [require_permission(NUMBERING_MANAGE)]  # noqa: RUF012 - Litestar reads class attributes

    @get(
        "",
        operation_id="documents_numbering_ledger",
        summary="The ledger of one 机关代字 and year, with gaps",
    )
    async def ledger(self, request: Req, db_session: AsyncSession, code: Code, year: YearQ) -> dict[str, Any]:
        return await numbering.ledger(db_session, tenant_principal(request), code, year)

    @post("/reserve", operation_id="documents_numbering_reserve", status_code=201, summary="预留 a number")
    async def reserve(
        self, request: Req, db_session: AsyncSession, data: JSONBody[schemas.ReserveIn]
    ) -> dict[str, Any]:
        n = await numbering.reserve(db_session, tenant_principal(request), data.code, data.year, data.reason)
        return number_dict(n)

    @post(
        "/{number_id:int}/void",
        operation_id="documents_numbering_void",
        status_code=200,
        summary="废号 (a reserved number)",
    )
    async def void(
        self, request: Req, db_session: AsyncSession, number_id: int, data: JSONBody[schemas.NumberActionIn]
    ) -> dict[str, Any]:
        return number_dict(
            await numbering.void(db_session, tenant_principal(request), _int(number_id), data.reason)
        )

    @post(
        "/{number_id:int}/backfill",
        operation_id="documents_numbering_backfill",
        status_code=200,
        summary="补号: give a reserved number to a signed document",
    )
    async def backfill(
        self, request: Req, db_session: AsyncSession, number_id: int, data: JSONBody[schemas.BackfillIn]
    ) -> dict[str, Any]:
        p = tenant_principal(request)
        doc = await outgoing_svc.get(db_session, p, data.outgoing_id, lock=True)
        return number_dict(await numbering.backfill(db_session, p, _int(number_id), doc, data.reason))


def _int(value: int) -> int:
    # Ids beyond INTEGER are never found (and would make the driver fail).
    return value if 0 < value < 2**31 else 0


class DistributionListController(Controller):
    path = "/distribution-lists"
    tags = ("documents",)
    guards = [require_permission(DISPATCH_MANAGE)]  # noqa: RUF012

    @get("", operation_id="documents_lists_list", summary="分发名单")
    async def lists(self, request: Req, db_session: AsyncSession) -> list[dict[str, Any]]:
        rows = await db_session.scalars(
            select(DistributionList)
            .where(DistributionList.tenant_id == tenant_of(tenant_principal(request)))
            .order_by(DistributionList.name)
        )
        return [dist.list_dict(r) for r in rows]

    @post("", operation_id="documents_lists_create", status_code=201, summary="New distribution list")
    async def create(
        self, request: Req, db_session: AsyncSession, data: JSONBody[schemas.DistributionListIn]
    ) -> dict[str, Any]:
        return dist.list_dict(await dist.create_list(db_session, tenant_principal(request), data))

    @put(
        "/{list_id:uuid}",
        operation_id="documents_lists_update",
        summary="Change a list; print copies of open documents using it are recalculated",
    )
    async def update(
        self,
        request: Req,
        db_session: AsyncSession,
        list_id: uuid.UUID,
        data: JSONBody[schemas.DistributionListIn],
    ) -> dict[str, Any]:
        row, n = await dist.update_list(db_session, tenant_principal(request), list_id, data)
        return {**dist.list_dict(row), "recalculated": n}


class QualityController(Controller):
    """登记质量: corrections of 登记/分类 and the yearly error rate (target ≤ 1%)."""

    path = "/incoming"
    tags = ("documents",)
    guards = [require_permission(INCOMING_REGISTER)]  # noqa: RUF012

    @get("/quality", operation_id="documents_incoming_quality", summary="The year's registration error rate")
    async def quality(self, request: Req, db_session: AsyncSession, year: YearQ) -> dict[str, Any]:
        return await quality_svc.report(db_session, tenant_principal(request), year)

    @post(
        "/{doc_id:uuid}/correction",
        operation_id="documents_incoming_correct",
        status_code=200,
        summary="Correct the registration or classification (counts as an error)",
    )
    async def correct(
        self,
        request: Req,
        db_session: AsyncSession,
        doc_id: uuid.UUID,
        data: JSONBody[quality_svc.CorrectionIn],
    ) -> dict[str, Any]:
        return incoming_summary(
            await quality_svc.correct(db_session, tenant_principal(request), doc_id, data)
        )


class OverdueController(Controller):
    path = "/overdue"
    tags = ("documents",)

    @get(
        "",
        operation_id="documents_overdue",
        guards=[require_permission(DEADLINES_READ)],
        summary="Overdue items per unit (收文 and 发文 past their step's time limit)",
    )
    async def overdue(self, request: Req, db_session: AsyncSession) -> dict[str, Any]:
        p = tenant_principal(request)
        today = local_date(now())
        out: dict[str, dict[str, Any]] = {}
        pairs: list[tuple[Any, tuple[str, ...], str]] = [
            (Incoming, CLOSED_IN, "incoming"),
            (Outgoing, CLOSED_OUT, "outgoing"),
        ]
        for model, closed, kind in pairs:
            owner = incoming_svc.owner_cols() if model is Incoming else outgoing_svc.owner_cols()
            cond = and_(
                visible(model, p, owner_cols=owner), model.due_date < today, model.state.not_in(closed)
            )
            rows = await db_session.execute(
                select(model.unit_id, func.count(), func.min(model.due_date))
                .where(cond)
                .group_by(model.unit_id)
            )
            for unit_id, count, oldest in rows:
                key = str(unit_id) if unit_id else "none"
                entry = out.setdefault(
                    key,
                    {"unit_id": key if unit_id else None, "incoming": 0, "outgoing": 0, "oldest_due": None},
                )
                entry[kind] = int(count)
                if entry["oldest_due"] is None or oldest.isoformat() < entry["oldest_due"]:
                    entry["oldest_due"] = oldest.isoformat()
            items = await db_session.scalars(select(model).where(cond).order_by(model.due_date).limit(200))
            for r in items:
                key = str(r.unit_id) if r.unit_id else "none"
                out[key].setdefault("items", []).append(
                    {
                        "id": str(r.id),
                        "type": kind,
                        "title": r.title,
                        "state": r.state,
                        "due_date": r.due_date.isoformat(),
                        "deadline_id": r.deadline_id,
                    }
                )
        return {
            "today": today.isoformat(),
            "units": sorted(out.values(), key=lambda e: e["oldest_due"] or ""),
        }
