"""Tenants API (租户): platform administrators create and manage county/city offices.

Platform administration lives in a built-in tenant with code ``platform``: its ``sysadmin`` role holds
``core.platform.manage``, a permission that cannot be granted in any other tenant. The routes below
also check that the caller acts in the platform tenant.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import conflict, not_found
from core.identity import audit_hook
from core.identity.bootstrap import create_staff, ensure_tenant
from core.identity.passwords import check_password_policy, generate_password
from core.org.models import User
from core.org.pagination import Page, PageNo, PageSize, Search, fetch_page, like_pattern
from core.org.schemas import PersonCreated, PersonOut, TenantAdminIn, TenantIn, TenantOut, TenantPatch
from core.org.service import check_username
from core.permissions.core_permissions import PLATFORM_MANAGE, PLATFORM_TENANT_CODE
from core.security.guards import principal_or_401, require_platform_permission
from core.tenancy.models import Tenant

# core.platform.manage held while acting in the platform tenant (elsewhere these routes are 404).
require_platform = require_platform_permission(PLATFORM_MANAGE)


async def ensure_platform_tenant(session: AsyncSession, name: str = "平台管理") -> Tenant:
    """Create (once) the platform tenant with its built-in roles (``seed_identity`` does it at start-up)."""
    return await ensure_tenant(session, code=PLATFORM_TENANT_CODE, name=name)


async def _get(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise not_found("tenant", "租户")
    return tenant


class TenantController(Controller):
    """County/city offices (租户) on this installation."""

    path = "/admin/tenants"
    tags = ("platform",)
    guards = (require_platform,)

    @get("", operation_id="platform_list_tenants")
    async def list_tenants(
        self,
        db_session: NamedDependency[AsyncSession],
        q: Search = None,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[TenantOut]:
        stmt = select(Tenant).order_by(Tenant.code)
        if q:
            stmt = stmt.where(or_(Tenant.code.ilike(like_pattern(q)), Tenant.name.ilike(like_pattern(q))))
        rows, total = await fetch_page(db_session, stmt, page, page_size)
        return Page(
            items=[TenantOut.model_validate(t) for t in rows], total=total, page=page, page_size=page_size
        )

    @post("", operation_id="platform_create_tenant")
    async def create_tenant(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[TenantIn],
    ) -> TenantOut:
        """A new office with its built-in roles and core's default grants."""
        if await db_session.scalar(select(Tenant.id).where(Tenant.code == data.code)):
            raise conflict(
                "tenant_code_taken", f"租户编码 {data.code} 已存在", f"Tenant code {data.code} is taken"
            )
        tenant = await ensure_tenant(db_session, code=data.code, name=data.name)
        await audit_hook.record(
            db_session,
            principal_or_401(request),
            "core.tenant.create",
            object_type="tenant",
            object_id=tenant.id,
            after=data.model_dump(),
        )
        return TenantOut.model_validate(tenant)

    @patch("/{tenant_id:uuid}", operation_id="platform_update_tenant")
    async def update_tenant(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        tenant_id: FromPath[uuid.UUID],
        data: JSONBody[TenantPatch],
    ) -> TenantOut:
        """Rename or (de)activate an office; a deactivated office's sessions stop working."""
        tenant = await _get(db_session, tenant_id)
        before = TenantOut.model_validate(tenant).model_dump(mode="json")
        if data.name is not None:
            tenant.name = data.name
        if data.active is not None:
            if tenant.code == PLATFORM_TENANT_CODE and not data.active:
                raise conflict(
                    "platform_tenant", "平台租户不能停用", "The platform tenant cannot be deactivated"
                )
            tenant.active = data.active
        await db_session.flush()
        out = TenantOut.model_validate(tenant)
        await audit_hook.record(
            db_session,
            principal_or_401(request),
            "core.tenant.update",
            object_type="tenant",
            object_id=tenant.id,
            before=before,
            after=out.model_dump(mode="json"),
        )
        return out

    @post("/{tenant_id:uuid}/admins", operation_id="platform_create_tenant_admin")
    async def create_admin(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        tenant_id: FromPath[uuid.UUID],
        data: JSONBody[TenantAdminIn],
    ) -> PersonCreated:
        """Give an office one of its three administrators (三员); the person must change the password."""
        tenant = await _get(db_session, tenant_id)
        username = check_username(data.username)
        existing = await db_session.scalar(select(User).where(User.username == username))
        generated = None
        password: str | None = None
        if existing is None:
            password = data.password or None
            if password is None:
                password = generated = generate_password()
            check_password_policy(password, username=username)
        user = await create_staff(
            db_session,
            tenant_id=tenant.id,
            username=username,
            password=password,
            display_name=data.display_name,
            roles=(data.role,),
        )
        if existing is None:
            user.must_change_password = True
        await audit_hook.record(
            db_session,
            principal_or_401(request),
            "core.tenant.admin",
            object_type="user",
            object_id=user.id,
            tenant_id=tenant.id,
            role=data.role,
        )
        return PersonCreated(**PersonOut.model_validate(user).model_dump(), temporary_password=generated)
