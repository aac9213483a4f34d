"""Permission codes of the supervision plugin (督查督办) and the built-in roles' default grants."""

from __future__ import annotations

from core.api import PermissionSpec

ITEM_READ = "supervision.item.read"
ITEM_MANAGE = "supervision.item.manage"
PROGRESS_REPORT = "supervision.progress.report"
ITEM_SIGNOFF = "supervision.item.signoff"
PROPOSAL_READ = "supervision.proposal.read"
PROPOSAL_MANAGE = "supervision.proposal.manage"
PROPOSAL_ANSWER = "supervision.proposal.answer"
REPORT_EXPORT = "supervision.report.export"

# Holders of these see every item of the tenant; everyone else only their units' (unit scope).
TENANT_WIDE = (ITEM_MANAGE, ITEM_SIGNOFF)

SPECS = [
    PermissionSpec(ITEM_READ, "查阅督办事项", "Read supervision items"),
    PermissionSpec(ITEM_MANAGE, "立项、分解与催办", "Create, decompose and chase supervision items"),
    PermissionSpec(PROGRESS_REPORT, "报送进展与办结", "Report progress and completion (own units)"),
    PermissionSpec(ITEM_SIGNOFF, "审核销号", "Sign off completed items (审核销号)"),
    PermissionSpec(PROPOSAL_READ, "查阅建议提案", "Read deputies' suggestions and proposals"),
    PermissionSpec(PROPOSAL_MANAGE, "交办建议提案", "Assign suggestions/proposals, record satisfaction"),
    PermissionSpec(PROPOSAL_ANSWER, "办理建议提案", "Contact deputies and answer (own units)"),
    PermissionSpec(REPORT_EXPORT, "督查通报", "Export the monthly supervision bulletin"),
]

DEFAULT_GRANTS = {
    # 督查室 clerk: runs the register.
    "clerk": [ITEM_READ, ITEM_MANAGE, PROGRESS_REPORT, PROPOSAL_READ, PROPOSAL_MANAGE, REPORT_EXPORT],
    "leader": [ITEM_READ, ITEM_SIGNOFF, PROPOSAL_READ, REPORT_EXPORT],
    # 承办单位 staff: report for their own units only.
    "staff": [ITEM_READ, PROGRESS_REPORT, PROPOSAL_READ, PROPOSAL_ANSWER],
}
