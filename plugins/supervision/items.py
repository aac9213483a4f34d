"""督办事项 service: 立项 (by hand or from another plugin's event), lists with lights, changes, 分解, 催办."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    Principal,
    WorkCalendar,
    create_notification,
    invalid,
    load_calendar,
    plugin_settings,
)
from plugins.supervision import deadlines, rules
from plugins.supervision.common import (
    OBJ_ITEM,
    PLUGIN,
    audit,
    check_person,
    check_units,
    item_visible,
    load_item,
    require_state,
    tenant_of,
    today,
)
from plugins.supervision.models import Chase, Item, ItemUnit, Report, Task


def snapshot(item: Item) -> dict[str, Any]:
    return {
        "state": item.state,
        "due_date": item.due_date.isoformat(),
        "cadence": item.cadence,
        "leader_id": str(item.leader_id) if item.leader_id else None,
        "contact_id": str(item.contact_id) if item.contact_id else None,
    }


async def settings_of(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, Any]:
    return await plugin_settings(session, tenant_id, PLUGIN)


async def create(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    data: dict[str, Any],
    principal: Principal | None,
    created_by: uuid.UUID | None,
    source_plugin: str = PLUGIN,
    source_id: str | None = None,
) -> tuple[Item, bool]:
    """One item per source: ``(item, created)``; the same (plugin, kind, id) again returns the first."""
    if source_id is not None:
        existing = await _by_source(session, tenant_id, source_plugin, data["source_kind"], source_id)
        if existing is not None:
            return existing, False
    co = list(dict.fromkeys(data.get("co_unit_ids") or []))
    await check_units(session, tenant_id, [data["lead_unit_id"]], "lead_unit_id")
    await check_units(session, tenant_id, co, "co_unit_ids")
    await check_person(session, tenant_id, data.get("leader_id"), "leader_id")
    await check_person(session, tenant_id, data.get("contact_id"), "contact_id")
    cal = await load_calendar(session)
    basis = data.get("basis_date") or today()
    workdays = data.get("workdays")
    due = cal.add_workdays(basis, workdays).date if workdays else data["due_date"]
    if due < basis:
        raise invalid(
            "due_date", "before_basis", "完成时限不能早于交办日期", "The due date is before the basis"
        )
    values = {
        "tenant_id": tenant_id,
        "source_kind": data["source_kind"],
        "source_plugin": source_plugin,
        "source_id": source_id,
        "source_ref": data.get("source_ref") or "",
        "title": data["title"],
        "content": data["content"],
        "standard": data.get("standard") or "",
        "lead_unit_id": data["lead_unit_id"],
        "leader_id": data.get("leader_id"),
        "contact_id": data.get("contact_id"),
        "basis_date": basis,
        "due_rule": "workdays" if workdays else "fixed",
        "due_workdays": workdays,
        "due_date": due,
        "cadence": data.get("cadence") or "none",
        "state": "open",
        "created_by": created_by,
    }
    new_id = await session.scalar(
        pg_insert(Item)
        .values(id=uuid.uuid4(), **values)
        .on_conflict_do_nothing(
            index_elements=["tenant_id", "source_plugin", "source_kind", "source_id"],
            index_where=Item.source_id.is_not(None),
        )
        .returning(Item.id)
    )
    if new_id is None:  # a concurrent request for the same source won
        existing = await _by_source(session, tenant_id, source_plugin, data["source_kind"], source_id)
        assert existing is not None
        return existing, False
    item = await session.get(Item, new_id)
    assert item is not None
    session.add(ItemUnit(item_id=item.id, unit_id=item.lead_unit_id, role="lead"))
    session.add_all(ItemUnit(item_id=item.id, unit_id=u, role="co") for u in co)
    conf = await settings_of(session, tenant_id)
    item.due_date = await deadlines.plan_final(session, item, conf)
    await deadlines.plan_progress(session, item, cal, basis, conf)
    await session.flush()
    await audit(
        session,
        principal,
        "item.create",
        OBJ_ITEM,
        item.id,
        f"督办立项「{item.title}」",
        after={**snapshot(item), "source": f"{source_plugin}:{item.source_kind}:{source_id or ''}"},
        tenant_id=tenant_id,
        actor_id=created_by if principal is None else None,
    )
    return item, True


async def _by_source(
    session: AsyncSession, tenant_id: uuid.UUID, plugin: str, kind: str, source_id: str | None
) -> Item | None:
    return await session.scalar(
        select(Item).where(
            Item.tenant_id == tenant_id,
            Item.source_plugin == plugin,
            Item.source_kind == kind,
            Item.source_id == source_id,
        )
    )


def light_bounds(cal: WorkCalendar, on: dt.date, conf: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """(first green due day, first yellow due day) as of ``on``: lights become SQL date comparisons.

    ``workdays_between(on, due) >= k`` exactly when ``due >= add_workdays(on, k)`` (k ≥ 1)."""
    green = cal.add_workdays(on, int(conf["light_yellow_workdays"]) + 1).date
    yellow = cal.add_workdays(on, max(int(conf["light_red_workdays"]), 0) + 1).date
    return green, yellow


def light_filter(light: str, on: dt.date, bounds: tuple[dt.date, dt.date]) -> Any:
    green, yellow = bounds
    is_open = Item.state == "open"
    if light == "green":
        return and_(is_open, Item.due_date >= green, Item.due_date >= on)
    if light == "yellow":
        return and_(is_open, Item.due_date >= yellow, Item.due_date < green, Item.due_date >= on)
    return and_(is_open, or_(Item.due_date < yellow, Item.due_date < on))


async def list_items(
    session: AsyncSession,
    p: Principal,
    *,
    on: dt.date,
    state: str | None = None,
    light: str | None = None,
    unit_id: uuid.UUID | None = None,
    source_kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Item], int, WorkCalendar, dict[str, Any]]:
    cal = await load_calendar(session)
    conf = await settings_of(session, tenant_of(p))
    stmt = select(Item).where(item_visible(p))
    if state:
        stmt = stmt.where(Item.state == state)
    if light:
        stmt = stmt.where(light_filter(light, on, light_bounds(cal, on, conf)))
    if unit_id:
        stmt = stmt.where(
            select(ItemUnit.id).where(ItemUnit.item_id == Item.id, ItemUnit.unit_id == unit_id).exists()
        )
    if source_kind:
        stmt = stmt.where(Item.source_kind == source_kind)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(stmt.order_by(Item.due_date, Item.id).limit(limit).offset(offset))
    return list(rows), int(total or 0), cal, conf


async def board(session: AsyncSession, p: Principal, on: dt.date) -> dict[str, Any]:
    """红黄绿灯 counts of the caller's visible open items as of ``on``, plus counts by state."""
    cal = await load_calendar(session)
    conf = await settings_of(session, tenant_of(p))
    bounds = light_bounds(cal, on, conf)
    lights = {}
    for name in rules.LIGHTS:
        lights[name] = int(
            await session.scalar(
                select(func.count()).select_from(Item).where(item_visible(p), light_filter(name, on, bounds))
            )
            or 0
        )
    states = dict(
        (
            await session.execute(
                select(Item.state, func.count()).where(item_visible(p)).group_by(Item.state)
            )
        ).all()
    )
    return {
        "as_of": on.isoformat(),
        "lights": lights,
        "states": states,
        "thresholds": {
            "yellow_workdays": int(conf["light_yellow_workdays"]),
            "red_workdays": int(conf["light_red_workdays"]),
        },
    }


