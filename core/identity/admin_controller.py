"""Account administration (账号管理): password reset, unlock, session list and revoke."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.errors import AppError, Msg, not_found
from core.identity import audit_hook
from core.identity.controller import _session_out
from core.identity.models import KIND_STAFF, AuthSession
from core.identity.passwords import check_password_policy, generate_password
from core.identity.schemas import ResetPasswordIn, ResetPasswordOut, SessionOut
from core.identity.service import set_password
from core.identity.sessions import idle_timeout, revoke_sessions
from core.org.models import User
from core.org.pagination import Page, PageNo, PageSize, fetch_page
from core.org.service import ACCOUNT_SHARED, get_user_in_tenant, works_elsewhere
from core.permissions.core_permissions import AUDITADMIN, SECADMIN, SESSIONS_MANAGE, USERS_MANAGE
from core.permissions.service import admin_roles_held
from core.security.guards import principal_or_401, require_permission
from core.security.principal import Principal


async def managed_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, *, account_level: bool = True
) -> User:
    """A person the account administrator may manage: in the tenant, not themselves, and not the
    security or audit administrator (三员分立: the system administrator cannot take over their accounts).

    ``account_level`` changes (password, lock, contact, active) also require that the person works
    only in this tenant: one office's administrator never takes over an account another office uses.
    """
    assert principal.tenant_id is not None
    user = await get_user_in_tenant(session, user_id, principal.tenant_id)
    if user.id == principal.user_id:
        raise AppError(
            "self_admin_forbidden",
            Msg("不能通过管理接口修改自己的账号", "Use your own account settings to change yourself"),
            status=403,
        )
    if await admin_roles_held(session, user.id) & {SECADMIN, AUDITADMIN}:
        raise AppError(
            "separation_of_duties",
            Msg(
                "三员分立：系统管理员不能管理安全保密管理员或安全审计员的账号",
                "Separation of duties: the security and audit administrators' accounts are out of reach",
            ),
            status=403,
        )
    if account_level and await works_elsewhere(session, user.id, principal.tenant_id):
        raise ACCOUNT_SHARED
    return user


class AccountAdminController(Controller):
    """Password reset, unlock and sessions of people in the tenant (系统管理员)."""

    path = "/admin"
    tags = ("admin",)

    @post(
        "/users/{user_id:uuid}/reset-password",
        operation_id="admin_reset_password",
        status_code=200,
        guards=[require_permission(USERS_MANAGE)],
    )
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[ResetPasswordIn | None] = None,
    ) -> ResetPasswordOut:
        """Set a new password that must be changed at next sign-in; every session of the person ends."""
        principal = principal_or_401(request)
        user = await managed_user(db_session, principal, user_id)
        generated = None
        password = data.password if data and data.password else None
        if password is None:
            password = generated = generate_password()
        check_password_policy(password, username=user.username)
        await set_password(db_session, user, password, must_change=True)
        await revoke_sessions(db_session, user_id=user.id)
        await audit_hook.record(
            db_session, principal, "core.user.reset_password", object_type="user", object_id=user.id
        )
        return ResetPasswordOut(user_id=user.id, must_change_password=True, temporary_password=generated)

    @post(
        "/users/{user_id:uuid}/unlock",
        operation_id="admin_unlock_user",
        status_code=204,
        guards=[require_permission(USERS_MANAGE)],
    )
    async def unlock(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromPath[uuid.UUID],
    ) -> None:
        """Lift a lockout after failed sign-ins."""
        principal = principal_or_401(request)
        user = await managed_user(db_session, principal, user_id)
        user.failed_logins = 0
        user.locked_until = None
        await audit_hook.record(
            db_session, principal, "core.user.unlock", object_type="user", object_id=user.id
        )

    @get("/sessions", operation_id="admin_list_sessions", guards=[require_permission(SESSIONS_MANAGE)])
    async def list_sessions(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromQuery[uuid.UUID | None] = None,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[SessionOut]:
        """Live staff sessions in this tenant, newest first."""
        principal = principal_or_401(request)
        now = utcnow()
        stmt = (
            select(AuthSession)
            .where(
                AuthSession.tenant_id == principal.tenant_id,
                AuthSession.kind == KIND_STAFF,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
                AuthSession.last_seen_at > now - idle_timeout(),
            )
            .order_by(AuthSession.created_at.desc(), AuthSession.id)
        )
        if user_id is not None:
            stmt = stmt.where(AuthSession.user_id == user_id)
        rows, total = await fetch_page(db_session, stmt, page, page_size)
        return Page(
            items=[_session_out(r, principal.session_id) for r in rows],
            total=total,
            page=page,
            page_size=page_size,
        )

    @post(
        "/sessions/{session_id:uuid}/revoke",
        operation_id="admin_revoke_session",
        status_code=204,
        guards=[require_permission(SESSIONS_MANAGE)],
    )
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        session_id: FromPath[uuid.UUID],
    ) -> None:
        """End one session of this tenant."""
        principal = principal_or_401(request)
        row = await db_session.scalar(
            select(AuthSession).where(
                AuthSession.id == session_id,
                AuthSession.tenant_id == principal.tenant_id,
                AuthSession.kind == KIND_STAFF,
            )
        )
        if row is None:
            raise not_found("session", "会话")
        await revoke_sessions(db_session, session_id=row.id)
        await audit_hook.record(
            db_session,
            principal,
            "core.session.revoke",
            object_type="session",
            object_id=row.id,
            user_id=str(row.user_id),
        )
