"""JSON views of items (with their light as of a day) and their parts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import WorkCalendar
from plugins.supervision import rules
from plugins.supervision.common import iso
from plugins.supervision.models import Chase, Item, ItemFile, ItemUnit, Report, Task


def item_summary(item: Item, cal: WorkCalendar, conf: dict[str, Any], on: dt.date) -> dict[str, Any]:
    is_open = item.state == "open"
    return {
        "id": str(item.id),
        "title": item.title,
        "source_kind": item.source_kind,
        "source_plugin": item.source_plugin,
        "source_id": item.source_id,
        "source_ref": item.source_ref,
        "lead_unit_id": str(item.lead_unit_id),
        "leader_id": item.leader_id and str(item.leader_id),
        "contact_id": item.contact_id and str(item.contact_id),
        "basis_date": item.basis_date.isoformat(),
        "due_date": item.due_date.isoformat(),
        "due_rule": item.due_rule,
        "due_workdays": item.due_workdays,
        "cadence": item.cadence,
        "next_report_due": iso(item.next_report_due),
        "reports_count": item.reports_count,
        "state": item.state,
        "as_of": on.isoformat(),
        "light": rules.light(cal, on, item.due_date, conf) if is_open else None,
        "remaining_workdays": rules.remaining_workdays(cal, on, item.due_date) if is_open else None,
        "overdue": is_open and on > item.due_date,
        "completed_on": iso(item.completed_on),
    }


async def item_detail(
    session: AsyncSession, item: Item, cal: WorkCalendar, conf: dict[str, Any], on: dt.date
) -> dict[str, Any]:
    out = item_summary(item, cal, conf, on)
    units = (
        await session.scalars(select(ItemUnit).where(ItemUnit.item_id == item.id).order_by(ItemUnit.id))
    ).all()
    tasks = (await session.scalars(select(Task).where(Task.item_id == item.id).order_by(Task.due_date))).all()
    reports = (
        await session.scalars(select(Report).where(Report.item_id == item.id).order_by(Report.id))
    ).all()
    files = (
        await session.scalars(select(ItemFile).where(ItemFile.item_id == item.id).order_by(ItemFile.id))
    ).all()
    chases = (await session.scalars(select(Chase).where(Chase.item_id == item.id).order_by(Chase.id))).all()
    out.update(
        content=item.content,
        standard=item.standard,
        co_unit_ids=[str(u.unit_id) for u in units if u.role == "co"],
        result=item.result,
        explanation=item.explanation,
        signoff_opinion=item.signoff_opinion,
        signed_off_at=iso(item.signed_off_at),
        tasks=[
            {
                "id": str(t.id),
                "unit_id": str(t.unit_id),
                "content": t.content,
                "due_date": t.due_date.isoformat(),
                "done_on": iso(t.done_on),
                "result": t.result,
            }
            for t in tasks
        ],
        reports=[
            {
                "id": r.id,
                "task_id": r.task_id and str(r.task_id),
                "period_due": iso(r.period_due),
                "content": r.content,
                "percent": r.percent,
                "reported_on": r.reported_on.isoformat(),
                "late": r.late,
                "reporter": r.reporter_name,
                "files": [{"file_id": str(f.file_id), "name": f.name} for f in files if f.report_id == r.id],
            }
            for r in reports
        ],
        evidence=[{"file_id": str(f.file_id), "name": f.name} for f in files if f.purpose == "evidence"],
        chases=[{"id": c.id, "note": c.note, "escalated": c.escalated, "at": iso(c.at)} for c in chases],
    )
    return out
