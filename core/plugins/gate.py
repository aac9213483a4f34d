"""Guard that hides a plugin's routes from tenants where it is not enabled (answers 404)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.errors import not_found
from core.plugins.service import PluginService
from core.runtime import get_runtime
from core.tenancy.resolve import request_tenant_id


def plugin_gate(name: str) -> Any:
    """A Litestar guard for every route of plugin ``name``."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        rt = get_runtime()
        assert rt.db is not None
        async with rt.db.sessionmaker() as session:
            tenant_id = await request_tenant_id(connection, session)
            enabled = tenant_id is not None and await PluginService(rt.manager).is_enabled(
                session, tenant_id, name
            )
        if not enabled:
            # 404, not 403: a tenant without the module must not learn that it exists.
            raise not_found()

    guard.__name__ = f"plugin_gate_{name}"
    return guard
