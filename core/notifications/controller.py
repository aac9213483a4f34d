"""``/api/notifications``: the caller's own notifications (站内通知) in the tenant they act in."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import not_found
from core.notifications import service
from core.notifications.schemas import NotificationOut, NotificationPage, ReadAllOut
from core.org.pagination import PageNo, PageSize
from core.security.guards import principal_or_401, require_staff

MAX_ID = 2**63 - 1


def _me(request: Request[Any, Any, Any]) -> tuple[uuid.UUID, uuid.UUID]:
    principal = principal_or_401(request)
    if principal.tenant_id is None:
        raise not_found("notification", "通知")
    return principal.tenant_id, principal.user_id


class NotificationController(Controller):
    """Only ever the caller's own rows: someone else's id answers 404."""

    path = "/notifications"
    guards = [require_staff]  # noqa: RUF012 - Litestar reads class attributes
    tags = ("notifications",)

    @get("", operation_id="notifications_list", summary="My notifications, newest first")
    async def list_notifications(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        unread: Annotated[bool, QueryParameter(description="Only unread ones.")] = False,
        page: PageNo = 1,
        page_size: PageSize = 20,
    ) -> NotificationPage:
        tid, uid = _me(request)
        rows, total, unread_count = await service.list_notifications(
            db_session, tenant_id=tid, user_id=uid, unread_only=unread, page=page, page_size=page_size
        )
        return NotificationPage(
            items=[NotificationOut.model_validate(n) for n in rows],
            total=total,
            page=page,
            page_size=page_size,
            unread=unread_count,
        )

    @post(
        "/{notification_id:int}/read",
        operation_id="notifications_read",
        status_code=200,
        summary="Mark one of my notifications read",
    )
    async def read(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        notification_id: FromPath[int],
    ) -> NotificationOut:
        if not 1 <= notification_id <= MAX_ID:
            raise not_found("notification", "通知")
        tid, uid = _me(request)
        row = await service.mark_read(db_session, tenant_id=tid, user_id=uid, notification_id=notification_id)
        return NotificationOut.model_validate(row)

    @post(
        "/read-all",
        operation_id="notifications_read_all",
        status_code=200,
        summary="Mark all my notifications read",
    )
    async def read_all(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> ReadAllOut:
        tid, uid = _me(request)
        return ReadAllOut(updated=await service.mark_all_read(db_session, tenant_id=tid, user_id=uid))
