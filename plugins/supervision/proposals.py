"""建议提案办理: 人大代表建议 and 政协委员提案 assigned to units, answered and graded (rules.md §6).

Answer within 3 months of assignment, 6 months for complex ones (《全国人民代表大会代表建议、批评和意见
处理办法》: 自交办之日起三个月内答复，涉及面广、处理难度大的六个月内; the CPPCC rules alike), counted in
calendar months (rules.md §0). Before answering the unit contacts the deputy (见面/沟通); 办复率 and
见面率 are to be 100%. Results: A 解决或基本解决, B 正在解决或列入计划, C 因条件限制暂时不能解决,
D 留作参考. The local schedule (交办/见面/答复/总结 by fixed days, rules.md §6 example) is config.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    Principal,
    conflict,
    get_storage,
    invalid,
    load_calendar,
    not_found,
    tenant_filter,
    unit_scope_filter,
)
from plugins.supervision import deadlines, rules
from plugins.supervision.common import OBJ_PROPOSAL, audit, check_units, require_state, tenant_of, today
from plugins.supervision.items import settings_of
from plugins.supervision.models import Proposal
from plugins.supervision.permissions import PROPOSAL_MANAGE

KIND_NAMES = {"npc_suggestion": "人大代表建议", "cppcc_proposal": "政协委员提案"}
GRADE_NAMES = {
    "A": "解决或基本解决",
    "B": "正在解决或列入计划",
    "C": "因条件限制暂时不能解决",
    "D": "留作参考",
}


def visible(p: Principal) -> ColumnElement[bool]:
    """Managers see the tenant's register; answering units see their own proposals."""
    base = tenant_filter(Proposal.tenant_id, p)
    if p.has(PROPOSAL_MANAGE):
        return base
    return and_(base, unit_scope_filter(Proposal.lead_unit_id, p, include_on_behalf_of=True))


async def load(session: AsyncSession, p: Principal, pid: uuid.UUID, *, lock: bool = False) -> Proposal:
    stmt = select(Proposal).where(Proposal.id == pid, visible(p))
    row = await session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise not_found("proposal", "建议提案")
    return row


def _snap(row: Proposal) -> dict[str, Any]:
    return {
        "state": row.state,
        "due_date": row.due_date.isoformat(),
        "grade": row.grade,
        "contacted_on": row.contacted_on and row.contacted_on.isoformat(),
        "satisfaction": row.satisfaction,
    }


async def create(session: AsyncSession, p: Principal, data: dict[str, Any]) -> Proposal:
    tenant_id = tenant_of(p)
    await check_units(session, tenant_id, [data["lead_unit_id"]], "lead_unit_id")
    dup = await session.scalar(
        select(Proposal.id).where(
            Proposal.tenant_id == tenant_id,
            Proposal.kind == data["kind"],
            Proposal.session_year == data["session_year"],
            Proposal.number == data["number"],
        )
    )
    if dup is not None:
        raise conflict("duplicate_number", "该届次已有同号建议提案", "This number is already registered")
    cal = await load_calendar(session)
    row = Proposal(
        tenant_id=tenant_id,
        created_by=p.user_id,
        state="assigned",
        due_date=rules.proposal_due(cal, data["assigned_on"], data["complex"]),
        **data,
    )
    session.add(row)
    await session.flush()
    conf = await settings_of(session, tenant_id)
    row.due_date = await deadlines.plan_proposal(
        session, row, rules.milestones(conf, row.assigned_on.year), p.user_id
    )
    await session.flush()
    await audit(
        session,
        p,
        "proposal.assign",
        OBJ_PROPOSAL,
        row.id,
        f"交办{KIND_NAMES[row.kind]}第{row.number}号「{row.title}」",
        after=_snap(row),
    )
    return row


async def contact(session: AsyncSession, p: Principal, pid: uuid.UUID, on: dt.date, method: str) -> Proposal:
    row = await load(session, p, pid, lock=True)
    require_state(row, "assigned")
    if on < row.assigned_on or on > today():
        raise invalid(
            "contacted_on",
            "out_of_range",
            "见面日期须在交办之后且不晚于今天",
            "The contact date lies between assignment and today",
        )
    before = _snap(row)
    row.contacted_on, row.contact_method = on, method
    await deadlines.close_proposal(session, row, "meet")
    await session.flush()
    await audit(
        session,
        p,
        "proposal.contact",
        OBJ_PROPOSAL,
        row.id,
        f"与代表委员见面沟通（{row.title}）",
        before=before,
        after=_snap(row),
    )
    return row


async def answer(session: AsyncSession, p: Principal, pid: uuid.UUID, data: dict[str, Any]) -> Proposal:
    row = await load(session, p, pid, lock=True)
    require_state(row, "assigned")
    on = data["answered_on"]
    if on < row.assigned_on or on > today():
        raise invalid(
            "answered_on",
            "out_of_range",
            "答复日期须在交办之后且不晚于今天",
            "The answer date lies between assignment and today",
        )
    if data.get("file_id") is not None:
        f = await get_storage().get(session, data["file_id"], tenant_id=row.tenant_id)
        if f.created_by != p.user_id or f.plugin != "supervision":
            raise invalid("file_id", "not_your_upload", "只能附加本人上传的答复函", "Attach your own upload")
    before = _snap(row)
    row.state, row.answered_on, row.answer, row.grade = "answered", on, data["answer"], data["grade"]
    row.answer_file_id = data.get("file_id")
    await deadlines.close_proposal(session, row)
    await session.flush()
    await audit(
        session,
        p,
        "proposal.answer",
        OBJ_PROPOSAL,
        row.id,
        f"答复「{row.title}」：{row.grade}类（{GRADE_NAMES[row.grade]}）",
        before=before,
        after=_snap(row),
    )
    return row