async def update(session: AsyncSession, p: Principal, item_id: uuid.UUID, data: dict[str, Any]) -> Item:
    item = await load_item(session, p, item_id, lock=True)
    require_state(item, "open")
    tenant_id = tenant_of(p)
    await check_person(session, tenant_id, data.get("leader_id"), "leader_id")
    await check_person(session, tenant_id, data.get("contact_id"), "contact_id")
    before = snapshot(item)
    for key in ("content", "standard", "cadence", "leader_id", "contact_id"):
        if data.get(key) is not None:
            setattr(item, key, data[key])
    if data.get("due_date") is not None:
        if data["due_date"] < item.basis_date:
            raise invalid(
                "due_date", "before_basis", "完成时限不能早于交办日期", "The due date is before the basis"
            )
        item.due_date, item.due_rule, item.due_workdays = data["due_date"], "fixed", None
    conf = await settings_of(session, tenant_id)
    cal = await load_calendar(session)
    item.due_date = await deadlines.plan_final(session, item, conf)
    last = await session.scalar(select(func.max(Task.due_date)).where(Task.item_id == item.id))
    if last is not None and last > item.due_date:
        raise invalid("due_date", "before_tasks", "完成时限早于分解任务的时限", "Sub-tasks are due later")
    await deadlines.plan_progress(session, item, cal, await period_basis(session, item), conf)
    await session.flush()
    await audit(
        session,
        p,
        "item.update",
        OBJ_ITEM,
        item.id,
        f"调整督办事项「{item.title}」（{data['reason']}）",
        before=before,
        after=snapshot(item),
    )
    return item


