"""Plain data returned by plugin hooks (re-exported by :mod:`core.api`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


@dataclass(frozen=True)
class PluginManifest:
    """What a plugin declares about itself in ``plugin.py`` as ``manifest = PluginManifest(...)``.

    Attributes:
        name: short lower-case name; prefixes its tables, permissions, routes, queue and i18n keys.
        version: the plugin's version (PEP 440).
        title: zh-CN display name; ``title_en`` the English one.
        requires_core: PEP 440 specifier the core version must satisfy, e.g. ``">=0.1,<1"``.
        depends: names of plugins that must be loaded (and enabled per tenant) first.
    """

    name: str
    version: str
    title: str
    title_en: str = ""
    requires_core: str = ""
    depends: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class PermissionSpec:
    """A permission a plugin checks, e.g. ``documents.outgoing.sign`` (签发)."""

    code: str
    title: str
    title_en: str
    description: str = ""


@dataclass(frozen=True)
class MenuItem:
    """A staff-console menu entry; ``title`` is an i18n key such as ``documents.menu.incoming``."""

    key: str
    title: str
    path: str = ""
    icon: str = ""
    permission: str | None = None
    order: int = 100
    children: tuple[MenuItem, ...] = ()


@dataclass(frozen=True)
class JobSpec:
    """A background job.

    Attributes:
        name: unique within the plugin; the actor is ``<plugin>.<name>``.
        fn: ``fn(**kwargs)`` (sync or async). A ``per_tenant`` job receives ``tenant_id: str``.
        schedule: a 5-field cron expression (office time zone) or ``None`` for on-demand jobs.
        per_tenant: run once per tenant that has the plugin enabled.
        max_retries: Dramatiq retries on failure (jobs are idempotent, so retrying is safe).
        time_limit_ms: Dramatiq time limit.
    """

    name: str
    fn: Callable[..., Any]
    schedule: str | None = None
    per_tenant: bool = False
    max_retries: int = 3
    time_limit_ms: int = 10 * 60 * 1000


@dataclass(frozen=True)
class Event:
    """A domain event, e.g. ``documents.outgoing.signed``; ``tenant_id`` ``None`` means system-wide."""

    name: str
    tenant_id: uuid.UUID | None
    payload: dict[str, Any]
    session: AsyncSession


EventHandler = Callable[[Event], Awaitable[None]]


@dataclass(frozen=True)
class LifecycleContext:
    """Passed to ``on_install`` & co: the tenant and a session inside the state-change transaction."""

    plugin: str
    tenant_id: uuid.UUID
    session: AsyncSession
    from_version: str | None = None
    to_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class NotificationChannel(Protocol):
    """A way to deliver a notification besides the in-app record."""

    name: str

    async def deliver(self, notification: dict[str, Any]) -> None: ...