async def feedback(
    session: AsyncSession, p: Principal, pid: uuid.UUID, satisfaction: str, on: dt.date
) -> Proposal:
    row = await load(session, p, pid, lock=True)
    require_state(row, "answered")
    if row.answered_on is not None and on < row.answered_on:
        raise invalid(
            "feedback_on", "before_answer", "反馈日期不能早于答复日期", "Feedback precedes the answer"
        )
    before = _snap(row)
    row.state, row.satisfaction, row.feedback_on = "closed", satisfaction, on
    await session.flush()
    await audit(
        session,
        p,
        "proposal.feedback",
        OBJ_PROPOSAL,
        row.id,
        f"代表委员对「{row.title}」的答复反馈",
        before=before,
        after=_snap(row),
    )
    return row


async def list_proposals(
    session: AsyncSession,
    p: Principal,
    *,
    year: int | None,
    kind: str | None,
    state: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Proposal], int]:
    stmt = select(Proposal).where(visible(p))
    if year:
        stmt = stmt.where(Proposal.session_year == year)
    if kind:
        stmt = stmt.where(Proposal.kind == kind)
    if state:
        stmt = stmt.where(Proposal.state == state)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(stmt.order_by(Proposal.number, Proposal.id).limit(limit).offset(offset))
    return list(rows), int(total or 0)


async def supervise(
    session: AsyncSession, p: Principal, pid: uuid.UUID, data: dict[str, Any]
) -> tuple[Any, bool]:
    """Open (once) a 督办事项 for a proposal: source ``supervision:proposal:<id>``, due on its 答复期限."""
    from plugins.supervision import items  # noqa: PLC0415 - items imports this module's neighbours

    row = await session.scalar(
        select(Proposal).where(Proposal.id == pid, tenant_filter(Proposal.tenant_id, p))
    )
    if row is None:
        raise not_found("proposal", "建议提案")
    require_state(row, "assigned")
    item_data = {
        "source_kind": "proposal",
        "source_ref": f"{row.session_year}年{KIND_NAMES[row.kind]}第{row.number}号",
        "title": f"{KIND_NAMES[row.kind]}办理：{row.title}"[:300],
        "content": row.content or row.title,
        "lead_unit_id": row.lead_unit_id,
        "basis_date": row.assigned_on,
        "due_date": row.due_date,
        **data,
    }
    return await items.create(
        session,
        tenant_id=row.tenant_id,
        data=item_data,
        principal=p,
        created_by=p.user_id,
        source_id=str(row.id),
    )


def _rate(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


async def stats(session: AsyncSession, p: Principal, year: int, kind: str | None) -> dict[str, Any]:
    """办复率 (answered/assigned), 见面率 (contacted before answering/answered), 按期办复率,
    满意率 (满意+基本满意 / feedback received), grades A–D."""
    conds = [visible(p), Proposal.session_year == year]
    if kind:
        conds.append(Proposal.kind == kind)
    answered = Proposal.answered_on.is_not(None)
    c = func.count().filter
    row = (
        await session.execute(
            select(
                func.count(),
                c(answered),
                c(
                    and_(
                        answered,
                        Proposal.contacted_on.is_not(None),
                        Proposal.contacted_on <= Proposal.answered_on,
                    )
                ),
                c(and_(answered, Proposal.answered_on <= Proposal.due_date)),
                c(Proposal.satisfaction.is_not(None)),
                c(or_(Proposal.satisfaction == "satisfied", Proposal.satisfaction == "basically_satisfied")),
                c(Proposal.satisfaction == "satisfied"),
            ).where(*conds)
        )
    ).one()
    total, n_answered, met, on_time, fed, ok, fully = (int(x or 0) for x in row)
    grades = dict(
        (
            await session.execute(
                select(Proposal.grade, func.count())
                .where(*conds, Proposal.grade.is_not(None))
                .group_by(Proposal.grade)
            )
        ).all()
    )
    conf = await settings_of(session, tenant_of(p))
    return {
        "year": year,
        "kind": kind,
        "total": total,
        "answered": n_answered,
        "answer_rate": _rate(n_answered, total),
        "contacted_before_answer": met,
        "contact_rate": _rate(met, n_answered),
        "on_time": on_time,
        "on_time_rate": _rate(on_time, n_answered),
        "feedback": fed,
        "satisfaction_rate": _rate(ok, fed),
        "fully_satisfied": fully,
        "grades": {g: int(grades.get(g, 0)) for g in ("A", "B", "C", "D")},
        "milestones": rules.milestones(conf, year),
    }


def view(row: Proposal) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "kind": row.kind,
        "session_year": row.session_year,
        "number": row.number,
        "title": row.title,
        "content": row.content,
        "deputy_name": row.deputy_name,
        "deputy_contact": row.deputy_contact,
        "lead_unit_id": str(row.lead_unit_id),
        "assigned_on": row.assigned_on.isoformat(),
        "complex": row.complex,
        "due_date": row.due_date.isoformat(),
        "state": row.state,
        "contacted_on": row.contacted_on and row.contacted_on.isoformat(),
        "contact_method": row.contact_method,
        "answered_on": row.answered_on and row.answered_on.isoformat(),
        "answer": row.answer,
        "grade": row.grade,
        "grade_name": GRADE_NAMES.get(row.grade or ""),
        "answer_file_id": row.answer_file_id and str(row.answer_file_id),
        "satisfaction": row.satisfaction,
        "feedback_on": row.feedback_on and row.feedback_on.isoformat(),
    }
