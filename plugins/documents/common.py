"""Helpers shared by the documents services: the caller, visibility filters, audit and step records."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import (
    AppError,
    Msg,
    Principal,
    audit_read,
    audit_record,
    clearance_filter,
    conflict,
    invalid,
    not_found,
    reader_list_filter,
    tenant_filter,
)
from plugins.documents.models import Action, Reader

PLUGIN = "documents"
OPEN_SEALED = "documents.incoming.open_sealed"
OFFICE_TZ = ZoneInfo("Asia/Shanghai")
LEVELS = {0: "非密", 1: "秘密", 2: "机密", 3: "绝密"}
URGENCIES = ("", "特急", "加急")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_date(at: dt.datetime) -> dt.date:
    """The office's calendar day of an instant (deadlines count in the office time zone)."""
    return at.astimezone(OFFICE_TZ).date()


def tenant_of(p: Principal) -> uuid.UUID:
    assert p.tenant_id is not None
    return p.tenant_id


def visible(model: Any, p: Principal, *, owner_cols: tuple[Any, ...] = ()) -> ColumnElement[bool]:
    """Tenant, 密级 ≤ clearance, and for classified or 亲启 rows the 知悉范围 (or drafter/addressee)."""
    reach = reader_list_filter(
        model.id,
        reader_object_id=Reader.doc_id,
        reader_user_id=Reader.user_id,
        reader_unit_id=Reader.unit_id,
        principal=p,
        include_on_behalf_of=True,
    )
    mine = [c.in_([p.user_id, *([p.on_behalf_of] if p.on_behalf_of else [])]) for c in owner_cols]
    open_to_all: ColumnElement[bool] = func.coalesce(model.classification, 0) == 0
    # 亲启件: only the addressee, the 知悉范围 and holders of the special opening permission.
    if hasattr(model, "personal") and not p.has(OPEN_SEALED):
        open_to_all = and_(open_to_all, model.personal.is_(False))
    return and_(
        tenant_filter(model.tenant_id, p),
        clearance_filter(model.classification, p),
        or_(open_to_all, reach, *mine),
    )


async def load(
    session: AsyncSession,
    model: Any,
    doc_id: uuid.UUID,
    p: Principal,
    *,
    owner_cols: tuple[Any, ...] = (),
    lock: bool = False,
    what: tuple[str, str] = ("document", "公文"),
) -> Any:
    """A row the caller may see; anything else (other tenant, above clearance, outside 知悉范围) is 404."""
    stmt: Select[Any] = select(model).where(model.id == doc_id, visible(model, p, owner_cols=owner_cols))
    row = await session.scalar(stmt.with_for_update(of=model) if lock else stmt)
    if row is None:
        raise not_found(*what)
    if lock:  # every mutator loads its document for update: the one place to refuse archived ones
        ensure_not_archived(row)
    if row.classification > 0:
        if lock:
            # A write may still take a counter lock (serials, 发文字号); the audit chain's lock must
            # come after it in every transaction, or two writers could deadlock. Record the read
            # with the write's own audit record (see flush_reads).
            session.info.setdefault(PENDING_READS, []).append((p, row))
        else:
            await _read(session, p, row)
    return row


PENDING_READS = "documents_pending_reads"
DOCUMENT_ARCHIVED = AppError(
    "document_archived",
    Msg("公文已归档，不得再修改或办理", "The document is archived and can no longer be changed"),
    status=409,
)


def ensure_not_archived(row: Any) -> None:
    """已归档 documents are immutable (issue #8): any state change or edit is a 409 ``document_archived``."""
    if getattr(row, "archived_at", None) is not None:
        raise DOCUMENT_ARCHIVED


async def _read(session: AsyncSession, p: Principal, row: Any) -> None:
    await audit_read(
        session,
        action=f"{PLUGIN}.{row.__tablename__.removeprefix('documents_')}.read",
        object_type=row.__tablename__,
        object_id=row.id,
        classification=row.classification,
        principal=p,
        summary=f"查阅{LEVELS[row.classification]}公文",
    )


async def flush_reads(session: AsyncSession) -> None:
    """Write the read records of classified rows loaded for update in this transaction."""
    for p, row in session.info.pop(PENDING_READS, []):
        await _read(session, p, row)


