"""The permissions core itself checks, its built-in roles and their default grants.

三员分立 (separation of the three administrators): every *duty* permission belongs to exactly one of
the built-in roles ``sysadmin`` (系统管理员: organisation, accounts, sessions), ``secadmin`` (安全保密管理员:
roles, grants, clearances) and ``auditadmin`` (安全审计员: reads the audit log). A duty permission can be
granted only to its own role, and one person holds at most one of the three roles.
"""

from __future__ import annotations

from core.plugins.types import PermissionSpec

PLATFORM_TENANT_CODE = "platform"

PLATFORM_MANAGE = "core.platform.manage"
CALENDAR_MANAGE = "core.calendar.manage"
# Installation-wide powers: the holiday calendar is shared by every tenant, so a county office's own
# administrator must not change everyone's deadlines. Grantable only in the platform tenant.
PLATFORM_CODES = frozenset({PLATFORM_MANAGE, CALENDAR_MANAGE})
ORG_READ = "core.org.read"
ORG_MANAGE = "core.org.manage"
USERS_MANAGE = "core.users.manage"
SESSIONS_MANAGE = "core.sessions.manage"
DELEGATIONS_MANAGE = "core.delegations.manage"
ROLES_MANAGE = "core.roles.manage"
CLEARANCE_MANAGE = "core.clearance.manage"
AUDIT_READ = "core.audit.read"

SYSADMIN = "sysadmin"
SECADMIN = "secadmin"
AUDITADMIN = "auditadmin"
ADMIN_ROLES = (SYSADMIN, SECADMIN, AUDITADMIN)

CORE_PERMISSIONS: list[PermissionSpec] = [
    PermissionSpec(
        PLATFORM_MANAGE,
        "平台管理（租户）",
        "Manage the platform (tenants)",
        "Only effective in the built-in platform tenant (code 'platform').",
    ),
    PermissionSpec(ORG_READ, "查看组织机构", "View the organisation", "Units, people, posts and portfolios."),
    PermissionSpec(
        ORG_MANAGE, "管理组织机构", "Manage the organisation", "Units, posts and portfolios (分管)."
    ),
    PermissionSpec(
        USERS_MANAGE, "管理人员账号", "Manage accounts", "Create, edit, remove people; reset passwords."
    ),
    PermissionSpec(SESSIONS_MANAGE, "管理登录会话", "Manage sessions", "List and revoke sign-in sessions."),
    PermissionSpec(DELEGATIONS_MANAGE, "管理代理", "Manage delegations", "Delegations (代理) for anybody."),
    PermissionSpec(ROLES_MANAGE, "管理角色与授权", "Manage roles and grants", "Roles, grants, role members."),
    PermissionSpec(CLEARANCE_MANAGE, "管理人员密级", "Manage clearances", "Set a person's clearance (密级)."),
    PermissionSpec(AUDIT_READ, "查阅审计日志", "Read the audit log", "Only the audit administrator."),
]

# Duty permission → the only built-in role that may hold it.
DUTY_OWNER: dict[str, str] = {
    PLATFORM_MANAGE: SYSADMIN,
    ORG_MANAGE: SYSADMIN,
    USERS_MANAGE: SYSADMIN,
    SESSIONS_MANAGE: SYSADMIN,
    DELEGATIONS_MANAGE: SYSADMIN,
    ROLES_MANAGE: SECADMIN,
    CLEARANCE_MANAGE: SECADMIN,
    AUDIT_READ: AUDITADMIN,
}

# Built-in roles of every tenant: code → (zh name, en name).
BUILTIN_ROLES: dict[str, tuple[str, str]] = {
    SYSADMIN: ("系统管理员", "System administrator"),
    SECADMIN: ("安全保密管理员", "Security administrator"),
    AUDITADMIN: ("安全审计员", "Audit administrator"),
    "staff": ("工作人员", "Staff"),
    "clerk": ("文秘", "Clerk"),
    "leader": ("领导", "Leader"),
}

CORE_DEFAULT_GRANTS: dict[str, list[str]] = {
    SYSADMIN: [ORG_READ, ORG_MANAGE, USERS_MANAGE, SESSIONS_MANAGE, DELEGATIONS_MANAGE],
    SECADMIN: [ORG_READ, ROLES_MANAGE, CLEARANCE_MANAGE],
    AUDITADMIN: [ORG_READ, AUDIT_READ],
    "staff": [ORG_READ],
    "clerk": [ORG_READ],
    "leader": [ORG_READ],
}
