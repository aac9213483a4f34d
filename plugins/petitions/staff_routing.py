"""Staff routes for routing (转送/交办) and duplicates (重复件): route, receive, object, pull back,
list likely duplicates, merge or link. Source: rules.md §4."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import audit_read, audit_record, conflict, require_permission, tenant_principal

from . import clock, routing, workflow
from .intake import similar_cases
from .schemas import LinkIn, OnIn, RouteIn
from .staff import MERGE, PERSONAL, READ, ROUTE, _act, case_out


class CaseRoutingController(Controller):
    path = "/"
    tags = ["petitions"]  # noqa: RUF012

    @post(
        "/cases/{case_id:uuid}/routings",
        operation_id="petitions_cases_route",
        status_code=201,
        guards=[require_permission(ROUTE)],
    )
    async def route(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[RouteIn],
    ) -> dict[str, Any]:
        """转送 to another office or 交办 to a unit."""
        p, c, cfg = await _act(request, db_session, case_id)
        r = await routing.route(
            db_session,
            c,
            mode=data.mode,
            unit_id=data.unit_id,
            tenant_code=data.tenant_code,
            note=data.note,
            on=data.on,
            actor=p,
            cfg=cfg,
        )
        return {"id": r.id, "state": r.state, "target_case_id": r.target_case_id, "case_status": c.status}

    @post(
        "/cases/{case_id:uuid}/receive",
        operation_id="petitions_cases_receive",
        status_code=200,
        guards=[require_permission(ROUTE)],
    )
    async def receive(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[OnIn],
    ) -> dict[str, Any]:
        """签收 a referred case or a unit assignment."""
        p, c, cfg = await _act(request, db_session, case_id)
        await routing.receive(db_session, c, on=data.on, actor=p, cfg=cfg)
        return case_out(c, p.has(PERSONAL))

    @post(
        "/cases/{case_id:uuid}/objection",
        operation_id="petitions_cases_object",
        status_code=200,
        guards=[require_permission(ROUTE)],
    )
    async def objection(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[OnIn],
    ) -> dict[str, Any]:
        """异议: not our remit, returned within 5 working days of receipt."""
        p, c, _ = await _act(request, db_session, case_id)
        await routing.object_to(db_session, c, reason=data.reason, on=data.on, actor=p)
        return case_out(c, p.has(PERSONAL))

    @get(
        "/cases/{case_id:uuid}/duplicates",
        operation_id="petitions_cases_duplicates",
        guards=[require_permission(READ)],
    )
    async def duplicates(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], case_id: uuid.UUID
    ) -> list[dict[str, Any]]:
        """Likely duplicates and repeat petitions: same person or similar text."""
        p = tenant_principal(request)
        c = await workflow.get_case(db_session, p.tenant_id, case_id, for_update=False)
        found = await similar_cases(db_session, c)
        await audit_read(
            db_session,
            action="petitions.case.duplicates",
            object_type="petitions.case",
            object_id=c.id,
            classification=0,
            always=True,
            details={"count": len(found)},
        )
        return found

    @post(
        "/cases/{case_id:uuid}/link",
        operation_id="petitions_cases_link",
        status_code=200,
        guards=[require_permission(MERGE)],
    )
    async def link(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        case_id: uuid.UUID,
        data: JSONBody[LinkIn],
    ) -> dict[str, Any]:
        """Merge into another case (合并), link as related, or mark as a repeat petition (重复信访)."""
        p = tenant_principal(request)
        c = await workflow.get_case(db_session, p.tenant_id, case_id)
        other = await workflow.get_case(db_session, p.tenant_id, data.other_id, for_update=False)
        if other.id == c.id:
            raise conflict("same_case", "不能关联自身", "A case cannot be linked to itself")
        before = {"status": c.status}
        if data.mode == "merge":
            workflow.need(c, "registered")
            if other.status == "merged":
                raise conflict("merged_target", "不能合并到已合并的事项", "The target is merged itself")
            c.status, c.merged_into = "merged", other.id
            await clock.cancel(db_session, c)
            other.headcount += c.headcount if c.is_group else 0
        else:
            c.related_to = other.id
            c.is_repeat = c.is_repeat or data.mode == "repeat"
        workflow.event(db_session, c, data.mode, f"{data.mode}: {other.number}", p, public=False)
        await audit_record(
            db_session,
            action=f"petitions.case.{data.mode}",
            object_type="petitions.case",
            object_id=c.id,
            summary=f"{c.number} {data.mode} {other.number}",
            before=before,
            after={"status": c.status, "other": str(other.id)},
        )
        return case_out(c, p.has(PERSONAL))


class RoutingController(Controller):
    path = "/routings"
    tags = ["petitions"]  # noqa: RUF012

    @post(
        "/{routing_id:int}/pull-back",
        operation_id="petitions_routings_pull_back",
        status_code=200,
        guards=[require_permission(ROUTE)],
    )
    async def pull_back(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        routing_id: Annotated[int, Parameter(ge=1, le=2**62)],
        data: JSONBody[OnIn],
    ) -> dict[str, Any]:
        """撤回 a routing the receiver has not decided on."""
        p = tenant_principal(request)
        assert p.tenant_id is not None
        r = await routing.pull_back(db_session, p.tenant_id, routing_id, on=data.on, actor=p)
        return {"id": r.id, "state": r.state}
