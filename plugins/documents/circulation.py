"""传阅 (circulation): an ordered route of readers, each receipt and read time tracked.

Source: rules.md §1 — 传阅 tracks every reader with no 漏传 (skipping) or 误传 (wrong/duplicate routing):
nobody is on the route twice, and the next reader receives only after the previous one signed off,
unless the readers were routed as one parallel group.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Principal, conflict, forbidden, invalid
from plugins.documents import schemas
from plugins.documents.common import add_action, audit, check_users, ensure_not_archived, now, require_state
from plugins.documents.incoming import _state, get
from plugins.documents.models import Circulation, Incoming, Reader


async def circulate(
    session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.Circulate
) -> Incoming:
    """传阅: append readers; nobody receives twice (no 误传) and clearance is respected."""
    if len(set(data.reader_ids)) != len(data.reader_ids):
        raise invalid("reader_ids", "duplicate", "传阅名单重复", "A reader is listed twice")
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "classified", "proposed", "instructed", "handling", "circulating")
    names = await check_users(session, row.tenant_id, data.reader_ids)
    low = await session.scalars(
        text("SELECT id FROM core_users WHERE id = ANY(:ids) AND clearance < :c"),
        {"ids": list(data.reader_ids), "c": row.classification},
    )
    if list(low):
        raise invalid("reader_ids", "above_clearance", "传阅人涉密等级不足", "A reader lacks the clearance")
    existing = set(
        await session.scalars(select(Circulation.reader_id).where(Circulation.incoming_id == row.id))
    )
    if existing & set(data.reader_ids):
        raise conflict("duplicate_reader", "该人员已在传阅路线上", "A reader is already on the route")
    last = await session.scalar(select(func.max(Circulation.seq)).where(Circulation.incoming_id == row.id))
    seq = last or 0
    for r in data.reader_ids:
        seq += 0 if data.parallel and seq > (last or 0) else 1
        session.add(
            Circulation(incoming_id=row.id, seq=seq, reader_id=r, reader_name=names[r], sent_by=p.user_id)
        )
        session.add(Reader(doc_id=row.id, user_id=r))
    before = _state(row)
    if row.state != "handling":
        row.state = "circulating"
    await session.flush()
    await add_action(
        session,
        p,
        row.id,
        "circulate",
        data={"readers": [str(r) for r in data.reader_ids], "parallel": data.parallel},
    )
    await audit(
        session,
        p,
        "incoming.circulate",
        row,
        f"传阅{len(data.reader_ids)}人",
        before=before,
        after=_state(row),
    )
    return row


async def _my_turn(session: AsyncSession, p: Principal, row: Incoming) -> Circulation:
    entries = list(
        await session.scalars(
            select(Circulation)
            .where(Circulation.incoming_id == row.id)
            .order_by(Circulation.seq)
            .with_for_update()
        )
    )
    me = next((c for c in entries if c.reader_id in (p.user_id, p.on_behalf_of)), None)
    if me is None:
        raise forbidden("not_on_route")
    if any(c.seq < me.seq and c.read_at is None for c in entries):
        raise conflict("not_your_turn", "前一位传阅人尚未阅毕", "The previous reader has not signed off yet")
    return me


async def receive(session: AsyncSession, p: Principal, doc_id: uuid.UUID) -> Circulation:
    row = await get(session, p, doc_id)
    ensure_not_archived(row)
    me = await _my_turn(session, p, row)
    if me.received_at is not None:
        raise conflict("already_received", "已签收", "Already received")
    me.received_at = now()
    await add_action(session, p, row.id, "circulation_receive")
    await audit(session, p, "incoming.circulation_receive", row, f"{me.reader_name}签收传阅件")
    return me


async def sign_off(
    session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.SignOff
) -> Circulation:
    row = await get(session, p, doc_id)
    ensure_not_archived(row)
    me = await _my_turn(session, p, row)
    if me.received_at is None:
        raise conflict("not_received", "请先签收", "Receive it first")
    if me.read_at is not None:
        raise conflict("already_read", "已阅毕", "Already signed off")
    me.read_at, me.remark = now(), data.remark
    await add_action(session, p, row.id, "circulation_read", opinion=data.remark)
    await audit(session, p, "incoming.circulation_read", row, f"{me.reader_name}阅毕")
    return me
