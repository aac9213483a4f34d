"""Creating and reading notifications. Creation is idempotent by ``dedupe_key``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.base import utcnow
from core.errors import not_found
from core.notifications.models import Notification

_COLUMNS = (
    "tenant_id",
    "recipient_id",
    "kind",
    "title",
    "title_en",
    "body",
    "link",
    "source_plugin",
    "object_type",
    "object_id",
    "dedupe_key",
)
_ARRAY_TYPES = ("uuid", "uuid", *["text"] * 9)
# One array per column, unnested server-side: a constant 11 parameters however many rows (a VALUES
# list would hit PostgreSQL's 32767-parameter limit and costs far more to build for 1000 rows).
_INSERT = text(
    f"INSERT INTO core_notifications ({', '.join(_COLUMNS)}) "  # noqa: S608 - constant column names
    "SELECT * FROM unnest("
    + ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(_COLUMNS, _ARRAY_TYPES, strict=True))
    + ") ON CONFLICT (dedupe_key) DO NOTHING RETURNING *"
)


async def insert_notifications(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[Notification]:
    """Insert many at once; rows whose ``dedupe_key`` already exists are skipped.

    Returns only the rows this call created, so a caller delivering them to channels never
    delivers one twice. Each row needs the keys of ``_COLUMNS``.
    """
    if not rows:
        return []
    params = {c: [r.get(c) for r in rows] for c in _COLUMNS}
    result = await session.scalars(select(Notification).from_statement(_INSERT), params)
    return list(result.all())


async def create_notification(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    recipient_id: uuid.UUID,
    kind: str,
    title: str,
    dedupe_key: str,
    source_plugin: str,
    title_en: str = "",
    body: str = "",
    link: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> Notification | None:
    """One notification; ``None`` when one with this ``dedupe_key`` already exists."""
    created = await insert_notifications(
        session,
        [
            {
                "tenant_id": tenant_id,
                "recipient_id": recipient_id,
                "kind": kind,
                "title": title,
                "title_en": title_en,
                "body": body,
                "link": link,
                "source_plugin": source_plugin,
                "object_type": object_type,
                "object_id": object_id,
                "dedupe_key": dedupe_key,
            }
        ],
    )
    return created[0] if created else None


def _own(tenant_id: uuid.UUID, user_id: uuid.UUID) -> Select[Notification]:
    # A person with posts in several tenants sees the notifications of the tenant they act in.
    return select(Notification).where(
        Notification.recipient_id == user_id, Notification.tenant_id == tenant_id
    )


async def list_notifications(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    unread_only: bool = False,
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[Notification], int, int]:
    """One page of the caller's notifications, newest first; also the total and the unread count."""
    stmt = _own(tenant_id, user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    unread_stmt = _own(tenant_id, user_id).where(Notification.read_at.is_(None))
    unread = await session.scalar(select(func.count()).select_from(unread_stmt.subquery()))
    rows = await session.scalars(
        stmt.order_by(Notification.id.desc()).limit(page_size).offset((page - 1) * page_size)
    )
    return list(rows.all()), int(total or 0), int(unread or 0)


async def mark_read(
    session: AsyncSession, *, tenant_id: uuid.UUID, user_id: uuid.UUID, notification_id: int
) -> Notification:
    """Mark one of the caller's notifications read (idempotent); someone else's → 404."""
    row = await session.scalar(_own(tenant_id, user_id).where(Notification.id == notification_id))
    if row is None:
        raise not_found("notification", "通知")
    if row.read_at is None:
        row.read_at = utcnow()
        await session.flush()
    return row


async def mark_all_read(session: AsyncSession, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> int:
    """Mark every unread notification of the caller read; returns how many changed."""
    result = await session.execute(
        update(Notification)
        .where(
            Notification.recipient_id == user_id,
            Notification.tenant_id == tenant_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
