"""Delegation API (代理): name a stand-in for a period; managers may do it for anybody."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.errors import forbidden, not_found
from core.identity import audit_hook
from core.org import delegations
from core.org.models import Delegation
from core.org.pagination import Page, PageNo, PageSize, fetch_page
from core.org.schemas import DelegationIn, DelegationOut
from core.permissions.core_permissions import DELEGATIONS_MANAGE
from core.security.guards import principal_or_401, require_staff


class DelegationController(Controller):
    """Everyone manages their own delegations; ``core.delegations.manage`` manages all of the tenant's."""

    path = "/admin/delegations"
    tags = ("org",)

    @get("", operation_id="org_list_delegations", guards=[require_staff])
    async def list_delegations(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromQuery[uuid.UUID | None] = None,
        active_only: FromQuery[bool] = False,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[DelegationOut]:
        """Delegations of the tenant (managers) or those I give or receive (everyone else)."""
        principal = principal_or_401(request)
        stmt = (
            select(Delegation)
            .where(Delegation.tenant_id == principal.tenant_id)
            .order_by(Delegation.starts_at.desc(), Delegation.id)
        )
        if not principal.has(DELEGATIONS_MANAGE):
            stmt = stmt.where(delegations.involving(principal.user_id))
        if user_id is not None:
            stmt = stmt.where(delegations.involving(user_id))
        if active_only:
            stmt = stmt.where(delegations.active_clause(utcnow()))
        rows, total = await fetch_page(db_session, stmt, page, page_size)
        return Page(
            items=[DelegationOut.model_validate(d) for d in rows], total=total, page=page, page_size=page_size
        )

    @post("", operation_id="org_create_delegation", guards=[require_staff])
    async def create_delegation(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[DelegationIn],
    ) -> DelegationOut:
        """Name a stand-in; only managers delegate on someone else's behalf."""
        principal = principal_or_401(request)
        assert principal.tenant_id is not None
        owner = data.principal_user_id or principal.user_id
        if principal.on_behalf_of is not None:
            raise forbidden("acting_for_someone")
        if principal.extra.get("must_change_password"):
            # A session opened with an administrator's temporary password may not hand the account on.
            raise forbidden("password_change_required")
        if owner != principal.user_id and not principal.has(DELEGATIONS_MANAGE):
            raise forbidden("permission_denied")
        item = await delegations.create_delegation(
            db_session,
            principal.tenant_id,
            principal_user_id=owner,
            stand_in_user_id=data.stand_in_user_id,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            reason=data.reason,
            created_by=principal.user_id,
        )
        out = DelegationOut.model_validate(item)
        await audit_hook.record(
            db_session,
            principal,
            "core.delegation.create",
            object_type="delegation",
            object_id=item.id,
            after=out.model_dump(mode="json"),
        )
        return out

    @post(
        "/{delegation_id:uuid}/revoke",
        operation_id="org_revoke_delegation",
        status_code=200,
        guards=[require_staff],
    )
    async def revoke_delegation(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        delegation_id: FromPath[uuid.UUID],
    ) -> DelegationOut:
        """End a delegation early (its principal, its stand-in or a manager)."""
        principal = principal_or_401(request)
        assert principal.tenant_id is not None
        item = await delegations.get_delegation(db_session, delegation_id, principal.tenant_id)
        involved = principal.user_id in (item.principal_user_id, item.stand_in_user_id)
        if not involved and not principal.has(DELEGATIONS_MANAGE):
            raise not_found("delegation", "代理")
        await delegations.revoke_delegation(db_session, item)
        await audit_hook.record(
            db_session, principal, "core.delegation.revoke", object_type="delegation", object_id=item.id
        )
        return DelegationOut.model_validate(item)
