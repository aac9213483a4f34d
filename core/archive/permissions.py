"""Permissions of the archive service (归档) and their default grants."""

from __future__ import annotations

from core.plugins.types import PermissionSpec

REQUEST = "core.archive.request"
READ = "core.archive.read"
EXPORT = "core.archive.export"
DESTROY_PROPOSE = "core.archive.destroy.propose"
DESTROY_APPROVE = "core.archive.destroy.approve"

ARCHIVE_PERMISSIONS: list[PermissionSpec] = [
    PermissionSpec(
        REQUEST, "申请归档", "Request archiving", "Send an object (发文, 收文 ...) to the archive."
    ),
    PermissionSpec(READ, "查阅档案目录", "Read the archive", "Archive requests, items (件) and their 档号."),
    PermissionSpec(
        EXPORT, "导出移交包", "Export accession packages", "Zip of a year for the archives bureau."
    ),
    PermissionSpec(
        DESTROY_PROPOSE,
        "拟定销毁清册",
        "Propose destruction",
        "List expired 定期 items for destruction and carry out an approved list.",
    ),
    PermissionSpec(
        DESTROY_APPROVE,
        "审批销毁清册",
        "Approve destruction",
        "Approve or reject a destruction list proposed by somebody else.",
    ),
]

# The clerk (文秘) keeps the archive; a leader approves destruction (never the same person: checked).
ARCHIVE_DEFAULT_GRANTS: dict[str, list[str]] = {
    "clerk": [REQUEST, READ, EXPORT, DESTROY_PROPOSE],
    "leader": [READ, DESTROY_APPROVE],
    "staff": [REQUEST],
}
