"""转送/交办: hand a case to a unit (科室) of the office or to another office on the installation.

Receipt (签收), pull-back (撤回) by the sender while the receiver has not decided yet, an objection
(异议) by the receiver within 5 working days of receipt, and every status change of the receiver's
copy flowing back to the sender's case. Source: rules.md §4.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Principal, Tenant, Unit, conflict, invalid, not_found, plugin_enabled

from . import clock
from .models import CaseFile, PetitionCase, Routing
from .notify import HANDLE, ROUTE, notify_holders
from .workflow import action_day, audit, event, need, sync_origin


async def route(
    session: AsyncSession,
    case: PetitionCase,
    *,
    mode: str,
    unit_id: uuid.UUID | None,
    tenant_code: str | None,
    note: str | None,
    on: dt.date | None,
    actor: Principal,
    cfg: dict[str, Any],
) -> Routing:
    """Route within the 15-day 登记转送 period (《信访工作条例》第二十二条); closes that deadline."""
    need(case, "registered")
    if (unit_id is None) == (tenant_code is None):
        raise invalid("unit_id", "one_target", "须指定一个承办单位或一个机关", "Give exactly one target")
    open_route = await session.scalar(
        select(Routing.id).where(Routing.case_id == case.id, Routing.state.in_(("sent", "received")))
    )
    if open_route is not None:
        raise conflict("already_routed", "该事项已转交办，请先撤回", "Already routed; pull it back first")
    day = action_day(on, case.received_on)
    r = Routing(
        tenant_id=case.tenant_id, case_id=case.id, mode=mode, note=note or "", sent_on=day, state="sent"
    )
    if unit_id is not None:
        unit = await session.scalar(select(Unit).where(Unit.id == unit_id, Unit.tenant_id == case.tenant_id))
        if unit is None:
            raise invalid("unit_id", "unknown_unit", "承办单位不存在", "No such unit")
        r.target_unit_id, case.unit_id = unit.id, unit.id
        target_name = unit.name
        session.add(r)
        await session.flush()
        await notify_holders(session, case, HANDLE, "assigned", r.id, unit=unit)
    else:
        target = await session.scalar(
            select(Tenant).where(Tenant.code == tenant_code, Tenant.active.is_(True))
        )
        if (
            target is None
            or target.id == case.tenant_id
            or not await plugin_enabled(session, target.id, "petitions")
        ):
            raise invalid(
                "tenant_code",
                "unknown_target",
                "接收机关不存在或未开通信访模块",
                "No such office with letters and visits enabled",
            )
        target_name = target.name
        r.target_tenant_id = target.id
        session.add(r)
        await session.flush()
        copy = PetitionCase(
            tenant_id=target.id,
            number=f"{case.number}-{r.id}",
            channel="transfer",
            status="registered",
            category=case.category,
            title=case.title,
            request=case.request,
            facts=case.facts,
            reasons=case.reasons,
            name=case.name,
            address=case.address,
            phone=case.phone,
            id_number=case.id_number,
            person_hash=case.person_hash,
            factor_hashes=[],
            is_group=case.is_group,
            headcount=case.headcount,
            representatives=case.representatives,
            shingles=case.shingles,
            received_on=day,
            origin_tenant_id=case.tenant_id,
            origin_case_id=case.id,
            origin_routing_id=r.id,
            extended_days=0,
            review_stage=0,
            redo_count=0,
            is_repeat=case.is_repeat,
        )
        session.add(copy)
        await session.flush()
        r.target_case_id = copy.id
        await notify_holders(session, copy, ROUTE, "referred_in", r.id)
        # The receiver sees the attachments (they stay the sender's files; downloads check the link).
        files = await session.scalars(select(CaseFile.file_id).where(CaseFile.case_id == case.id))
        session.add_all(CaseFile(case_id=copy.id, file_id=f, kind="referred") for f in files)
        case.status = "referred"
        await clock.cancel(session, case, "accept")
    await clock.done(session, case, "route", day)
    word = "交办" if mode == "assign" else "转送"
    event(session, case, "routed", f"{word}至{target_name}", actor)
    await audit(
        session,
        case,
        "route",
        f"{case.number} {word}至{target_name}",
        {},
        {"routing": r.id, "unit": str(unit_id) if unit_id else None, "tenant": tenant_code},
    )
    await session.flush()
    return r


async def receive(
    session: AsyncSession, case: PetitionCase, *, on: dt.date | None, actor: Principal, cfg: dict[str, Any]
) -> PetitionCase:
    """签收 (receipt): a referred-in case starts its 5-working-day objection and 15-day acceptance clocks;
    a unit assignment records its receipt."""
    if case.origin_routing_id is not None and case.status == "registered":
        day = action_day(on, case.received_on)
        r = await session.get(Routing, case.origin_routing_id, with_for_update=True)
        assert r is not None
        case.status, case.received_on = "received", day
        r.state, r.received_on = "received", day
        due = await clock.start_objection(session, case, day, cfg)
        event(session, case, "received", f"已签收，异议期至{due:%Y-%m-%d}", actor)
        await audit(
            session, case, "receive", f"{case.number} 签收转来事项", {}, {"objection_due": due.isoformat()}
        )
        await sync_origin(session, case, "承办机关已签收")
        return case
    r = await session.scalar(
        select(Routing)
        .where(Routing.case_id == case.id, Routing.state == "sent", Routing.target_unit_id.is_not(None))
        .with_for_update()
    )
    if r is None:
        raise conflict("nothing_to_receive", "没有待签收的转交办", "Nothing to receive")
    r.state, r.received_on = "received", action_day(on, r.sent_on)
    event(session, case, "unit_received", "承办单位已签收", actor)
    await audit(session, case, "receive", f"{case.number} 承办单位签收", {}, {"routing": r.id})
    return case


async def object_to(
    session: AsyncSession, case: PetitionCase, *, reason: str | None, on: dt.date | None, actor: Principal
) -> PetitionCase:
    """异议: the receiver says the case is not its remit, within 5 working days of receipt (rules.md §4)."""
    need(case, "received")
    if case.origin_routing_id is None:
        raise conflict("not_referred", "不是转来的信访事项", "This case was not referred to you")
    if not reason:
        raise invalid("reason", "required", "须说明异议理由", "A reason is required")
    day = action_day(on, case.received_on)
    if not await clock.objection_open(session, case.received_on, day):
        raise conflict(
            "objection_window_closed", "已超过5个工作日的异议期限", "The 5-working-day window has passed"
        )
    r = await session.get(Routing, case.origin_routing_id, with_for_update=True)
    assert r is not None
    case.status, r.state, r.closed_on = "returned", "objected", day
    await clock.cancel(session, case)
    origin = await session.get(PetitionCase, r.case_id, with_for_update=True)
    if origin is not None and origin.status == "referred":
        origin.status = "registered"
    event(session, case, "objected", f"提出异议并退回：{reason}", actor)
    if origin is not None:
        await notify_holders(session, origin, ROUTE, "returned", r.id)
    await audit(session, case, "object", f"{case.number} 异议退回", {}, {"reason": reason})
    await sync_origin(session, case, f"承办机关提出异议并退回：{reason}")
    return case


async def pull_back(
    session: AsyncSession, tenant_id: uuid.UUID, routing_id: int, *, on: dt.date | None, actor: Principal
) -> Routing:
    """撤回 by the sender while the receiver has not accepted or answered."""
    r = await session.scalar(
        select(Routing).where(Routing.id == routing_id, Routing.tenant_id == tenant_id).with_for_update()
    )
    if r is None:
        raise not_found("routing", "转交办记录")
    if r.state not in ("sent", "received"):
        raise conflict(
            "not_pullable", "该转交办已结束，不能撤回", "This routing can no longer be pulled back"
        )
    case = await session.get(PetitionCase, r.case_id, with_for_update=True)
    assert case is not None
    if r.target_case_id is not None:
        target = await session.get(PetitionCase, r.target_case_id, with_for_update=True)
        if target is not None:
            if target.status not in ("registered", "received"):
                raise conflict(
                    "already_decided", "承办机关已作出受理决定，不能撤回", "The receiver has decided already"
                )
            target.status = "withdrawn"
            await clock.cancel(session, target)
            await notify_holders(session, target, ROUTE, "withdrawn", r.id)
        case.status = "registered"
    else:
        case.unit_id = None
    r.state, r.closed_on = "pulled_back", action_day(on, r.sent_on)
    event(session, case, "pulled_back", "已撤回转交办", actor)
    await audit(session, case, "pull_back", f"{case.number} 撤回转交办", {}, {"routing": r.id})
    await session.flush()
    return r


async def routings_of(session: AsyncSession, case: PetitionCase) -> list[dict[str, Any]]:
    rows = await session.scalars(select(Routing).where(Routing.case_id == case.id).order_by(Routing.id))
    return [
        {
            "id": r.id,
            "mode": r.mode,
            "target_unit_id": r.target_unit_id,
            "target_tenant_id": r.target_tenant_id,
            "state": r.state,
            "target_status": r.target_status,
            "sent_on": r.sent_on,
            "received_on": r.received_on,
            "closed_on": r.closed_on,
        }
        for r in rows
    ]
