"""进展报告, sub-task completion, 办结 (result + evidence) and 审核销号 (leader sign-off)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    Principal,
    conflict,
    explain_deadline,
    get_storage,
    invalid,
    load_calendar,
    not_found,
)
from plugins.supervision import deadlines
from plugins.supervision.common import OBJ_ITEM, audit, load_item, now, require_state, tenant_of, today
from plugins.supervision.items import settings_of, snapshot
from plugins.supervision.models import Item, ItemFile, Report, Task


async def _link_files(
    session: AsyncSession,
    p: Principal,
    item: Item,
    file_ids: list[uuid.UUID],
    *,
    purpose: str,
    report_id: int | None,
    field: str,
) -> list[ItemFile]:
    """Link the caller's own uploads (plugin ``supervision``) to the item."""
    storage = get_storage()
    out = []
    for i, fid in enumerate(dict.fromkeys(file_ids)):
        try:
            f = await storage.get(session, fid, tenant_id=item.tenant_id)
        except Exception as exc:
            raise invalid(f"{field}.{i}", "unknown_file", "文件不存在", "Unknown file") from exc
        if f.created_by != p.user_id or f.plugin != "supervision":
            raise invalid(
                f"{field}.{i}",
                "not_your_upload",
                "只能附加本人上传的督办材料",
                "Attach your own uploads to the supervision module",
            )
        exists = await session.scalar(
            select(ItemFile).where(ItemFile.item_id == item.id, ItemFile.file_id == fid)
        )
        if exists is not None:
            if purpose == "evidence":  # a progress attachment may also serve as 办结 evidence
                exists.purpose = purpose
            out.append(exists)
            continue
        link = ItemFile(
            item_id=item.id, report_id=report_id, file_id=fid, purpose=purpose, name=f.original_name
        )
        session.add(link)
        out.append(link)
    await session.flush()
    return out


async def report(session: AsyncSession, p: Principal, item_id: uuid.UUID, data: dict[str, Any]) -> Report:
    """File a 进展报告; it answers the current period, whose deadline closes, and the next is planned."""
    item = await load_item(session, p, item_id, lock=True)
    require_state(item, "open")
    if data.get("task_id") is not None:
        await _task(session, item, data["task_id"])
    on = today()
    period = item.next_report_due
    r = Report(
        tenant_id=item.tenant_id,
        item_id=item.id,
        task_id=data.get("task_id"),
        period_due=period,
        content=data["content"],
        percent=data["percent"],
        reported_on=on,
        late=period is not None and on > period,
        reported_by=p.user_id,
        reporter_name=p.display_name,
    )
    session.add(r)
    await session.flush()
    files = await _link_files(
        session, p, item, data.get("file_ids") or [], purpose="progress", report_id=r.id, field="file_ids"
    )
    item.reports_count += 1
    if period is not None:
        await deadlines.complete_deadline_kind(session, item, "progress")
        cal = await load_calendar(session)
        await deadlines.plan_progress(session, item, cal, period, await settings_of(session, item.tenant_id))
    await session.flush()
    await audit(
        session,
        p,
        "progress.report",
        OBJ_ITEM,
        item.id,
        f"报送「{item.title}」进展（{r.percent}%）",
        after={
            "report_id": r.id,
            "period_due": period and period.isoformat(),
            "late": r.late,
            "files": [str(f.file_id) for f in files],
            "next_report_due": item.next_report_due and item.next_report_due.isoformat(),
        },
    )
    return r


async def _task(session: AsyncSession, item: Item, task_id: uuid.UUID) -> Task:
    task = await session.scalar(select(Task).where(Task.id == task_id, Task.item_id == item.id))
    if task is None:
        raise invalid("task_id", "unknown_task", "分解任务不存在", "Unknown sub-task")
    return task


