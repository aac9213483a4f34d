"""Distribution (分发), print copies (印制份数), seal (用印) and dispatch (核发) of outgoing documents.

Source: rules.md §1 — print copies are computed from distribution lists and rescaled when recipients
are added or removed (scale and archive copies are per-tenant settings); 密件不得代领.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Principal, audit_record, conflict, invalid, not_found, plugin_settings
from plugins.documents import schemas
from plugins.documents.common import PLUGIN, add_action, audit, now, require_state, tenant_of
from plugins.documents.models_out import Dispatch, DistributionList, Outgoing, Recipient, SealRecord

OPEN_STATES = ("draft", "review", "countersign", "legal_review", "sign", "signed", "numbered")


def list_dict(d: DistributionList) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "name": d.name,
        "entries": d.entries,
        "copies": sum(int(e["copies"]) for e in d.entries),
    }


async def get_list(
    session: AsyncSession, p: Principal, list_id: uuid.UUID, *, lock: bool = False
) -> DistributionList:
    stmt = select(DistributionList).where(
        DistributionList.id == list_id, DistributionList.tenant_id == tenant_of(p)
    )
    row = await session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise not_found("distribution list", "分发名单")
    return row


def _entries(data: schemas.DistributionListIn) -> list[dict[str, Any]]:
    names = [e.recipient for e in data.entries]
    if len(set(names)) != len(names):
        raise invalid("entries", "duplicate", "名单中单位重复", "A recipient is listed twice")
    return [{"recipient": e.recipient, "copies": e.copies} for e in data.entries]


async def create_list(
    session: AsyncSession, p: Principal, data: schemas.DistributionListIn
) -> DistributionList:
    exists = await session.scalar(
        select(DistributionList.id).where(
            DistributionList.tenant_id == tenant_of(p), DistributionList.name == data.name
        )
    )
    if exists:
        raise conflict("list_name_taken", "名单名称已存在", "A list with this name exists")
    row = DistributionList(tenant_id=tenant_of(p), name=data.name, entries=_entries(data))
    session.add(row)
    await session.flush()
    await audit_record(
        session,
        action=f"{PLUGIN}.distribution_list.create",
        object_type="documents_distribution_lists",
        object_id=row.id,
        principal=p,
        summary=f"新建分发名单「{row.name}」",
        after=list_dict(row),
    )
    return row


async def update_list(
    session: AsyncSession, p: Principal, list_id: uuid.UUID, data: schemas.DistributionListIn
) -> tuple[DistributionList, int]:
    """Change a list and recalculate the print copies of every open document that uses it."""
    row = await get_list(session, p, list_id, lock=True)
    before = list_dict(row)
    row.name, row.entries = data.name, _entries(data)
    await session.flush()
    docs = list(
        await session.scalars(
            select(Outgoing)
            .where(
                Outgoing.tenant_id == row.tenant_id,
                Outgoing.state.in_(OPEN_STATES),
                Outgoing.id.in_(select(Recipient.outgoing_id).where(Recipient.list_id == row.id)),
            )
            .with_for_update()
        )
    )
    for doc in docs:
        await session.execute(
            delete(Recipient).where(Recipient.outgoing_id == doc.id, Recipient.list_id == row.id)
        )
        session.add_all(
            Recipient(outgoing_id=doc.id, list_id=row.id, name=e["recipient"], copies=e["copies"])
            for e in row.entries
        )
        await session.flush()
        await recalc(session, doc)
    await audit_record(
        session,
        action=f"{PLUGIN}.distribution_list.update",
        object_type="documents_distribution_lists",
        object_id=row.id,
        principal=p,
        summary=f"修改分发名单「{row.name}」",
        before=before,
        after={**list_dict(row), "recalculated": len(docs)},
    )
    return row, len(docs)


async def recalc(session: AsyncSession, doc: Outgoing) -> int:
    """印制份数 = recipients' copies (one recipient on two lists counts once, at its largest), scaled by
    the tenant's percentage, plus the archive copies."""
    conf = await plugin_settings(session, doc.tenant_id, PLUGIN)
    rows = (
        await session.execute(
            select(Recipient.name, func.max(Recipient.copies))
            .where(Recipient.outgoing_id == doc.id)
            .group_by(Recipient.name)
        )
    ).all()
    total = sum(int(c) for _, c in rows)
    scaled = math.ceil(total * int(conf["print_copies_scale_percent"]) / 100)
    doc.print_copies = scaled + int(conf["print_copies_archive"]) if rows else 0
    await session.flush()
    return doc.print_copies


