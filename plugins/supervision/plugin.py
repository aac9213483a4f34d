"""Supervision plugin (督查督办): items from 批示/会议/建议提案/政府工作报告, progress, lights, 通报.

Entry point fuban.plugins: supervision; everything it uses from the platform comes from :mod:`core.api`.

Hook for other plugins (full contract in :mod:`plugins.supervision.events`): publish
``supervision.item.requested`` with ``core.api.publish_event(session, name, payload, tenant_id=...)``;
payload keys ``tenant_id, source_kind (instruction|meeting|proposal|work_report|media|manual),
source_plugin, source_id, title, content, lead_unit_id, co_unit_ids, leader_id, due_date | workdays,
requested_by`` (optional ``standard, basis_date, cadence``). One item per (source_plugin, source_kind,
source_id): publishing again returns the same item. The handler writes ``item_id`` and ``created`` back
into the payload; a bad payload is a 422 that rolls back the publisher's transaction; where the plugin
is off for the tenant, nothing runs (``publish_event`` returns 0). E.g. the documents plugin publishes
it when a leader's 批示 says 督办 (source_kind ``instruction``, source_id the 收文 id).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import (
    JobSpec,
    MenuItem,
    PermissionSpec,
    PluginManifest,
    StoragePolicy,
    hookimpl,
    register_storage_policy,
)
from plugins.supervision import permissions as perms
from plugins.supervision import rules

manifest = PluginManifest(
    name="supervision",
    version="0.1.0",
    title="督查督办",
    title_en="Supervision",
    description="督办事项、进展报告、红黄绿灯、审核销号、督查通报与建议提案办理",
    requires_core=">=0.1",
)

# Progress attachments and 办结 evidence: office documents and photos, up to 50 MB each.
register_storage_policy(
    "supervision",
    StoragePolicy(
        max_bytes=50 * 1024 * 1024,
        allowed_types=frozenset(
            {
                "application/pdf",
                "application/ofd",
                "image/png",
                "image/jpeg",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/msword",
                "text/plain",
            }
        ),
    ),
)


@hookimpl
def register_settings() -> dict[str, Any]:
    return dict(rules.SETTINGS)


@hookimpl
def register_models() -> list[type[Any]]:
    from plugins.supervision import models  # noqa: PLC0415

    return [
        models.Item,
        models.ItemUnit,
        models.Task,
        models.Report,
        models.ItemFile,
        models.Chase,
        models.Proposal,
        models.Bulletin,
    ]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def register_permissions() -> list[PermissionSpec]:
    return list(perms.SPECS)


@hookimpl
def register_default_grants() -> dict[str, list[str]]:
    return {role: list(codes) for role, codes in perms.DEFAULT_GRANTS.items()}


@hookimpl
def register_routes() -> list[Any]:
    from plugins.supervision.api import route_handlers  # noqa: PLC0415

    return route_handlers()


@hookimpl
def register_jobs() -> list[JobSpec]:
    from plugins.supervision.bulletins import monthly_job  # noqa: PLC0415

    # The 1st of each month at 07:00 office time: last month's 督查通报 (rules.md §6).
    return [JobSpec(name="monthly_bulletin", fn=monthly_job, schedule="0 7 1 * *", per_tenant=True)]


@hookimpl
def register_event_handlers() -> dict[str, list[Any]]:
    from plugins.supervision.events import EVENT, on_item_requested  # noqa: PLC0415

    return {EVENT: [on_item_requested]}


@hookimpl
def register_menu() -> list[MenuItem]:
    return [
        MenuItem(
            key="supervision.root",
            title="supervision.menu.root",
            icon="Flag",
            order=40,
            children=(
                MenuItem(
                    key="supervision.items",
                    title="supervision.menu.items",
                    path="/supervision/items",
                    permission=perms.ITEM_READ,
                ),
                MenuItem(
                    key="supervision.proposals",
                    title="supervision.menu.proposals",
                    path="/supervision/proposals",
                    permission=perms.PROPOSAL_READ,
                ),
                MenuItem(
                    key="supervision.bulletin",
                    title="supervision.menu.bulletin",
                    path="/supervision/bulletin",
                    permission=perms.REPORT_EXPORT,
                ),
            ),
        ),
    ]