async def complete_task(
    session: AsyncSession, p: Principal, item_id: uuid.UUID, task_id: uuid.UUID, result: str
) -> Task:
    item = await load_item(session, p, item_id, lock=True)
    require_state(item, "open")
    task = await session.scalar(select(Task).where(Task.id == task_id, Task.item_id == item.id))
    if task is None:
        raise not_found("task", "分解任务")
    if task.done_on is not None:
        raise conflict("task_done", "该分解任务已完成", "The sub-task is already done")
    task.done_on, task.result = today(), result
    await session.flush()
    await audit(
        session,
        p,
        "task.complete",
        OBJ_ITEM,
        item.id,
        f"完成分解任务（{item.title}）",
        after={"task_id": str(task.id), "done_on": task.done_on.isoformat()},
    )
    return task


async def complete(session: AsyncSession, p: Principal, item_id: uuid.UUID, data: dict[str, Any]) -> Item:
    """办结: the result and evidence; every sub-task done; past the 完成时限 a 书面说明 is required."""
    item = await load_item(session, p, item_id, lock=True)
    require_state(item, "open")
    open_tasks = await session.scalar(
        select(func.count()).select_from(Task).where(Task.item_id == item.id, Task.done_on.is_(None))
    )
    if open_tasks:
        raise conflict(
            "tasks_open", f"尚有{open_tasks}项分解任务未完成", f"{open_tasks} sub-task(s) still open"
        )
    on = today()
    explanation = (data.get("explanation") or "").strip()
    if on > item.due_date and not explanation:
        raise invalid(
            "explanation",
            "required",
            "已超过完成时限，须填写书面说明",
            "The due date has passed: a written explanation is required",
        )
    before = snapshot(item)
    await _link_files(
        session,
        p,
        item,
        data["evidence_file_ids"],
        purpose="evidence",
        report_id=None,
        field="evidence_file_ids",
    )
    item.state, item.result, item.completed_on, item.completed_by = (
        "pending_signoff",
        data["result"],
        on,
        p.user_id,
    )
    item.explanation = explanation or None
    item.next_report_due = None
    for d in await deadlines.close_item(session, item):
        if on > d.due_date:
            await explain_deadline(session, d.id, explanation, tenant_id=item.tenant_id, author_id=p.user_id)
    await session.flush()
    await audit(
        session,
        p,
        "item.complete",
        OBJ_ITEM,
        item.id,
        f"申请办结「{item.title}」",
        before=before,
        after={**snapshot(item), "completed_on": on.isoformat()},
    )
    return item


async def signoff(
    session: AsyncSession, p: Principal, item_id: uuid.UUID, decision: str, opinion: str
) -> Item:
    """审核销号 by the leader: approve closes the item; return reopens it with its deadlines."""
    item = await load_item(session, p, item_id, lock=True)
    require_state(item, "pending_signoff")
    before = snapshot(item)
    item.signoff_opinion = opinion
    if decision == "approve":
        item.state, item.signed_off_by, item.signed_off_at = "closed", p.user_id, now()
        summary = f"审核销号「{item.title}」"
    else:
        item.state, item.completed_on, item.completed_by = "open", None, None
        conf = await settings_of(session, tenant_of(p))
        item.due_date = await deadlines.plan_final(session, item, conf)
        from plugins.supervision.items import period_basis  # noqa: PLC0415 - avoid an import cycle

        cal = await load_calendar(session)
        await deadlines.plan_progress(
            session, item, cal, max(await period_basis(session, item), today()), conf
        )
        summary = f"退回督办事项「{item.title}」重办"
    await session.flush()
    await audit(
        session,
        p,
        f"item.signoff.{decision}",
        OBJ_ITEM,
        item.id,
        summary,
        before=before,
        after={**snapshot(item), "opinion": opinion},
    )
    return item


async def file_url(
    session: AsyncSession, p: Principal, item_id: uuid.UUID, file_id: uuid.UUID
) -> dict[str, Any]:
    item = await load_item(session, p, item_id)
    link = await session.scalar(
        select(ItemFile).where(ItemFile.item_id == item.id, ItemFile.file_id == file_id)
    )
    if link is None:
        raise not_found("file", "附件")
    storage = get_storage()
    f = await storage.get(session, file_id, tenant_id=item.tenant_id)
    return {"file_id": str(f.id), "name": f.original_name, "url": storage.presigned_url(f)}
