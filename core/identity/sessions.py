"""Sessions (登录会话): opaque random tokens; only their sha256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.identity.models import KIND_CITIZEN, KIND_STAFF, AuthSession
from core.settings import get_settings

# last_seen_at is written at most this often, so most requests stay read-only.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
COOKIE_NAME = "fuban_session"
ON_BEHALF_HEADER = "x-fuban-on-behalf-of"


def idle_timeout() -> timedelta:
    """``FUBAN_SESSION_IDLE_MINUTES`` (30 by default)."""
    return timedelta(minutes=get_settings().session_idle_minutes)


def max_lifetime() -> timedelta:
    """``FUBAN_SESSION_MAX_HOURS`` (12 by default)."""
    return timedelta(hours=get_settings().session_max_hours)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_live(last_seen_at: datetime, expires_at: datetime, now: datetime | None = None) -> bool:
    """Within the absolute lifetime and not idle for longer than the idle timeout."""
    now = now or utcnow()
    return now < expires_at and now - last_seen_at < idle_timeout()


async def create_session(
    session: AsyncSession,
    *,
    kind: str,
    user_id: uuid.UUID | None = None,
    citizen_id: uuid.UUID | None = None,
    tenant_id: uuid.UUID | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, AuthSession]:
    """Store a new session and return ``(token, row)``; the token is shown to the client once."""
    if kind not in (KIND_STAFF, KIND_CITIZEN):
        raise ValueError(f"unknown session kind {kind!r}")
    token = new_token()
    now = utcnow()
    row = AuthSession(
        token_hash=hash_token(token),
        kind=kind,
        user_id=user_id,
        citizen_id=citizen_id,
        tenant_id=tenant_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + max_lifetime(),
        ip=(ip or None) and ip[:64],
        user_agent=(user_agent or None) and user_agent[:400],
    )
    session.add(row)
    await session.flush()
    return token, row


async def revoke_sessions(
    session: AsyncSession,
    *,
    session_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    citizen_id: uuid.UUID | None = None,
    tenant_id: uuid.UUID | None = None,
    except_id: uuid.UUID | None = None,
) -> int:
    """Revoke the matching live sessions; returns how many. At least one selector is required."""
    if session_id is None and user_id is None and citizen_id is None:
        raise ValueError("revoke_sessions needs session_id, user_id or citizen_id")
    stmt = update(AuthSession).where(AuthSession.revoked_at.is_(None)).values(revoked_at=utcnow())
    if session_id is not None:
        stmt = stmt.where(AuthSession.id == session_id)
    if user_id is not None:
        stmt = stmt.where(AuthSession.user_id == user_id)
    if citizen_id is not None:
        stmt = stmt.where(AuthSession.citizen_id == citizen_id)
    if tenant_id is not None:
        stmt = stmt.where(AuthSession.tenant_id == tenant_id)
    if except_id is not None:
        stmt = stmt.where(AuthSession.id != except_id)
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
