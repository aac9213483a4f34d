"""Intake (登记) on every channel, attachments, duplicates and repeat petitions (重复信访).

Source: rules.md §4 — channels 网上/书信/电话/传真/走访 (a group elects ≤ 5 representatives); the
record holds name, address, request, facts and reasons; citizens get a query code.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import AppError, Msg, StoragePolicy, audit_record, get_storage, invalid, register_storage_policy

from . import clock, codes
from .models import CaseEvent, CaseFile, PetitionCase
from .schemas import CaseFields

MB = 1024 * 1024
ATTACHMENT_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})
POLICY = StoragePolicy(max_bytes=10 * MB, allowed_types=ATTACHMENT_TYPES)
register_storage_policy("petitions", POLICY)
GROUP_HEADCOUNT = 5  # 集体访: five or more people
SIMILAR = 0.5
_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def policy(cfg: dict[str, Any]) -> StoragePolicy:
    return POLICY.with_overrides(cfg)


def decode_attachments(items: list[Any], cfg: dict[str, Any]) -> list[tuple[str, bytes]]:
    """Decode and size-check before anything is written (413 for too large, 422 for bad base64)."""
    limit = policy(cfg).max_bytes
    out = []
    for i, a in enumerate(items):
        if len(a.content_base64) > (limit * 4) // 3 + 8:
            raise AppError("file_too_large", Msg("附件过大", "The attachment is too large"), 413)
        try:
            data = base64.b64decode(a.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise invalid(
                f"attachments[{i}].content_base64",
                "bad_base64",
                "附件编码无效",
                "The attachment is not valid base64",
            ) from None
        if not data:
            raise invalid(f"attachments[{i}].content_base64", "empty", "附件为空", "The attachment is empty")
        if len(data) > limit:
            raise AppError("file_too_large", Msg("附件过大", "The attachment is too large"), 413)
        out.append((a.name, data))
    return out


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _number(today: dt.date) -> str:
    return f"XF{today.year}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


async def _replay(session: AsyncSession, tenant_id: uuid.UUID, key: str) -> PetitionCase | None:
    return await session.scalar(
        select(PetitionCase).where(PetitionCase.tenant_id == tenant_id, PetitionCase.idempotency_key == key)
    )


async def create_case(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    data: CaseFields,
    channel: str,
    received_on: dt.date,
    cfg: dict[str, Any],
    actor_id: uuid.UUID | None = None,
    citizen_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    headcount: int = 1,
    representatives: list[dict[str, Any]] | None = None,
    with_code: bool = True,
) -> tuple[PetitionCase, str | None, bool]:
    """Register a case; returns (case, query code shown once, replayed).

    Replaying an idempotency key returns the stored case (no code: it is never shown twice).
    """
    if data.category not in (cfg.get("categories") or ()):
        raise invalid("category", "unknown_category", "信访类别无效", "Unknown category")
    reps = representatives or []
    if headcount < len(reps):
        raise invalid("headcount", "too_small", "人数不能少于代表人数", "Headcount below the representatives")
    if headcount >= GROUP_HEADCOUNT and channel == "visit" and not reps:
        raise invalid(
            "representatives",
            "required",
            "集体访须推选代表（不超过5人）",
            "A group visit elects up to 5 representatives",
        )
    files = decode_attachments(data.attachments, cfg)
    if idempotency_key and (old := await _replay(session, tenant_id, idempotency_key)) is not None:
        return old, None, True
    case_id = uuid.uuid4()
    code = codes.new_code() if with_code else None
    case = PetitionCase(
        id=case_id,
        tenant_id=tenant_id,
        number=_number(received_on),
        channel=channel,
        status="registered",
        category=data.category,
        title=data.title,
        request=data.request,
        facts=data.facts,
        reasons=data.reasons,
        name=data.name,
        address=data.address,
        phone=data.phone,
        id_number=data.id_number,
        person_hash=codes.person_hash(data.id_number, data.phone),
        citizen_id=citizen_id,
        code_hash=codes.code_hash(code) if code else None,
        factor_hashes=codes.factor_hashes(str(case_id), data.phone, data.id_number),
        idempotency_key=idempotency_key,
        is_group=headcount >= GROUP_HEADCOUNT,
        headcount=headcount,
        representatives=reps,
        shingles=codes.shingles(data.title, data.request, data.facts),
        received_on=received_on,
        extended_days=0,
        review_stage=0,
        redo_count=0,
        is_repeat=False,
    )
    session.add(case)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        if idempotency_key and (old := await _replay(session, tenant_id, idempotency_key)) is not None:
            return old, None, True
        raise
    storage = get_storage()
    for name, blob in files:
        f = await storage.upload(
            session,
            _chunks(blob),
            tenant_id=tenant_id,
            plugin="petitions",
            original_name=name,
            policy=policy(cfg),
            created_by=actor_id,
            declared_length=len(blob),
        )
        session.add(CaseFile(case_id=case.id, file_id=f.id))
    session.add(CaseEvent(case_id=case.id, kind="registered", text="信访事项已登记", actor_id=actor_id))
    await clock.start_intake(session, case, cfg, actor_id)
    dups = await similar_cases(session, case, limit=5)
    if any(d["same_person"] and d["similarity"] >= SIMILAR for d in dups):
        case.is_repeat = True
        session.add(
            CaseEvent(
                case_id=case.id,
                kind="repeat_suspected",
                public=False,
                text="疑似重复信访：" + "、".join(d["number"] for d in dups if d["same_person"]),
            )
        )
    await audit_record(
        session,
        action="petitions.case.register",
        object_type="petitions.case",
        object_id=case.id,
        tenant_id=tenant_id,
        summary=f"登记信访事项 {case.number}（{channel}）",
        after={"number": case.number, "channel": channel, "attachments": len(files)},
    )
    return case, code, False


_SIMILAR_SQL = text("""
WITH cand AS (
  SELECT id, number, title, status, received_on, person_hash, shingles
  FROM petitions_cases
  WHERE tenant_id = :t AND id <> :id AND status <> 'merged'
    AND ((CAST(:ph AS varchar) IS NOT NULL AND person_hash = :ph) OR shingles && CAST(:sh AS integer[]))
  ORDER BY created_at DESC LIMIT 300
)
SELECT id, number, title, status, received_on, (person_hash IS NOT DISTINCT FROM :ph) AND :ph IS NOT NULL,
       inter::float / NULLIF(cardinality(shingles) + :n - inter, 0)
