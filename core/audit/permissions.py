"""The audit permission (三员分立: only the audit administrator ``auditadmin`` holds it)."""

from __future__ import annotations

from core.plugins.types import PermissionSpec

AUDIT_READ = "core.audit.read"

AUDIT_PERMISSIONS: list[PermissionSpec] = [
    PermissionSpec(AUDIT_READ, "查阅审计日志", "Read the audit log", "Only the audit administrator."),
]

AUDIT_DEFAULT_GRANTS: dict[str, list[str]] = {"auditadmin": [AUDIT_READ]}