async def period_basis(session: AsyncSession, item: Item) -> dt.date:
    """The basis of the current report period: the last reported period's due day, else the basis date."""
    last = await session.scalar(select(func.max(Report.period_due)).where(Report.item_id == item.id))
    return max(last, item.basis_date) if last is not None else item.basis_date


async def decompose(
    session: AsyncSession, p: Principal, item_id: uuid.UUID, tasks: list[dict[str, Any]]
) -> list[Task]:
    item = await load_item(session, p, item_id, lock=True)
    require_state(item, "open")
    tenant_id = tenant_of(p)
    await check_units(session, tenant_id, [t["unit_id"] for t in tasks], "tasks.unit_id")
    out = []
    for i, t in enumerate(tasks):
        if not item.basis_date <= t["due_date"] <= item.due_date:
            raise invalid(
                f"tasks.{i}.due_date",
                "out_of_range",
                "分解任务时限须在交办日期与完成时限之间",
                "A sub-task is due between the basis date and the item's due date",
            )
        task = Task(
            tenant_id=tenant_id,
            item_id=item.id,
            unit_id=t["unit_id"],
            content=t["content"],
            due_date=t["due_date"],
        )
        session.add(task)
        out.append(task)
        await session.execute(
            pg_insert(ItemUnit)
            .values(item_id=item.id, unit_id=t["unit_id"], role="task")
            .on_conflict_do_nothing()
        )
    await session.flush()
    await audit(
        session,
        p,
        "item.decompose",
        OBJ_ITEM,
        item.id,
        f"分解督办事项「{item.title}」为{len(out)}项任务",
        after={"tasks": [{"unit_id": str(t.unit_id), "due_date": t.due_date.isoformat()} for t in out]},
    )
    return out


async def chase(session: AsyncSession, p: Principal, item_id: uuid.UUID, note: str, escalate: bool) -> Chase:
    """催办 by hand: notify the unit's contact (and the 负责领导 when escalating); recorded."""
    item = await load_item(session, p, item_id, lock=True)
    require_state(item, "open")
    c = Chase(tenant_id=item.tenant_id, item_id=item.id, note=note, escalated=escalate, by_id=p.user_id)
    session.add(c)
    await session.flush()
    targets = [(item.contact_id or item.created_by, "chase")]
    if escalate:
        if item.leader_id is None:
            raise invalid(
                "escalate", "no_leader", "该事项未指定负责领导", "The item names no responsible leader"
            )
        targets.append((item.leader_id, "escalation"))
    for who, kind in targets:
        if who is None:
            continue
        await create_notification(
            session,
            tenant_id=item.tenant_id,
            recipient_id=who,
            kind=f"supervision.{kind}",
            title=(f"督办催办：{item.title}" if kind == "chase" else f"督办事项报请领导督促：{item.title}")[
                :400
            ],
            title_en=f"Supervision chase: {item.title}"[:400],
            body=note,
            dedupe_key=f"supervision:{kind}:{c.id}",
            source_plugin=PLUGIN,
            link=f"/supervision/items/{item.id}",
            object_type=OBJ_ITEM,
            object_id=str(item.id),
        )
    await audit(
        session,
        p,
        "item.chase",
        OBJ_ITEM,
        item.id,
        f"催办「{item.title}」" + ("并报负责领导" if escalate else ""),
        after={"chase_id": c.id, "escalated": escalate},
    )
    return c


async def cancel(session: AsyncSession, p: Principal, item_id: uuid.UUID, reason: str) -> Item:
    """撤销 an item (e.g. the 批示 was withdrawn); its deadlines are cancelled."""
    item = await load_item(session, p, item_id, lock=True)
    require_state(item, "open", "pending_signoff")
    before = snapshot(item)
    item.state = "cancelled"
    item.next_report_due = None
    await deadlines.close_item(session, item, cancel=True)
    await session.flush()
    await audit(
        session,
        p,
        "item.cancel",
        OBJ_ITEM,
        item.id,
        f"撤销督办事项「{item.title}」：{reason}",
        before=before,
        after=snapshot(item),
    )
    return item
