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
import weakref
from typing import Any

import asyncpg
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from core.db.base import utcnow
from core.db.engine import Database
from core.errors import AppError, Msg, invalid
from core.identity.models import KIND_CITIZEN, KIND_STAFF
from core.identity.sessions import COOKIE_NAME, LAST_SEEN_RESOLUTION, ON_BEHALF_HEADER, hash_token, is_live
from core.org.delegations import active_delegation
from core.permissions.enforcer import effective_permissions
from core.security.principal import Principal

logger = logging.getLogger(__name__)

ON_BEHALF_FIELD = "X-Fuban-On-Behalf-Of"
AUTH_POOL_SIZE = 5
AUTH_POOL_OVERFLOW = 20
AUTH_POOL_NAME = "fuban-auth"
_auth_engines: weakref.WeakKeyDictionary[Database, AsyncEngine] = weakref.WeakKeyDictionary()
DELEGATION_NOT_ACTIVE = AppError(
    "delegation_not_active",
    Msg("没有可代理该人员的有效授权", "No active delegation lets you act for that person"),
    status=403,
)

# The hot path of every request: one prepared statement straight on the asyncpg connection (SQLAlchemy's
# execution layer costs more than the query itself). Indexed: core_sessions.token_hash is unique.
_LOOKUP_SQL = """
SELECT s.id, s.kind, s.user_id, s.citizen_id, s.tenant_id, s.last_seen_at, s.expires_at,
       u.display_name, u.clearance, u.active, u.must_change_password,
       c.display_name, c.active, t.code, t.active, v.version
FROM core_sessions s
LEFT JOIN core_users u ON u.id = s.user_id
LEFT JOIN core_citizens c ON c.id = s.citizen_id
LEFT JOIN core_tenants t ON t.id = s.tenant_id
LEFT JOIN core_policy_versions v ON v.tenant_id = s.tenant_id
WHERE s.token_hash = $1 AND s.revoked_at IS NULL
"""
_TOUCH_SQL = "UPDATE core_sessions SET last_seen_at = $2 WHERE id = $1"


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


async def load_principal(
    conn: AsyncConnection, token: str, on_behalf_of: str | None = None
) -> Principal | None:
    """The principal of a live session, or ``None``.

    The lookup and the occasional ``last_seen_at`` touch run outside any transaction on ``conn``'s
    asyncpg connection (each statement commits by itself); ``conn`` must not be inside a transaction.
    """
    if len(token) > 256:
        return None
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    row = await raw.fetchrow(_LOOKUP_SQL, hash_token(token))
    if row is None:
        return None
    sid, kind, user_id, citizen_id, tenant_id, last_seen, expires = row[:7]
    u_name, clearance, u_active, must_change, c_name, c_active, t_code, t_active, version = row[7:]
    now = utcnow()
    if not is_live(last_seen, expires, now) or (tenant_id is not None and not t_active):
        return None
    principal: Principal | None = None
    if kind == KIND_STAFF and user_id is not None and u_active and tenant_id is not None:
        # A session on the same connection, used only on permission-cache misses and for delegations.
        session = AsyncSession(bind=conn)
        try:
            principal = await _staff_principal(
                session,
                user_id,
                tenant_id,
                int(version or 0),
                on_behalf_of,
                display_name=u_name or "",
                clearance=int(clearance),
                must_change=bool(must_change),
                session_id=str(sid),
                tenant_code=t_code,
            )
        finally:
            await session.close()
    elif kind == KIND_CITIZEN and citizen_id is not None and c_active:
        principal = Principal(
            kind="citizen",
            user_id=citizen_id,
            tenant_id=tenant_id,
            display_name=c_name or "",
            session_id=str(sid),
            extra={"tenant_code": t_code},
        )
    if principal is not None and now - last_seen >= LAST_SEEN_RESOLUTION:
        await raw.execute(_TOUCH_SQL, sid, now)
    return principal


