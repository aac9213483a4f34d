"""``GET /auth/me``: the caller as the console needs it (我的信息)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.identity.schemas import DelegationBrief, MeOut, PostOut, TenantRef, UserBrief
from core.identity.service import tenants_of
from core.org.delegations import active_clause
from core.org.models import Delegation, Post, Unit, User
from core.permissions.service import user_role_codes
from core.security.principal import Principal
from core.settings import get_settings
from core.tenancy.models import Tenant


def _delegation(d: Delegation) -> DelegationBrief:
    return DelegationBrief(
        id=d.id,
        principal_user_id=d.principal_user_id,
        stand_in_user_id=d.stand_in_user_id,
        starts_at=d.starts_at,
        ends_at=d.ends_at,
        reason=d.reason,
    )


async def build_me(session: AsyncSession, principal: Principal) -> MeOut:
    assert principal.tenant_id is not None
    user = await session.get(User, principal.user_id)
    tenant = await session.get(Tenant, principal.tenant_id)
    assert user is not None and tenant is not None
    posts = (
        await session.execute(
            select(Post, Unit.name)
            .outerjoin(Unit, Unit.id == Post.unit_id)
            .where(Post.user_id == user.id)
            .order_by(Post.tenant_id, Post.sort, Post.created_at)
        )
    ).all()
    active = (
        await session.scalars(
            select(Delegation)
            .where(Delegation.tenant_id == tenant.id, active_clause(utcnow()))
            .where((Delegation.principal_user_id == user.id) | (Delegation.stand_in_user_id == user.id))
            .order_by(Delegation.starts_at)
        )
    ).all()
    return MeOut(
        user=UserBrief(id=user.id, username=user.username, display_name=user.display_name),
        tenant=TenantRef(id=tenant.id, code=tenant.code, name=tenant.name),
        tenants=[TenantRef(id=t.id, code=t.code, name=t.name) for t in await tenants_of(session, user.id)],
        posts=[
            PostOut(
                id=p.id,
                tenant_id=p.tenant_id,
                unit_id=p.unit_id,
                unit_name=name,
                title=p.title,
                is_leader=p.is_leader,
            )
            for p, name in posts
        ],
        roles=await user_role_codes(session, user.id, tenant.id),
        permissions=sorted(principal.permissions),
        clearance=principal.clearance,
        must_change_password=user.must_change_password,
        acting_for=principal.on_behalf_of,
        delegations_given=[_delegation(d) for d in active if d.principal_user_id == user.id],
        delegations_received=[_delegation(d) for d in active if d.stand_in_user_id == user.id],
        idle_timeout_seconds=get_settings().session_idle_minutes * 60,
    )
