"""收文 (incoming) service: 签收 → 拆封 → 登记 → 初审 → 分类 → 拟办 → 批示 → 承办/传阅 → 办结.

Source: rules.md §1 (收文 steps, five classes and yearly serials, 批示 on a 阅件 makes it a 办件,
传阅 tracks every reader with no 漏传/误传, intake time limits).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Principal, conflict, forbidden, invalid, publish_event
from plugins.documents import rules, schemas, supervise
from plugins.documents.common import (
    add_action,
    audit,
    check_units,
    check_users,
    load,
    local_date,
    now,
    require_state,
    set_readers,
    tenant_of,
    tsv_of,
)
from plugins.documents.models import Action, Circulation, Counter, Handler, Incoming, Reader
from plugins.documents.permissions import INCOMING_OPEN_SEALED

OBJ = "incoming"
NUMBERED = ("办件", "阅件", "内刊", "简报")  # 抄件 is not numbered


def owner_cols() -> tuple[Any, ...]:
    return (Incoming.created_by, Incoming.recipient_user_id)


async def get(session: AsyncSession, p: Principal, doc_id: uuid.UUID, *, lock: bool = False) -> Incoming:
    row: Incoming = await load(
        session,
        Incoming,
        doc_id,
        p,
        owner_cols=owner_cols(),
        lock=lock,
        what=("incoming document", "收文"),
    )
    return row


async def next_value(session: AsyncSession, tenant_id: uuid.UUID, scope: str, key: str, year: int) -> int:
    """The next number of a yearly counter; the row lock (SELECT ... FOR UPDATE) serialises allocators
    and a rolled-back transaction gives its number back, so numbers never skip silently."""
    await session.execute(
        pg_insert(Counter)
        .values(tenant_id=tenant_id, scope=scope, key=key, year=year, value=0)
        .on_conflict_do_nothing()
    )
    row = await session.scalar(
        select(Counter)
        .where(
            Counter.tenant_id == tenant_id, Counter.scope == scope, Counter.key == key, Counter.year == year
        )
        .with_for_update()
    )
    assert row is not None
    row.value += 1
    await session.flush()
    return row.value


def _state(row: Incoming) -> dict[str, Any]:
    return {"state": row.state, "doc_class": row.doc_class, "serial": row.serial}


async def sign_in(session: AsyncSession, p: Principal, data: schemas.SignIn) -> Incoming:
    tid = tenant_of(p)
    if data.recipient_user_id:
        await check_users(session, tid, [data.recipient_user_id])
    if not data.verified and not data.discrepancy:
        # 签收 checks sender, recipient, envelope number and count; a mismatch is written down.
        raise invalid("discrepancy", "required", "核对不符须写明情况", "Describe what did not match")
    if data.received_at.tzinfo is None:
        raise invalid("received_at", "timezone_required", "收文时间须带时区", "received_at needs a time zone")
    row = Incoming(
        tenant_id=tid,
        state="signed",
        sender=data.sender,
        recipient=data.recipient,
        recipient_user_id=data.recipient_user_id,
        envelope_no=data.envelope_no,
        copies=data.copies,
        received_at=data.received_at,
        personal=data.personal,
        urgency=data.urgency,
        classification=3 if data.top_secret else 0,
        created_by=p.user_id,
    )
    session.add(row)
    await session.flush()
    row.deadline_id, row.due_date = await rules.start_step(
        session,
        tenant_id=tid,
        object_type=OBJ,
        doc_id=row.id,
        kind="register",
        title=f"{data.sender}来文",
        basis=local_date(data.received_at),
        urgency=data.urgency,
    )
    await add_action(
        session,
        p,
        row.id,
        "sign_in",
        data={
            "sender": data.sender,
            "recipient": data.recipient,
            "envelope_no": data.envelope_no,
            "copies": data.copies,
            "received_at": data.received_at.isoformat(),
            "verified": data.verified,
            "discrepancy": data.discrepancy,
        },
    )
    await audit(
        session, p, "incoming.sign_in", row, f"签收{data.sender}来文{data.copies}份", after=_state(row)
    )
    return row


def sealed(row: Incoming) -> bool:
    """亲启件 and 绝密件 are not opened by the clerk (rules.md §1)."""
    return row.personal or row.classification >= 3


async def open_envelope(session: AsyncSession, p: Principal, doc_id: uuid.UUID) -> Incoming:
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "signed")
    addressee = row.recipient_user_id is not None and row.recipient_user_id in (p.user_id, p.on_behalf_of)
    if sealed(row) and not addressee and not p.has(INCOMING_OPEN_SEALED):
        raise forbidden("sealed_mail")
    row.opened, row.state = True, "opened"
    await add_action(session, p, row.id, "open")
    await audit(session, p, "incoming.open", row, "拆封", after=_state(row))
    return row


async def register(
    session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.Register
) -> Incoming:
    row = await get(session, p, doc_id, lock=True)
    # A sealed item is registered from its envelope without being opened.
    require_state(row, "opened", *(("signed",) if sealed(row) else ()))
    if data.classification > p.clearance:
        raise invalid("classification", "above_clearance", "密级高于本人涉密等级", "Above your clearance")
    tid = tenant_of(p)
    await check_users(session, tid, data.reader_user_ids)
    await check_units(session, tid, data.reader_unit_ids)
    before = _state(row)
    row.title, row.doc_number, row.issuing_org = data.title, data.doc_number, data.issuing_org
    row.classification = max(data.classification, 3 if row.classification == 3 else 0)
    row.destination, row.body = data.destination, data.body
    if data.copies:
        row.copies = data.copies
    row.state = "registered"
    row.tsv = tsv_of(row.title, row.body)
    await set_readers(session, row.id, [*data.reader_user_ids, p.user_id], data.reader_unit_ids)
    await add_action(session, p, row.id, "register", data={"title": row.title, "doc_number": row.doc_number})
    await audit(
        session, p, "incoming.register", row, f"登记收文《{row.title}》", before=before, after=_state(row)
    )
    return row


async def review(session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.Review) -> Incoming:
    """初审: 退文 and 转办 need a reason (越级, 未会签, 领导个人收件, 非本单位职责 ...)."""
    if data.decision != "accept" and not (data.reason and data.reason_code):
        raise invalid("reason", "required", "退文或转办须写明理由", "Returning or forwarding needs a reason")
    if data.decision == "forward" and not data.forward_to:
        raise invalid("forward_to", "required", "转办须写明转往单位", "Forwarding needs a destination")
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "registered")
    before = _state(row)
    tid = tenant_of(p)
    if data.decision == "accept":
        row.state = "reviewed"
    elif data.decision == "return":
        row.state = "returned"
        await rules.cancel(session, tid, OBJ, row.id)
        row.due_date = None
    else:
        row.state = "forwarded"
        row.destination = data.forward_to
        row.deadline_id, row.due_date = await rules.start_step(
            session,
            tenant_id=tid,
            object_type=OBJ,
            doc_id=row.id,
            kind="forward",
            title=row.title,
            basis=local_date(now()),
            urgency=row.urgency,
            author_id=p.user_id,
        )
    await add_action(
        session,
        p,
        row.id,
        "review",
        decision=data.decision,
        opinion=data.reason,
        data={"reason_code": data.reason_code, "forward_to": data.forward_to},
    )
    await audit(
        session,
        p,
        f"incoming.review_{data.decision}",
        row,
        f"初审：{ {'accept': '通过', 'return': '退文', 'forward': '转办'}[data.decision] }",
        before=before,
        after={**_state(row), "reason": data.reason},
    )
    return row


async def _assign_serial(session: AsyncSession, row: Incoming, doc_class: str) -> None:
    row.doc_class = doc_class
    if doc_class in NUMBERED:
        row.year = local_date(row.received_at).year
        row.serial = await next_value(session, row.tenant_id, "incoming", doc_class, row.year)
    else:
        row.year = row.serial = None


async def classify(
    session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.Classify
) -> Incoming:
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "reviewed")
    before = _state(row)
    await _assign_serial(session, row, data.doc_class)
    row.state = "classified"
    await add_action(session, p, row.id, "classify", data={"doc_class": row.doc_class, "serial": row.serial})
    await audit(
        session, p, "incoming.classify", row, f"分类为{row.doc_class}", before=before, after=_state(row)
    )
    return row


async def propose(session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.Proposal) -> Incoming:
    """拟办意见; the leader's 批办 limit starts, chasing the first leader named."""
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "classified")
    leaders = list(dict.fromkeys(data.leader_ids))
    await check_users(session, row.tenant_id, leaders)
    low = await session.scalars(
        text("SELECT id FROM core_users WHERE id = ANY(:ids) AND clearance < :c"),
        {"ids": leaders, "c": row.classification},
    )
    if list(low):
        raise invalid("leader_ids", "above_clearance", "领导涉密等级不足", "A leader lacks the clearance")
    session.add_all(Reader(doc_id=row.id, user_id=u) for u in leaders)
    before = _state(row)
    row.proposal, row.state = data.opinion, "proposed"
    row.deadline_id, row.due_date = await rules.start_step(
        session,
        tenant_id=row.tenant_id,
        object_type=OBJ,
        doc_id=row.id,
        kind="instruction",
        title=row.title,
        basis=local_date(now()),
        urgency=row.urgency,
        assignee_id=leaders[0] if leaders else None,
        explanation=data.explanation,
        author_id=p.user_id,
    )
    await add_action(
        session, p, row.id, "propose", opinion=data.opinion, data={"leaders": [str(u) for u in leaders]}
    )
    await audit(session, p, "incoming.propose", row, "提出拟办意见", before=before, after=_state(row))
    return row


