"""The wiring of one process: settings, database, loaded plugins and what their hooks returned.

API, worker, scheduler and CLI each build one :class:`Runtime` at start; hooks are collected once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from core.db.engine import Database
from core.plugins.manager import PluginManager
from core.plugins.types import EventHandler, JobSpec, MenuItem, NotificationChannel, PermissionSpec
from core.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything the core collected from the plugins' ``register_*`` hooks."""

    settings: Settings
    manager: PluginManager
    db: Database | None = None
    permissions: dict[str, list[PermissionSpec]] = field(default_factory=dict)
    default_grants: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    menus: dict[str, list[MenuItem]] = field(default_factory=dict)
    jobs: dict[str, list[JobSpec]] = field(default_factory=dict)
    event_handlers: dict[str, list[tuple[str, EventHandler]]] = field(default_factory=dict)
    channels: list[NotificationChannel] = field(default_factory=list)
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    storage: Any = None  # core.storage.service.StorageService, built on first use (see core.api.get_storage)

    @classmethod
    def build(cls, settings: Settings, manager: PluginManager, db: Database | None = None) -> Runtime:
        rt = cls(settings=settings, manager=manager, db=db)
        rt.permissions = manager.collect("register_permissions")
        for plugin, specs in rt.permissions.items():
            bad = [s.code for s in specs if not s.code.startswith(plugin + ".")]
            if bad:
                raise ValueError(f"plugin {plugin!r}: permission codes must start with {plugin}.: {bad}")
        rt.default_grants = manager.collect("register_default_grants")
        rt.menus = manager.collect("register_menu")
        rt.jobs = manager.collect("register_jobs")
        rt.plugin_settings = manager.collect("register_settings")
        for plugin, handlers in manager.collect("register_event_handlers").items():
            for event, fns in handlers.items():
                rt.event_handlers.setdefault(event, []).extend((plugin, fn) for fn in fns)
        for chans in manager.collect("register_notification_channels").values():
            rt.channels.extend(chans)
        # Any process that installs plugins or seeds tenants needs the catalogue and default grants.
        from core.permissions.registry import set_default_grants, set_registered_permissions  # noqa: PLC0415

        set_registered_permissions(rt.permissions)
        set_default_grants(rt.default_grants)
        from core.deadlines.service import install_calendar_listener  # noqa: PLC0415

        install_calendar_listener()  # imported years recompute provisional deadlines (idempotent)
        from core.audit.hooks import install_identity_recorder  # noqa: PLC0415

        install_identity_recorder()  # identity/org/permission changes land in the audit log
        from core.identity.ldap import install_ldap_provider  # noqa: PLC0415

        install_ldap_provider(settings)
        return rt


_current: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    global _current  # noqa: PLW0603 - one runtime per process by design
    _current = runtime


def get_runtime() -> Runtime:
    if _current is None:
        raise RuntimeError("fuban runtime is not initialised in this process")
    return _current
