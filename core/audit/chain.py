"""Checking the hash chain (审计日志完整性校验) and the retention purge.

Verification walks the log in id order from the latest purge checkpoint (or the genesis hash) and
reports the first record whose content no longer matches its hash (altered) or whose ``prev_hash`` is
not the previous record's hash (a record removed, inserted or reordered). Removing the newest records is
not visible from the chain alone: export :attr:`VerifyResult.last_hash` regularly to anchor it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.hashing import GENESIS, record_hash
from core.audit.models import AuditCheckpoint, AuditLog
from core.audit.sql import RETENTION_FLOOR_DAYS

_TABLE: Any = AuditLog.__table__


@dataclass(frozen=True)
class VerifyResult:
    """``ok`` with the number of records ``checked``, else the first broken record and why."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""
    last_id: int | None = None
    last_hash: str | None = None


async def verify_chain(session: AsyncSession, *, batch_size: int = 2000) -> VerifyResult:
    """Verify the whole log (batch by batch; memory does not grow with the log)."""
    checkpoint = await session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    expected_prev = checkpoint.prev_hash if checkpoint else GENESIS
    must_start_at = checkpoint.first_retained_id if checkpoint else None
    checked = 0
    last_id = 0
    while True:
        result = await session.execute(
            select(_TABLE).where(_TABLE.c.id > last_id).order_by(_TABLE.c.id).limit(batch_size)
        )
        rows = [SimpleNamespace(**m) for m in result.mappings()]
        if not rows:
            break
        for row in rows:
            if checked == 0 and must_start_at is not None and row.id != must_start_at:
                return VerifyResult(False, checked, row.id, _reason_start(must_start_at, row.id))
            if record_hash(row) != row.hash:
                return VerifyResult(
                    False, checked, row.id, "the record's content does not match its hash (it was altered)"
                )
            if row.prev_hash != expected_prev:
                return VerifyResult(
                    False,
                    checked,
                    row.id,
                    "prev_hash does not match the previous record's hash (a record was removed or inserted)",
                )
            expected_prev = row.hash
            checked += 1
            last_id = row.id
    if checked == 0 and must_start_at is not None:
        return VerifyResult(
            False,
            0,
            must_start_at,
            f"record {must_start_at}, where the chain resumes after a purge, is missing",
        )
    last_hash = None if checked == 0 else expected_prev
    return VerifyResult(True, checked, last_id=last_id or None, last_hash=last_hash)


def _reason_start(expected: int, found: int) -> str:
    if found > expected:
        return f"records from {expected} to {found - 1} were removed outside the retention purge"
    return f"records before {expected} reappeared after a purge"


async def purge_expired(session: AsyncSession, *, retention_days: int) -> int:
    """Delete records older than ``retention_days`` (at least 180) through ``core_audit_purge``.

    Returns how many records went; a checkpoint keeps the rest verifiable. Records the purge itself.
    The cut-off is computed with the database clock, the one the records' times come from.
    """
    from core.audit.service import record  # noqa: PLC0415 - service imports sql, which imports service

    days = max(retention_days, RETENTION_FLOOR_DAYS)
    before = await session.scalar(text("SELECT now() - make_interval(days => :d)"), {"d": days})
    purged = int(await session.scalar(text("SELECT core_audit_purge(:before)"), {"before": before}) or 0)
    if purged:
        assert isinstance(before, datetime)
        await record(
            session,
            action="core.audit.purge",
            object_type="core.audit_log",
            principal=None,
            tenant_id=None,
            actor_name="system",
            summary=f"按保留期限（{days}天）清理审计记录{purged}条",
            after={"purged": purged, "before": before.isoformat(), "retention_days": days},
        )
    return purged
