"""Roles (角色), grants (授权) and role members, with the 三员分立 rules enforced on every change."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import AppError, Msg, conflict, invalid
from core.org.models import Post, User
from core.permissions import registry
from core.permissions.core_permissions import ADMIN_ROLES, BUILTIN_ROLES, DUTY_OWNER, PLATFORM_CODES
from core.permissions.enforcer import adapter_for, bump_policy_version
from core.permissions.models import CasbinRule, Role
from core.permissions.policy import (
    add_grant,
    admin_roles_held,
    ensure_role,
    has_line,
    is_platform_tenant,
    remove_grant,
    role_members,
    role_permissions,
    user_role_codes,
)

__all__ = [
    "SELF_GRANT",
    "add_grant",
    "admin_roles_held",
    "assign_role",
    "bump_policy_version",
    "check_grantable",
    "delete_role",
    "ensure_role",
    "ensure_tenant_setup",
    "is_platform_tenant",
    "remove_grant",
    "remove_user_from_tenant",
    "role_members",
    "role_permissions",
    "set_role_permissions",
    "unassign_role",
    "user_role_codes",
]

SELF_GRANT = AppError(
    "self_grant_forbidden",
    Msg(
        "不能为自己分配角色或修改自己所属角色的权限",
        "You cannot change your own roles or the grants of a role you hold",
    ),
    status=403,
)


async def ensure_tenant_setup(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Create the built-in roles of a tenant and seed core's default grants (idempotent)."""
    for code in BUILTIN_ROLES:
        await ensure_role(session, tenant_id, code)
    await registry.seed_default_grants(session, tenant_id, registry.CORE)
    if await is_platform_tenant(session, tenant_id):
        for code in sorted(PLATFORM_CODES):
            await add_grant(session, tenant_id, "sysadmin", code)


async def check_grantable(
    session: AsyncSession, tenant_id: uuid.UUID, role_code: str, codes: Iterable[str]
) -> None:
    """Refuse unknown codes (422), platform codes outside the platform tenant (422) and duty codes
    outside their own administrator role (409, 三员分立)."""
    platform = None
    for code in codes:
        if not registry.is_registered(code):
            raise invalid(
                "permissions", "unknown_permission", f"未登记的权限：{code}", f"Unknown permission: {code}"
            )
        if code in PLATFORM_CODES:
            platform = platform if platform is not None else await is_platform_tenant(session, tenant_id)
            if not platform:
                raise invalid(
                    "permissions",
                    "platform_only",
                    "平台权限只能在平台租户中授予",
                    "Platform permissions exist only in the platform tenant",
                )
        owner = DUTY_OWNER.get(code)
        if owner is not None and owner != role_code:
            raise conflict(
                "duty_permission_bound",
                f"三员分立：权限 {code} 只能授予角色 {owner}",
                f"Separation of duties: {code} can only be granted to the role {owner}",
            )


async def set_role_permissions(
    session: AsyncSession, role: Role, codes: Iterable[str], *, actor_id: uuid.UUID | None = None
) -> tuple[list[str], list[str]]:
    """Make the role hold exactly ``codes``; returns (added, removed)."""
    wanted = sorted(set(codes))
    if actor_id is not None and role.code in await user_role_codes(session, actor_id, role.tenant_id):
        raise SELF_GRANT
    current = set(await role_permissions(session, role.tenant_id, role.code))
    added = [c for c in wanted if c not in current]
    await check_grantable(session, role.tenant_id, role.code, added)
    removed = sorted(current - set(wanted))
    for code in added:
        await add_grant(session, role.tenant_id, role.code, code, bump=False)
    for code in removed:
        await remove_grant(session, role.tenant_id, role.code, code, bump=False)
    if added or removed:
        await bump_policy_version(session, role.tenant_id)
    return added, removed


async def assign_role(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    role_code: str,
    *,
    actor_id: uuid.UUID | None = None,
    require_post: bool = True,
) -> bool:
    """Give a person a role in a tenant; ``False`` when they already hold it.

    Refused: changing one's own roles (403), a person without a post in the tenant (422), a second
    administrator role for one person in any tenant (409, 三员分立).
    """
    if actor_id is not None and actor_id == user_id:
        raise SELF_GRANT
    # Lock the person so two concurrent assignments cannot both pass the exclusivity check.
    locked = await session.scalar(select(User.id).where(User.id == user_id).with_for_update())
    if locked is None:
        raise invalid("user_id", "unknown_user", "人员不存在", "No such person")
    if require_post:
        post = await session.scalar(
            select(Post.id).where(Post.user_id == user_id, Post.tenant_id == tenant_id)
        )
        if post is None:
            raise invalid(
                "user_id", "no_post", "该人员在本单位没有岗位", "The person holds no post in this tenant"
            )
    if role_code in ADMIN_ROLES:
        others = await admin_roles_held(session, user_id) - {role_code}
        if others:
            raise conflict(
                "separation_of_duties",
                "三员分立：该人员已担任 " + "、".join(sorted(others)) + "，不能再担任 " + role_code,
                f"Separation of duties: the person already holds {', '.join(sorted(others))}; "
                f"cannot also hold {role_code}",
            )
    dom = str(tenant_id)
    if await has_line(session, "g", str(user_id), role_code, dom):
        return False
    await adapter_for(session).add_policy("g", "g", [str(user_id), role_code, dom])
    await session.flush()
    await bump_policy_version(session, tenant_id)
    return True


async def unassign_role(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    role_code: str,
    *,
    actor_id: uuid.UUID | None = None,
) -> bool:
    if actor_id is not None and actor_id == user_id:
        raise SELF_GRANT
    removed = bool(
        await adapter_for(session).remove_policy("g", "g", [str(user_id), role_code, str(tenant_id)])
    )
    if removed:
        await bump_policy_version(session, tenant_id)
    return removed


async def remove_user_from_tenant(session: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID) -> None:
    """Drop every role the person holds in the tenant (they left it)."""
    result = await session.execute(
        delete(CasbinRule).where(
            CasbinRule.ptype == "g", CasbinRule.v0 == str(user_id), CasbinRule.v2 == str(tenant_id)
        )
    )
    if getattr(result, "rowcount", 0):
        await bump_policy_version(session, tenant_id)


async def delete_role(session: AsyncSession, role: Role) -> None:
    """Delete a custom role with its grants and memberships; built-in roles stay (409)."""
    if role.builtin:
        raise conflict("builtin_role", "内置角色不能删除", "Built-in roles cannot be deleted")
    dom = str(role.tenant_id)
    await session.execute(
        delete(CasbinRule).where(CasbinRule.ptype == "p", CasbinRule.v0 == role.code, CasbinRule.v1 == dom)
    )
    await session.execute(
        delete(CasbinRule).where(CasbinRule.ptype == "g", CasbinRule.v1 == role.code, CasbinRule.v2 == dom)
    )
    await session.delete(role)
    await session.flush()
    await bump_policy_version(session, role.tenant_id)
