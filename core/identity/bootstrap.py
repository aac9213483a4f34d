"""Seeding helpers (初始化): create staff with roles and issue sessions, for tests, the CLI and demo data.

They skip the API's 三员分立 and self-grant checks on purpose (they are how the first administrators
come to exist), but still refuse a second administrator role for one person.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.models import KIND_CITIZEN, KIND_STAFF, Citizen
from core.identity.passwords import hash_password_async
from core.identity.sessions import create_session
from core.org import service as org
from core.org.models import Post, User
from core.permissions import service as perms
from core.permissions.core_permissions import PLATFORM_TENANT_CODE
from core.permissions.models import Role
from core.tenancy.models import Tenant


async def ensure_tenant(session: AsyncSession, *, code: str, name: str) -> Tenant:
    """The tenant ``code`` (created if missing) with its built-in roles and core's default grants."""
    tenant = await session.scalar(select(Tenant).where(Tenant.code == code))
    if tenant is None:
        tenant = Tenant(code=code, name=name, active=True)
        session.add(tenant)
        await session.flush()
    await perms.ensure_tenant_setup(session, tenant.id)
    return tenant


async def role_with_permissions(session: AsyncSession, tenant_id: uuid.UUID, codes: Iterable[str]) -> Role:
    """A custom role holding exactly ``codes`` (reused when one with the same set exists)."""
    wanted = sorted(set(codes))
    digest = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:16]
    role = await perms.ensure_role(session, tenant_id, f"perm-set-{digest}", name="权限集 " + digest)
    if sorted(await perms.role_permissions(session, tenant_id, role.code)) != wanted:
        for code in wanted:
            await perms.add_grant(session, tenant_id, role.code, code, bump=False)
        await perms.bump_policy_version(session, tenant_id)
    return role


async def create_staff(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    username: str,
    password: str | None,
    display_name: str = "",
    unit_id: uuid.UUID | None = None,
    roles: Iterable[str] = (),
    permissions: Iterable[str] = (),
    clearance: int = 0,
    title: str = "",
    is_leader: bool = False,
    password_hash: str | None = None,
) -> User:
    """A person with a post in the tenant (in ``unit_id`` if given), the named roles and, with
    ``permissions``, a role holding exactly those codes.

    An existing username gets the additional post and roles instead of a second account.
    ``password_hash`` (from :func:`core.identity.passwords.hash_password`) skips argon2 for bulk seeding.
    """
    await perms.ensure_tenant_setup(session, tenant_id)
    if password is not None and password_hash is None:
        password_hash = await hash_password_async(password)
    user = await session.scalar(select(User).where(User.username == org.normalise_username(username)))
    if user is None:
        user = await org.create_user(
            session,
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            clearance=clearance,
        )
    held = await session.scalar(
        select(Post.id).where(Post.user_id == user.id, Post.tenant_id == tenant_id, Post.unit_id == unit_id)
        if unit_id is not None
        else select(Post.id).where(Post.user_id == user.id, Post.tenant_id == tenant_id)
    )
    if held is None:
        await org.add_post(
            session, user_id=user.id, tenant_id=tenant_id, unit_id=unit_id, title=title, is_leader=is_leader
        )
    for code in roles:
        await perms.ensure_role(session, tenant_id, code)
        await perms.assign_role(session, tenant_id, user.id, code)
    codes = list(permissions)
    if codes:
        role = await role_with_permissions(session, tenant_id, codes)
        await perms.assign_role(session, tenant_id, user.id, role.code)
    return user


async def issue_session(
    session: AsyncSession, *, user_id: uuid.UUID, tenant_id: uuid.UUID | None, kind: str = KIND_STAFF
) -> str:
    """A new session token for a person (``kind='staff'``) or citizen (``kind='citizen'``, ``user_id`` is
    the citizen's id)."""
    if kind == KIND_CITIZEN:
        token, _ = await create_session(session, kind=kind, citizen_id=user_id, tenant_id=tenant_id)
    else:
        token, _ = await create_session(session, kind=kind, user_id=user_id, tenant_id=tenant_id)
    return token


async def create_citizen(
    session: AsyncSession,
    *,
    password: str,
    phone: str | None = None,
    email: str | None = None,
    display_name: str = "",
) -> Citizen:
    """A citizen portal account (no policy checks: tests and demo data)."""
    citizen = Citizen(
        phone=phone,
        email=email and email.lower(),
        display_name=display_name,
        password_hash=await hash_password_async(password),
    )
    session.add(citizen)
    await session.flush()
    return citizen


async def seed_identity(session: AsyncSession) -> None:
    """Start-up seeder (idempotent): the platform tenant, and built-in roles plus core's default grants
    in every tenant (tenants created outside the API included)."""
    await ensure_tenant(session, code=PLATFORM_TENANT_CODE, name="平台管理")
    for tenant_id in (await session.scalars(select(Tenant.id))).all():
        await perms.ensure_tenant_setup(session, tenant_id)
