"""Organisation API: units (科室), posts (岗位) and leader portfolios (分管)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import invalid
from core.identity import audit_hook
from core.org import service
from core.org.models import Post, Unit, User
from core.org.pagination import Page, PageNo, PageSize, Search, fetch_page, like_pattern
from core.org.schemas import (
    PortfolioIn,
    PortfolioOut,
    PostIn,
    PostOut,
    PostPatch,
    UnitIn,
    UnitNode,
    UnitOut,
    UnitPatch,
)
from core.permissions.core_permissions import ORG_MANAGE, ORG_READ
from core.security.guards import principal_and_tenant, require_permission


class UnitController(Controller):
    """Units (科室) of the caller's tenant, as a tree."""

    path = "/admin/units"
    tags = ("org",)

    @get("", operation_id="org_list_units", guards=[require_permission(ORG_READ)])
    async def list_units(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        q: Search = None,
        parent_id: FromQuery[uuid.UUID | None] = None,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[UnitOut]:
        """Units, filtered by name/code (``q``) or parent, ordered by sort key and name."""
        _, tid = principal_and_tenant(request)
        stmt = select(Unit).where(Unit.tenant_id == tid).order_by(Unit.sort, Unit.name, Unit.id)
        if q:
            stmt = stmt.where(or_(Unit.name.ilike(like_pattern(q)), Unit.code.ilike(like_pattern(q))))
        if parent_id is not None:
            stmt = stmt.where(Unit.parent_id == parent_id)
        rows, total = await fetch_page(db_session, stmt, page, page_size)
        return Page(
            items=[UnitOut.model_validate(u) for u in rows], total=total, page=page, page_size=page_size
        )

    @get("/tree", operation_id="org_unit_tree", guards=[require_permission(ORG_READ)])
    async def tree(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> list[UnitNode]:
        """The whole unit tree of the tenant."""
        _, tid = principal_and_tenant(request)
        units = (
            await db_session.scalars(
                select(Unit).where(Unit.tenant_id == tid).order_by(Unit.sort, Unit.name, Unit.id)
            )
        ).all()
        nodes = {u.id: UnitNode.model_validate(u) for u in units}
        roots: list[UnitNode] = []
        for u in units:
            parent = nodes.get(u.parent_id) if u.parent_id else None
            (parent.children if parent else roots).append(nodes[u.id])
        return roots

    @get("/{unit_id:uuid}", operation_id="org_get_unit", guards=[require_permission(ORG_READ)])
    async def get_unit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        unit_id: FromPath[uuid.UUID],
    ) -> UnitOut:
        _, tid = principal_and_tenant(request)
        return UnitOut.model_validate(await service.get_unit(db_session, unit_id, tid))

    @post("", operation_id="org_create_unit", guards=[require_permission(ORG_MANAGE)])
    async def create_unit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[UnitIn],
    ) -> UnitOut:
        principal, tid = principal_and_tenant(request)
        unit = await service.create_unit(
            db_session, tid, code=data.code, name=data.name, parent_id=data.parent_id, sort=data.sort
        )
        await audit_hook.record(
            db_session,
            principal,
            "core.unit.create",
            object_type="unit",
            object_id=unit.id,
            after=data.model_dump(mode="json"),
        )
        return UnitOut.model_validate(unit)

    @patch("/{unit_id:uuid}", operation_id="org_update_unit", guards=[require_permission(ORG_MANAGE)])
    async def update_unit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        unit_id: FromPath[uuid.UUID],
        data: JSONBody[UnitPatch],
    ) -> UnitOut:
        """Rename, re-code, re-sort or move a unit (a move never creates a cycle)."""
        principal, tid = principal_and_tenant(request)
        unit = await service.get_unit(db_session, unit_id, tid)
        before = UnitOut.model_validate(unit).model_dump(mode="json")
        changes = {k: getattr(data, k) for k in data.model_fields_set}
        for key in ("code", "name", "sort"):
            if key in changes and changes[key] is None:
                raise invalid(key, "required", "不能为空", "Must not be empty")
        await service.update_unit(db_session, unit, changes)
        after = UnitOut.model_validate(unit)
        await audit_hook.record(
            db_session,
            principal,
            "core.unit.update",
            object_type="unit",
            object_id=unit.id,
            before=before,
            after=after.model_dump(mode="json"),
        )
        return after

    @delete("/{unit_id:uuid}", operation_id="org_delete_unit", guards=[require_permission(ORG_MANAGE)])
    async def delete_unit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        unit_id: FromPath[uuid.UUID],
    ) -> None:
        """Delete an empty unit (no sub-units, posts or portfolio entries; else 409)."""
        principal, tid = principal_and_tenant(request)
        unit = await service.get_unit(db_session, unit_id, tid)
        before = UnitOut.model_validate(unit).model_dump(mode="json")
        await service.delete_unit(db_session, unit)
        await audit_hook.record(
            db_session, principal, "core.unit.delete", object_type="unit", object_id=unit_id, before=before
        )


