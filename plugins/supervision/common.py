"""Helpers shared by the supervision services: the caller, today, visibility and audit."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    Principal,
    audit_record,
    conflict,
    get_settings,
    invalid,
    not_found,
    tenant_filter,
    unit_scope_filter,
)
from plugins.supervision.models import Item, ItemUnit
from plugins.supervision.permissions import TENANT_WIDE

PLUGIN = "supervision"
OBJ_ITEM = "supervision_item"
OBJ_PROPOSAL = "supervision_proposal"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The office's calendar day (deadlines count in the office time zone)."""
    return now().astimezone(ZoneInfo(get_settings().timezone)).date()


def tenant_of(p: Principal) -> uuid.UUID:
    assert p.tenant_id is not None
    return p.tenant_id


def tenant_wide(p: Principal) -> bool:
    return any(p.has(code) for code in TENANT_WIDE)


def item_visible(p: Principal) -> ColumnElement[bool]:
    """The caller's tenant; staff without a tenant-wide permission see only their units' items
    (牵头/配合/sub-task units, with sub-units and 分管 units) and items naming them."""
    base = tenant_filter(Item.tenant_id, p)
    if tenant_wide(p):
        return base
    in_scope = (
        select(ItemUnit.id)
        .where(ItemUnit.item_id == Item.id, unit_scope_filter(ItemUnit.unit_id, p, include_on_behalf_of=True))
        .exists()
    )
    people = [p.user_id] if p.on_behalf_of is None else [p.user_id, p.on_behalf_of]
    return and_(base, or_(in_scope, Item.leader_id.in_(people), Item.contact_id.in_(people)))


async def load_item(session: AsyncSession, p: Principal, item_id: uuid.UUID, *, lock: bool = False) -> Item:
    """An item the caller may see; anything else (another tenant, outside the unit scope) is 404."""
    stmt = select(Item).where(Item.id == item_id, item_visible(p))
    row = await session.scalar(stmt.with_for_update(of=Item) if lock else stmt)
    if row is None:
        raise not_found("item", "督办事项")
    return row


async def audit(  # noqa: PLR0917 - (who, what, on which object, summary) read best positionally
    session: AsyncSession,
    p: Principal | None,
    action: str,
    object_type: str,
    object_id: Any,
    summary: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **kw: Any,
) -> None:
    await audit_record(
        session,
        action=f"{PLUGIN}.{action}",
        object_type=object_type,
        object_id=object_id,
        principal=p,
        summary=summary,
        before=before,
        after=after,
        **kw,
    )


def require_state(row: Any, *states: str) -> None:
    if row.state not in states:
        raise conflict(
            "wrong_state",
            f"当前状态（{row.state}）不允许此操作",
            f"Not allowed in state {row.state}; expected {'/'.join(states)}",
        )


async def check_units(
    session: AsyncSession, tenant_id: uuid.UUID, units: list[uuid.UUID], field: str
) -> None:
    """Every unit is one of the tenant's organisation units (422 otherwise)."""
    if not units:
        return
    found = set(
        await session.scalars(
            text("SELECT id FROM core_units WHERE tenant_id = :t AND id = ANY(:ids)"),
            {"t": tenant_id, "ids": list(units)},
        )
    )
    if set(units) - found:
        raise invalid(field, "unknown_unit", "单位不存在", "Unknown unit")


async def check_person(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID | None, field: str
) -> None:
    """The person holds a post in the tenant (422 otherwise)."""
    if user_id is None:
        return
    held = await session.scalar(
        text("SELECT 1 FROM core_posts WHERE user_id = :u AND tenant_id = :t LIMIT 1"),
        {"u": user_id, "t": tenant_id},
    )
    if held is None:
        raise invalid(field, "unknown_user", "人员不存在", "Unknown person")


def iso(d: dt.date | dt.datetime | None) -> str | None:
    return d.isoformat() if d is not None else None
