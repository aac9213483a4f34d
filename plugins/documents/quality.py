"""Registration quality (登记质量): corrections of 登记/分类 and the yearly error rate.

Source: rules.md §1 — target error rate of classification and registration ≤ 1% per year (report it).
A correction is an explicit, audited action naming what was wrong; its count over the year's
registered items is the error rate. A 批示 turning a 阅件 into a 办件 is not an error.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Principal, conflict, invalid
from plugins.documents import schemas
from plugins.documents.common import OFFICE_TZ, add_action, audit, tenant_of, tsv_of
from plugins.documents.incoming import NUMBERED, _assign_serial, get
from plugins.documents.models import Action, Incoming, Reader

TARGET = 0.01
REGISTERED_STATES = ("signed", "opened")  # not yet registered: nothing to correct


class CorrectionIn(schemas.Body):
    title: str | None = Field(None, min_length=1, max_length=300)
    doc_number: str | None = Field(None, max_length=60)
    issuing_org: str | None = Field(None, min_length=1, max_length=200)
    classification: int | None = Field(None, ge=0, le=3)
    doc_class: schemas.Classes | None = None
    kind: Literal["registration", "classification"]
    reason: str = Field(min_length=1, max_length=2000)


async def correct(session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: CorrectionIn) -> Incoming:
    row = await get(session, p, doc_id, lock=True)
    if row.state in REGISTERED_STATES:
        raise conflict("not_registered", "尚未登记", "The item is not registered yet")
    changes = {
        k: v
        for k, v in data.model_dump(exclude={"kind", "reason"}, exclude_none=True).items()
        if getattr(row, k) != v
    }
    if not changes:
        raise invalid("reason", "nothing_changed", "更正内容与原登记相同", "The correction changes nothing")
    if changes.get("classification", 0) > p.clearance:
        raise invalid("classification", "above_clearance", "密级高于本人涉密等级", "Above your clearance")
    if "doc_class" in changes and row.doc_class is None:
        raise conflict("not_classified", "尚未分类", "The item is not classified yet")
    before = {k: getattr(row, k) for k in changes} | {"serial": row.serial}
    for k, v in changes.items():
        if k != "doc_class":
            setattr(row, k, v)
    if "doc_class" in changes:
        # A corrected class takes the next serial of its class; the old one stays in the history.
        await _assign_serial(session, row, changes["doc_class"])
    if "classification" in changes and row.classification > 0:
        have = await session.scalar(
            select(func.count()).where(Reader.doc_id == row.id, Reader.user_id == p.user_id)
        )
        if not have:
            session.add(Reader(doc_id=row.id, user_id=p.user_id))
    row.tsv = tsv_of(row.title, row.body)
    after = {k: getattr(row, k) for k in changes} | {"serial": row.serial}
    await add_action(
        session,
        p,
        row.id,
        "correct",
        decision=data.kind,
        opinion=data.reason,
        data={"before": before, "after": after},
    )
    what = "登记" if data.kind == "registration" else "分类"
    await audit(session, p, f"incoming.correct_{data.kind}", row, f"更正{what}", before=before, after=after)
    return row


async def report(session: AsyncSession, p: Principal, year: int) -> dict[str, Any]:
    """The year's registered items, corrections and error rate against the 1% target."""
    local_year = func.extract("year", func.timezone(str(OFFICE_TZ), Incoming.received_at))
    base = select(Incoming.id).where(
        Incoming.tenant_id == tenant_of(p), local_year == year, Incoming.state.not_in(REGISTERED_STATES)
    )
    registered = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    rows = (
        await session.execute(
            select(Action.decision, func.count(func.distinct(Action.doc_id)))
            .where(Action.step == "correct", Action.doc_id.in_(base))
            .group_by(Action.decision)
        )
    ).all()
    by_kind = {k: int(n) for k, n in rows}
    wrong = int(
        await session.scalar(
            select(func.count(func.distinct(Action.doc_id))).where(
                Action.step == "correct", Action.doc_id.in_(base)
            )
        )
        or 0
    )
    rate = wrong / registered if registered else 0.0
    return {
        "year": year,
        "registered": registered,
        "corrected": wrong,
        "by_kind": by_kind,
        "error_rate": round(rate, 4),
        "target": TARGET,
        "within_target": rate <= TARGET,
        "numbered_classes": list(NUMBERED),
    }
