"""``GET /audit``: the audit log for the audit administrator (安全审计员). Read-only by design: there is no
endpoint that changes or deletes a record."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditLog
from core.audit.permissions import AUDIT_READ
from core.audit.schemas import AuditEntryOut, AuditPage
from core.audit.service import record
from core.errors import invalid
from core.permissions.core_permissions import PLATFORM_TENANT_CODE
from core.security.guards import principal_or_401, require_permission
from core.security.principal import Principal


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _scope(principal: Principal) -> ColumnElement[bool]:
    """The caller's tenant; the platform tenant's auditor also sees tenant-less (platform) records."""
    mine = AuditLog.tenant_id == principal.tenant_id
    if principal.extra.get("tenant_code") == PLATFORM_TENANT_CODE:
        return or_(mine, AuditLog.tenant_id.is_(None))
    return mine


class AuditController(Controller):
    path = "/audit"
    guards = [require_permission(AUDIT_READ)]  # noqa: RUF012 - Litestar reads class attributes
    tags = ["audit"]  # noqa: RUF012

    @get("/", operation_id="audit_list", summary="Search the audit log (audit administrator only)")
    async def list_entries(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        actor: Annotated[uuid.UUID | None, QueryParameter(description="Actor or person acted for.")] = None,
        action: Annotated[str | None, QueryParameter(max_length=100, description="Action prefix.")] = None,
        object_type: Annotated[str | None, QueryParameter(max_length=60)] = None,
        object_id: Annotated[str | None, QueryParameter(max_length=100)] = None,
        since: Annotated[datetime | None, QueryParameter(name="from", description="From, inclusive.")] = None,
        until: Annotated[datetime | None, QueryParameter(name="to", description="Until (exclusive).")] = None,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> AuditPage:
        principal = principal_or_401(request)
        if since is not None and until is not None and since >= until:
            raise invalid("from", "bad_range", "开始时间须早于结束时间", "'from' must be before 'to'")
        conditions: list[ColumnElement[bool]] = [_scope(principal)]
        if actor is not None:
            conditions.append(or_(AuditLog.actor_id == actor, AuditLog.on_behalf_of == actor))
        if action:
            conditions.append(AuditLog.action.like(_like_prefix(action), escape="\\"))
        if object_type:
            conditions.append(AuditLog.object_type == object_type)
        if object_id:
            conditions.append(AuditLog.object_id == object_id)
        if since is not None:
            conditions.append(AuditLog.at >= since)
        if until is not None:
            conditions.append(AuditLog.at < until)
        count = select(func.count()).select_from(AuditLog).where(*conditions)
        total = int(await db_session.scalar(count) or 0)
        rows = (
            await db_session.scalars(
                select(AuditLog)
                .where(*conditions)
                .order_by(AuditLog.id.desc())
                .limit(page_size)
                .offset((page - 1) * page_size)
            )
        ).all()
        items = [AuditEntryOut.model_validate(r) for r in rows]
        # Reading the log is itself audited (等保: the auditor's actions leave a trace too).
        filters = {
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "from": since,
            "to": until,
            "page": page,
        }
        await record(
            db_session,
            action="core.audit.query",
            object_type="core.audit_log",
            principal=principal,
            summary="查阅审计日志",
            after={k: v for k, v in filters.items() if v is not None},
        )
        return AuditPage(items=items, total=total, page=page, page_size=page_size)
