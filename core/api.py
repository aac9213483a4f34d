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
  :func:`require_permission`, :func:`require_citizen`; :func:`tenant_principal` (the signed-in caller
  inside a handler, 401 when there is none); :func:`request_tenant_id` (the caller's tenant,
  or the ``X-Fuban-Tenant`` header's on public routes).
- Row-level SQL filters (行级过滤): :func:`tenant_filter`, :func:`clearance_filter` (密级),
  :func:`reader_list_filter` (知悉范围), :func:`unit_scope_filter`, :func:`user_units`.
- Events and settings: :func:`publish_event`, :func:`plugin_settings`.
- People to notify: :func:`permission_holders` (active holders of a permission in a tenant, optionally
  only those with a post in one unit).
- Lists (分页与检索): :func:`fetch_page` (one page of an ordered query and its total),
  :func:`like_pattern` (search text as an escaped ``ILIKE`` pattern).
- Working-day calendar (工作日历): :func:`load_calendar` → :class:`WorkCalendar` (``add_workdays``,
  ``add_days``, ``add_months``, ``is_workday``), :class:`Due`.
- Deadlines (期限) and notifications: :func:`register_deadline`, :func:`complete_deadline`,
  :func:`cancel_deadline`, :func:`explain_deadline` (书面说明 of a missed one), :class:`ReminderSpec`,
  :data:`DEFAULT_REMINDERS`, :func:`create_notification`.
- Files (存储): :class:`StorageService` (``store``, ``upload``, ``presigned_url``, ``lock_object``,
  ``delete``), :class:`StoredFile`, :class:`StoragePolicy` + :func:`register_storage_policy`,
  :func:`get_storage` (the process's service).
- PDFs: :func:`cjk_font` (a Chinese TrueType face registered with reportlab, for notices and reports).
- Audit (审计): :func:`audit_record` for every state change, :func:`audit_read` for reads of classified
  content; both write in the caller's transaction.
- Archive (归档, DA/T 22-2015): :class:`ArchivableSpec` (returned by ``register_archivable``),
  :class:`ArchiveItem`, :class:`ArchiveStoredFile`, :class:`ArchiveGeneratedFile`; :func:`request_archive`
  asks for an object to be archived (the job runs after the caller's commit).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.archive.service import request_archive
from core.audit.service import record as audit_record
from core.audit.service import record_read as audit_read
from core.calendar.rules import Due, WorkCalendar
from core.calendar.service import load_calendar
from core.db.base import Base, Timestamps, UUIDPk
from core.db.engine import Database
from core.deadlines.service import (
    DEFAULT_REMINDERS,
    ReminderSpec,
    cancel_deadline,
    complete_deadline,
    register_deadline,
)
from core.deadlines.service import explain_missed as explain_deadline
from core.errors import AppError, FieldError, Msg, conflict, forbidden, invalid, not_found
from core.events import publish_event
from core.identity.controller import require_citizen
from core.notifications.service import create_notification
from core.org.models import Unit
from core.org.pagination import fetch_page, like_pattern
from core.pdf_fonts import cjk_font
from core.permissions.policy import permission_holders
from core.plugins.hookspecs import hookimpl
from core.plugins.models import PluginState
from core.plugins.service import PluginService
from core.plugins.types import (
    ArchivableSpec,
    ArchiveGeneratedFile,
    ArchiveItem,
    ArchiveStoredFile,
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
from core.security.filters import (
    clearance_filter,
    reader_list_filter,
    tenant_filter,
    unit_scope_filter,
    user_units,
)
from core.security.guards import require_permission, require_staff, tenant_principal
from core.security.principal import Principal, current_principal
from core.settings import Settings, get_settings
from core.storage.models import StoredFile
from core.storage.policy import StoragePolicy
from core.storage.policy import register_policy as register_storage_policy
from core.storage.service import StorageService
from core.tenancy.models import Tenant
from core.tenancy.resolve import request_tenant_id


def get_database() -> Database:
    """The process's database (API, worker or scheduler)."""
    db = get_runtime().db
    if db is None:
        raise RuntimeError("the database is not initialised yet in this process")
    return db


def get_storage() -> StorageService:
    """The process's file storage (API, worker or scheduler), built from settings on first use."""
    rt = get_runtime()
    if not isinstance(rt.storage, StorageService):
        rt.storage = StorageService.from_settings(rt.settings)
    return rt.storage


async def plugin_enabled(session: AsyncSession, tenant_id: uuid.UUID, plugin: str) -> bool:
    """Whether ``plugin`` is enabled for ``tenant_id`` (e.g. before handing a case to another office)."""
    return await PluginService(get_runtime().manager).is_enabled(session, tenant_id, plugin)


async def plugin_settings(session: AsyncSession, tenant_id: uuid.UUID, plugin: str) -> dict[str, Any]:
    """A plugin's settings for a tenant: its declared defaults overlaid with the tenant's overrides."""
    defaults = dict(get_runtime().plugin_settings.get(plugin, {}))
    row = await session.get(PluginState, (tenant_id, plugin))
    if row is not None and row.settings:
        defaults.update({k: v for k, v in row.settings.items() if k in defaults})
    return defaults


__all__ = [
    "DEFAULT_REMINDERS",
    "AppError",
    "ArchivableSpec",
    "ArchiveGeneratedFile",
    "ArchiveItem",
    "ArchiveStoredFile",
    "Base",
    "Database",
    "Due",
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
    "ReminderSpec",
    "Settings",
    "StoragePolicy",
    "StorageService",
    "StoredFile",
    "Tenant",
    "Timestamps",
    "UUIDPk",
    "Unit",
    "WorkCalendar",
    "audit_read",
    "audit_record",
    "cancel_deadline",
    "cjk_font",
    "clearance_filter",
    "complete_deadline",
    "conflict",
    "create_notification",
    "current_principal",
    "explain_deadline",
    "fetch_page",
    "forbidden",
    "get_database",
    "get_settings",
    "get_storage",
    "hookimpl",
    "invalid",
    "like_pattern",
    "load_calendar",
    "not_found",
    "permission_holders",
    "plugin_enabled",
    "plugin_settings",
    "publish_event",
    "reader_list_filter",
    "register_deadline",
    "register_storage_policy",
    "request_archive",
    "request_tenant_id",
    "require_citizen",
    "require_permission",
    "require_staff",
    "tenant_filter",
    "tenant_principal",
    "unit_scope_filter",
    "user_units",
]
