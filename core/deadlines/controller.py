"""``/api/deadlines``: the tenant's time limits, their chases, and the 书面说明 for missed ones."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.deadlines import service
from core.deadlines.calc import OfficeClock
from core.deadlines.models import STATE_OPEN, Deadline
from core.deadlines.schemas import DeadlineDetail, DeadlineOut, ExplanationIn, ReminderOut
from core.errors import not_found
from core.identity import audit_hook
from core.org.pagination import Page, PageNo, PageSize
from core.security.guards import principal_or_401, require_staff
from core.security.principal import Principal

MAX_ID = 2**63 - 1  # BIGINT; larger ids cannot exist (and would make the driver fail)

# ``state`` is a reserved Litestar kwarg, hence the alias.
StateFilter = Annotated[
    Literal["open", "done", "cancelled"] | None,
    QueryParameter(name="state", description="Only deadlines in this state."),
]
PluginFilter = Annotated[
    str | None, QueryParameter(max_length=40, description="Owner plugin, e.g. documents.")
]
TypeFilter = Annotated[str | None, QueryParameter(max_length=60, description="Object type, e.g. incoming.")]


def _tenant(request: Request[Any, Any, Any]) -> tuple[Principal, uuid.UUID]:
    principal = principal_or_401(request)
    if principal.tenant_id is None:
        raise not_found("deadline", "期限")
    return principal, principal.tenant_id


def _out(d: Deadline, clock: OfficeClock) -> dict[str, Any]:
    today = clock.today(utcnow())
    data = DeadlineOut.model_validate(d).model_dump()
    data["overdue"] = d.state == STATE_OPEN and today > d.due_date
    data["missed"] = service.is_missed(d, today, clock)
    return data


def _check_id(deadline_id: int) -> None:
    if not 1 <= deadline_id <= MAX_ID:
        raise not_found("deadline", "期限")


READ_ALL = "core.deadlines.read_all"


def _visible_to(principal: Principal) -> list[uuid.UUID] | None:
    """Everyone sees what is assigned or escalated to them (or to the leader they stand in for);
    the whole tenant's list needs ``core.deadlines.read_all`` — titles can name sensitive matters."""
    if principal.has(READ_ALL):
        return None
    return [p for p in (principal.user_id, principal.on_behalf_of) if p is not None]


class DeadlineController(Controller):
    """Deadlines of the caller's tenant; another tenant's id (or one not visible to me) answers 404."""

    path = "/deadlines"
    guards = [require_staff]  # noqa: RUF012 - Litestar reads class attributes
    tags = ("deadlines",)

    @get("", operation_id="deadlines_list", summary="List deadlines (mine, or the tenant's with read_all)")
    async def list_deadlines(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        state_filter: StateFilter = None,
        overdue: Annotated[bool, QueryParameter(description="Only open deadlines past due.")] = False,
        owner_plugin: PluginFilter = None,
        object_type: TypeFilter = None,
        mine: Annotated[bool, QueryParameter(description="Only deadlines assigned to me.")] = False,
        page: PageNo = 1,
        page_size: PageSize = 20,
    ) -> Page[DeadlineOut]:
        """Earliest due first."""
        principal, tid = _tenant(request)
        clock = OfficeClock.from_settings()
        rows, total = await service.list_deadlines(
            db_session,
            tid,
            state=state_filter,
            overdue_only=overdue,
            page=page,
            page_size=page_size,
            owner_plugin=owner_plugin,
            object_type=object_type,
            assignee_id=principal.user_id if mine else None,
            today=clock.today(utcnow()),
            visible_to=_visible_to(principal),
        )
        items = [DeadlineOut.model_validate(_out(d, clock)) for d in rows]
        return Page(items=items, total=total, page=page, page_size=page_size)

    @get("/{deadline_id:int}", operation_id="deadlines_get", summary="One deadline with its chases")
    async def get_deadline(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        deadline_id: FromPath[int],
    ) -> DeadlineDetail:
        _check_id(deadline_id)
        principal, tid = _tenant(request)
        d = await service.get_deadline(db_session, tid, deadline_id, visible_to=_visible_to(principal))
        reminders = [ReminderOut.model_validate(r) for r in await service.reminders_of(db_session, d.id)]
        return DeadlineDetail.model_validate({**_out(d, OfficeClock.from_settings()), "reminders": reminders})

    @post(
        "/{deadline_id:int}/explanation",
        operation_id="deadlines_explain",
        status_code=200,
        summary="Record the written explanation (书面说明) of a missed deadline",
    )
    async def explain(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        deadline_id: FromPath[int],
        data: JSONBody[ExplanationIn],
    ) -> DeadlineOut:
        """422 on empty or oversized text, 409 when the deadline was not missed or already explained."""
        _check_id(deadline_id)
        principal, tid = _tenant(request)
        await service.get_deadline(db_session, tid, deadline_id, visible_to=_visible_to(principal))
        d = await service.explain_missed(
            db_session, deadline_id, data.text, tenant_id=tid, author_id=principal.user_id
        )
        await audit_hook.record(
            db_session,
            principal,
            "core.deadline.explain",
            object_type="deadline",
            object_id=d.id,
            tenant_id=tid,
            after={"explanation": d.explanation},
        )
        return DeadlineOut.model_validate(_out(d, OfficeClock.from_settings()))