async def set_distribution(
    session: AsyncSession, p: Principal, doc: Outgoing, data: schemas.DistributionIn
) -> int:
    require_state(doc, *OPEN_STATES)
    lists = [await get_list(session, p, i) for i in dict.fromkeys(data.list_ids)]
    before = {"print_copies": doc.print_copies}
    await session.execute(delete(Recipient).where(Recipient.outgoing_id == doc.id))
    for lst in lists:
        session.add_all(
            Recipient(outgoing_id=doc.id, list_id=lst.id, name=e["recipient"], copies=e["copies"])
            for e in lst.entries
        )
    session.add_all(Recipient(outgoing_id=doc.id, name=e.recipient, copies=e.copies) for e in data.extra)
    await session.flush()
    copies = await recalc(session, doc)
    await add_action(
        session,
        p,
        doc.id,
        "distribution",
        data={"lists": [str(x.id) for x in lists], "extra": len(data.extra), "print_copies": copies},
    )
    await audit(
        session,
        p,
        "outgoing.distribution",
        doc,
        f"分发范围，印制{copies}份",
        before=before,
        after={"print_copies": copies},
    )
    return copies


async def seal(session: AsyncSession, p: Principal, doc: Outgoing, data: schemas.SealIn) -> SealRecord:
    """用印登记 after the number is given."""
    require_state(doc, "numbered")
    if not doc.seal:
        raise conflict("no_seal", "该文件不加盖印章", "This document is issued without a seal")
    used = await session.scalar(
        select(func.coalesce(func.sum(SealRecord.copies), 0)).where(SealRecord.outgoing_id == doc.id)
    )
    if doc.print_copies and int(used or 0) + data.copies > doc.print_copies:
        raise conflict("too_many_copies", "用印份数超过印制份数", "More sealed copies than printed")
    rec = SealRecord(
        tenant_id=doc.tenant_id,
        outgoing_id=doc.id,
        seal_name=data.seal_name,
        copies=data.copies,
        by=p.user_id,
        by_name=p.display_name,
        at=now(),
    )
    session.add(rec)
    await session.flush()
    await add_action(session, p, doc.id, "seal", data={"seal": data.seal_name, "copies": data.copies})
    await audit(session, p, "outgoing.seal", doc, f"用印{data.copies}份", after={"seal": data.seal_name})
    return rec


async def dispatch(session: AsyncSession, p: Principal, doc: Outgoing, data: schemas.DispatchIn) -> Dispatch:
    """核发: who took the copies and when; a classified document is never handed to a proxy."""
    require_state(doc, "numbered")
    if doc.classification > 0 and data.proxy:
        raise conflict(
            "classified_no_proxy", "密件不得代领", "Classified documents cannot be collected by proxy"
        )
    if doc.seal and not await session.scalar(
        select(SealRecord.id).where(SealRecord.outgoing_id == doc.id).limit(1)
    ):
        raise conflict("not_sealed", "尚未用印", "The document is not sealed yet")
    rec = Dispatch(
        tenant_id=doc.tenant_id,
        outgoing_id=doc.id,
        recipient=data.recipient,
        copies=data.copies,
        copy_numbers=data.copy_numbers,
        receiver_name=data.receiver_name,
        proxy=data.proxy,
        received_at=now(),
        by=p.user_id,
    )
    session.add(rec)
    await session.flush()
    await add_action(
        session,
        p,
        doc.id,
        "dispatch",
        data={
            "recipient": data.recipient,
            "copies": data.copies,
            "receiver": data.receiver_name,
            "proxy": data.proxy,
        },
    )
    await audit(
        session,
        p,
        "outgoing.dispatch",
        doc,
        f"分发{data.recipient}{data.copies}份",
        after={"recipient": data.recipient, "receiver": data.receiver_name},
    )
    return rec


async def records(session: AsyncSession, doc: Outgoing) -> dict[str, Any]:
    seals = await session.scalars(
        select(SealRecord).where(SealRecord.outgoing_id == doc.id).order_by(SealRecord.id)
    )
    sent = await session.scalars(select(Dispatch).where(Dispatch.outgoing_id == doc.id).order_by(Dispatch.id))
    return {
        "print_copies": doc.print_copies,
        "seals": [
            {"seal_name": s.seal_name, "copies": s.copies, "by_name": s.by_name, "at": s.at.isoformat()}
            for s in seals
        ],
        "dispatches": [
            {
                "recipient": d.recipient,
                "copies": d.copies,
                "copy_numbers": d.copy_numbers,
                "receiver_name": d.receiver_name,
                "proxy": d.proxy,
                "received_at": d.received_at.isoformat(),
            }
            for d in sent
        ],
    }
