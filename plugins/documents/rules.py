"""Time limits of 收文/发文 steps (办理时限), per tenant through the plugin's settings.

Source: rules.md §1 "Intake time limits (config defaults)": register+route+拟办 2 working days; leader
批办 3 working days; section handling 2 working days; forwarded urgent same day; forwarded ordinary 10
working days; 急件 随到随办. 催办 2 working days before and on the day (core DEFAULT_REMINDERS).
The 发文 step limit (核稿/会签/合法性审查/签发, 2 working days) is not in rules.md: an office default,
configurable per tenant like the others.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    cancel_deadline,
    complete_deadline,
    explain_deadline,
    invalid,
    plugin_settings,
    register_deadline,
)
from plugins.documents.common import PLUGIN, local_date, now

SETTINGS: dict[str, object] = {
    "deadline_register_workdays": 2,
    "deadline_instruction_workdays": 3,
    "deadline_handling_workdays": 2,
    "deadline_forward_urgent_workdays": 0,
    "deadline_forward_workdays": 10,
    "deadline_urgent_workdays": 0,
    "deadline_outgoing_step_workdays": 2,
    "print_copies_archive": 2,
    "print_copies_scale_percent": 100,
    # 归档 (rules.md §7): 保管期限 Y/D30/D10 per kind, and the 机构代码 when a document has no unit
    "archive_retention_outgoing": "Y",
    "archive_retention_incoming": "D30",
    "archive_org_code": "BGS",
}

# kind → (setting, zh title). Every kind is a "N个工作日" rule (rules.md §0).
KINDS = {
    "register": ("deadline_register_workdays", "登记、分办与拟办"),
    "instruction": ("deadline_instruction_workdays", "领导批办"),
    "handling": ("deadline_handling_workdays", "科室办理"),
    "forward": ("deadline_forward_workdays", "转办"),
    "outgoing_step": ("deadline_outgoing_step_workdays", "发文环节办理"),
}


async def workdays_for(session: AsyncSession, tenant_id: uuid.UUID, kind: str, urgency: str) -> int:
    """The tenant's limit for ``kind``; 特急/加急 items are 随到随办 (same day, rules.md §1)."""
    conf = await plugin_settings(session, tenant_id, PLUGIN)
    if urgency in ("特急", "加急"):
        key = "deadline_forward_urgent_workdays" if kind == "forward" else "deadline_urgent_workdays"
        return int(conf[key])
    return int(conf[KINDS[kind][0]])


async def finish(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    object_type: str,
    doc_id: uuid.UUID,
    *,
    explanation: str | None = None,
    author_id: uuid.UUID | None = None,
) -> None:
    """Close the object's open deadline; a missed one needs a 书面说明 (rules.md §1), else 422."""
    closed = await complete_deadline(
        session, tenant_id=tenant_id, owner_plugin=PLUGIN, object_type=object_type, object_id=str(doc_id)
    )
    today = local_date(now())
    for d in closed:
        if today > d.due_date:
            if not (explanation or "").strip():
                raise invalid(
                    "explanation",
                    "required",
                    "已超过办理时限，须填写书面说明",
                    "The time limit was missed: a written explanation is required",
                )
            await explain_deadline(session, d.id, explanation or "", tenant_id=tenant_id, author_id=author_id)


async def start_step(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    object_type: str,
    doc_id: uuid.UUID,
    kind: str,
    title: str,
    basis: dt.date,
    urgency: str = "",
    assignee_id: uuid.UUID | None = None,
    explanation: str | None = None,
    author_id: uuid.UUID | None = None,
) -> tuple[int, dt.date]:
    """Close the object's open step deadline and open the next one; returns (deadline id, due date)."""
    await finish(session, tenant_id, object_type, doc_id, explanation=explanation, author_id=author_id)
    amount = await workdays_for(session, tenant_id, kind, urgency)
    d = await register_deadline(
        session,
        tenant_id=tenant_id,
        owner_plugin=PLUGIN,
        object_type=object_type,
        object_id=str(doc_id),
        kind=kind,
        title=f"{KINDS[kind][1]}：{title or '（未登记标题）'}"[:300],
        basis=basis,
        rule="workdays",
        amount=amount,
        assignee_id=assignee_id,
    )
    return int(d.id), d.due_date


async def cancel(session: AsyncSession, tenant_id: uuid.UUID, object_type: str, doc_id: uuid.UUID) -> None:
    await cancel_deadline(
        session, tenant_id=tenant_id, owner_plugin=PLUGIN, object_type=object_type, object_id=str(doc_id)
    )
