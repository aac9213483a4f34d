"""Registering the deadline engine's time limits for items and proposals (rules.md §0, §6).

Kinds on ``supervision_item``: ``final`` (完成时限; overdue escalates to the 负责领导) and
``progress`` (the next 进展报告 at the item's cadence). On ``supervision_proposal``: ``reply``
(3/6 calendar months) and ``meet`` (the local 见面 milestone, config).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    ReminderSpec,
    WorkCalendar,
    cancel_deadline,
    complete_deadline,
    register_deadline,
)
from plugins.supervision import rules
from plugins.supervision.common import OBJ_ITEM, OBJ_PROPOSAL, PLUGIN
from plugins.supervision.models import Item, Proposal


def _reminders(conf: dict[str, Any]) -> tuple[ReminderSpec, ...]:
    return (ReminderSpec(int(conf["chase_before_workdays"])), ReminderSpec(0))


def _assignee(item: Item) -> Any:
    return item.contact_id or item.created_by


async def plan_final(session: AsyncSession, item: Item, conf: dict[str, Any]) -> dt.date:
    """完成时限: chased before and on the day; the overdue chase goes to the 负责领导 (rules.md §6
    "overdue items escalate to the responsible leader"). Returns the engine's due date."""
    workdays = item.due_rule == "workdays"
    d = await register_deadline(
        session,
        tenant_id=item.tenant_id,
        owner_plugin=PLUGIN,
        object_type=OBJ_ITEM,
        object_id=str(item.id),
        kind="final",
        title=f"督办事项：{item.title}"[:300],
        basis=item.basis_date if workdays else None,
        rule="workdays" if workdays else "fixed",
        amount=item.due_workdays if workdays else None,
        due=None if workdays else item.due_date,
        reminders=_reminders(conf),
        assignee_id=_assignee(item),
        escalate_to=item.leader_id,
    )
    return d.due_date


async def plan_progress(
    session: AsyncSession, item: Item, cal: WorkCalendar, previous: dt.date, conf: dict[str, Any]
) -> dt.date | None:
    """The next 进展报告 after ``previous`` at the item's cadence (rules.rules docstring); none when
    the cadence is ``none`` or the item is no longer open."""
    nxt = rules.next_report_due(cal, previous, item.cadence, item.due_date) if item.state == "open" else None
    if nxt is None or nxt < previous:
        await cancel_deadline(
            session,
            tenant_id=item.tenant_id,
            owner_plugin=PLUGIN,
            object_type=OBJ_ITEM,
            object_id=str(item.id),
            kind="progress",
        )
        item.next_report_due = None
        return None
    rule, amount = rules.CADENCE_RULE[item.cadence]
    capped = nxt == item.due_date
    d = await register_deadline(
        session,
        tenant_id=item.tenant_id,
        owner_plugin=PLUGIN,
        object_type=OBJ_ITEM,
        object_id=str(item.id),
        kind="progress",
        title=f"进展报告：{item.title}"[:300],
        basis=None if capped else previous,
        rule="fixed" if capped else rule,
        amount=None if capped else amount,
        due=nxt if capped else None,
        reminders=(ReminderSpec(1), ReminderSpec(0)),
        assignee_id=_assignee(item),
    )
    item.next_report_due = d.due_date
    return d.due_date


async def close_item(session: AsyncSession, item: Item, *, cancel: bool = False) -> list[Any]:
    """Close every open deadline of the item (done, or cancelled for 撤销)."""
    fn = cancel_deadline if cancel else complete_deadline
    return await fn(
        session, tenant_id=item.tenant_id, owner_plugin=PLUGIN, object_type=OBJ_ITEM, object_id=str(item.id)
    )


async def plan_proposal(
    session: AsyncSession, p: Proposal, milestones: dict[str, str], assignee: Any
) -> dt.date:
    """答复期限 (3/6 calendar months, rules.md §6) and the local 见面 milestone (config)."""
    months = rules.PROPOSAL_COMPLEX_MONTHS if p.complex else rules.PROPOSAL_MONTHS
    d = await register_deadline(
        session,
        tenant_id=p.tenant_id,
        owner_plugin=PLUGIN,
        object_type=OBJ_PROPOSAL,
        object_id=str(p.id),
        kind="reply",
        title=f"建议提案答复：{p.title}"[:300],
        basis=p.assigned_on,
        rule="months",
        amount=months,
        assignee_id=assignee,
    )
    meet = dt.date.fromisoformat(milestones["meet_by"])
    if meet > p.assigned_on:
        await register_deadline(
            session,
            tenant_id=p.tenant_id,
            owner_plugin=PLUGIN,
            object_type=OBJ_PROPOSAL,
            object_id=str(p.id),
            kind="meet",
            title=f"建议提案见面沟通：{p.title}"[:300],
            basis=None,
            rule="fixed",
            amount=None,
            due=meet,
            assignee_id=assignee,
        )
    return d.due_date


async def close_proposal(session: AsyncSession, p: Proposal, kind: str | None = None) -> None:
    await complete_deadline(
        session,
        tenant_id=p.tenant_id,
        owner_plugin=PLUGIN,
        object_type=OBJ_PROPOSAL,
        object_id=str(p.id),
        kind=kind,
    )


async def complete_deadline_kind(session: AsyncSession, item: Item, kind: str) -> list[Any]:
    return await complete_deadline(
        session,
        tenant_id=item.tenant_id,
        owner_plugin=PLUGIN,
        object_type=OBJ_ITEM,
        object_id=str(item.id),
        kind=kind,
    )
