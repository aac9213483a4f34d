"""Documents plugin (公文): 收文、发文、传阅、批示、编号与 GB/T 9704 版式.

Entry point fuban.plugins: documents; everything it uses from the platform comes from :mod:`core.api`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import (
    ArchivableSpec,
    MenuItem,
    PermissionSpec,
    PluginManifest,
    StoragePolicy,
    hookimpl,
    register_storage_policy,
)
from plugins.documents import permissions as perms
from plugins.documents import rules

manifest = PluginManifest(
    name="documents",
    version="0.1.0",
    title="公文",
    title_en="Documents",
    description="收文、发文、传阅、批示、编号与 GB/T 9704 版式",
    requires_core=">=0.1",
)

# Scans and drafts: PDF, OFD, Word and images, up to 200 MB (a scanned bundle can be large).
register_storage_policy(
    "documents",
    StoragePolicy(
        max_bytes=200 * 1024 * 1024,
        allowed_types=frozenset(
            {
                "application/pdf",
                "application/ofd",
                "image/png",
                "image/jpeg",
                "image/tiff",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
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
    from plugins.documents import models, models_out  # noqa: PLC0415

    return [
        models.Counter,
        models.Reader,
        models.Attachment,
        models.Action,
        models.Incoming,
        models.Handler,
        models.Circulation,
        models_out.Outgoing,
        models_out.Version,
        models_out.RouteConfig,
        models_out.Number,
        models_out.DistributionList,
        models_out.Recipient,
        models_out.SealRecord,
        models_out.Dispatch,
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
def register_archivable() -> list[ArchivableSpec]:
    from plugins.documents.archiving import specs  # noqa: PLC0415

    return specs()


@hookimpl
def register_routes() -> list[Any]:
    from plugins.documents.api import route_handlers  # noqa: PLC0415

    return route_handlers()


@hookimpl
def register_menu() -> list[MenuItem]:
    return [
        MenuItem(
            key="documents.root",
            title="documents.menu.root",
            icon="Document",
            order=10,
            children=(
                MenuItem(
                    key="documents.incoming",
                    title="documents.menu.incoming",
                    path="/documents/incoming",
                    permission=perms.INCOMING_READ,
                ),
                MenuItem(
                    key="documents.outgoing",
                    title="documents.menu.outgoing",
                    path="/documents/outgoing",
                    permission=perms.OUTGOING_READ,
                ),
                MenuItem(
                    key="documents.numbering",
                    title="documents.menu.numbering",
                    path="/documents/numbering",
                    permission=perms.NUMBERING_MANAGE,
                ),
                MenuItem(
                    key="documents.distribution",
                    title="documents.menu.distribution",
                    path="/documents/distribution",
                    permission=perms.DISPATCH_MANAGE,
                ),
                MenuItem(
                    key="documents.overdue",
                    title="documents.menu.overdue",
                    path="/documents/overdue",
                    permission=perms.DEADLINES_READ,
                ),
            ),
        ),
    ]
