"""``fuban platform create-admin``: the installation's first administrator (平台管理员).

A fresh production install has the platform tenant but nobody in it; this command (run once, e.g.
``kubectl exec`` into an API pod) creates the platform tenant's ``sysadmin`` with a one-time password
printed once and to be changed at first sign-in. ``--reset`` issues a new one-time password for an
existing account (lost password, locked out) and ends its sessions.
"""

from __future__ import annotations

import asyncio

import click
from sqlalchemy import select

from core.db.engine import Database
from core.errors import AppError
from core.identity import audit_hook
from core.identity.bootstrap import create_staff
from core.identity.passwords import generate_password
from core.identity.service import set_password
from core.identity.sessions import revoke_sessions
from core.org.models import User
from core.org.service import check_username, normalise_username
from core.org.tenants import ensure_platform_tenant
from core.permissions.core_permissions import SYSADMIN
from core.permissions.policy import user_role_codes
from core.settings import ConfigError, load_settings


@click.group("platform")
def platform() -> None:
    """Platform administration (平台管理): the installation's administrator account."""


@platform.command("create-admin")
@click.argument("username")
@click.option("--display-name", default="", help="Name shown in the console.")
@click.option("--reset", is_flag=True, help="The account exists: issue a new one-time password.")
def create_admin(username: str, display_name: str, reset: bool) -> None:
    """Create the platform's system administrator USERNAME with a one-time password (printed once)."""
    try:
        settings = load_settings()
    except ConfigError as err:
        raise click.ClickException(str(err)) from None
    password = generate_password()

    async def go() -> str:
        db = Database(settings)
        try:
            async with db.transaction() as session:
                platform_tenant = await ensure_platform_tenant(session)
                name = normalise_username(username)
                user = await session.scalar(select(User).where(User.username == name))
                if user is not None and not reset:
                    raise click.ClickException(f"account {name!r} exists; pass --reset for a new password")
                if user is None and reset:
                    raise click.ClickException(f"no account {name!r} to reset")
                if user is None:
                    try:
                        check_username(name)
                    except AppError as err:
                        detail = "; ".join(f.message.en for f in err.fields) or err.message.en
                        raise click.ClickException(detail) from None
                    user = await create_staff(
                        session,
                        tenant_id=platform_tenant.id,
                        username=name,
                        password=None,
                        display_name=display_name or name,
                        roles=[SYSADMIN],
                    )
                    action = "core.platform.admin_created"
                else:
                    # Only the platform's own administrators: never a county office's account.
                    if SYSADMIN not in await user_role_codes(session, user.id, platform_tenant.id):
                        raise click.ClickException(f"{name!r} is not a platform administrator")
                    await revoke_sessions(session, user_id=user.id)
                    action = "core.platform.admin_reset"
                await set_password(session, user, password, must_change=True)
                await audit_hook.record(
                    session, None, action, object_type="user", object_id=user.id, tenant_id=platform_tenant.id
                )
                return name
        finally:
            await db.dispose()

    name = asyncio.run(go())
    click.echo(f"platform administrator: {name}")
    click.echo(f"one-time password (shown once, change it at first sign-in): {password}")