async def instruct(
    session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.Instruction
) -> tuple[Incoming, Action]:
    """领导批示; a 批示 on a 阅件 makes it a 办件 (new 办件 serial, the old class kept in the history).

    With ``supervise`` the 批示 also opens a 督办事项 through the supervision event (409 where the
    tenant has no supervision; a bad block is a 422: either way nothing is recorded).
    """
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "proposed", "instructed", "handling", "circulating")
    before = _state(row)
    converted = None
    if row.doc_class == "阅件":
        converted = {"from_class": "阅件", "from_serial": row.serial, "from_year": row.year}
        await _assign_serial(session, row, "办件")
        converted.update(to_class="办件", to_serial=row.serial)
    first = row.state == "proposed"
    if first:
        row.state = "instructed"
        row.deadline_id, row.due_date = await rules.start_step(
            session,
            tenant_id=row.tenant_id,
            object_type=OBJ,
            doc_id=row.id,
            kind="handling",
            title=row.title,
            basis=local_date(now()),
            urgency=row.urgency,
            explanation=data.explanation,
            author_id=p.user_id,
        )
    action = await add_action(
        session, p, row.id, "instruct", opinion=data.opinion, data={"converted": converted}
    )
    after = _state(row)
    if data.supervise is not None:
        item_id, _ = await supervise.request_item(session, row, action, data.supervise)
        after["supervision_item_id"] = str(item_id)
    await audit(
        session,
        p,
        "incoming.instruct",
        row,
        "领导批示" + ("（阅件转办件）" if converted else "") + ("（督办）" if data.supervise else ""),
        before=before,
        after=after,
    )
    return row, action


