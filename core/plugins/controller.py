"""``/api/plugins`` (registry and per-tenant lifecycle) and ``/api/menu``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity import audit_hook
from core.plugins.manager import CORE_PLUGIN
from core.plugins.models import PluginState
from core.plugins.schemas import MenuNode, PluginOut
from core.plugins.service import PluginService
from core.plugins.types import MenuItem
from core.runtime import get_runtime
from core.security.guards import principal_or_401, require_permission, require_staff
from core.security.principal import Principal

MANAGE = "core.plugins.manage"


def _out(name: str, row: PluginState | None) -> PluginOut:
    rt = get_runtime()
    plugin = rt.manager.get(name)
    assert plugin is not None
    m = plugin.manifest
    state = "enabled" if name == CORE_PLUGIN else (row.state if row else "not_installed")
    return PluginOut(
        name=m.name,
        version=m.version,
        title=m.title,
        title_en=m.title_en,
        description=m.description,
        requires_core=m.requires_core,
        depends=list(m.depends),
        hooks=list(plugin.hooks),
        builtin=plugin.builtin,
        state=state,
        installed_version=m.version if name == CORE_PLUGIN else (row.version if row else None),
    )


def _tenant(principal: Principal) -> str:
    assert principal.tenant_id is not None
    return str(principal.tenant_id)


class PluginController(Controller):
    path = "/plugins"
    guards = [require_staff]  # noqa: RUF012 - Litestar reads class attributes
    tags = ["plugins"]  # noqa: RUF012

    @get("/", operation_id="plugins_list", summary="List plugins with their state for my tenant")
    async def list_plugins(
        self, request: Request[Any, Any, Any], db_session: AsyncSession
    ) -> list[PluginOut]:
        principal = principal_or_401(request)
        assert principal.tenant_id is not None
        service = PluginService(get_runtime().manager)
        states = await service.states(db_session, principal.tenant_id)
        return [_out(p.name, states.get(p.name)) for p in service.manager.plugins]

    async def _change(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, name: str, action: str
    ) -> PluginOut:
        principal = principal_or_401(request)
        assert principal.tenant_id is not None
        service = PluginService(get_runtime().manager)
        tid = principal.tenant_id
        before = (await service.states(db_session, tid)).get(name)
        before_state = before.state if before is not None else None
        if action == "install":
            await service.install(db_session, tid, name)
        elif action == "enable":
            await service.enable(db_session, tid, name)
        elif action == "disable":
            await service.disable(db_session, tid, name)
        else:
            await service.uninstall(db_session, tid, name)
        after = (await service.states(db_session, tid)).get(name)
        await audit_hook.record(
            db_session,
            principal,
            f"core.plugin.{action}",
            object_type="plugin",
            object_id=name,
            tenant_id=tid,
            before={"state": before_state},
            after={"state": after.state if after is not None else None},
        )
        return _out(name, after)

    @post(
        "/{name:str}/install",
        operation_id="plugins_install",
        guards=[require_permission(MANAGE)],
        status_code=200,
    )
    async def install(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, name: str
    ) -> PluginOut:
        return await self._change(request, db_session, name, "install")

    @post(
        "/{name:str}/enable",
        operation_id="plugins_enable",
        guards=[require_permission(MANAGE)],
        status_code=200,
    )
    async def enable(self, request: Request[Any, Any, Any], db_session: AsyncSession, name: str) -> PluginOut:
        return await self._change(request, db_session, name, "enable")

    @post(
        "/{name:str}/disable",
        operation_id="plugins_disable",
        guards=[require_permission(MANAGE)],
        status_code=200,
    )
    async def disable(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, name: str
    ) -> PluginOut:
        return await self._change(request, db_session, name, "disable")

    @post(
        "/{name:str}/uninstall",
        operation_id="plugins_uninstall",
        guards=[require_permission(MANAGE)],
        status_code=200,
    )
    async def uninstall(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, name: str
    ) -> PluginOut:
        return await self._change(request, db_session, name, "uninstall")


def _visible(
    items: list[MenuItem] | tuple[MenuItem, ...], plugin: str, perms: frozenset[str]
) -> list[MenuNode]:
    nodes = []
    for item in sorted(items, key=lambda i: (i.order, i.key)):
        if item.permission and item.permission not in perms:
            continue
        children = _visible(item.children, plugin, perms)
        if item.children and not children and not item.path:
            continue  # a group whose every child is hidden would be an empty folder
        nodes.append(
            MenuNode(
                key=item.key,
                title=item.title,
                path=item.path,
                icon=item.icon,
                plugin=plugin,
                order=item.order,
                children=children,
            )
        )
    return nodes


class MenuController(Controller):
    path = "/menu"
    guards = [require_staff]  # noqa: RUF012
    tags = ["plugins"]  # noqa: RUF012

    @get("/", operation_id="menu_get", summary="The console menu for me: enabled plugins, permitted items")
    async def menu(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> list[MenuNode]:
        principal = principal_or_401(request)
        assert principal.tenant_id is not None
        rt = get_runtime()
        states = await PluginService(rt.manager).states(db_session, principal.tenant_id)
        out: list[MenuNode] = []
        for plugin, items in rt.menus.items():
            if plugin != CORE_PLUGIN and (plugin not in states or states[plugin].state != "enabled"):
                continue
            out.extend(_visible(items, plugin, principal.permissions))
        return sorted(out, key=lambda n: (n.order, n.key))