async def _staff_principal(
    session: AsyncSession,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID,
    version: int,
    on_behalf_of: str | None,
    *,
    display_name: str,
    clearance: int,
    must_change: bool,
    session_id: str,
    tenant_code: str,
) -> Principal:
    extra: dict[str, Any] = {"tenant_code": tenant_code, "must_change_password": must_change}
    if must_change:
        # After an admin reset the session may only change the password: no permissions, no acting.
        return Principal(
            kind="staff",
            user_id=user_id,
            tenant_id=tenant_id,
            clearance=clearance,
            display_name=display_name,
            session_id=session_id,
            extra=extra,
        )
    behalf: uuid.UUID | None = None
    if on_behalf_of:
        try:
            behalf = uuid.UUID(on_behalf_of)
        except ValueError:
            raise invalid(ON_BEHALF_FIELD, "invalid_uuid", "不是有效的人员标识", "Not a user id") from None
        found = await active_delegation(
            session, tenant_id, principal_user_id=behalf, stand_in_user_id=user_id
        )
        if found is None:
            raise DELEGATION_NOT_ACTIVE
        delegation, leader = found
        # Acting for someone never lifts the actor above their own clearance, nor above the leader's.
        clearance = min(clearance, leader.clearance)
        extra.update(delegation_id=str(delegation.id), on_behalf_of_name=leader.display_name)
    perms = await effective_permissions(session, behalf or user_id, tenant_id, version=version)
    return Principal(
        kind="staff",
        user_id=user_id,
        tenant_id=tenant_id,
        permissions=perms,
        clearance=clearance,
        display_name=display_name,
        on_behalf_of=behalf,
        session_id=session_id,
        extra=extra,
    )


def auth_engine(db: Database) -> AsyncEngine:
    """A small pool of its own for session lookups, without the per-checkout ping of the main engine
    (two extra round trips per request); stale connections are handled in :func:`resolve_principal`."""
    engine = _auth_engines.get(db)
    if engine is None:
        engine = create_async_engine(
            db.engine.url,
            pool_size=AUTH_POOL_SIZE,
            max_overflow=AUTH_POOL_OVERFLOW,
            pool_pre_ping=False,
            pool_recycle=1800,
            connect_args={"server_settings": {"application_name": AUTH_POOL_NAME}},
        )
        _auth_engines[db] = engine
    return engine


async def dispose_auth_engine(db: Database) -> None:
    """Close the lookup pool (call at shutdown, next to ``db.dispose()``)."""
    engine = _auth_engines.pop(db, None)
    if engine is not None:
        await engine.dispose()


async def resolve_principal(db: Database, token: str, on_behalf_of: str | None = None) -> Principal | None:
    """:func:`load_principal` on the lookup pool, retried once on a fresh connection when the pooled
    one died (database restart or failover)."""
    engine = auth_engine(db)
    try:
        async with engine.connect() as conn:
            return await load_principal(conn, token, on_behalf_of)
    except (
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        # Raised when the server's "terminating connection" arrives just as the lookup starts: the
        # protocol is still consuming that error, so the connection is as dead as a closed one.
        asyncpg.InternalClientError,
        OSError,
        DBAPIError,
    ) as exc:
        if isinstance(exc, DBAPIError) and not exc.connection_invalidated:
            raise
        logger.warning("session lookup connection lost (%s); retrying on a new connection", exc)
        await engine.dispose()  # after a restart every pooled connection is dead
    async with engine.connect() as conn:
        return await load_principal(conn, token, on_behalf_of)


class AuthMiddleware(ASGIMiddleware):
    """Puts the caller's :class:`Principal` into ``scope["state"]["principal"]`` (needs ``app.state.db``)."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        state.pop("principal", None)
        token = token_from_scope(scope)
        if token:
            db = getattr(scope["app"].state, "db", None)
            if db is None:
                logger.error("app.state.db is not set: requests stay anonymous")
            else:
                principal = await resolve_principal(db, token, _header(scope, ON_BEHALF_HEADER.encode()))
                if principal is not None:
                    state["principal"] = principal
        await next_app(scope, receive, send)
