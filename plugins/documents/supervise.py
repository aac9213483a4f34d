"""督办 from a 领导批示: the documents side of the event ``supervision.item.requested``.

Plugins talk through core events only, so nothing here imports the supervision plugin: the 批示 is
published with its ``supervise`` block and the handler (where supervision is enabled for the tenant)
runs in this same transaction and writes ``item_id`` back into the payload. Where nothing handled it,
the 批示 that asked for 督办 is refused (409) rather than silently recorded without one.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.api import AppError, FieldError, conflict, publish_event
from plugins.documents import schemas
from plugins.documents.common import local_date
from plugins.documents.models import Action, Incoming

EVENT = "supervision.item.requested"
SOURCE_PLUGIN, SOURCE_KIND = "documents", "instruction"
# Where the handler's payload keys came from in our request, so a 422 points at the caller's field.
_FIELD_OF = {"content": "opinion", **{k: f"supervise.{k}" for k in schemas.Supervise.model_fields}}


def payload_of(row: Incoming, action: Action, block: schemas.Supervise) -> dict[str, Any]:
    """The event payload: one 督办事项 per 批示 (source id = the instruction's id)."""
    return {
        **block.model_dump(mode="json"),
        "tenant_id": str(row.tenant_id),
        "source_plugin": SOURCE_PLUGIN,
        "source_kind": SOURCE_KIND,
        "source_id": str(action.id),
        "title": row.title,
        "content": action.opinion,
        # under 代理 the leader is the one acted for; the stand-in is who asked
        "leader_id": str(action.on_behalf_of or action.actor_id),
        "requested_by": str(action.actor_id),
        # fixed to the 批示's day so re-sending the same instruction computes the same 时限
        "basis_date": local_date(action.at).isoformat(),
    }


def _relabel(exc: AppError) -> AppError:
    fields = [FieldError(_FIELD_OF.get(f.field, f.field), f.code, f.message) for f in exc.fields]
    return AppError(exc.code, exc.message, exc.status, fields, exc.extra)


async def request_item(
    session: AsyncSession, row: Incoming, action: Action, block: schemas.Supervise
) -> tuple[uuid.UUID, bool]:
    """Open (or find again) the 督办事项 of a 批示 and link it: ``(item_id, created)``.

    Idempotent per instruction: the supervision side keeps one item per (plugin, kind, source id).
    """
    payload = payload_of(row, action, block)
    try:
        ran = await publish_event(session, EVENT, payload, tenant_id=row.tenant_id)
    except AppError as exc:
        # the whole 批示 rolls back with it; only the field names are translated to ours
        raise (_relabel(exc) if exc.status == 422 else exc) from None
    if not ran or "item_id" not in payload:
        raise conflict(
            "supervision_unavailable",
            "本单位未启用督查督办，无法督办此批示",
            "Supervision is not available for this organisation",
        )
    action.supervision_item_id = uuid.UUID(str(payload["item_id"]))
    await session.flush()
    return action.supervision_item_id, bool(payload.get("created"))
