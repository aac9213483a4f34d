"""Destruction (销毁) of expired 定期 items.

Only through a destruction list (销毁清册) proposed by one person, approved by another holding
``core.archive.destroy.approve``, then executed. Never 永久 items, never before the 保管期限 has run out by
the calendar, every step audited; the list and its entries stay as the record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from minio.error import S3Error
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.archive.bucket import ArchiveBucket
from core.archive.models import ArchivedItem, ArchiveFile, DestructionEntry, DestructionList
from core.audit.service import record
from core.db.base import utcnow
from core.errors import AppError, Msg, conflict, invalid, not_found
from core.runtime import get_runtime
from core.security.principal import Principal


def today() -> dt.date:
    return utcnow().astimezone(ZoneInfo(get_runtime().settings.timezone)).date()


def _expired(item: ArchivedItem, on: dt.date) -> bool:
    return item.retention != "Y" and item.expires_on is not None and item.expires_on <= on


async def candidates(session: AsyncSession, tenant_id: uuid.UUID) -> list[ArchivedItem]:
    """Archived D10/D30 items of the tenant whose 保管期限 has ended and that are on no open list."""
    rows = await session.scalars(
        select(ArchivedItem)
        .where(
            ArchivedItem.tenant_id == tenant_id,
            ArchivedItem.state == "archived",
            ArchivedItem.retention != "Y",
            ArchivedItem.expires_on <= today(),
            ArchivedItem.id.not_in(
                select(DestructionEntry.item_id)
                .join(DestructionList)
                .where(DestructionList.state.in_(("proposed", "approved")))
            ),
        )
        .order_by(ArchivedItem.archive_no)
        .limit(5000)
    )
    return list(rows)


async def _get(session: AsyncSession, tenant_id: uuid.UUID, list_id: uuid.UUID) -> DestructionList:
    row = await session.get(DestructionList, list_id, with_for_update=True)
    if row is None or row.tenant_id != tenant_id:
        raise not_found("destruction_list", "销毁清册")
    return row


async def entries(session: AsyncSession, list_id: uuid.UUID) -> list[DestructionEntry]:
    return list(
        await session.scalars(
            select(DestructionEntry)
            .where(DestructionEntry.list_id == list_id)
            .order_by(DestructionEntry.archive_no)
        )
    )


async def propose(
    session: AsyncSession, principal: Principal, *, title: str, reason: str, item_ids: list[uuid.UUID]
) -> DestructionList:
    """Create a list; every item must be the tenant's, archived, 定期 and expired, on no open list."""
    assert principal.tenant_id is not None
    if not item_ids or len(set(item_ids)) != len(item_ids):
        raise invalid("item_ids", "bad_items", "须列出不重复的案卷", "List distinct items")
    items = list(
        await session.scalars(
            select(ArchivedItem)
            .where(ArchivedItem.id.in_(item_ids), ArchivedItem.tenant_id == principal.tenant_id)
            .with_for_update()
        )
    )
    if len(items) != len(item_ids):
        raise invalid("item_ids", "unknown_item", "案卷不存在", "Unknown item")
    on = today()
    for item in items:
        if item.state != "archived" or not _expired(item, on):
            raise invalid(
                "item_ids",
                "not_expired",
                f"{item.archive_no} 未到保管期限或不可销毁",
                f"{item.archive_no} has not expired or cannot be destroyed",
            )
    busy = await session.scalar(
        select(DestructionEntry.archive_no)
        .join(DestructionList)
        .where(DestructionEntry.item_id.in_(item_ids), DestructionList.state.in_(("proposed", "approved")))
    )
    if busy is not None:
        raise conflict("on_open_list", f"{busy} 已在待办销毁清册中", f"{busy} is on an open destruction list")
    row = DestructionList(
        tenant_id=principal.tenant_id,
        title=title,
        reason=reason,
        state="proposed",
        proposed_by=principal.user_id,
        proposed_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    for item in items:
        assert item.expires_on is not None
        session.add(
            DestructionEntry(
                list_id=row.id,
                item_id=item.id,
                archive_no=item.archive_no,
                title=item.title,
                expires_on=item.expires_on,
            )
        )
    await session.flush()
    await record(
        session,
        action="core.archive.destroy.propose",
        object_type="core.archive_destruction",
        object_id=row.id,
        principal=principal,
        summary=f"拟定销毁清册「{title}」（{len(items)}件）",
        after={"items": sorted(i.archive_no for i in items), "reason": reason},
    )
    return row


SAME_PERSON = AppError(
    "second_person_required",
    Msg("销毁须由拟定人以外的人员审批", "Another person than the proposer must decide"),
    403,
)


async def decide(
    session: AsyncSession, principal: Principal, list_id: uuid.UUID, *, approve: bool, note: str
) -> DestructionList:
    assert principal.tenant_id is not None
    row = await _get(session, principal.tenant_id, list_id)
    if row.state != "proposed":
        raise conflict("not_proposed", "清册不在待审批状态", "The list is not awaiting a decision")
    if row.proposed_by == principal.user_id:
        raise SAME_PERSON
    row.state = "approved" if approve else "rejected"
    row.decided_by, row.decided_at, row.decision_note = principal.user_id, utcnow(), note
    await session.flush()
    await record(
        session,
        action=f"core.archive.destroy.{'approve' if approve else 'reject'}",
        object_type="core.archive_destruction",
        object_id=row.id,
        principal=principal,
        summary=f"{'批准' if approve else '驳回'}销毁清册「{row.title}」",
        before={"state": "proposed"},
        after={"state": row.state, "note": note},
    )
    return row


LOCKED = AppError(
    "retention_in_force", Msg("对象锁定期未满，不能销毁", "The object lock has not expired"), 409
)


async def execute(
    session: AsyncSession, principal: Principal, bucket: ArchiveBucket, list_id: uuid.UUID
) -> DestructionList:
    """Remove the objects of an approved list and mark its items destroyed (rows kept).

    Re-checks expiry; S3 itself refuses while a retention is in force, which aborts the whole execution
    (the transaction rolls back; objects already removed stay removed and a repeat finishes the rest).
    """
    assert principal.tenant_id is not None
    row = await _get(session, principal.tenant_id, list_id)
    if row.state != "approved":
        raise conflict("not_approved", "清册未经批准", "The list has not been approved")
    on = today()
    for entry in await entries(session, row.id):
        item = await session.get(ArchivedItem, entry.item_id, with_for_update=True)
        assert item is not None
        if not _expired(item, on):
            raise conflict(
                "not_expired", f"{item.archive_no} 未到保管期限", f"{item.archive_no} has not expired"
            )
        removed = 0
        for f in await session.scalars(
            select(ArchiveFile).where(ArchiveFile.item_id == item.id, ArchiveFile.removed_at.is_(None))
        ):
            try:
                removed += await bucket.remove_all_versions(f.object_key)
            except S3Error as err:
                raise LOCKED from err
            f.removed_at = utcnow()
        item.state, item.destroyed_at = "destroyed", utcnow()
        entry.objects_removed = removed
    row.state, row.executed_by, row.executed_at = "executed", principal.user_id, utcnow()
    await session.flush()
    await record(
        session,
        action="core.archive.destroy.execute",
        object_type="core.archive_destruction",
        object_id=row.id,
        principal=principal,
        summary=f"执行销毁清册「{row.title}」",
        before={"state": "approved"},
        after={"state": "executed"},
    )
    return row
