"""Permission codes of the documents plugin and the built-in roles' default grants."""

from __future__ import annotations

from core.api import PermissionSpec

INCOMING_REGISTER = "documents.incoming.register"
INCOMING_READ = "documents.incoming.read"
INCOMING_OPEN_SEALED = "documents.incoming.open_sealed"
INCOMING_PROPOSE = "documents.incoming.propose"
INCOMING_HANDLE = "documents.incoming.handle"
INSTRUCTION_WRITE = "documents.instruction.write"
OUTGOING_READ = "documents.outgoing.read"
OUTGOING_DRAFT = "documents.outgoing.draft"
OUTGOING_REVIEW = "documents.outgoing.review"
OUTGOING_COUNTERSIGN = "documents.outgoing.countersign"
OUTGOING_SIGN = "documents.outgoing.sign"
OUTGOING_SIGN_UPWARD = "documents.outgoing.sign_upward"
OUTGOING_LEGAL_REVIEW = "documents.outgoing.legal_review"
ROUTE_MANAGE = "documents.route.manage"
NUMBERING_MANAGE = "documents.numbering.manage"
DISPATCH_MANAGE = "documents.dispatch.manage"
EXPORT = "documents.export"
DEADLINES_READ = "documents.deadlines.read"
ARCHIVE = "documents.archive"

SPECS = [
    PermissionSpec(INCOMING_REGISTER, "收文签收登记", "Sign in and register incoming documents"),
    PermissionSpec(INCOMING_READ, "查阅收文", "Read incoming documents"),
    PermissionSpec(INCOMING_OPEN_SEALED, "拆封亲启件/绝密件", "Open personal and top-secret mail"),
    PermissionSpec(INCOMING_PROPOSE, "提出拟办意见", "Propose handling (拟办)"),
    PermissionSpec(INCOMING_HANDLE, "承办与办结", "Handle and complete incoming documents"),
    PermissionSpec(INSTRUCTION_WRITE, "领导批示", "Write leader instructions (批示)"),
    PermissionSpec(OUTGOING_READ, "查阅发文", "Read outgoing documents"),
    PermissionSpec(OUTGOING_DRAFT, "拟稿", "Draft outgoing documents"),
    PermissionSpec(OUTGOING_REVIEW, "核稿", "Review drafts (核稿)"),
    PermissionSpec(OUTGOING_COUNTERSIGN, "会签", "Countersign (会签)"),
    PermissionSpec(OUTGOING_SIGN, "签发", "Sign off for issue (签发)"),
    PermissionSpec(OUTGOING_SIGN_UPWARD, "签发上行文", "Sign upward documents (principal leader)"),
    PermissionSpec(OUTGOING_LEGAL_REVIEW, "合法性审查", "Legal review of normative documents"),
    PermissionSpec(ROUTE_MANAGE, "配置发文流程", "Configure the approval route"),
    PermissionSpec(NUMBERING_MANAGE, "管理发文字号", "Manage document numbers"),
    PermissionSpec(DISPATCH_MANAGE, "分发、用印与印制", "Distribution, print copies, seal, dispatch"),
    PermissionSpec(EXPORT, "导出登记簿", "Export registers to Excel"),
    PermissionSpec(DEADLINES_READ, "查看办理时限", "See the overdue dashboard"),
    PermissionSpec(ARCHIVE, "公文归档", "Send documents to the archive (归档)"),
]

DEFAULT_GRANTS = {
    "clerk": [
        INCOMING_REGISTER,
        INCOMING_READ,
        INCOMING_PROPOSE,
        INCOMING_HANDLE,
        OUTGOING_READ,
        OUTGOING_DRAFT,
        OUTGOING_REVIEW,
        NUMBERING_MANAGE,
        DISPATCH_MANAGE,
        EXPORT,
        DEADLINES_READ,
        ARCHIVE,
    ],
    "leader": [
        INCOMING_READ,
        INCOMING_OPEN_SEALED,
        INSTRUCTION_WRITE,
        OUTGOING_READ,
        OUTGOING_COUNTERSIGN,
        OUTGOING_SIGN,
        DEADLINES_READ,
    ],
    "staff": [INCOMING_READ, INCOMING_HANDLE, OUTGOING_READ, OUTGOING_DRAFT],
}
