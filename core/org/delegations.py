"""Delegation (代理): a person (typically a leader away) names a stand-in for a period.

While a delegation is active the stand-in may send ``X-Fuban-On-Behalf-Of: <principal's user id>``;
the request then runs with the principal's permissions and records both people (``Principal.user_id``
is the stand-in who acts, ``Principal.on_behalf_of`` the person acted for).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.errors import conflict, invalid, not_found
from core.org.models import Delegation, Post, User

MAX_DELEGATION = timedelta(days=366)


def active_clause(now: datetime) -> ColumnElement[bool]:
    return and_(Delegation.revoked_at.is_(None), Delegation.starts_at <= now, Delegation.ends_at > now)


async def _holds_post(session: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID) -> bool:
    return (
        await session.scalar(
            select(Post.id).where(Post.user_id == user_id, Post.tenant_id == tenant_id).limit(1)
        )
    ) is not None


async def create_delegation(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    principal_user_id: uuid.UUID,
    stand_in_user_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
    created_by: uuid.UUID | None = None,
) -> Delegation:
    if principal_user_id == stand_in_user_id:
        raise invalid(
            "stand_in_user_id", "self_delegation", "不能委托给自己", "You cannot delegate to yourself"
        )
    if ends_at <= starts_at:
        raise invalid("ends_at", "before_start", "结束时间须晚于开始时间", "The end must be after the start")
    if ends_at <= utcnow():
        raise invalid("ends_at", "in_past", "结束时间已过", "The end lies in the past")
    if ends_at - starts_at > MAX_DELEGATION:
        raise invalid("ends_at", "too_long", "代理期限不能超过一年", "A delegation lasts at most one year")
    for field, uid in (("principal_user_id", principal_user_id), ("stand_in_user_id", stand_in_user_id)):
        if not await _holds_post(session, uid, tenant_id):
            raise invalid(field, "unknown_user", "本单位没有该人员", "No such person in this tenant")
    delegation = Delegation(
        tenant_id=tenant_id,
        principal_user_id=principal_user_id,
        stand_in_user_id=stand_in_user_id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=created_by,
    )
    session.add(delegation)
    await session.flush()
    return delegation


async def get_delegation(session: AsyncSession, delegation_id: uuid.UUID, tenant_id: uuid.UUID) -> Delegation:
    found = await session.scalar(
        select(Delegation).where(Delegation.id == delegation_id, Delegation.tenant_id == tenant_id)
    )
    if found is None:
        raise not_found("delegation", "代理")
    return found


async def revoke_delegation(session: AsyncSession, delegation: Delegation) -> Delegation:
    if delegation.revoked_at is not None:
        raise conflict("delegation_revoked", "该代理已撤销", "The delegation is already revoked")
    delegation.revoked_at = utcnow()
    await session.flush()
    return delegation


async def active_delegation(
    session: AsyncSession, tenant_id: uuid.UUID, *, principal_user_id: uuid.UUID, stand_in_user_id: uuid.UUID
) -> tuple[Delegation, User] | None:
    """The active delegation from ``principal_user_id`` to ``stand_in_user_id`` and the (active) principal."""
    row = (
        await session.execute(
            select(Delegation, User)
            .join(User, User.id == Delegation.principal_user_id)
            .where(
                Delegation.tenant_id == tenant_id,
                Delegation.principal_user_id == principal_user_id,
                Delegation.stand_in_user_id == stand_in_user_id,
                active_clause(utcnow()),
                User.active.is_(True),
            )
            .order_by(Delegation.ends_at.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


def involving(user_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(Delegation.principal_user_id == user_id, Delegation.stand_in_user_id == user_id)
