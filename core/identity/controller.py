"""Sign-in API (登录): staff under ``/auth``, citizens under ``/portal/auth``."""

from __future__ import annotations

import uuid
from typing import Any, TypedDict

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.errors import AppError, Msg, conflict, invalid
from core.identity import audit_hook, throttle
from core.identity.me import build_me
from core.identity.models import KIND_CITIZEN, KIND_STAFF, AuthSession, Citizen
from core.identity.passwords import check_password_policy, hash_password_async, verify_password_async
from core.identity.schemas import (
    CitizenLoginIn,
    CitizenOut,
    CitizenRegisterIn,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordChangeIn,
    SessionOut,
    SwitchTenantIn,
    TenantRef,
    UserBrief,
)
from core.identity.service import (
    LoginFailed,
    authenticate_citizen,
    authenticate_staff,
    login_tenant,
    record_failed_login,
    set_password,
)
from core.identity.sessions import COOKIE_NAME, create_session, max_lifetime, revoke_sessions
from core.org.models import User
from core.security.guards import NOT_AUTHENTICATED, principal_or_401, require_staff
from core.security.principal import current_principal
from core.tenancy.models import Tenant


def require_citizen(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal = current_principal(connection)
    if principal is None:
        raise NOT_AUTHENTICATED
    if principal.kind != "citizen":
        raise AppError("citizen_only", Msg("仅限公众账号", "Citizen accounts only"), status=403)


def require_signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal_or_401(connection)


class _Client(TypedDict):
    ip: str | None
    user_agent: str | None


def _client(request: Request[Any, Any, Any]) -> _Client:
    return {
        "ip": request.client.host if request.client else None,
        "user_agent": request.headers.get("user-agent"),
    }


def _with_cookie(
    body: Any, token: str | None, request: Request[Any, Any, Any], status: int = 200
) -> Response[Any]:
    cookie = Cookie(
        key=COOKIE_NAME,
        value=token or "",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
        max_age=int(max_lifetime().total_seconds()) if token else 0,
    )
    return Response(body, status_code=status, cookies=[cookie])


async def _record_failure(request: Request[Any, Any, Any], failed: LoginFailed, login: str) -> None:
    await throttle.record_failure(request)
    # The request's transaction rolls back with the error, so count the failure in a transaction of its own.
    async with request.app.state.db.transaction() as session:
        await record_failed_login(session, user_id=failed.user_id, citizen_id=failed.citizen_id)
        await audit_hook.record(
            session,
            None,
            "core.auth.login_failed",
            object_type="user",
            object_id=failed.user_id or failed.citizen_id,
            login=login[:64],
            reason=failed.error.code,
            **_client(request),
        )


def _session_out(row: AuthSession, current: str | None) -> SessionOut:
    return SessionOut(
        id=row.id,
        kind=row.kind,
        user_id=row.user_id,
        tenant_id=row.tenant_id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        ip=row.ip,
        user_agent=row.user_agent,
        current=str(row.id) == current,
    )


def _tenant_ref(tenant: Tenant | None) -> TenantRef | None:
    return TenantRef(id=tenant.id, code=tenant.code, name=tenant.name) if tenant else None


class AuthController(Controller):
    """Staff sign-in, sessions and own password (登录与会话)."""

    path = "/auth"
    tags = ("auth",)

    @post("/login", operation_id="auth_login", status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[LoginIn],
    ) -> Response[Any]:
        """Sign in with username and password; answers a session token (also set as a cookie)."""
        await throttle.check(request)
        try:
            user = await authenticate_staff(db_session, data.username, data.password)
        except LoginFailed as failed:
            await _record_failure(request, failed, data.username)
            raise failed.error from None
        tenant = await login_tenant(db_session, user.id, data.tenant)
        token, row = await create_session(
            db_session, kind=KIND_STAFF, user_id=user.id, tenant_id=tenant.id, **_client(request)
        )
        await audit_hook.record(
            db_session,
            None,
            "core.auth.login",
            object_type="user",
            object_id=user.id,
            tenant_id=tenant.id,
            session_id=str(row.id),
            **_client(request),
        )
        body = LoginOut(
            token=token,
            expires_at=row.expires_at,
            kind=KIND_STAFF,
            user=UserBrief(id=user.id, username=user.username, display_name=user.display_name),
            tenant=_tenant_ref(tenant),
            must_change_password=user.must_change_password,
        )
        return _with_cookie(body, token, request)

    @post("/logout", operation_id="auth_logout", status_code=204, guards=[require_signed_in])
    async def logout(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Response[None]:
        """End the current session (staff or citizen)."""
        principal = principal_or_401(request)
        if principal.session_id:
            await revoke_sessions(db_session, session_id=uuid.UUID(principal.session_id))
        await audit_hook.record(
            db_session, principal, "core.auth.logout", object_type="session", object_id=principal.session_id
        )
        return _with_cookie(None, None, request, status=204)

    @post("/logout-all", operation_id="auth_logout_all", status_code=200, guards=[require_signed_in])
    async def logout_all(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        """End every session of the caller's account, on every device."""
        principal = principal_or_401(request)
        if principal.kind == "citizen":
            count = await revoke_sessions(db_session, citizen_id=principal.user_id)
        else:
            count = await revoke_sessions(db_session, user_id=principal.user_id)
        await audit_hook.record(
            db_session,
            principal,
            "core.auth.logout_all",
            object_type="user",
            object_id=principal.user_id,
            revoked=count,
        )
        return _with_cookie({"revoked": count}, None, request)

    @get("/me", operation_id="auth_me", guards=[require_staff])
    async def me(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> MeOut:
        """The caller: account, tenant, posts, roles, permissions, clearance and delegations."""
        return await build_me(db_session, principal_or_401(request))

    @get("/sessions", operation_id="auth_sessions", guards=[require_staff])
    async def sessions(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> list[SessionOut]:
        """My live sessions."""
        principal = principal_or_401(request)
        rows = await db_session.scalars(
            select(AuthSession)
            .where(
                AuthSession.user_id == principal.user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > utcnow(),
            )
            .order_by(AuthSession.created_at.desc())
            .limit(200)
        )
        return [_session_out(r, principal.session_id) for r in rows]

    @post("/switch-tenant", operation_id="auth_switch_tenant", status_code=200, guards=[require_staff])
    async def switch_tenant(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[SwitchTenantIn],
    ) -> TenantRef:
        """Act in another tenant where I hold a post; the same token continues there."""
        principal = principal_or_401(request)
        if principal.on_behalf_of is not None:
            raise conflict(
                "acting_for_someone", "代理期间不能切换单位", "Stop acting for someone before switching"
            )
        tenant = await login_tenant(db_session, principal.user_id, data.tenant)
        row = await db_session.get(AuthSession, uuid.UUID(str(principal.session_id)))
        assert row is not None
        row.tenant_id = tenant.id
        await audit_hook.record(
            db_session,
            principal,
            "core.auth.switch_tenant",
            object_type="session",
            object_id=row.id,
            to_tenant=str(tenant.id),
        )
        ref = _tenant_ref(tenant)
        assert ref is not None
        return ref

    @post("/password", operation_id="auth_change_password", status_code=204, guards=[require_staff])
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[PasswordChangeIn],
    ) -> None:
        """Change my password; my other sessions end."""
        principal = principal_or_401(request)
        user = await db_session.get(User, principal.user_id)
        assert user is not None
        if not await verify_password_async(user.password_hash, data.current_password):
            failed = LoginFailed(
                invalid(
                    "current_password", "wrong_password", "当前口令错误", "The current password is wrong"
                ),
                user_id=user.id,
            )
            await _record_failure(request, failed, user.username)
            raise failed.error
        check_password_policy(data.new_password, username=user.username, field="new_password")
        if data.new_password == data.current_password:
            raise invalid(
                "new_password", "unchanged", "新口令不能与当前口令相同", "Choose a different password"
            )
        await set_password(db_session, user, data.new_password)
        await revoke_sessions(db_session, user_id=user.id, except_id=uuid.UUID(str(principal.session_id)))
        await audit_hook.record(
            db_session, principal, "core.auth.password_change", object_type="user", object_id=user.id
        )


class PortalAuthController(Controller):
    """Citizen accounts of the public portal (公众账号); they never pass staff guards."""

    path = "/portal/auth"
    tags = ("portal",)

    @post("/register", operation_id="portal_register", status_code=201)
    async def register(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[CitizenRegisterIn],
    ) -> Response[Any]:
        """Create a citizen account with a phone number or an e-mail address, and sign in."""
        if not data.phone and not data.email:
            raise invalid(
                "phone", "contact_required", "请填写手机号或电子邮箱", "Give a phone number or an e-mail"
            )
        email = data.email.lower() if data.email else None
        check_password_policy(data.password, username=data.phone or email or "")
        tenant = await _portal_tenant(db_session, data.tenant)
        citizen = Citizen(
            phone=data.phone,
            email=email,
            display_name=data.display_name,
            password_hash=await hash_password_async(data.password),
        )
        db_session.add(citizen)
        try:
            async with db_session.begin_nested():
                await db_session.flush()
        except IntegrityError:
            raise conflict(
                "account_exists", "该手机号或邮箱已注册", "This phone or e-mail is registered"
            ) from None
        token, row = await create_session(
            db_session,
            kind=KIND_CITIZEN,
            citizen_id=citizen.id,
            tenant_id=tenant.id if tenant else None,
            **_client(request),
        )
        return _with_cookie(_citizen_login(token, row, citizen, tenant), token, request, status=201)

    @post("/login", operation_id="portal_login", status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[CitizenLoginIn],
    ) -> Response[Any]:
        """Citizen sign-in with phone or e-mail and password."""
        await throttle.check(request)
        try:
            citizen = await authenticate_citizen(db_session, data.login, data.password)
        except LoginFailed as failed:
            await _record_failure(request, failed, data.login)
            raise failed.error from None
        tenant = await _portal_tenant(db_session, data.tenant)
        token, row = await create_session(
            db_session,
            kind=KIND_CITIZEN,
            citizen_id=citizen.id,
            tenant_id=tenant.id if tenant else None,
            **_client(request),
        )
        return _with_cookie(_citizen_login(token, row, citizen, tenant), token, request)

    @get("/me", operation_id="portal_me", guards=[require_citizen])
    async def me(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> CitizenOut:
        citizen = await db_session.get(Citizen, principal_or_401(request).user_id)
        assert citizen is not None
        return CitizenOut(
            id=citizen.id, phone=citizen.phone, email=citizen.email, display_name=citizen.display_name
        )


async def _portal_tenant(session: AsyncSession, code: str | None) -> Tenant | None:
    if not code:
        return None
    tenant = await session.scalar(select(Tenant).where(Tenant.code == code, Tenant.active.is_(True)))
    if tenant is None:
        raise invalid("tenant", "unknown_tenant", "单位不存在", "No such office")
    return tenant


def _citizen_login(token: str, row: AuthSession, citizen: Citizen, tenant: Tenant | None) -> LoginOut:
    return LoginOut(
        token=token,
        expires_at=row.expires_at,
        kind=KIND_CITIZEN,
        tenant=_tenant_ref(tenant),
        citizen=CitizenOut(
            id=citizen.id, phone=citizen.phone, email=citizen.email, display_name=citizen.display_name
        ),
    )
