"""Hook specifications of the fuban plugin contract.

A plugin is a module (named by an entry point in the ``fuban.plugins`` group) that holds a
``manifest`` (:class:`core.api.PluginManifest`) and functions decorated with ``@hookimpl``. Every
``register_*`` hook RETURNS PLAIN DATA; the core does the wiring (mounting routes, collecting models,
scheduling jobs). The core's own modules are a plugin named ``core`` and use the same hooks.

The core calls each ``register_*`` hook once per plugin and remembers which plugin returned what, so
a plugin never needs to name itself in the data it returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from core.plugins.types import (
        ArchivableSpec,
        EventHandler,
        JobSpec,
        LifecycleContext,
        MenuItem,
        NotificationChannel,
        PermissionSpec,
    )

PROJECT = "fuban"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_settings() -> dict[str, Any] | None:
    """Declare the plugin's per-tenant settings and their defaults.

    Returns:
        A mapping of setting name to default value (JSON-serialisable), or ``None``. Offices may
        override each value for their tenant; the core stores overrides and merges them over the
        defaults (see ``core.api.plugin_settings``).

    Example:
        ``{"intake_register_workdays": 2, "chase_before_workdays": 2}``
    """


@hookspec
def register_models() -> list[type[Any]] | None:
    """Declare the SQLAlchemy model classes the plugin owns.

    Returns:
        Mapped classes deriving from ``core.api.Base``. Their tables must be named
        ``<plugin>_*``; the core checks the prefix at load time and adds the metadata to the one
        Alembic environment (autogenerate sees them).
    """


@hookspec
def register_migrations() -> Path | None:
    """Point at the plugin's Alembic version directory.

    Returns:
        The directory holding the plugin's revision files. The first revision must carry
        ``branch_labels = ("<plugin>",)`` and ``down_revision = None`` (its own branch, depending on
        the core's head via ``depends_on`` when it references core tables). ``fuban db upgrade``
        applies every head.
    """


@hookspec
def register_permissions() -> list[PermissionSpec] | None:
    """Declare the permissions the plugin checks.

    Returns:
        :class:`core.api.PermissionSpec` items whose ``code`` starts with ``<plugin>.``, e.g.
        ``documents.outgoing.sign``, each with zh-CN and English titles for the role editor.
    """


@hookspec
def register_default_grants() -> dict[str, list[str]] | None:
    """Declare which built-in roles get which of the plugin's permissions when it is installed.

    Returns:
        Role code → permission codes, e.g. ``{"clerk": ["documents.incoming.register"]}``. The core
        seeds them for a tenant on install and never re-adds grants an admin later removed.
    """


@hookspec
def register_routes() -> list[Any] | None:
    """Provide the plugin's HTTP API.

    Returns:
        Litestar controllers, routers or route handlers. The core mounts them under
        ``/api/<plugin>`` and guards them: for a tenant where the plugin is not enabled they answer
        404. Handlers must declare an explicit ``operation_id``.
    """


@hookspec
def register_menu() -> list[MenuItem] | None:
    """Provide the plugin's entries of the staff console menu.

    Returns:
        :class:`core.api.MenuItem` trees. ``GET /api/menu`` serves them for the caller's tenant,
        dropping items whose plugin is not enabled there or whose ``permission`` the caller lacks.
    """


@hookspec
def register_jobs() -> list[JobSpec] | None:
    """Provide background jobs and their schedules.

    Returns:
        :class:`core.api.JobSpec` items. The core turns each into a Dramatiq actor named
        ``<plugin>.<name>`` on queue ``<plugin>``. A job with a ``schedule`` is enqueued by the
        scheduler exactly once per fire time (even with several scheduler replicas); a
        ``per_tenant`` job is enqueued once per tenant where the plugin is enabled and skipped at
        run time if the plugin was disabled meanwhile. Jobs must be idempotent.
    """


@hookspec
def register_event_handlers() -> dict[str, list[EventHandler]] | None:
    """Subscribe to domain events published through ``core.api.publish_event``.

    Returns:
        Event name → async callables ``handler(event: core.api.Event) -> None``. Handlers of a
        plugin run only for tenants where that plugin is enabled, inside the publisher's
        transaction, so a failing handler rolls the whole operation back.
    """


@hookspec
def register_cli() -> list[Callable[..., Any]] | None:
    """Add commands to the ``fuban`` command line.

    Returns:
        ``click`` commands or groups; they appear as ``fuban <plugin> <command>``.
    """


@hookspec
def register_notification_channels() -> list[NotificationChannel] | None:
    """Add delivery channels for notifications (SMS gateway, internal messenger, e-mail ...).

    Returns:
        :class:`core.api.NotificationChannel` objects. The in-app notification record is always
        written; each channel's ``deliver`` is then called with it. A channel failure is logged and
        does not undo the record.
    """


@hookspec
def register_archivable() -> list[ArchivableSpec] | None:
    """Declare what the plugin can archive (归档, DA/T 22-2015) and how to gather one 件.

    Returns:
        :class:`core.api.ArchivableSpec` items, one per kind (``kind`` starts with ``<plugin>.``, e.g.
        ``documents.outgoing``). ``collect(session, tenant_id, object_id)`` returns an
        :class:`core.api.ArchiveItem`: 题名, 责任者, 文号, 日期, 密级, 保管期限 (Y/D30/D10), 机构代码,
        页数 and the files (stored file ids and generated documents, optionally converted to PDF/A).
        ``mark_archived(session, tenant_id, object_id, archive_no)`` makes the object immutable in the
        plugin; the core calls it once, in the transaction that records the 件 as archived.

    The core's archive job assigns the 档号 ``全宗号-WS·年度-保管期限-机构-件号``, writes the files and an XML
    metadata record to the object-locked archive bucket and records sha256 checksums; requests go through
    ``core.api.request_archive`` or ``POST /api/archive/requests``.
    """


@hookspec
async def on_install(ctx: LifecycleContext) -> None:
    """Prepare the plugin for a tenant the first time it is installed there.

    Args:
        ctx: the tenant, a database session inside the install transaction, and versions.

    Must be idempotent: calling it again for the same tenant changes nothing.
    """


@hookspec
async def on_upgrade(ctx: LifecycleContext) -> None:
    """Migrate a tenant's data after the plugin's code version changed.

    Args:
        ctx: ``ctx.from_version`` is the version recorded for the tenant, ``ctx.to_version`` the
            manifest's. Schema changes belong in Alembic migrations, not here. Idempotent.
    """


@hookspec
async def on_enable(ctx: LifecycleContext) -> None:
    """React to the plugin being enabled for a tenant (routes, menu and jobs become active). Idempotent."""


@hookspec
async def on_disable(ctx: LifecycleContext) -> None:
    """React to the plugin being disabled for a tenant; its data stays. Idempotent."""


@hookspec
async def on_uninstall(ctx: LifecycleContext) -> None:
    """Remove the tenant's plugin-specific configuration; business records are kept for the archive.

    Idempotent: uninstalling twice, or a plugin never installed, is not an error.
    """


HOOK_NAMES: tuple[str, ...] = (
    "register_settings",
    "register_models",
    "register_migrations",
    "register_permissions",
    "register_default_grants",
    "register_routes",
    "register_menu",
    "register_jobs",
    "register_event_handlers",
    "register_cli",
    "register_notification_channels",
    "register_archivable",
    "on_install",
    "on_upgrade",
    "on_enable",
    "on_disable",
    "on_uninstall",
)
LIFECYCLE_HOOKS = frozenset({"on_install", "on_upgrade", "on_enable", "on_disable", "on_uninstall"})