class PostController(Controller):
    """Posts (岗位): who works where; a person may hold several posts, in several tenants."""

    path = "/admin/posts"
    tags = ("org",)

    @get("", operation_id="org_list_posts", guards=[require_permission(ORG_READ)])
    async def list_posts(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        user_id: FromQuery[uuid.UUID | None] = None,
        unit_id: FromQuery[uuid.UUID | None] = None,
        page: PageNo = 1,
        page_size: PageSize = 50,
    ) -> Page[PostOut]:
        _, tid = principal_and_tenant(request)
        stmt = select(Post).where(Post.tenant_id == tid).order_by(Post.sort, Post.created_at, Post.id)
        if user_id is not None:
            stmt = stmt.where(Post.user_id == user_id)
        if unit_id is not None:
            stmt = stmt.where(Post.unit_id == unit_id)
        rows, total = await fetch_page(db_session, stmt, page, page_size)
        return Page(
            items=[PostOut.model_validate(p) for p in rows], total=total, page=page, page_size=page_size
        )

    @post("", operation_id="org_create_post", guards=[require_permission(ORG_MANAGE)])
    async def create_post(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[PostIn],
    ) -> PostOut:
        """Give a person a post in this tenant (``username`` adds a person who works elsewhere)."""
        principal, tid = principal_and_tenant(request)
        if (data.user_id is None) == (data.username is None):
            raise invalid("user_id", "one_of", "请指定 user_id 或 username 之一", "Give user_id or username")
        if data.user_id is not None:
            user = await service.get_user_in_tenant(db_session, data.user_id, tid)
        else:
            found = await db_session.scalar(
                select(User).where(User.username == service.normalise_username(data.username or ""))
            )
            if found is None or not found.active:
                raise invalid("username", "unknown_user", "人员不存在", "No such person")
            user = found
        new = await service.add_post(
            db_session,
            user_id=user.id,
            tenant_id=tid,
            unit_id=data.unit_id,
            title=data.title,
            is_leader=data.is_leader,
            sort=data.sort,
        )
        out = PostOut.model_validate(new)
        await audit_hook.record(
            db_session,
            principal,
            "core.post.create",
            object_type="post",
            object_id=new.id,
            after=out.model_dump(mode="json"),
        )
        return out

    @patch("/{post_id:uuid}", operation_id="org_update_post", guards=[require_permission(ORG_MANAGE)])
    async def update_post(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        post_id: FromPath[uuid.UUID],
        data: JSONBody[PostPatch],
    ) -> PostOut:
        principal, tid = principal_and_tenant(request)
        item = await service.get_post(db_session, post_id, tid)
        before = PostOut.model_validate(item).model_dump(mode="json")
        fields = data.model_fields_set
        if "unit_id" in fields:
            if data.unit_id is not None:
                await service.get_unit(db_session, data.unit_id, tid, field="unit_id")
            item.unit_id = data.unit_id
        if "title" in fields and data.title is not None:
            item.title = data.title
        if "sort" in fields and data.sort is not None:
            item.sort = data.sort
        if "is_leader" in fields and data.is_leader is not None:
            item.is_leader = data.is_leader
            if not data.is_leader:
                await service.set_portfolio(db_session, item, [])
        await db_session.flush()
        out = PostOut.model_validate(item)
        await audit_hook.record(
            db_session,
            principal,
            "core.post.update",
            object_type="post",
            object_id=item.id,
            before=before,
            after=out.model_dump(mode="json"),
        )
        return out

    @delete("/{post_id:uuid}", operation_id="org_delete_post", guards=[require_permission(ORG_MANAGE)])
    async def delete_post(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        post_id: FromPath[uuid.UUID],
    ) -> None:
        """Remove a post; a person left without posts here loses their roles and sessions here."""
        principal, tid = principal_and_tenant(request)
        item = await service.get_post(db_session, post_id, tid)
        before = PostOut.model_validate(item).model_dump(mode="json")
        await service.delete_post(db_session, item)
        await audit_hook.record(
            db_session, principal, "core.post.delete", object_type="post", object_id=post_id, before=before
        )

    @get("/{post_id:uuid}/portfolio", operation_id="org_get_portfolio", guards=[require_permission(ORG_READ)])
    async def get_portfolio(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        post_id: FromPath[uuid.UUID],
    ) -> PortfolioOut:
        """The units a leader post is in charge of (分管)."""
        _, tid = principal_and_tenant(request)
        item = await service.get_post(db_session, post_id, tid)
        return PortfolioOut(post_id=item.id, unit_ids=await service.portfolio_units(db_session, item.id))

    @put(
        "/{post_id:uuid}/portfolio", operation_id="org_set_portfolio", guards=[require_permission(ORG_MANAGE)]
    )
    async def set_portfolio(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        post_id: FromPath[uuid.UUID],
        data: JSONBody[PortfolioIn],
    ) -> PortfolioOut:
        principal, tid = principal_and_tenant(request)
        item = await service.get_post(db_session, post_id, tid)
        before = await service.portfolio_units(db_session, item.id)
        units = await service.set_portfolio(db_session, item, data.unit_ids)
        await audit_hook.record(
            db_session,
            principal,
            "core.portfolio.set",
            object_type="post",
            object_id=item.id,
            before=[str(u) for u in before],
            after=[str(u) for u in units],
        )
        return PortfolioOut(post_id=item.id, unit_ids=units)
