"""Plain data returned by plugin hooks (re-exported by :mod:`core.api`)."""

from __future__ import annotations

import datetime as dt
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


RETENTION_CODES: dict[str, str] = {"永久": "Y", "定期30年": "D30", "定期10年": "D10"}
"""保管期限 (DA/T 22-2015 §6): 永久 → ``Y``, 定期30年 → ``D30``, 定期10年 → ``D10``."""


@dataclass(frozen=True)
class ArchiveStoredFile:
    """A file already in core storage (``core_files`` id) that belongs to the 件, copied as it is."""

    file_id: uuid.UUID
    name: str | None = None  # shown in the package; defaults to the file's original name
    role: str = "attachment"  # 正本/附件/处理单...: ``original``, ``attachment``, ``draft``, ``form``


@dataclass(frozen=True)
class ArchiveGeneratedFile:
    """A document the plugin renders for the archive (e.g. the 发文处理单 or the GB/T 9704 PDF).

    ``content`` is PDF bytes or UTF-8 text. With ``to_pdfa`` the core stores it as PDF/A (PDF/A-2b intent:
    embedded fonts, sRGB output intent, XMP ``pdfaid``); text is first typeset as a PDF. Must render the
    same bytes every time for the same object (a re-run of an interrupted archive compares checksums).
    """

    name: str
    content: bytes
    to_pdfa: bool = True
    role: str = "original"


@dataclass(frozen=True)
class ArchiveItem:
    """The metadata of one 件 (DA/T 22-2015 §7 著录) and its files, as ``collect`` returns it.

    Attributes:
        title: 题名. ``responsible``: 责任者. ``doc_no``: 文号 (may be empty, e.g. 抄件).
        doc_date: 日期 (成文日期). ``year``: 年度 (defaults to ``doc_date.year``).
        retention: 保管期限 code ``Y`` / ``D30`` / ``D10`` (or the Chinese term, see RETENTION_CODES).
        org_code: 机构（问题）代码, e.g. ``BGS`` (办公室); letters and digits.
        classification: 密级 0 非密, 1 秘密, 2 机密, 3 绝密. ``pages``: 页数.
        files: stored files and generated documents, in the order of the 件 (正本 first).
        extra: further DA/T 46 elements (主题词, 附注 ...) written into the XML record as they are.
    """

    title: str
    responsible: str
    doc_date: dt.date
    retention: str
    org_code: str
    doc_no: str = ""
    year: int | None = None
    classification: int = 0
    pages: int = 0
    files: tuple[ArchiveStoredFile | ArchiveGeneratedFile, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


ArchiveCollect = Callable[["AsyncSession", uuid.UUID, str], Awaitable[ArchiveItem]]
ArchiveMarkArchived = Callable[["AsyncSession", uuid.UUID, str, str], Awaitable[None]]


@dataclass(frozen=True)
class ArchivableSpec:
    """What a plugin can archive (归档), e.g. kind ``documents.outgoing`` (发文).

    Attributes:
        kind: ``<plugin>.<thing>``; requests name it with the object's id.
        title: zh-CN name of the kind (shown in lists).
        collect: ``await collect(session, tenant_id, object_id) -> ArchiveItem``; read-only, deterministic;
            raise ``core.api.not_found`` / ``invalid`` if the object cannot be archived (yet).
        mark_archived: ``await mark_archived(session, tenant_id, object_id, archive_no)``: make the object
            immutable in the plugin. Called once, in the same transaction that records the 件 as archived.
    """

    kind: str
    title: str
    collect: ArchiveCollect
    mark_archived: ArchiveMarkArchived
