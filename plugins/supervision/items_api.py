"""``/api/supervision/items``: 督办事项 register, lights, progress, 办结 and 审核销号."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import invalid, load_calendar, require_permission, tenant_principal
from plugins.supervision import items as svc
from plugins.supervision import progress, schemas
from plugins.supervision.common import load_item, tenant_of, today
from plugins.supervision.permissions import ITEM_MANAGE, ITEM_READ, ITEM_SIGNOFF, PROGRESS_REPORT
from plugins.supervision.views import item_detail, item_summary

Req = Request[Any, Any, Any]
AsOf = Annotated[dt.date | None, QueryParameter(description="Lights as of this day (default today)")]


def _day(as_of: dt.date | None) -> dt.date:
    if as_of is None:
        return today()
    if not schemas.FIRST_DAY <= as_of <= schemas.LAST_DAY:
        raise invalid("as_of", "out_of_range", "日期须在2000年至2100年之间", "as_of must lie in 2000..2100")
    return as_of


Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000)]


async def _detail(
    session: AsyncSession, request: Req, item_id: uuid.UUID, on: dt.date | None = None
) -> dict[str, Any]:
    p = tenant_principal(request)
    item = await load_item(session, p, item_id)
    cal = await load_calendar(session)
    conf = await svc.settings_of(session, tenant_of(p))
    return await item_detail(session, item, cal, conf, on or today())


class ItemController(Controller):
    path = "/items"
    tags = ("supervision",)

    @post(
        "",
        operation_id="supervision_items_create",
        status_code=201,
        guards=[require_permission(ITEM_MANAGE)],
        summary="立项 a 督办事项 by hand",
    )
    async def create(
        self, request: Req, db_session: AsyncSession, data: JSONBody[schemas.ItemIn]
    ) -> dict[str, Any]:
        p = tenant_principal(request)
        item, _ = await svc.create(
            db_session, tenant_id=tenant_of(p), data=data.model_dump(), principal=p, created_by=p.user_id
        )
        return await _detail(db_session, request, item.id)

    @get(
        "",
        operation_id="supervision_items_list",
        guards=[require_permission(ITEM_READ)],
        summary="督办事项 with their lights (unit-scoped for unit staff)",
    )
    async def list_items(
        self,
        *,
        request: Req,
        db_session: AsyncSession,
        as_of: AsOf = None,
        state_is: Annotated[
            Literal["open", "pending_signoff", "closed", "cancelled"] | None, QueryParameter(name="state")
        ] = None,
        light: Annotated[Literal["green", "yellow", "red"] | None, QueryParameter()] = None,
        unit_id: uuid.UUID | None = None,
        source_kind: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        on = _day(as_of)
        rows, total, cal, conf = await svc.list_items(
            db_session,
            tenant_principal(request),
            on=on,
            state=state_is,
            light=light,
            unit_id=unit_id,
            source_kind=source_kind,
            limit=limit,
            offset=offset,
        )
        return {"total": total, "items": [item_summary(r, cal, conf, on) for r in rows]}

    @get(
        "/board",
        operation_id="supervision_items_board",
        guards=[require_permission(ITEM_READ)],
        summary="红黄绿灯 counts",
    )
    async def board(self, request: Req, db_session: AsyncSession, as_of: AsOf = None) -> dict[str, Any]:
        return await svc.board(db_session, tenant_principal(request), _day(as_of))

    @get("/{item_id:uuid}", operation_id="supervision_items_get", guards=[require_permission(ITEM_READ)])
    async def detail(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, as_of: AsOf = None
    ) -> dict[str, Any]:
        return await _detail(db_session, request, item_id, _day(as_of))

    @patch(
        "/{item_id:uuid}",
        operation_id="supervision_items_update",
        guards=[require_permission(ITEM_MANAGE)],
        summary="Change 标准/完成时限/cadence/people (deadlines re-planned)",
    )
    async def update(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, data: JSONBody[schemas.ItemPatch]
    ) -> dict[str, Any]:
        await svc.update(db_session, tenant_principal(request), item_id, data.model_dump())
        return await _detail(db_session, request, item_id)

    @post(
        "/{item_id:uuid}/tasks",
        operation_id="supervision_items_decompose",
        status_code=200,
        guards=[require_permission(ITEM_MANAGE)],
        summary="分解 into sub-tasks per unit",
    )
    async def decompose(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, data: JSONBody[schemas.Decompose]
    ) -> dict[str, Any]:
        await svc.decompose(
            db_session, tenant_principal(request), item_id, [t.model_dump() for t in data.tasks]
        )
        return await _detail(db_session, request, item_id)

    @post(
        "/{item_id:uuid}/tasks/{task_id:uuid}/complete",
        operation_id="supervision_tasks_complete",
        status_code=200,
        guards=[require_permission(PROGRESS_REPORT)],
    )
    async def complete_task(
        self,
        request: Req,
        db_session: AsyncSession,
        item_id: uuid.UUID,
        task_id: uuid.UUID,
        data: JSONBody[schemas.TaskDone],
    ) -> dict[str, Any]:
        await progress.complete_task(db_session, tenant_principal(request), item_id, task_id, data.result)
        return await _detail(db_session, request, item_id)

    @post(
        "/{item_id:uuid}/reports",
        operation_id="supervision_progress_report",
        status_code=201,
        guards=[require_permission(PROGRESS_REPORT)],
        summary="进展报告 (answers the current period)",
    )
    async def report(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, data: JSONBody[schemas.ReportIn]
    ) -> dict[str, Any]:
        await progress.report(db_session, tenant_principal(request), item_id, data.model_dump())
        return await _detail(db_session, request, item_id)

    @get(
        "/{item_id:uuid}/files/{file_id:uuid}",
        operation_id="supervision_items_file",
        guards=[require_permission(ITEM_READ)],
        summary="A short-lived URL of an attachment or evidence",
    )
    async def file(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, file_id: uuid.UUID
    ) -> dict[str, Any]:
        return await progress.file_url(db_session, tenant_principal(request), item_id, file_id)

    @post(
        "/{item_id:uuid}/chase",
        operation_id="supervision_items_chase",
        status_code=200,
        guards=[require_permission(ITEM_MANAGE)],
        summary="催办 (escalate: also the responsible leader)",
    )
    async def chase(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, data: JSONBody[schemas.ChaseIn]
    ) -> dict[str, Any]:
        await svc.chase(db_session, tenant_principal(request), item_id, data.note, data.escalate)
        return await _detail(db_session, request, item_id)

    @post(
        "/{item_id:uuid}/complete",
        operation_id="supervision_items_complete",
        status_code=200,
        guards=[require_permission(PROGRESS_REPORT)],
        summary="办结 with result and evidence",
    )
    async def complete(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, data: JSONBody[schemas.CompleteIn]
    ) -> dict[str, Any]:
        await progress.complete(db_session, tenant_principal(request), item_id, data.model_dump())
        return await _detail(db_session, request, item_id)

    @post(
        "/{item_id:uuid}/signoff",
        operation_id="supervision_items_signoff",
        status_code=200,
        guards=[require_permission(ITEM_SIGNOFF)],
        summary="审核销号 (approve) or return",
    )
    async def signoff(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, data: JSONBody[schemas.SignoffIn]
    ) -> dict[str, Any]:
        await progress.signoff(db_session, tenant_principal(request), item_id, data.decision, data.opinion)
        return await _detail(db_session, request, item_id)

    @post(
        "/{item_id:uuid}/cancel",
        operation_id="supervision_items_cancel",
        status_code=200,
        guards=[require_permission(ITEM_MANAGE)],
        summary="撤销",
    )
    async def cancel(
        self, request: Req, db_session: AsyncSession, item_id: uuid.UUID, data: JSONBody[schemas.CancelIn]
    ) -> dict[str, Any]:
        await svc.cancel(db_session, tenant_principal(request), item_id, data.reason)
        return await _detail(db_session, request, item_id)
