"""Organisation rules (组织机构): the unit tree, people in a tenant, posts and portfolios (分管).

Every lookup takes the caller's tenant: an id from another tenant is simply "not found" (404).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, exists, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Exists

from core.db.base import utcnow
from core.errors import AppError, Msg, conflict, invalid, not_found
from core.identity.sessions import revoke_sessions
from core.org.models import LeaderPortfolio, Post, Unit, User
from core.permissions import service as perms

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_TREE_DEPTH = 64


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise invalid(
            "username",
            "invalid_username",
            "用户名须为 2-64 位小写字母、数字或 . _ @ -",
            "2-64 characters: lower-case letters, digits, . _ @ -",
        )
    return name


def user_in_tenant_clause(tenant_id: uuid.UUID) -> Exists:
    """SQL: the person holds at least one post in the tenant."""
    return exists().where(Post.user_id == User.id, Post.tenant_id == tenant_id)


async def get_user_in_tenant(session: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID) -> User:
    """A person holding a post in the tenant; anybody else is 404 (no cross-tenant peeking)."""
    user = await session.scalar(select(User).where(User.id == user_id, user_in_tenant_clause(tenant_id)))
    if user is None:
        raise not_found("person", "人员")
    return user


async def works_elsewhere(session: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID) -> bool:
    """The person also holds a post in another tenant (their account is shared between offices)."""
    found = await session.scalar(
        select(Post.id).where(Post.user_id == user_id, Post.tenant_id != tenant_id).limit(1)
    )
    return found is not None


ACCOUNT_SHARED = AppError(
    "account_shared",
    Msg(
        "该账号也在其他单位使用，不能由本单位修改",
        "Other offices use this account too; it is not yours to change",
    ),
    status=403,
)


async def get_unit(
    session: AsyncSession, unit_id: uuid.UUID, tenant_id: uuid.UUID, *, field: str = ""
) -> Unit:
    """A unit of the tenant; 404, or 422 on ``field`` when it is a reference inside a request body."""
    unit = await session.scalar(select(Unit).where(Unit.id == unit_id, Unit.tenant_id == tenant_id))
    if unit is None:
        if field:
            raise invalid(field, "unknown_unit", "科室不存在", "No such unit")
        raise not_found("unit", "科室")
    return unit


async def get_post(session: AsyncSession, post_id: uuid.UUID, tenant_id: uuid.UUID) -> Post:
    post = await session.scalar(select(Post).where(Post.id == post_id, Post.tenant_id == tenant_id))
    if post is None:
        raise not_found("post", "岗位")
    return post


async def _lock_tree(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    # One tree change at a time per tenant, so two concurrent moves cannot build a cycle.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"core_units:{tenant_id}"}
    )


async def _ancestors(session: AsyncSession, unit_id: uuid.UUID) -> list[uuid.UUID]:
    chain: list[uuid.UUID] = []
    current: uuid.UUID | None = unit_id
    while current is not None and len(chain) <= MAX_TREE_DEPTH:
        chain.append(current)
        current = await session.scalar(select(Unit.parent_id).where(Unit.id == current))
    return chain


async def create_unit(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    code: str,
    name: str,
    parent_id: uuid.UUID | None = None,
    sort: int = 0,
) -> Unit:
    if not UNIT_CODE_RE.match(code):
        raise invalid(
            "code", "invalid_code", "编码须为 1-40 位字母、数字或 . _ -", "1-40 letters, digits, . _ -"
        )
    await _lock_tree(session, tenant_id)
    if parent_id is not None:
        await get_unit(session, parent_id, tenant_id, field="parent_id")
        if len(await _ancestors(session, parent_id)) >= MAX_TREE_DEPTH:
            raise invalid("parent_id", "too_deep", "科室层级过深", "The unit tree is too deep")
    if await session.scalar(select(Unit.id).where(Unit.tenant_id == tenant_id, Unit.code == code)):
        raise conflict("unit_code_taken", f"科室编码 {code} 已存在", f"Unit code {code} is taken")
    unit = Unit(tenant_id=tenant_id, code=code, name=name, parent_id=parent_id, sort=sort)
    session.add(unit)
    await session.flush()
    return unit


async def update_unit(session: AsyncSession, unit: Unit, changes: dict[str, object]) -> Unit:
    """Rename, re-code, re-sort or move (``parent_id``; ``None`` = top level) a unit; no cycles."""
    await _lock_tree(session, unit.tenant_id)
    if "code" in changes and changes["code"] != unit.code:
        code = str(changes["code"])
        if not UNIT_CODE_RE.match(code):
            raise invalid(
                "code", "invalid_code", "编码须为 1-40 位字母、数字或 . _ -", "1-40 letters, digits, . _ -"
            )
        if await session.scalar(select(Unit.id).where(Unit.tenant_id == unit.tenant_id, Unit.code == code)):
            raise conflict("unit_code_taken", f"科室编码 {code} 已存在", f"Unit code {code} is taken")
        unit.code = code
    if "parent_id" in changes:
        parent = changes["parent_id"]
        if parent is not None:
            assert isinstance(parent, uuid.UUID)
            await get_unit(session, parent, unit.tenant_id, field="parent_id")
            if unit.id in await _ancestors(session, parent):
                raise invalid(
                    "parent_id",
                    "unit_cycle",
                    "不能把科室移到其自身或下级科室之下",
                    "A unit cannot move under itself or one of its sub-units",
                )
        unit.parent_id = parent
    if "name" in changes:
        unit.name = str(changes["name"])
    if "sort" in changes:
        unit.sort = int(str(changes["sort"]))
    await session.flush()
    return unit


async def delete_unit(session: AsyncSession, unit: Unit) -> None:
    """Delete an empty unit: no sub-units, no posts, in nobody's portfolio (else 409)."""
    await _lock_tree(session, unit.tenant_id)
    if await session.scalar(select(Unit.id).where(Unit.parent_id == unit.id).limit(1)):
        raise conflict("unit_has_children", "科室下还有下级科室", "The unit still has sub-units")
    if await session.scalar(select(Post.id).where(Post.unit_id == unit.id).limit(1)):
        raise conflict("unit_has_people", "科室中还有人员岗位", "People still hold posts in the unit")
    if await session.scalar(
        select(LeaderPortfolio.post_id).where(LeaderPortfolio.unit_id == unit.id).limit(1)
    ):
        raise conflict(
            "unit_in_portfolio", "科室仍在领导分管范围内", "The unit is still in a leader's portfolio"
        )
    await session.delete(unit)
    await session.flush()


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    display_name: str = "",
    phone: str | None = None,
    email: str | None = None,
    password_hash: str | None = None,
    clearance: int = 0,
) -> User:
    name = check_username(username)
    if await session.scalar(select(User.id).where(User.username == name)):
        raise conflict("username_taken", f"用户名 {name} 已被使用", f"Username {name} is taken")
    user = User(
        username=name,
        display_name=display_name or name,
        phone=phone or None,
        email=email or None,
        password_hash=password_hash,
        clearance=clearance,
        password_changed_at=utcnow() if password_hash else None,
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise conflict("username_taken", f"用户名 {name} 已被使用", f"Username {name} is taken") from None
    return user


async def add_post(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID,
    unit_id: uuid.UUID | None = None,
    title: str = "",
    is_leader: bool = False,
    sort: int = 0,
) -> Post:
    if unit_id is not None:
        await get_unit(session, unit_id, tenant_id, field="unit_id")
    post = Post(
        user_id=user_id, tenant_id=tenant_id, unit_id=unit_id, title=title, is_leader=is_leader, sort=sort
    )
    session.add(post)
    await session.flush()
    return post


async def _left_tenant(session: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID) -> None:
    """After a post was removed: a person without posts in a tenant loses its roles and sessions there."""
    still = await session.scalar(select(Post.id).where(Post.user_id == user_id, Post.tenant_id == tenant_id))
    if still is None:
        await perms.remove_user_from_tenant(session, user_id, tenant_id)
        await revoke_sessions(session, user_id=user_id, tenant_id=tenant_id)


async def delete_post(session: AsyncSession, post: Post) -> None:
    await session.delete(post)
    await session.flush()
    await _left_tenant(session, post.user_id, post.tenant_id)


async def remove_user_from_tenant(session: AsyncSession, user: User, tenant_id: uuid.UUID) -> bool:
    """Remove a person's posts in the tenant; returns ``True`` when the account was deactivated
    because the person holds no post anywhere any more."""
    await session.execute(delete(Post).where(Post.user_id == user.id, Post.tenant_id == tenant_id))
    await session.flush()
    await _left_tenant(session, user.id, tenant_id)
    if await session.scalar(select(Post.id).where(Post.user_id == user.id).limit(1)) is None:
        user.active = False
        await revoke_sessions(session, user_id=user.id)
        await session.flush()
        return True
    return False


async def set_portfolio(session: AsyncSession, post: Post, unit_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """Replace a leader post's portfolio (分管科室); only leader posts have one."""
    if not post.is_leader and unit_ids:
        raise invalid(
            "unit_ids", "not_leader", "只有领导岗位才有分管科室", "Only leader posts have a portfolio"
        )
    wanted = list(dict.fromkeys(unit_ids))
    for uid in wanted:
        await get_unit(session, uid, post.tenant_id, field="unit_ids")
    await session.execute(delete(LeaderPortfolio).where(LeaderPortfolio.post_id == post.id))
    session.add_all(LeaderPortfolio(post_id=post.id, unit_id=uid) for uid in wanted)
    await session.flush()
    return wanted


async def portfolio_units(session: AsyncSession, post_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(select(LeaderPortfolio.unit_id).where(LeaderPortfolio.post_id == post_id))
    return list(rows)
