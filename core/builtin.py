"""The core's own features, declared through the same hooks every plugin uses."""

from __future__ import annotations

from typing import Any

from core import __version__
from core.plugins.hookspecs import hookimpl
from core.plugins.types import ArchivableSpec, JobSpec, MenuItem, PermissionSpec, PluginManifest
from core.settings import get_settings

manifest = PluginManifest(
    name="core",
    version=__version__,
    title="平台核心",
    title_en="Platform core",
    description="身份、权限、存储、审计、工作日历、期限、任务与插件管理",
)

FEATURE_PERMISSIONS = [
    PermissionSpec(
        "core.deadlines.read_all",
        "查看本单位全部期限",
        "See all deadlines of the tenant",
        "Without it a person sees the deadlines assigned or escalated to them.",
    ),
    PermissionSpec(
        "core.plugins.manage", "管理插件（安装、启用、停用）", "Manage plugins (install, enable, disable)"
    ),
    PermissionSpec(
        "core.calendar.manage",
        "导入工作日历（平台）",
        "Import the working-day calendar (platform)",
        "Installation-wide: the calendar is shared by every tenant; granted only in the platform tenant.",
    ),
]


@hookimpl
def register_permissions() -> list[PermissionSpec]:
    from core.permissions.core_permissions import CORE_PERMISSIONS  # noqa: PLC0415

    seen: set[str] = set()
    out = []
    from core.archive.permissions import ARCHIVE_PERMISSIONS  # noqa: PLC0415
    from core.audit.permissions import AUDIT_PERMISSIONS  # noqa: PLC0415
    from core.storage.permissions import STORAGE_PERMISSIONS  # noqa: PLC0415

    for spec in [
        *FEATURE_PERMISSIONS,
        *CORE_PERMISSIONS,
        *STORAGE_PERMISSIONS,
        *AUDIT_PERMISSIONS,
        *ARCHIVE_PERMISSIONS,
    ]:
        if spec.code not in seen:
            seen.add(spec.code)
            out.append(spec)
    return out


@hookimpl
def register_default_grants() -> dict[str, list[str]]:
    from core.archive.permissions import ARCHIVE_DEFAULT_GRANTS  # noqa: PLC0415
    from core.audit.permissions import AUDIT_DEFAULT_GRANTS  # noqa: PLC0415
    from core.permissions.core_permissions import CORE_DEFAULT_GRANTS  # noqa: PLC0415
    from core.storage.permissions import STORAGE_DEFAULT_GRANTS  # noqa: PLC0415

    grants: dict[str, list[str]] = {role: list(codes) for role, codes in CORE_DEFAULT_GRANTS.items()}
    for extra in (STORAGE_DEFAULT_GRANTS, AUDIT_DEFAULT_GRANTS, ARCHIVE_DEFAULT_GRANTS):
        for role, codes in extra.items():
            grants.setdefault(role, []).extend(c for c in codes if c not in grants[role])
    # core.calendar.manage is a platform power: ensure_tenant_setup grants it in the platform tenant only.
    if "core.plugins.manage" not in grants.setdefault("sysadmin", []):
        grants["sysadmin"].append("core.plugins.manage")
    # 督查 work: leaders and the office's clerks follow every deadline of their office.
    for role in ("leader", "clerk"):
        if "core.deadlines.read_all" not in grants.setdefault(role, []):
            grants[role].append("core.deadlines.read_all")
    return grants


@hookimpl
def register_models() -> list[type[Any]]:
    from core import models  # noqa: PLC0415

    return list(models.ALL)


@hookimpl
def register_settings() -> dict[str, Any]:
    # 全宗号 (fonds number) the archives bureau assigned to the office; prefixes every 档号 (DA/T 22-2015).
    return {"archive_fonds_no": "J001"}


@hookimpl
def register_archivable() -> list[ArchivableSpec]:
    return []  # the core archives nothing of its own; plugins declare their kinds


@hookimpl
def register_routes() -> list[Any]:
    from core.archive.controller import ArchiveController  # noqa: PLC0415
    from core.audit.controller import AuditController  # noqa: PLC0415
    from core.calendar.controller import CalendarController  # noqa: PLC0415
    from core.deadlines.controller import DeadlineController  # noqa: PLC0415
    from core.health import health, live  # noqa: PLC0415 - import controllers only when an app is built
    from core.identity.routes import route_handlers  # noqa: PLC0415
    from core.notifications.controller import NotificationController  # noqa: PLC0415
    from core.plugins.controller import MenuController, PluginController  # noqa: PLC0415
    from core.plugins.settings_controller import PluginSettingsController  # noqa: PLC0415
    from core.storage.controller import FileController  # noqa: PLC0415

    return [
        health,
        live,
        PluginController,
        PluginSettingsController,
        MenuController,
        CalendarController,
        DeadlineController,
        NotificationController,
        FileController,
        AuditController,
        ArchiveController,
        *route_handlers(),
    ]


@hookimpl
def register_cli() -> list[Any]:
    from core.archive.cli import archive  # noqa: PLC0415
    from core.audit.cli import audit  # noqa: PLC0415
    from core.calendar.cli import calendar  # noqa: PLC0415

    return [calendar, audit, archive]


@hookimpl
def register_menu() -> list[MenuItem]:
    return [
        MenuItem(key="core.home", title="core.menu.home", path="/", icon="House", order=0),
        MenuItem(
            key="core.admin",
            title="core.menu.admin",
            icon="Setting",
            order=900,
            children=(
                MenuItem(
                    key="core.admin.plugins",
                    title="core.menu.plugins",
                    path="/admin/plugins",
                    permission="core.plugins.manage",
                ),
                MenuItem(
                    key="core.admin.calendar",
                    title="core.menu.calendar",
                    path="/admin/calendar",
                    permission="core.calendar.manage",
                ),
            ),
        ),
    ]


@hookimpl
def register_jobs() -> list[JobSpec]:
    from core.archive.run import run_archive  # noqa: PLC0415
    from core.archive.service import resume_job  # noqa: PLC0415
    from core.audit.hooks import audit_jobs  # noqa: PLC0415
    from core.deadlines.sweep import sweep_job  # noqa: PLC0415
    from core.storage.hooks import storage_jobs  # noqa: PLC0415

    every = get_settings().scheduler_sweep_seconds
    # The sweep itself is exactly-once per reminder (row claims), so a late or doubled fire is harmless.
    return [
        JobSpec(name="deadline_sweep", fn=sweep_job, schedule=f"interval:{every}", max_retries=0),
        *storage_jobs(),
        *audit_jobs(),
        # Archive runs are idempotent per request (advisory lock + 档号 keyed by request): retries are safe.
        JobSpec(name="archive_run", fn=run_archive, max_retries=3),
        JobSpec(name="archive_resume", fn=resume_job, schedule="*/5 * * * *", max_retries=0),
    ]
