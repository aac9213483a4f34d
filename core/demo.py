"""Demo data for ``fuban dev``: one county office with units and one account per built-in role.

Dev only: the demo password is printed on the console, so production refuses to seed it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.bootstrap import create_staff, ensure_tenant
from core.identity.passwords import hash_password_async
from core.org.models import Unit, User
from core.org.service import create_unit
from core.plugins.manager import CORE_PLUGIN, PluginManager
from core.plugins.service import PluginService
from core.settings import get_settings

DEMO_TENANT = "demo"
DEMO_PASSWORD = "Fuban-Demo-2026!"  # noqa: S105 - dev-only demo accounts, printed on start

UNITS = [
    ("office", "办公室"),
    ("secretariat", "秘书科"),
    ("general", "综合科"),
    ("supervision", "督查室"),
    ("petitions", "信访科"),
    ("duty", "总值班室"),
]

# username, display name, unit code, title, roles, clearance, leader
ACCOUNTS = [
    ("admin", "系统管理员", "office", "系统管理员", ("sysadmin",), 0, False),
    ("secadmin", "安全保密管理员", "office", "保密员", ("secadmin",), 2, False),
    ("auditor", "安全审计员", "office", "审计员", ("auditadmin",), 0, False),
    ("leader", "王主任", "office", "办公室主任", ("leader", "staff"), 2, True),
    ("clerk", "李文秘", "secretariat", "文秘", ("clerk", "staff"), 1, False),
    ("staff", "张科员", "general", "科员", ("staff",), 0, False),
]


async def seed_demo(session: AsyncSession, manager: PluginManager) -> list[tuple[str, str]]:
    """Idempotent: creates what is missing and installs every loaded plugin for the demo tenant."""
    if get_settings().env == "production":
        raise RuntimeError("demo data is never seeded in production")
    tenant = await ensure_tenant(session, code=DEMO_TENANT, name="演示县人民政府办公室")
    units: dict[str, Unit] = {
        u.code: u for u in await session.scalars(select(Unit).where(Unit.tenant_id == tenant.id))
    }
    for code, name in UNITS:
        if code not in units:
            units[code] = await create_unit(session, tenant.id, code=code, name=name)
    hashed = await hash_password_async(DEMO_PASSWORD)
    existing = set(await session.scalars(select(User.username)))
    for username, name, unit, title, roles, clearance, leader in ACCOUNTS:
        if username in existing:
            continue
        await create_staff(
            session,
            tenant_id=tenant.id,
            username=username,
            password=None,
            password_hash=hashed,
            display_name=name,
            unit_id=units[unit].id,
            roles=roles,
            clearance=clearance,
            title=title,
            is_leader=leader,
        )
    service = PluginService(manager)
    for plugin in manager.plugins:
        if plugin.name != CORE_PLUGIN:
            await service.install(session, tenant.id, plugin.name)
    return [(a[0], DEMO_PASSWORD) for a in ACCOUNTS]
