"""发文字号 (document numbers): per tenant, per 机关代字, per year, e.g. 甘府发〔2026〕7号.

Source: rules.md §1 — six-corner brackets, full year, no leading zeros, no 第; each 机关代字 has its own
sequence restarting every year; a number is allocated once per document however often it is sent
back; reserved (预留), voided (废号) and back-filled (补号) numbers are explicit audited actions; no
silent gaps; concurrent allocation never duplicates.

Every sequence number handed out gets a ledger row (used / reserved / void) in the same transaction as
the counter increment, so the ledger of a (code, year) is always exactly 1..counter.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Principal, audit_record, conflict, not_found
from plugins.documents.common import PLUGIN, flush_reads, local_date, now, tenant_of
from plugins.documents.incoming import next_value
from plugins.documents.models import Counter
from plugins.documents.models_out import Number, Outgoing

USED, RESERVED, VOID = "used", "reserved", "void"


def label(code: str, year: int, seq: int) -> str:
    return f"{code}〔{year}〕{seq}号"


async def _audit(session: AsyncSession, p: Principal, verb: str, n: Number, summary: str) -> None:
    await flush_reads(session)
    await audit_record(
        session,
        action=f"{PLUGIN}.numbering.{verb}",
        object_type="documents_numbers",
        object_id=n.id,
        principal=p,
        summary=summary,
        after={
            "code": n.code,
            "year": n.year,
            "seq": n.seq,
            "status": n.status,
            "outgoing_id": str(n.outgoing_id) if n.outgoing_id else None,
            "reason": n.reason,
        },
    )


async def _take(
    session: AsyncSession,
    p: Principal,
    code: str,
    year: int,
    *,
    status: str,
    outgoing_id: uuid.UUID | None,
    reason: str,
) -> Number:
    seq = await next_value(session, tenant_of(p), "number", code, year)
    n = Number(
        tenant_id=tenant_of(p),
        code=code,
        year=year,
        seq=seq,
        status=status,
        outgoing_id=outgoing_id,
        reason=reason,
        by=p.user_id,
        at=now(),
    )
    session.add(n)
    await session.flush()
    return n


async def allocate(session: AsyncSession, p: Principal, doc: Outgoing) -> tuple[str, bool]:
    """The document's number, allocating the next one only if it has none yet: (label, newly allocated)."""
    if doc.doc_number:
        return doc.doc_number, False
    year = local_date(now()).year
    n = await _take(session, p, doc.issuer_code, year, status=USED, outgoing_id=doc.id, reason="")
    doc.doc_number, doc.number_year, doc.number_seq = label(n.code, n.year, n.seq), n.year, n.seq
    await _audit(session, p, "allocate", n, f"编发文字号{doc.doc_number}")
    return doc.doc_number, True


async def reserve(session: AsyncSession, p: Principal, code: str, year: int, reason: str) -> Number:
    n = await _take(session, p, code, year, status=RESERVED, outgoing_id=None, reason=reason)
    await _audit(session, p, "reserve", n, f"预留{label(code, year, n.seq)}")
    return n


async def _reserved(session: AsyncSession, p: Principal, number_id: int) -> Number:
    n = await session.scalar(
        select(Number).where(Number.id == number_id, Number.tenant_id == tenant_of(p)).with_for_update()
    )
    if n is None:
        raise not_found("number", "文号")
    if n.status != RESERVED:
        raise conflict(
            "number_not_reserved",
            "只有预留文号可以废号或补号",
            "Only a reserved number can be voided or used",
        )
    return n


async def void(session: AsyncSession, p: Principal, number_id: int, reason: str) -> Number:
    n = await _reserved(session, p, number_id)
    n.status, n.reason, n.by, n.at = VOID, reason, p.user_id, now()
    await _audit(session, p, "void", n, f"废号{label(n.code, n.year, n.seq)}")
    return n


async def backfill(session: AsyncSession, p: Principal, number_id: int, doc: Outgoing, reason: str) -> Number:
    """补号: give a reserved number to a signed document that has none."""
    n = await _reserved(session, p, number_id)
    if doc.doc_number:
        raise conflict("already_numbered", "该公文已有文号", "The document already has a number")
    if doc.state != "signed":
        raise conflict("not_signed", "公文尚未签发", "The document is not signed yet")
    if doc.issuer_code != n.code:
        raise conflict("code_mismatch", "机关代字不一致", "The number belongs to another 机关代字")
    n.status, n.outgoing_id, n.reason, n.by, n.at = USED, doc.id, reason, p.user_id, now()
    doc.doc_number, doc.number_year, doc.number_seq = label(n.code, n.year, n.seq), n.year, n.seq
    doc.state = "numbered"
    await session.flush()
    await _audit(session, p, "backfill", n, f"补号{doc.doc_number}")
    return n


async def ledger(session: AsyncSession, p: Principal, code: str, year: int) -> dict[str, Any]:
    """The ledger of one sequence and its gaps (which must be empty)."""
    from plugins.documents.views import number_dict  # noqa: PLC0415

    rows = list(
        await session.scalars(
            select(Number)
            .where(Number.tenant_id == tenant_of(p), Number.code == code, Number.year == year)
            .order_by(Number.seq)
        )
    )
    top = await session.scalar(
        select(Counter.value).where(
            Counter.tenant_id == tenant_of(p),
            Counter.scope == "number",
            Counter.key == code,
            Counter.year == year,
        )
    )
    seen = {n.seq for n in rows}
    return {
        "code": code,
        "year": year,
        "last": top or 0,
        "items": [number_dict(n) for n in rows],
        "gaps": [i for i in range(1, (top or 0) + 1) if i not in seen],
    }
