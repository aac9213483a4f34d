"""Per-tenant plugin lifecycle: install, enable, disable, uninstall, upgrade (all idempotent)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import AppError, Msg
from core.permissions.registry import seed_default_grants
from core.plugins.manager import CORE_PLUGIN, PluginManager
from core.plugins.models import STATE_DISABLED, STATE_ENABLED, PluginState
from core.plugins.types import LifecycleContext
from core.tenancy.models import Tenant

InstallListener = Callable[[AsyncSession, uuid.UUID, str], Awaitable[None]]
_install_listeners: list[InstallListener] = []


def on_plugin_installed(listener: InstallListener) -> None:
    """Run ``listener(session, tenant_id, plugin)`` after a first install (e.g. seeding default grants)."""
    if listener not in _install_listeners:
        _install_listeners.append(listener)


def _unknown(name: str) -> AppError:
    return AppError(
        "plugin_not_found",
        Msg(f"插件 {name} 不存在或未被允许", f"Plugin {name} is not installed or allowed"),
        404,
    )


class PluginService:
    """Changes a tenant's plugin states and calls the lifecycle hooks inside the caller's transaction."""

    def __init__(self, manager: PluginManager) -> None:
        self.manager = manager

    def _require(self, name: str) -> None:
        if self.manager.get(name) is None:
            raise _unknown(name)
        if name == CORE_PLUGIN:
            raise AppError("plugin_is_core", Msg("核心模块不可更改", "The core cannot be changed"), 409)

    async def states(self, session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, PluginState]:
        rows = await session.scalars(select(PluginState).where(PluginState.tenant_id == tenant_id))
        return {r.plugin: r for r in rows}

    async def is_enabled(self, session: AsyncSession, tenant_id: uuid.UUID, name: str) -> bool:
        if name == CORE_PLUGIN:
            return True
        if self.manager.get(name) is None:
            return False
        state = await session.scalar(
            select(PluginState.state).where(PluginState.tenant_id == tenant_id, PluginState.plugin == name)
        )
        return state == STATE_ENABLED

    async def _ctx(
        self, session: AsyncSession, tenant_id: uuid.UUID, name: str, **kw: Any
    ) -> LifecycleContext:
        return LifecycleContext(plugin=name, tenant_id=tenant_id, session=session, **kw)

    async def install(
        self, session: AsyncSession, tenant_id: uuid.UUID, name: str, *, enable: bool = True
    ) -> PluginState:
        """Install for a tenant (runs ``on_install`` and seeds default grants once); enables by default."""
        self._require(name)
        plugin = self.manager.get(name)
        assert plugin is not None
        states = await self.states(session, tenant_id)
        missing = [d for d in plugin.manifest.depends if d != CORE_PLUGIN and d not in states]
        if missing:
            raise AppError(
                "plugin_dependency_missing",
                Msg(
                    "请先安装依赖插件：" + "、".join(missing),
                    "Install the plugins it depends on first: " + ", ".join(missing),
                ),
                409,
                extra={"missing": missing},
            )
        row = states.get(name)
        if row is None:
            row = PluginState(
                tenant_id=tenant_id,
                plugin=name,
                state=STATE_DISABLED,
                version=plugin.manifest.version,
                settings={},
            )
            session.add(row)
            await session.flush()
            await self.manager.call_lifecycle(
                name, "on_install", ctx=await self._ctx(session, tenant_id, name)
            )
            await seed_default_grants(session, tenant_id, name)
            for listener in _install_listeners:
                await listener(session, tenant_id, name)
        if enable:
            await self.enable(session, tenant_id, name)
        return row

    async def enable(self, session: AsyncSession, tenant_id: uuid.UUID, name: str) -> PluginState:
        self._require(name)
        plugin = self.manager.get(name)
        assert plugin is not None
        states = await self.states(session, tenant_id)
        row = states.get(name)
        if row is None:
            raise AppError("plugin_not_installed", Msg("插件尚未安装", "The plugin is not installed"), 409)
        off = [
            d
            for d in plugin.manifest.depends
            if d != CORE_PLUGIN and (d not in states or states[d].state != STATE_ENABLED)
        ]
        if off:
            raise AppError(
                "plugin_dependency_disabled",
                Msg(
                    "请先启用依赖插件：" + "、".join(off),
                    "Enable the plugins it depends on first: " + ", ".join(off),
                ),
                409,
                extra={"missing": off},
            )
        if row.state != STATE_ENABLED:
            row.state = STATE_ENABLED
            await session.flush()
            await self.manager.call_lifecycle(
                name, "on_enable", ctx=await self._ctx(session, tenant_id, name)
            )
        return row

    def _dependents(self, name: str, states: dict[str, PluginState], *, enabled_only: bool) -> list[str]:
        return [
            p.name
            for p in self.manager.plugins
            if name in p.manifest.depends
            and p.name in states
            and (not enabled_only or states[p.name].state == STATE_ENABLED)
        ]

    async def disable(self, session: AsyncSession, tenant_id: uuid.UUID, name: str) -> PluginState | None:
        self._require(name)
        states = await self.states(session, tenant_id)
        row = states.get(name)
        if row is None or row.state == STATE_DISABLED:
            return row
        users = self._dependents(name, states, enabled_only=True)
        if users:
            raise AppError(
                "plugin_required_by",
                Msg(
                    "以下插件依赖它，请先停用：" + "、".join(users),
                    "Disable the plugins that need it first: " + ", ".join(users),
                ),
                409,
                extra={"required_by": users},
            )
        row.state = STATE_DISABLED
        await session.flush()
        await self.manager.call_lifecycle(name, "on_disable", ctx=await self._ctx(session, tenant_id, name))
        return row

    async def uninstall(self, session: AsyncSession, tenant_id: uuid.UUID, name: str) -> bool:
        """Disable if needed, run ``on_uninstall`` and forget the state; ``False`` if not installed."""
        self._require(name)
        states = await self.states(session, tenant_id)
        if name not in states:
            return False
        users = self._dependents(name, states, enabled_only=False)
        if users:
            raise AppError(
                "plugin_required_by",
                Msg(
                    "以下插件依赖它，请先卸载：" + "、".join(users),
                    "Uninstall the plugins that need it first: " + ", ".join(users),
                ),
                409,
                extra={"required_by": users},
            )
        await self.disable(session, tenant_id, name)
        await self.manager.call_lifecycle(name, "on_uninstall", ctx=await self._ctx(session, tenant_id, name))
        await session.execute(
            delete(PluginState).where(PluginState.tenant_id == tenant_id, PluginState.plugin == name)
        )
        return True

    async def upgrade_all(self, session: AsyncSession) -> list[tuple[uuid.UUID, str, str, str]]:
        """Run ``on_upgrade`` wherever a tenant's recorded version differs from the code's."""
        done: list[tuple[uuid.UUID, str, str, str]] = []
        for row in await session.scalars(select(PluginState).order_by(PluginState.plugin)):
            plugin = self.manager.get(row.plugin)
            if plugin is None or plugin.manifest.version == row.version:
                continue
            old = row.version
            ctx = await self._ctx(
                session, row.tenant_id, row.plugin, from_version=old, to_version=plugin.manifest.version
            )
            await self.manager.call_lifecycle(row.plugin, "on_upgrade", ctx=ctx)
            row.version = plugin.manifest.version
            done.append((row.tenant_id, row.plugin, old, plugin.manifest.version))
        await session.flush()
        return done

    async def enabled_tenants(self, session: AsyncSession, name: str) -> list[uuid.UUID]:
        """Tenants where the plugin is enabled (for the core: every active tenant)."""
        if name == CORE_PLUGIN:
            return list(await session.scalars(select(Tenant.id).where(Tenant.active.is_(True))))
        return list(
            await session.scalars(
                select(PluginState.tenant_id)
                .join(Tenant, Tenant.id == PluginState.tenant_id)
                .where(
                    PluginState.plugin == name, PluginState.state == STATE_ENABLED, Tenant.active.is_(True)
                )
            )
        )