FROM (SELECT c.*, (SELECT count(*) FROM unnest(c.shingles) s WHERE s = ANY(CAST(:sh AS integer[]))) AS inter
      FROM cand c) x
ORDER BY 7 DESC NULLS LAST, received_on DESC LIMIT :lim
""")


async def similar_cases(session: AsyncSession, case: PetitionCase, limit: int = 20) -> list[dict[str, Any]]:
    """Likely duplicates / repeats: same person (ID or phone hash) or similar text (bigram Jaccard)."""
    rows = await session.execute(
        _SIMILAR_SQL,
        {
            "t": case.tenant_id,
            "id": case.id,
            "ph": case.person_hash,
            "sh": case.shingles,
            "n": len(case.shingles),
            "lim": limit,
        },
    )
    out = []
    for rid, number, title, status, received, same, raw in rows:
        sim = float(raw or 0.0)
        if same or sim >= 0.2:
            out.append(
                {
                    "id": rid,
                    "number": number,
                    "title": title,
                    "status": status,
                    "received_on": received,
                    "same_person": bool(same),
                    "similarity": round(sim, 3),
                }
            )
    return out


async def rechecked_same_facts(session: AsyncSession, case: PetitionCase) -> str | None:
    """A 复核-closed case of the same person on similar facts (rules.md §4: not accepted again)."""
    for d in await similar_cases(session, case, limit=50):
        if d["same_person"] and d["status"] == "rechecked" and d["similarity"] >= SIMILAR:
            return str(d["number"])
    return None


async def count_cases(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    return int(await session.scalar(select(func.count()).where(PetitionCase.tenant_id == tenant_id)) or 0)
