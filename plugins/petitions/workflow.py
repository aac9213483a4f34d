"""Handling a case (办理): acceptance, extension, answer, 复查/复核, satisfaction. rules.md §4.

Each step checks the case's state (409 otherwise), records a timeline event, moves the legal clock
(:mod:`.clock`), issues the written notice the regulation requires and writes the audit record, all
in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Principal, Tenant, audit_record, conflict, get_settings, invalid, not_found

from . import clock, notices
from .intake import rechecked_same_facts
from .models import CaseEvent, PetitionCase, Routing


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo(get_settings().timezone)).date()


def action_day(on: dt.date | None, not_before: dt.date | None = None) -> dt.date:
    """The day a paper step happened (defaults to today); never in the future or before the last step."""
    t = today()
    if on is None:
        return t
    if on > t:
        raise invalid("on", "in_future", "日期不能晚于今天", "The date cannot be in the future")
    if not_before is not None and on < not_before:
        raise invalid("on", "before_previous", "日期不能早于上一环节", "The date is before the previous step")
    return on


async def get_case(
    session: AsyncSession, tenant_id: uuid.UUID | None, case_id: uuid.UUID, *, for_update: bool = True
) -> PetitionCase:
    stmt = select(PetitionCase).where(PetitionCase.id == case_id, PetitionCase.tenant_id == tenant_id)
    case = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if case is None:
        raise not_found("petition", "信访事项")
    return case


def need(case: PetitionCase, *states: str) -> None:
    if case.status not in states:
        raise conflict(
            "invalid_state",
            f"当前状态（{case.status}）不能执行此操作",
            f"Not allowed while the case is {case.status}",
        )


def event(  # noqa: PLR0917
    session: AsyncSession,
    case: PetitionCase,
    kind: str,
    text: str,
    actor: Principal | None,
    public: bool = True,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id, kind=kind, text=text, public=public, actor_id=actor.user_id if actor else None
        )
    )


async def office_name(session: AsyncSession, tenant_id: uuid.UUID) -> str:
    return str(await session.scalar(select(Tenant.name).where(Tenant.id == tenant_id)) or "")


async def audit(  # noqa: PLR0917
    session: AsyncSession,
    case: PetitionCase,
    action: str,
    summary: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    await audit_record(
        session,
        action=f"petitions.case.{action}",
        object_type="petitions.case",
        object_id=case.id,
        tenant_id=case.tenant_id,
        summary=summary,
        before=before,
        after=after,
    )


async def sync_origin(session: AsyncSession, case: PetitionCase, text: str) -> None:
    """Status flows back to the office that referred the case (转送/交办 回告)."""
    if case.origin_routing_id is None:
        return
    r = await session.get(Routing, case.origin_routing_id, with_for_update=True)
    if r is None:
        return
    r.target_status = case.status
    origin = await session.get(PetitionCase, r.case_id)
    if origin is not None:
        session.add(CaseEvent(case_id=origin.id, kind="target_status", text=text, public=True))
    await session.flush()


async def decide(
    session: AsyncSession,
    case: PetitionCase,
    *,
    accept: bool,
    reason: str | None,
    on: dt.date | None,
    actor: Principal,
    cfg: dict[str, Any],
) -> PetitionCase:
    """受理 / 不予受理, notified in writing (《信访工作条例》第二十三条, rules.md §4)."""
    need(case, "registered", "received")
    if case.origin_routing_id is not None and case.status == "registered":
        raise conflict("not_received", "请先签收转来的信访事项", "Receive the referred case first")
    day = action_day(on, case.received_on)
    before = {"status": case.status}
    if accept:
        if (number := await rechecked_same_facts(session, case)) is not None:
            raise conflict(
                "already_rechecked",
                f"同一事实已经复核终结（{number}），不再受理",
                f"The same facts were closed by 复核 in {number}; not accepted again",
            )
        case.status, case.decided_on = "accepted", day
        await clock.done(session, case, None, day)
        case.handle_due = await clock.start_handling(session, case, day, cfg, actor.user_id)
        kind, text = "acceptance", f"已受理，办理期限至{case.handle_due:%Y-%m-%d}"
    else:
        if not reason:
            raise invalid("reason", "required", "不予受理须说明理由", "A reason is required")
        case.status, case.decided_on, case.decision_reason = "not_accepted", day, reason
        await clock.done(session, case, None, day)
        kind, text = "non_acceptance", f"不予受理：{reason}"
    event(session, case, kind, text, actor)
    await notices.issue(session, kind, case, await office_name(session, case.tenant_id), day, actor.user_id)
    await audit(session, case, "decide", f"{case.number} {text}", before, {"status": case.status})
    await sync_origin(session, case, text)
    return case


async def request_extension(
    session: AsyncSession, case: PetitionCase, *, days: int, reason: str, actor: Principal
) -> PetitionCase:
    """Ask for the one extension (≤ 30 days, rules.md §4 / 第三十四条); a leader approves it."""
    need(case, "accepted")
    if case.extension_state in ("requested", "approved"):
        raise conflict("extension_exists", "只能延期一次", "Only one extension is allowed")
    case.extension_state, case.extended_days, case.extension_reason = "requested", days, reason
    event(session, case, "extension_requested", f"申请延期{days}日：{reason}", actor, public=False)
    await audit(session, case, "extension.request", f"{case.number} 申请延期{days}日", {}, {"days": days})
    return case


async def approve_extension(
    session: AsyncSession,
    case: PetitionCase,
    *,
    approve: bool,
    on: dt.date | None,
    actor: Principal,
    cfg: dict[str, Any],
) -> PetitionCase:
    """Approval extends the handling deadline and tells the petitioner why (告知书)."""
    need(case, "accepted")
    if case.extension_state != "requested":
        raise conflict("no_extension_request", "没有待审批的延期申请", "No extension request is pending")
    day = action_day(on, case.decided_on)
    before = {"handle_due": case.handle_due.isoformat() if case.handle_due else None}
    if not approve:
        case.extension_state, case.extended_days = "rejected", 0
        event(session, case, "extension_rejected", "延期申请未获批准", actor, public=False)
    else:
        case.handle_due = await clock.extend_handling(session, case, case.extended_days, cfg)
        case.extension_state = "approved"
        event(
            session,
            case,
            "extension",
            f"延期{case.extended_days}日至{case.handle_due:%Y-%m-%d}，理由：{case.extension_reason}",
            actor,
        )
        await notices.issue(
            session, "extension", case, await office_name(session, case.tenant_id), day, actor.user_id
        )
    await audit(
        session,
        case,
        "extension.approve",
        f"{case.number} 延期审批：{'同意' if approve else '不同意'}",
        before,
        {"handle_due": case.handle_due.isoformat() if case.handle_due else None},
    )
    await sync_origin(session, case, f"延期办理：{'已批准' if approve else '未批准'}")
    return case


ANSWER_WORDS = notices.ANSWER_WORDS


async def answer(
    session: AsyncSession,
    case: PetitionCase,
    *,
    answer_type: str,
    text: str,
    basis: str,
    on: dt.date | None,
    actor: Principal,
) -> PetitionCase:
    """书面答复: 支持 / 解释说明 / 不予支持 with its basis (第三十二条); closes the handling deadline.

    Also answers a pending 复查 (第三十五条) or 复核 (第三十六条) request.
    """
    need(case, "accepted", "review_requested", "recheck_requested")
    day = action_day(on, case.review_requested_on or case.decided_on)
    before = {"status": case.status}
    kind, stage, nxt = {
        "accepted": ("answer", "handle", "answered"),
        "review_requested": ("review", "review", "review_answered"),
        "recheck_requested": ("recheck", "recheck", "rechecked"),
    }[case.status]
    case.status, case.answer_type, case.answer_text, case.answer_basis, case.answered_on = (
        nxt,
        answer_type,
        text,
        basis,
        day,
    )
    await clock.done(session, case, stage, day)
    label = {"answer": "处理意见", "review": "复查意见", "recheck": "复核意见"}[kind]
    event(session, case, kind, f"{label}：{ANSWER_WORDS[answer_type]}", actor)
    await notices.issue(session, kind, case, await office_name(session, case.tenant_id), day, actor.user_id)
    await audit(
        session,
        case,
        kind,
        f"{case.number} {label}（{ANSWER_WORDS[answer_type]}）",
        before,
        {"status": case.status, "answer_type": answer_type},
    )
    await sync_origin(session, case, f"{label}：{ANSWER_WORDS[answer_type]}")
    return case


async def request_review(
    session: AsyncSession,
    case: PetitionCase,
    *,
    reasons: str,
    on: dt.date | None,
    actor: Principal | None,
    cfg: dict[str, Any],
) -> PetitionCase:
    """复查 within 30 days of the answer, 复核 within 30 days of the 复查 answer (rules.md §4)."""
    if case.status == "rechecked":
        raise conflict("final", "复核意见为最终意见，不再受理", "The 复核 answer is final")
    need(case, "answered", "review_answered")
    assert case.answered_on is not None
    day = action_day(on, case.answered_on)
    if day > await clock.review_window_end(session, case.answered_on):
        raise conflict("review_window_closed", "已超过30日的请求期限", "The 30-day window has passed")
    kind = "review" if case.status == "answered" else "recheck"
    case.status = "review_requested" if kind == "review" else "recheck_requested"
    case.review_stage += 1
    case.review_requested_on = day
    due = await clock.start_review(session, case, kind, day, cfg)
    label = "复查" if kind == "review" else "复核"
    event(
        session, case, f"{kind}_requested", f"请求{label}，应于{due:%Y-%m-%d}前答复。理由：{reasons}", actor
    )
    await audit(session, case, f"{kind}.request", f"{case.number} 请求{label}", {}, {"due": due.isoformat()})
    await sync_origin(session, case, f"信访人请求{label}")
    return case


async def rate(
    session: AsyncSession,
    case: PetitionCase,
    *,
    rating: str,
    note: str | None,
    on: dt.date | None,
    actor: Principal | None,
    cfg: dict[str, Any],
) -> PetitionCase:
    """Satisfaction after the answer (回访评价); 不满意 on a first answer reopens handling (rules.md §4)."""
    need(case, "answered", "review_answered", "rechecked")
    assert case.answered_on is not None
    day = action_day(on, case.answered_on)
    before = {"status": case.status, "rating": case.rating}
    case.rating = rating
    word = {"satisfied": "满意", "basically": "基本满意", "dissatisfied": "不满意"}[rating]
    event(session, case, "rating", f"评价：{word}" + (f"（{note}）" if note else ""), actor)
    if rating == "dissatisfied" and case.status == "answered":
        case.status, case.redo_count = "accepted", case.redo_count + 1
        case.handle_due = await clock.start_handling(session, case, day, cfg, None)
        event(session, case, "redo", f"不满意，重新办理，期限至{case.handle_due:%Y-%m-%d}", actor)
    await audit(
        session,
        case,
        "rate",
        f"{case.number} 评价：{word}",
        before,
        {"status": case.status, "rating": rating},
    )
    await sync_origin(session, case, f"评价：{word}")
    return case
