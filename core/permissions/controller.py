"""Roles and grants API (角色与授权): the security administrator's (安全保密管理员) tools."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import conflict, not_found
from core.identity import audit_hook
from core.org.models import User
from core.org.pagination import Page, PageNo, PageSize, Search, fetch_page, like_pattern
from core.org.service import get_user_in_tenant
from core.permissions import registry, service
from core.permissions.core_permissions import ROLES_MANAGE
from core.permissions.models import Role
from core.permissions.schemas import (
    MemberIn,
    MemberOut,
    PermissionOut,
    RoleDetail,
    RoleIn,
    RoleOut,
    RolePatch,
    RolePermissionsIn,
)
from core.security.guards import principal_and_tenant, require_permission, require_staff


async def _role(session: AsyncSession, role_id: uuid.UUID, tenant_id: uuid.UUID) -> Role:
    role = await session.scalar(select(Role).where(Role.id == role_id, Role.tenant_id == tenant_id))
    if role is None:
        raise not_found("role", "角色")
    return role


async def _detail(session: AsyncSession, role: Role) -> RoleDetail:
    return RoleDetail(
        **RoleOut.model_validate(role).model_dump(),
        permissions=await service.role_permissions(session, role.tenant_id, role.code),
        member_count=len(await service.role_members(session, role.tenant_id, role.code)),
    )


class PermissionCatalogController(Controller):
    """The permission catalogue (权限目录) declared by core and the loaded plugins."""

    path = "/admin/permissions"
    tags = ("permissions",)

    @get("", operation_id="perm_catalogue", guards=[require_staff])
    async def catalogue(self) -> list[PermissionOut]:
        return [
            PermissionOut(
                code=e.spec.code,
                plugin=e.plugin,
                title=e.spec.title,
                title_en=e.spec.title_en,
                description=e.spec.description,
            )
            for e in registry.catalogue()
        ]


class RoleController(Controller):
    """Roles of the caller's tenant, their grants and members (三员分立 enforced)."""

    path = "/admin/roles"
    tags = ("permissions",)
    guards = (require_permission(ROLES_MANAGE),)

    @get("", operation_id="perm_list_roles")
    async def list_roles(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        q: Search = None,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[RoleOut]:
        _, tid = principal_and_tenant(request)
        stmt = select(Role).where(Role.tenant_id == tid).order_by(Role.builtin.desc(), Role.code)
        if q:
            stmt = stmt.where(or_(Role.code.ilike(like_pattern(q)), Role.name.ilike(like_pattern(q))))
        rows, total = await fetch_page(db_session, stmt, page, page_size)
        return Page(
            items=[RoleOut.model_validate(r) for r in rows], total=total, page=page, page_size=page_size
        )

    @post("", operation_id="perm_create_role")
    async def create_role(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[RoleIn],
    ) -> RoleDetail:
        principal, tid = principal_and_tenant(request)
        if await db_session.scalar(select(Role.id).where(Role.tenant_id == tid, Role.code == data.code)):
            raise conflict(
                "role_code_taken", f"角色编码 {data.code} 已存在", f"Role code {data.code} is taken"
            )
        role = Role(
            tenant_id=tid,
            code=data.code,
            name=data.name,
            name_en=data.name_en,
            description=data.description,
            builtin=False,
        )
        db_session.add(role)
        await db_session.flush()
        await audit_hook.record(
            db_session,
            principal,
            "core.role.create",
            object_type="role",
            object_id=role.id,
            after=data.model_dump(),
        )
        return await _detail(db_session, role)

    @get("/{role_id:uuid}", operation_id="perm_get_role")
    async def get_role(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        role_id: FromPath[uuid.UUID],
    ) -> RoleDetail:
        _, tid = principal_and_tenant(request)
        return await _detail(db_session, await _role(db_session, role_id, tid))

    @patch("/{role_id:uuid}", operation_id="perm_update_role")
    async def update_role(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        role_id: FromPath[uuid.UUID],
        data: JSONBody[RolePatch],
    ) -> RoleDetail:
        principal, tid = principal_and_tenant(request)
        role = await _role(db_session, role_id, tid)
        before = RoleOut.model_validate(role).model_dump(mode="json")
        for key in ("name", "name_en", "description"):
            value = getattr(data, key)
            if value is not None:
                setattr(role, key, value)
        await db_session.flush()
        await audit_hook.record(
            db_session,
            principal,
            "core.role.update",
            object_type="role",
            object_id=role.id,
            before=before,
            after=RoleOut.model_validate(role).model_dump(mode="json"),
        )
        return await _detail(db_session, role)

    @delete("/{role_id:uuid}", operation_id="perm_delete_role")
    async def delete_role(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        role_id: FromPath[uuid.UUID],
    ) -> None:
        """Delete a custom role with its grants and memberships (built-in roles: 409)."""
        principal, tid = principal_and_tenant(request)
        role = await _role(db_session, role_id, tid)
        if role.code in await service.user_role_codes(db_session, principal.user_id, tid):
            raise service.SELF_GRANT
        await service.delete_role(db_session, role)
        await audit_hook.record(
            db_session, principal, "core.role.delete", object_type="role", object_id=role_id, code=role.code
        )

    @put("/{role_id:uuid}/permissions", operation_id="perm_set_role_permissions")
    async def set_permissions(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        role_id: FromPath[uuid.UUID],
        data: JSONBody[RolePermissionsIn],
    ) -> RoleDetail:
        """Replace the role's grants; duty permissions stay with their administrator role (三员分立)."""
        principal, tid = principal_and_tenant(request)
        role = await _role(db_session, role_id, tid)
        added, removed = await service.set_role_permissions(
            db_session, role, data.permissions, actor_id=principal.user_id
        )
        await audit_hook.record(
            db_session,
            principal,
            "core.role.grants",
            object_type="role",
            object_id=role.id,
            added=added,
            removed=removed,
        )
        return await _detail(db_session, role)

    @get("/{role_id:uuid}/members", operation_id="perm_list_role_members")
    async def members(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        role_id: FromPath[uuid.UUID],
    ) -> list[MemberOut]:
        _, tid = principal_and_tenant(request)
        role = await _role(db_session, role_id, tid)
        ids = await service.role_members(db_session, tid, role.code)
        users = await db_session.scalars(select(User).where(User.id.in_(ids)).order_by(User.display_name))
        return [MemberOut(id=u.id, username=u.username, display_name=u.display_name) for u in users]

    @post("/{role_id:uuid}/members", operation_id="perm_add_role_member")
    async def add_member(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        role_id: FromPath[uuid.UUID],
        data: JSONBody[MemberIn],
    ) -> MemberOut:
        """Give a person of this tenant the role; nobody changes their own roles, and one person holds
        at most one of sysadmin/secadmin/auditadmin (409)."""
        principal, tid = principal_and_tenant(request)
        role = await _role(db_session, role_id, tid)
        user = await get_user_in_tenant(db_session, data.user_id, tid)
        await service.assign_role(db_session, tid, user.id, role.code, actor_id=principal.user_id)
        await audit_hook.record(
            db_session,
            principal,
            "core.role.assign",
            object_type="role",
            object_id=role.id,
            user_id=str(user.id),
            role=role.code,
        )
        return MemberOut(id=user.id, username=user.username, display_name=user.display_name)

    @delete("/{role_id:uuid}/members/{user_id:uuid}", operation_id="perm_remove_role_member")
    async def remove_member(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        role_id: FromPath[uuid.UUID],
        user_id: FromPath[uuid.UUID],
    ) -> None:
        principal, tid = principal_and_tenant(request)
        role = await _role(db_session, role_id, tid)
        if not await service.unassign_role(db_session, tid, user_id, role.code, actor_id=principal.user_id):
            raise not_found("role member", "角色成员")
        await audit_hook.record(
            db_session,
            principal,
            "core.role.unassign",
            object_type="role",
            object_id=role.id,
            user_id=str(user_id),
            role=role.code,
        )
