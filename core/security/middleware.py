"""Authentication middleware (身份认证中间件): session token → :class:`Principal` on the connection.

The token comes from ``Authorization: Bearer <token>`` or the ``fuban_session`` cookie. One indexed
query reads the session with its person, tenant and the tenant's policy version; the permission set
comes from the in-process cache (see :mod:`core.permissions.enforcer`). ``last_seen_at`` is written at
most once a minute. An unknown, expired, idle or revoked session leaves no principal, so guards answer
401. With ``X-Fuban-On-Behalf-Of: <user id>`` a stand-in acts for a person who delegated to them (代理).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import AbstractMiddleware
from litestar.types import Receive, Scope, Send
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.errors import AppError, Msg, invalid
from core.identity.models import KIND_CITIZEN, KIND_STAFF, AuthSession, Citizen
from core.identity.sessions import COOKIE_NAME, LAST_SEEN_RESOLUTION, ON_BEHALF_HEADER, hash_token, is_live
from core.org.delegations import active_delegation
from core.org.models import User
from core.permissions.enforcer import effective_permissions
from core.permissions.models import PolicyVersion
from core.security.principal import Principal
from core.tenancy.models import Tenant

logger = logging.getLogger(__name__)

DELEGATION_NOT_ACTIVE = AppError(
    "delegation_not_active",
    Msg("没有可代理该人员的有效授权", "No active delegation lets you act for that person"),
    status=403,
)

_LOOKUP = (
    select(
        AuthSession.id, AuthSession.kind, AuthSession.user_id, AuthSession.citizen_id, AuthSession.tenant_id,
        AuthSession.last_seen_at, AuthSession.expires_at,
        User.display_name, User.clearance, User.active, User.must_change_password,
        Citizen.display_name, Citizen.active,
        Tenant.code, Tenant.active, PolicyVersion.version,
    )
    .select_from(AuthSession)
    .outerjoin(User, User.id == AuthSession.user_id)
    .outerjoin(Citizen, Citizen.id == AuthSession.citizen_id)
    .outerjoin(Tenant, Tenant.id == AuthSession.tenant_id)
    .outerjoin(PolicyVersion, PolicyVersion.tenant_id == AuthSession.tenant_id)
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def token_from_scope(scope: Scope) -> str | None:
    """The bearer token, else the session cookie."""
    auth = _header(scope, b"authorization")
    if auth and auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    cookie = _header(scope, b"cookie")
    if cookie:
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE_NAME and value:
                return value.strip('"')
    return None


async def load_principal(session: AsyncSession, token: str, on_behalf_of: str | None = None) -> Principal | None:
    """The principal of a live session, or ``None``. Commits only the ``last_seen_at`` touch."""
    if len(token) > 256:
        return None
    row = (
        await session.execute(
            _LOOKUP.where(AuthSession.token_hash == hash_token(token), AuthSession.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    (sid, kind, user_id, citizen_id, tenant_id, last_seen, expires, u_name, clearance, u_active, must_change,
     c_name, c_active, t_code, t_active, version) = row
    now = utcnow()
    if not is_live(last_seen, expires, now):
        return None
    if tenant_id is not None and not t_active:
        return None
    principal: Principal | None = None
    if kind == KIND_STAFF and user_id is not None and u_active and tenant_id is not None:
        extra: dict[str, Any] = {"tenant_code": t_code, "must_change_password": bool(must_change)}
        perms = frozenset() if must_change else await effective_permissions(
            session, user_id, tenant_id, version=int(version or 0)
        )
        behalf: uuid.UUID | None = None
        level = int(clearance)
        if on_behalf_of and not must_change:
            try:
                behalf = uuid.UUID(on_behalf_of)
            except ValueError:
                raise invalid("X-Fuban-On-Behalf-Of", "invalid_uuid", "不是有效的人员标识", "Not a user id") from None
            found = await active_delegation(session, tenant_id, principal_user_id=behalf, stand_in_user_id=user_id)
            if found is None:
                raise DELEGATION_NOT_ACTIVE
            delegation, leader = found
            perms = await effective_permissions(session, behalf, tenant_id, version=int(version or 0))
            # Acting for someone never lifts the actor above their own clearance, nor above the leader's.
            level = min(level, leader.clearance)
            extra.update(delegation_id=str(delegation.id), on_behalf_of_name=leader.display_name)
        principal = Principal(
            kind="staff", user_id=user_id, tenant_id=tenant_id, permissions=perms, clearance=level,
            display_name=u_name or "", on_behalf_of=behalf, session_id=str(sid), extra=extra,
        )
    elif kind == KIND_CITIZEN and citizen_id is not None and c_active:
        principal = Principal(
            kind="citizen", user_id=citizen_id, tenant_id=tenant_id, display_name=c_name or "",
            session_id=str(sid), extra={"tenant_code": t_code},
        )
    if principal is not None and now - last_seen >= LAST_SEEN_RESOLUTION:
        await session.execute(update(AuthSession).where(AuthSession.id == sid).values(last_seen_at=now))
        await session.commit()
    return principal


class AuthMiddleware(AbstractMiddleware):
    """Puts the caller's :class:`Principal` into ``scope["state"]["principal"]`` (needs ``app.state.db``)."""

    scopes = {ScopeType.HTTP, ScopeType.WEBSOCKET}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state.pop("principal", None)
        token = token_from_scope(scope)
        if token:
            db = getattr(scope["app"].state, "db", None)
            if db is None:
                logger.error("app.state.db is not set: requests stay anonymous")
            else:
                async with db.sessionmaker() as session:
                    principal = await load_principal(session, token, _header(scope, ON_BEHALF_HEADER.encode()))
                if principal is not None:
                    state["principal"] = principal
        await self.app(scope, receive, send)
