"""People API (人员): accounts of the caller's tenant, their posts, roles and clearance (密级)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import AppError, Msg
from core.identity import audit_hook
from core.identity.admin_controller import managed_user
from core.identity.passwords import check_password_policy, generate_password, hash_password_async
from core.identity.sessions import revoke_sessions
from core.org import service
from core.org.models import Post, User
from core.org.pagination import Page, PageNo, PageSize, Search, fetch_page, like_pattern
from core.org.schemas import (
    ClearanceIn,
    PersonCreated,
    PersonDetail,
    PersonIn,
    PersonOut,
    PersonPatch,
    PostOut,
)
from core.permissions.core_permissions import CLEARANCE_MANAGE, ORG_READ, USERS_MANAGE
from core.permissions.service import user_role_codes
from core.security.guards import principal_and_tenant, require_permission


async def _detail(session: AsyncSession, user: User, tenant_id: uuid.UUID) -> PersonDetail:
    posts = await session.scalars(
        select(Post)
        .where(Post.user_id == user.id, Post.tenant_id == tenant_id)
        .order_by(Post.sort, Post.created_at)
    )
    return PersonDetail(
        **PersonOut.model_validate(user).model_dump(),
        posts=[PostOut.model_validate(p) for p in posts],
        roles=await user_role_codes(session, user.id, tenant_id),
    )


class PeopleController(Controller):
    """People (人员) who hold a post in the caller's tenant."""

    path = "/admin/users"
    tags = ("org",)

    @get("", operation_id="org_list_people", guards=[require_permission(ORG_READ)])
    async def list_people(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        q: Search = None,
        unit_id: FromQuery[uuid.UUID | None] = None,
        active: FromQuery[bool | None] = None,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[PersonOut]:
        """Search by username, name, phone or e-mail (``q``), unit and state."""
        _, tid = principal_and_tenant(request)
        stmt = select(User).where(service.user_in_tenant_clause(tid)).order_by(User.display_name, User.id)
        if q:
            pattern = like_pattern(q)
            stmt = stmt.where(
                or_(
                    User.username.ilike(pattern),
                    User.display_name.ilike(pattern),
                    User.phone.ilike(pattern),
                    User.email.ilike(pattern),
                )
            )
        if unit_id is not None:
            stmt = stmt.where(
                User.id.in_(select(Post.user_id).where(Post.tenant_id == tid, Post.unit_id == unit_id))
            )
        if active is not None:
            stmt = stmt.where(User.active.is_(active))
        rows, total = await fetch_page(db_session, stmt, page, page_size)
        return Page(
            items=[PersonOut.model_validate(u) for u in rows], total=total, page=page, page_size=page_size
        )

    @get("/{user_id:uuid}", operation_id="org_get_person", guards=[require_permission(ORG_READ)])
    async def get_person(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromPath[uuid.UUID],
    ) -> PersonDetail:
        _, tid = principal_and_tenant(request)
        return await _detail(db_session, await service.get_user_in_tenant(db_session, user_id, tid), tid)

    @post("", operation_id="org_create_person", guards=[require_permission(USERS_MANAGE)])
    async def create_person(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[PersonIn],
    ) -> PersonCreated:
        """Create an account with a first post here; without ``password`` a temporary one is generated
        and must be changed at first sign-in. Clearance starts at 非密 (the security admin raises it)."""
        principal, tid = principal_and_tenant(request)
        username = service.check_username(data.username)
        generated = None
        password = data.password or None
        if password is None:
            password = generated = generate_password()
        check_password_policy(password, username=username)
        user = await service.create_user(
            db_session,
            username=username,
            display_name=data.display_name,
            phone=data.phone,
            email=data.email,
            password_hash=await hash_password_async(password),
        )
        user.must_change_password = generated is not None
        await service.add_post(
            db_session,
            user_id=user.id,
            tenant_id=tid,
            unit_id=data.unit_id,
            title=data.title,
            is_leader=data.is_leader,
        )
        await audit_hook.record(
            db_session,
            principal,
            "core.user.create",
            object_type="user",
            object_id=user.id,
            after=data.model_dump(mode="json", exclude={"password"}),
        )
        return PersonCreated(**PersonOut.model_validate(user).model_dump(), temporary_password=generated)

    @patch("/{user_id:uuid}", operation_id="org_update_person", guards=[require_permission(USERS_MANAGE)])
    async def update_person(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[PersonPatch],
    ) -> PersonDetail:
        """Edit contact details or (de)activate an account; deactivation ends its sessions."""
        principal, tid = principal_and_tenant(request)
        user = await managed_user(db_session, principal, user_id)
        before = PersonOut.model_validate(user).model_dump(mode="json")
        fields = data.model_fields_set
        if "display_name" in fields and data.display_name is not None:
            user.display_name = data.display_name
        if "phone" in fields:
            user.phone = data.phone or None
        if "email" in fields:
            user.email = data.email or None
        if "active" in fields and data.active is not None:
            user.active = data.active
            if not data.active:
                await revoke_sessions(db_session, user_id=user.id)
        await db_session.flush()
        out = await _detail(db_session, user, tid)
        await audit_hook.record(
            db_session,
            principal,
            "core.user.update",
            object_type="user",
            object_id=user.id,
            before=before,
            after=PersonOut.model_validate(user).model_dump(mode="json"),
        )
        return out

    @delete("/{user_id:uuid}", operation_id="org_remove_person", guards=[require_permission(USERS_MANAGE)])
    async def remove_person(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromPath[uuid.UUID],
    ) -> None:
        """Remove a person from this tenant (posts, roles, sessions here). Records keep referring to
        the account; it is deactivated once the person holds no post anywhere."""
        principal, tid = principal_and_tenant(request)
        user = await managed_user(db_session, principal, user_id, account_level=False)
        deactivated = await service.remove_user_from_tenant(db_session, user, tid)
        await audit_hook.record(
            db_session,
            principal,
            "core.user.remove",
            object_type="user",
            object_id=user.id,
            deactivated=deactivated,
        )

    @put(
        "/{user_id:uuid}/clearance",
        operation_id="org_set_clearance",
        guards=[require_permission(CLEARANCE_MANAGE)],
    )
    async def set_clearance(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[ClearanceIn],
    ) -> PersonOut:
        """Set a person's clearance (密级: 0 非密 .. 3 绝密); never one's own, nor of an account other
        offices share."""
        principal, tid = principal_and_tenant(request)
        user = await service.get_user_in_tenant(db_session, user_id, tid)
        if user.id == principal.user_id:
            raise AppError(
                "self_grant_forbidden",
                Msg("不能修改自己的密级", "You cannot change your own clearance"),
                status=403,
            )
        if await service.works_elsewhere(db_session, user.id, tid):
            raise service.ACCOUNT_SHARED
        before = user.clearance
        user.clearance = data.clearance
        await db_session.flush()
        await audit_hook.record(
            db_session,
            principal,
            "core.user.clearance",
            object_type="user",
            object_id=user.id,
            before=before,
            after=data.clearance,
        )
        return PersonOut.model_validate(user)
