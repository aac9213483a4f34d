"""JSON views of documents (plain dicts: the API's response bodies)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from plugins.documents.common import actions_of, readers_of
from plugins.documents.models import Action, Attachment, Circulation, Handler, Incoming
from plugins.documents.models_out import Number, Outgoing, Recipient, Version

INCOMING_FIELDS = (
    "state",
    "sender",
    "recipient",
    "recipient_user_id",
    "envelope_no",
    "copies",
    "received_at",
    "personal",
    "urgency",
    "opened",
    "title",
    "classification",
    "doc_number",
    "issuing_org",
    "destination",
    "doc_class",
    "year",
    "serial",
    "proposal",
    "result",
    "unit_id",
    "due_date",
    "deadline_id",
    "archived_at",
    "archive_no",
)
OUTGOING_FIELDS = (
    "state",
    "doc_type",
    "direction",
    "normative",
    "copy_no",
    "classification",
    "secrecy_period",
    "urgency",
    "issuer_mark",
    "issuer_code",
    "doc_number",
    "number_year",
    "number_seq",
    "signers",
    "title",
    "main_recipients",
    "attachment_notes",
    "signature",
    "written_date",
    "seal",
    "note",
    "cc",
    "printer",
    "print_date",
    "disclosure",
    "disclosure_reason",
    "countersigners",
    "signer_id",
    "version",
    "print_copies",
    "unit_id",
    "due_date",
    "deadline_id",
    "archived_at",
    "archive_no",
)


def plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def row_dict(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {"id": str(row.id), **{f: plain(getattr(row, f)) for f in fields}}


def serial_label(row: Incoming) -> str | None:
    return f"{row.doc_class}〔{row.year}〕{row.serial:04d}" if row.serial else None


def incoming_summary(row: Incoming) -> dict[str, Any]:
    return {**row_dict(row, INCOMING_FIELDS), "serial_label": serial_label(row)}


def action_dict(a: Action) -> dict[str, Any]:
    return {
        "step": a.step,
        "decision": a.decision,
        "opinion": a.opinion,
        "actor_id": plain(a.actor_id),
        "actor_name": a.actor_name,
        "on_behalf_of": plain(a.on_behalf_of),
        "on_behalf_of_name": a.on_behalf_of_name,
        "at": plain(a.at),
        "data": a.data,
        "supervision_item_id": plain(a.supervision_item_id),
    }


def circulation_dict(c: Circulation) -> dict[str, Any]:
    return {
        "seq": c.seq,
        "reader_id": str(c.reader_id),
        "reader_name": c.reader_name,
        "received_at": plain(c.received_at),
        "read_at": plain(c.read_at),
        "remark": c.remark,
    }


async def _attachments(session: AsyncSession, doc_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Attachment).where(Attachment.doc_id == doc_id).order_by(Attachment.id)
    )
    return [{"file_id": str(a.file_id), "name": a.name, "added_at": plain(a.added_at)} for a in rows]


async def incoming_detail(session: AsyncSession, row: Incoming) -> dict[str, Any]:
    handlers = await session.scalars(
        select(Handler).where(Handler.incoming_id == row.id).order_by(Handler.id)
    )
    circ = await session.scalars(
        select(Circulation).where(Circulation.incoming_id == row.id).order_by(Circulation.seq, Circulation.id)
    )
    return {
        **incoming_summary(row),
        "body": row.body,
        "handlers": [{"unit_id": str(h.unit_id), "role": h.role} for h in handlers],
        "circulation": [circulation_dict(c) for c in circ],
        "history": [action_dict(a) for a in await actions_of(session, row.id)],
        "readers": await readers_of(session, row.id),
        "attachments": await _attachments(session, row.id),
    }


def outgoing_summary(row: Outgoing) -> dict[str, Any]:
    return row_dict(row, OUTGOING_FIELDS)


async def outgoing_detail(session: AsyncSession, row: Outgoing) -> dict[str, Any]:
    versions = await session.scalars(
        select(Version).where(Version.outgoing_id == row.id).order_by(Version.version)
    )
    recips = await session.scalars(
        select(Recipient).where(Recipient.outgoing_id == row.id).order_by(Recipient.id)
    )
    return {
        **outgoing_summary(row),
        "body": row.body,
        "history": [action_dict(a) for a in await actions_of(session, row.id)],
        "versions": [
            {
                "version": v.version,
                "title": v.title,
                "body": v.body,
                "edited_by": plain(v.edited_by),
                "edited_at": plain(v.edited_at),
                "reason": v.reason,
            }
            for v in versions
        ],
        "recipients": [{"name": r.name, "copies": r.copies, "list_id": plain(r.list_id)} for r in recips],
        "readers": await readers_of(session, row.id),
        "attachments": await _attachments(session, row.id),
    }


def number_dict(n: Number) -> dict[str, Any]:
    return {
        "id": n.id,
        "code": n.code,
        "year": n.year,
        "seq": n.seq,
        "status": n.status,
        "label": f"{n.code}〔{n.year}〕{n.seq}号",
        "outgoing_id": plain(n.outgoing_id),
        "reason": n.reason,
        "at": plain(n.at),
    }
