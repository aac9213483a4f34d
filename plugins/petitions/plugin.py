"""Letters and visits plugin (信访): 信访事项受理、转交办、法定期限、市长信箱与群众门户.

Entry point fuban.plugins: petitions; everything it uses from the platform comes from :mod:`core.api`.
Routes under ``/api/petitions``: ``/public/*`` (no sign-in; office from ``X-Fuban-Tenant``),
``/portal/*`` (citizen accounts), ``/cases``, ``/routings``, ``/mail``, ``/stats`` (staff).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import MenuItem, PermissionSpec, PluginManifest, hookimpl

manifest = PluginManifest(
    name="petitions",
    version="0.1.0",
    title="信访",
    title_en="Letters and visits",
    description="信访事项受理、转交办、法定期限、市长信箱与群众门户",
    requires_core=">=0.1",
)

CATEGORIES = ["urban", "land", "labour", "social", "environment", "education", "health", "law", "other"]


@hookimpl
def register_settings() -> dict[str, Any]:
    """Per-tenant settings. Bench/load tests raise the rate limits and lower ``challenge_bits`` for their
    own tenant (see bench/portal_submit.py); production keeps the defaults."""
    return {
        "categories": CATEGORIES,
        "public_rate_ip_per_min": 20,
        "public_rate_tenant_per_min": 600,
        "challenge_bits": 16,
        "track_max_failures": 5,
        "track_ip_max_failures": 30,
        "track_lock_minutes": 15,
        "files_max_mb": 10,
        "warn_fraction": 0.8,
        "escalation_user_id": "",
    }


@hookimpl
def register_models() -> list[type[Any]]:
    from .models import MODELS  # noqa: PLC0415

    return list(MODELS)


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations"


PERMISSIONS = [
    PermissionSpec("petitions.cases.read", "查看信访事项", "Read petitions"),
    PermissionSpec("petitions.personal.read", "查看信访人个人信息", "See petitioners' personal data"),
    PermissionSpec("petitions.cases.register", "登记信访事项", "Register petitions"),
    PermissionSpec("petitions.cases.handle", "办理信访事项", "Handle petitions"),
    PermissionSpec("petitions.cases.approve", "审批延期", "Approve extensions"),
    PermissionSpec("petitions.cases.route", "转送交办", "Route petitions"),
    PermissionSpec("petitions.cases.merge", "合并关联重复件", "Merge and link duplicates"),
    PermissionSpec("petitions.mail.handle", "办理市长信箱", "Handle the mayor's mailbox"),
    PermissionSpec("petitions.mail.proofread", "校对并公开答复", "Proof-read and publish replies"),
    PermissionSpec("petitions.stats.read", "信访统计", "Petition statistics"),
]


@hookimpl
def register_permissions() -> list[PermissionSpec]:
    return list(PERMISSIONS)


@hookimpl
def register_default_grants() -> dict[str, list[str]]:
    return {"clerk": ["petitions.cases.read", "petitions.cases.register", "petitions.mail.handle"]}


@hookimpl
def register_routes() -> list[Any]:
    from .mailbox import MailController  # noqa: PLC0415
    from .public import PortalController, PublicController  # noqa: PLC0415
    from .staff import CaseController  # noqa: PLC0415
    from .staff_routing import CaseRoutingController, RoutingController  # noqa: PLC0415
    from .stats import StatsController  # noqa: PLC0415

    return [
        PublicController,
        PortalController,
        CaseController,
        CaseRoutingController,
        RoutingController,
        MailController,
        StatsController,
    ]


@hookimpl
def register_menu() -> list[MenuItem]:
    return [
        MenuItem(
            key="petitions.root",
            title="petitions.menu.root",
            icon="Message",
            order=40,
            children=(
                MenuItem(
                    key="petitions.cases",
                    title="petitions.menu.cases",
                    path="/petitions/cases",
                    permission="petitions.cases.read",
                ),
                MenuItem(
                    key="petitions.mail",
                    title="petitions.menu.mail",
                    path="/petitions/mail",
                    permission="petitions.mail.handle",
                ),
                MenuItem(
                    key="petitions.stats",
                    title="petitions.menu.stats",
                    path="/petitions/stats",
                    permission="petitions.stats.read",
                ),
            ),
        ),
    ]