async def audit(
    session: AsyncSession,
    p: Principal,
    action: str,
    row: Any,
    summary: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await flush_reads(session)
    await audit_record(
        session,
        action=f"{PLUGIN}.{action}",
        object_type=row.__tablename__,
        object_id=row.id,
        principal=p,
        summary=summary,
        before=before,
        after=after,
    )


async def add_action(
    session: AsyncSession,
    p: Principal,
    doc_id: uuid.UUID,
    step: str,
    *,
    decision: str = "",
    opinion: str = "",
    data: dict[str, Any] | None = None,
) -> Action:
    """Record a step with 意见, 姓名, 时间 (and the leader acted for under 代理)."""
    a = Action(
        tenant_id=tenant_of(p),
        doc_id=doc_id,
        step=step,
        decision=decision,
        opinion=opinion,
        actor_id=p.user_id,
        actor_name=p.display_name,
        on_behalf_of=p.on_behalf_of,
        on_behalf_of_name=str(p.extra.get("on_behalf_of_name", "")) if p.on_behalf_of else "",
        at=now(),
        data=data or {},
    )
    session.add(a)
    await session.flush()
    return a


async def actions_of(session: AsyncSession, doc_id: uuid.UUID) -> list[Action]:
    rows = await session.scalars(select(Action).where(Action.doc_id == doc_id).order_by(Action.id))
    return list(rows)


def require_state(row: Any, *states: str) -> None:
    if row.state not in states:
        raise conflict(
            "wrong_state",
            f"当前状态（{row.state}）不允许此操作",
            f"Not allowed in state {row.state}; expected {'/'.join(states)}",
        )


def segment_text(text: str) -> str:
    """Space-joined tokens for ``to_tsvector('simple', ...)`` (the shared segmenter)."""
    try:
        from plugins.documents.search.segment import segment  # noqa: PLC0415 - another module's
    except ImportError:  # until the shared segmenter lands: the same jieba search-mode tokens
        import jieba  # noqa: PLC0415

        return " ".join(t.strip().lower() for t in jieba.cut_for_search(text) if t.strip())
    return str(segment(text))


def tsv_of(title: str, body: str) -> Any:
    return func.to_tsvector("simple", segment_text(f"{title}\n{body}"))


async def check_units(session: AsyncSession, tenant_id: uuid.UUID, units: list[uuid.UUID]) -> None:
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
        raise invalid("unit_id", "unknown_unit", "单位不存在", "Unknown unit")


async def check_users(
    session: AsyncSession, tenant_id: uuid.UUID, users: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Every user holds a post in the tenant (422 otherwise); returns their display names."""
    if not users:
        return {}
    rows = (
        await session.execute(
            text(
                "SELECT u.id, u.display_name FROM core_users u WHERE u.id = ANY(:ids) AND EXISTS "
                "(SELECT 1 FROM core_posts p WHERE p.user_id = u.id AND p.tenant_id = :t)"
            ),
            {"t": tenant_id, "ids": list(users)},
        )
    ).all()
    names = {r[0]: r[1] for r in rows}
    if set(users) - set(names):
        raise invalid("user_id", "unknown_user", "人员不存在", "Unknown person")
    return names


async def set_readers(
    session: AsyncSession, doc_id: uuid.UUID, users: list[uuid.UUID], units: list[uuid.UUID]
) -> None:
    """Replace a document's 知悉范围."""
    from sqlalchemy import delete  # noqa: PLC0415

    await session.execute(delete(Reader).where(Reader.doc_id == doc_id))
    session.add_all([Reader(doc_id=doc_id, user_id=u) for u in dict.fromkeys(users)])
    session.add_all([Reader(doc_id=doc_id, unit_id=u) for u in dict.fromkeys(units)])
    await session.flush()


async def readers_of(session: AsyncSession, doc_id: uuid.UUID) -> dict[str, list[str]]:
    rows = (await session.scalars(select(Reader).where(Reader.doc_id == doc_id))).all()
    return {
        "users": [str(r.user_id) for r in rows if r.user_id],
        "units": [str(r.unit_id) for r in rows if r.unit_id],
    }
