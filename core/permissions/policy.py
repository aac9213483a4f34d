"""Casbin policy lines of a tenant (策略): roles, grants (``p``) and role members (``g``), unchecked.

The checked operations (三员分立, self-grant, catalogue) live in :mod:`core.permissions.service`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import String, and_, cast, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.org.models import Post, User
from core.permissions.core_permissions import ADMIN_ROLES, BUILTIN_ROLES, PLATFORM_TENANT_CODE
from core.permissions.enforcer import adapter_for, bump_policy_version
from core.permissions.models import CasbinRule, Role
from core.tenancy.models import Tenant


async def ensure_role(
    session: AsyncSession, tenant_id: uuid.UUID, code: str, *, name: str | None = None, name_en: str = ""
) -> Role:
    """The tenant's role ``code``, created if missing (built-in codes get their built-in names)."""
    role = await session.scalar(select(Role).where(Role.tenant_id == tenant_id, Role.code == code))
    if role is not None:
        return role
    builtin = BUILTIN_ROLES.get(code)
    role = Role(
        tenant_id=tenant_id,
        code=code,
        name=name or (builtin[0] if builtin else code),
        name_en=name_en or (builtin[1] if builtin else ""),
        builtin=builtin is not None,
    )
    session.add(role)
    await session.flush()
    return role


async def is_platform_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> bool:
    code = await session.scalar(select(Tenant.code).where(Tenant.id == tenant_id))
    return code == PLATFORM_TENANT_CODE


async def has_line(session: AsyncSession, ptype: str, v0: str, v1: str, v2: str) -> bool:
    found = await session.scalar(
        select(CasbinRule.id).where(
            CasbinRule.ptype == ptype, CasbinRule.v0 == v0, CasbinRule.v1 == v1, CasbinRule.v2 == v2
        )
    )
    return found is not None


async def add_grant(
    session: AsyncSession, tenant_id: uuid.UUID, role_code: str, permission: str, *, bump: bool = True
) -> bool:
    """Grant ``permission`` to the role (no checks: callers check); ``False`` when already granted."""
    dom = str(tenant_id)
    if await has_line(session, "p", role_code, dom, permission):
        return False
    await adapter_for(session).add_policy("p", "p", [role_code, dom, permission])
    await session.flush()
    if bump:
        await bump_policy_version(session, tenant_id)
    return True


async def remove_grant(
    session: AsyncSession, tenant_id: uuid.UUID, role_code: str, permission: str, *, bump: bool = True
) -> bool:
    removed = bool(
        await adapter_for(session).remove_policy("p", "p", [role_code, str(tenant_id), permission])
    )
    if removed and bump:
        await bump_policy_version(session, tenant_id)
    return removed


async def role_permissions(session: AsyncSession, tenant_id: uuid.UUID, role_code: str) -> list[str]:
    rows = await session.scalars(
        select(CasbinRule.v2)
        .where(CasbinRule.ptype == "p", CasbinRule.v0 == role_code, CasbinRule.v1 == str(tenant_id))
        .order_by(CasbinRule.v2)
    )
    return [r for r in rows if r is not None]


async def role_members(session: AsyncSession, tenant_id: uuid.UUID, role_code: str) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(CasbinRule.v0).where(
            CasbinRule.ptype == "g", CasbinRule.v1 == role_code, CasbinRule.v2 == str(tenant_id)
        )
    )
    return [uuid.UUID(r) for r in rows if r]


async def user_role_codes(session: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(CasbinRule.v1)
        .where(CasbinRule.ptype == "g", CasbinRule.v0 == str(user_id), CasbinRule.v2 == str(tenant_id))
        .order_by(CasbinRule.v1)
    )
    return [r for r in rows if r]


async def admin_roles_held(session: AsyncSession, user_id: uuid.UUID) -> set[str]:
    """Which of the three administrator roles the person holds, in any tenant."""
    rows = await session.scalars(
        select(CasbinRule.v1).where(
            CasbinRule.ptype == "g", CasbinRule.v0 == str(user_id), CasbinRule.v1.in_(ADMIN_ROLES)
        )
    )
    return {r for r in rows if r}


async def permission_holders(
    session: AsyncSession, tenant_id: uuid.UUID, code: str, *, unit_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Active people who hold permission ``code`` in ``tenant_id`` through one of their roles, e.g. to
    tell the people who can act that something is waiting for them (待办通知).

    With ``unit_id``, only those who also hold a post in that unit (科室). Roles are granted to people
    directly (the only kind of line the admin API writes), so one join answers it without an Enforcer.
    """
    grant, member = aliased(CasbinRule), aliased(CasbinRule)
    stmt = (
        select(User.id)
        .join(
            member, and_(member.ptype == "g", member.v2 == str(tenant_id), member.v0 == cast(User.id, String))
        )
        .join(grant, and_(grant.ptype == "p", grant.v0 == member.v1, grant.v1 == member.v2, grant.v2 == code))
        .where(User.active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    if unit_id is not None:
        stmt = stmt.where(
            exists().where(Post.user_id == User.id, Post.tenant_id == tenant_id, Post.unit_id == unit_id)
        )
    return list(await session.scalars(stmt))
