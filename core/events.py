"""Domain events: publish inside a transaction; handlers declared via ``register_event_handlers``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.plugins.manager import CORE_PLUGIN
from core.plugins.service import PluginService
from core.plugins.types import Event
from core.runtime import get_runtime


async def publish_event(
    session: AsyncSession, name: str, payload: dict[str, Any], tenant_id: uuid.UUID | None = None
) -> int:
    """Run every handler of ``name`` in the caller's transaction; return how many ran.

    A plugin's handlers run only where that plugin is enabled for ``tenant_id`` (system-wide events,
    ``tenant_id=None``, reach every plugin). A handler's exception propagates so the caller's whole
    operation rolls back instead of half-happening.
    """
    rt = get_runtime()
    service = PluginService(rt.manager)
    event = Event(name=name, tenant_id=tenant_id, payload=payload, session=session)
    ran = 0
    for plugin, handler in rt.event_handlers.get(name, []):
        if (
            tenant_id is not None
            and plugin != CORE_PLUGIN
            and not await service.is_enabled(session, tenant_id, plugin)
        ):
            continue
        await handler(event)
        ran += 1
    return ran
