"""Login rules (登录): lockout after repeated failures, tenant choice, password changes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.errors import AppError, Msg
from core.identity.external import authenticate_externally
from core.identity.models import Citizen
from core.identity.passwords import hash_password_async, needs_rehash, verify_password_async
from core.org.models import Post, User
from core.org.service import normalise_username
from core.settings import get_settings
from core.tenancy.models import Tenant

INVALID_CREDENTIALS = AppError(
    "invalid_credentials", Msg("用户名或口令错误", "Wrong username or password"), status=401
)


def account_locked(until: datetime) -> AppError:
    return AppError(
        "account_locked",
        Msg(
            "登录失败次数过多，账号已临时锁定，请稍后再试",
            "Too many failed sign-ins; the account is locked for now",
        ),
        status=423,
        extra={"locked_until": until.isoformat()},
    )


class LoginFailed(Exception):
    """A failed login; the caller records the failure in its OWN transaction, then answers ``error``."""

    def __init__(
        self, error: AppError, *, user_id: uuid.UUID | None = None, citizen_id: uuid.UUID | None = None
    ):
        super().__init__(error.code)
        self.error = error
        self.user_id = user_id
        self.citizen_id = citizen_id


async def record_failed_login(
    session: AsyncSession, *, user_id: uuid.UUID | None = None, citizen_id: uuid.UUID | None = None
) -> None:
    """Count a failure atomically; the Nth (``FUBAN_LOGIN_MAX_FAILURES``) locks the account for
    ``FUBAN_LOGIN_LOCKOUT_MINUTES``."""
    model: type[User] | type[Citizen] = User if user_id is not None else Citizen
    target = user_id if user_id is not None else citizen_id
    if target is None:
        return
    cfg = get_settings()
    reached = model.failed_logins + 1 >= cfg.login_max_failures
    await session.execute(
        update(model)
        .where(model.id == target)
        .values(
            failed_logins=case((reached, 0), else_=model.failed_logins + 1),
            locked_until=case(
                (reached, utcnow() + timedelta(minutes=cfg.login_lockout_minutes)), else_=model.locked_until
            ),
        )
    )


def _check_lock(locked_until: datetime | None) -> None:
    if locked_until is not None and locked_until > utcnow():
        # Not counted: a locked account's lock must not be extended by an attacker.
        raise LoginFailed(account_locked(locked_until))


async def authenticate_staff(session: AsyncSession, username: str, password: str) -> User:
    """The active account matching the credentials, or :class:`LoginFailed`."""
    name = normalise_username(username)
    user = await session.scalar(select(User).where(User.username == name))
    if user is None:
        await verify_password_async(None, password)  # same cost as a wrong password
        raise LoginFailed(INVALID_CREDENTIALS)
    _check_lock(user.locked_until)
    ok = bool(user.password_hash) and await verify_password_async(user.password_hash, password)
    if not ok:
        identity = await authenticate_externally(name, password)
        ok = identity is not None
        if identity is not None and identity.display_name and not user.display_name:
            user.display_name = identity.display_name
    if not ok:
        raise LoginFailed(INVALID_CREDENTIALS, user_id=user.id)
    if not user.active:
        raise LoginFailed(
            AppError("account_disabled", Msg("账号已停用", "The account is disabled"), status=403)
        )
    user.failed_logins = 0
    user.locked_until = None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = await hash_password_async(password)
    return user


NO_POST = AppError(
    "no_post_in_tenant", Msg("您在该单位没有岗位", "You hold no post in that tenant"), status=403
)


async def login_tenant(session: AsyncSession, user_id: uuid.UUID, tenant_code: str | None) -> Tenant:
    """The tenant to sign in to: the one named (where the person must hold a post) or the first post's."""
    stmt = (
        select(Tenant)
        .join(Post, Post.tenant_id == Tenant.id)
        .where(Post.user_id == user_id, Tenant.active.is_(True))
        .order_by(Post.created_at, Post.id)
        .limit(1)
    )
    if tenant_code:
        stmt = stmt.where(Tenant.code == tenant_code.strip())
    tenant = await session.scalar(stmt)
    if tenant is None:
        raise NO_POST
    return tenant


async def tenants_of(session: AsyncSession, user_id: uuid.UUID) -> list[Tenant]:
    """Active tenants where the person holds a post."""
    rows = await session.scalars(
        select(Tenant)
        .where(Tenant.active.is_(True), Tenant.id.in_(select(Post.tenant_id).where(Post.user_id == user_id)))
        .order_by(Tenant.code)
    )
    return list(rows)


async def authenticate_citizen(session: AsyncSession, login: str, password: str) -> Citizen:
    key = login.strip().lower()
    citizen = await session.scalar(select(Citizen).where((Citizen.phone == key) | (Citizen.email == key)))
    if citizen is None:
        await verify_password_async(None, password)
        raise LoginFailed(INVALID_CREDENTIALS)
    _check_lock(citizen.locked_until)
    if not await verify_password_async(citizen.password_hash, password):
        raise LoginFailed(INVALID_CREDENTIALS, citizen_id=citizen.id)
    if not citizen.active:
        raise LoginFailed(
            AppError("account_disabled", Msg("账号已停用", "The account is disabled"), status=403)
        )
    citizen.failed_logins = 0
    citizen.locked_until = None
    return citizen


async def set_password(
    session: AsyncSession, user: User, password: str, *, must_change: bool = False
) -> None:
    """Store a new password (already checked against the policy) and clear any lock."""
    user.password_hash = await hash_password_async(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    user.failed_logins = 0
    user.locked_until = None
    await session.flush()