async def assign(session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.Assign) -> Incoming:
    """承办: a lead unit (主办) and co-handling units (协办), all of the tenant's organisation."""
    if data.lead_unit_id in data.co_unit_ids or len(set(data.co_unit_ids)) != len(data.co_unit_ids):
        raise invalid("co_unit_ids", "duplicate", "协办单位重复或与主办单位相同", "Duplicate units")
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "instructed")
    if row.doc_class != "办件":
        raise conflict("not_action_item", "只有办件需要承办", "Only 办件 are assigned for handling")
    await check_units(session, row.tenant_id, [data.lead_unit_id, *data.co_unit_ids])
    before = _state(row)
    session.add(Handler(incoming_id=row.id, unit_id=data.lead_unit_id, role="lead"))
    session.add_all(Handler(incoming_id=row.id, unit_id=u, role="co") for u in data.co_unit_ids)
    session.add_all(Reader(doc_id=row.id, unit_id=u) for u in [data.lead_unit_id, *data.co_unit_ids])
    row.unit_id, row.state = data.lead_unit_id, "handling"
    await session.flush()
    await add_action(
        session,
        p,
        row.id,
        "assign",
        data={"lead": str(data.lead_unit_id), "co": [str(u) for u in data.co_unit_ids]},
    )
    await audit(session, p, "incoming.assign", row, "交办承办单位", before=before, after=_state(row))
    return row


async def complete(
    session: AsyncSession, p: Principal, doc_id: uuid.UUID, data: schemas.Complete
) -> Incoming:
    """办结 with the result; a missed time limit needs its 书面说明."""
    row = await get(session, p, doc_id, lock=True)
    require_state(row, "instructed", "handling", "circulating", "forwarded", "classified")
    if row.doc_class == "办件" and row.state == "classified":
        raise conflict("needs_instruction", "办件须经拟办、批示后办结", "An 办件 needs 拟办 and 批示 first")
    pending = await session.scalar(
        select(func.count()).where(Circulation.incoming_id == row.id, Circulation.read_at.is_(None))
    )
    if pending:
        raise conflict("circulation_open", "尚有传阅人未阅毕", "Some readers have not signed off")
    before = _state(row)
    await rules.finish(session, row.tenant_id, OBJ, row.id, explanation=data.explanation, author_id=p.user_id)
    row.result, row.state = data.result, "done"
    await add_action(session, p, row.id, "complete", opinion=data.result)
    # 办结 → 归档: other modules (archive, supervision) pick it up in this transaction.
    await publish_event(
        session,
        "documents.incoming.completed",
        {
            "id": str(row.id),
            "title": row.title,
            "classification": row.classification,
            "doc_class": row.doc_class,
            "serial": row.serial,
            "year": row.year,
        },
        tenant_id=row.tenant_id,
    )
    await audit(session, p, "incoming.complete", row, "办结", before=before, after=_state(row))
    return row
