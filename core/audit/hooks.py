"""What the core plugin returns from its hooks for the audit module (wired in ``core/builtin.py``)."""

from __future__ import annotations

from typing import Any

import click

from core.audit.cli import audit, purge_job
from core.audit.context import AuditContextMiddleware
from core.audit.models import AuditCheckpoint, AuditLog
from core.audit.permissions import AUDIT_DEFAULT_GRANTS, AUDIT_PERMISSIONS
from core.audit.service import identity_recorder
from core.plugins.types import JobSpec

__all__ = [
    "AUDIT_DEFAULT_GRANTS",
    "AUDIT_PERMISSIONS",
    "AuditContextMiddleware",
    "audit_cli",
    "audit_jobs",
    "audit_models",
    "audit_routes",
    "install_identity_recorder",
]


def audit_routes() -> list[Any]:
    from core.audit.controller import AuditController  # noqa: PLC0415 - controllers only when an app is built

    return [AuditController]


def audit_models() -> list[type[Any]]:
    return [AuditLog, AuditCheckpoint]


def audit_jobs() -> list[JobSpec]:
    # Daily at 03:30 office time: delete what is past the retention, leave a checkpoint.
    return [JobSpec(name="audit_purge", fn=purge_job, schedule="30 3 * * *", max_retries=1)]


def audit_cli() -> list[click.Command]:
    return [audit]


def install_identity_recorder() -> None:
    """Route identity/org/permission changes (core.identity.audit_hook) into the audit log."""
    from core.identity.audit_hook import set_audit_recorder  # noqa: PLC0415

    set_audit_recorder(identity_recorder)
