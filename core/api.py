"""``core.api``: the ONE documented surface plugins may import. Anything not listed here is not API.

Groups:
- Plugin contract: :data:`hookimpl`, :class:`PluginManifest`, :class:`PermissionSpec`,
  :class:`MenuItem`, :class:`JobSpec`, :class:`Event`, :class:`LifecycleContext`,
  :class:`NotificationChannel`.
- Data: :class:`Base` (declarative base; name tables ``<plugin>_*``), mixins :class:`UUIDPk`,
  :class:`Timestamps`, :func:`get_database` (the process's :class:`Database`).
- Errors (one format for the API): :class:`AppError`, :class:`Msg`, :class:`FieldError`,
  :func:`invalid`, :func:`not_found`, :func:`forbidden`, :func:`conflict`.
- Security: :class:`Principal`, :func:`current_principal`, :func:`require_staff`,
  :func:`require_permission`.
- Events and settings: :func:`publish_event`, :func:`plugin_settings`.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import Base, Timestamps, UUIDPk
from core.db.engine import Database
from core.errors import AppError, FieldError, Msg, conflict, forbidden, invalid, not_found
from core.events import publish_event
from core.plugins.hookspecs import hookimpl
from core.plugins.models import PluginState
from core.plugins.types import (
    Event,
    EventHandler,
    JobSpec,
    LifecycleContext,
    MenuItem,
    NotificationChannel,
    PermissionSpec,
    PluginManifest,
)
from core.runtime import get_runtime
from core.security.guards import require_permission, require_staff
from core.security.principal import Principal, current_principal


def get_database() -> Database:
    """The process's database (API, worker or scheduler)."""
    db = get_runtime().db
    if db is None:
        raise RuntimeError("the database is not initialised yet in this process")
    return db


async def plugin_settings(session: AsyncSession, tenant_id: uuid.UUID, plugin: str) -> dict[str, Any]:
    """A plugin's settings for a tenant: its declared defaults overlaid with the tenant's overrides."""
    defaults = dict(get_runtime().plugin_settings.get(plugin, {}))
    row = await session.get(PluginState, (tenant_id, plugin))
    if row is not None and row.settings:
        defaults.update({k: v for k, v in row.settings.items() if k in defaults})
    return defaults


__all__ = [
    "AppError",
    "Base",
    "Database",
    "Event",
    "EventHandler",
    "FieldError",
    "JobSpec",
    "LifecycleContext",
    "MenuItem",
    "Msg",
    "NotificationChannel",
    "PermissionSpec",
    "PluginManifest",
    "Principal",
    "Timestamps",
    "UUIDPk",
    "conflict",
    "current_principal",
    "forbidden",
    "get_database",
    "hookimpl",
    "invalid",
    "not_found",
    "plugin_settings",
    "publish_event",
    "require_permission",
    "require_staff",
]
