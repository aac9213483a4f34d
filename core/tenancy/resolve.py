"""Which tenant a request acts in.

Signed-in callers act in their session's tenant. Public (citizen portal) requests without a staff
session name the office with the ``X-Fuban-Tenant`` header (tenant code), which the portal sets from
its own address; it never overrides a session's tenant.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar.connection import ASGIConnection
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.security.principal import current_principal
from core.tenancy.models import Tenant

TENANT_HEADER = "x-fuban-tenant"


async def request_tenant_id(
    connection: ASGIConnection[Any, Any, Any, Any], session: AsyncSession
) -> uuid.UUID | None:
    principal = current_principal(connection)
    if principal is not None and principal.tenant_id is not None:
        return principal.tenant_id
    code = connection.headers.get(TENANT_HEADER, "").strip()
    if not code or len(code) > 40:
        return None
    return await session.scalar(select(Tenant.id).where(Tenant.code == code, Tenant.active.is_(True)))
