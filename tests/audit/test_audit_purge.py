"""Retention purge through the SECURITY DEFINER function, in a scratch database of the same server
(so that ageing records by hand does not disturb the shared chain)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from core.audit.chain import purge_expired, verify_chain
from core.audit.hashing import GENESIS, record_hash
from core.audit.models import AuditCheckpoint, AuditLog
from core.audit.service import record
from core.audit.sql import AUDIT_IMMUTABLE_SQL
from core.settings import Settings


@pytest.fixture
async def scratch(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = make_url(settings.database_url)
    name = f"audit_purge_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_async_engine(url.set(database=name), poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(
                lambda c: AuditLog.metadata.create_all(
                    c, tables=[AuditLog.__table__, AuditCheckpoint.__table__]
                )
            )
            for stmt in AUDIT_IMMUTABLE_SQL:
                await conn.execute(text(stmt))
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def _append(maker: async_sessionmaker[AsyncSession], n: int, label: str) -> None:
    for i in range(n):
        async with maker() as s, s.begin():
            await record(s, action="core.test.purge", object_type="core.test", object_id=f"{label}{i}")


async def _age_first(engine: AsyncEngine, count: int, days: int) -> None:
    """Pretend the first ``count`` records were written ``days`` ago: move their time and rebuild the
    chain (as if it had been written then), with the guard off."""
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE core_audit_log DISABLE TRIGGER core_audit_log_guard"))
        await conn.execute(
            text(
                "UPDATE core_audit_log SET at = at - make_interval(days => :d) "
                "WHERE id IN (SELECT id FROM core_audit_log ORDER BY id LIMIT :n)"
            ),
            {"d": days, "n": count},
        )
        session = AsyncSession(bind=conn)
        prev = GENESIS
        for row in (await session.scalars(select(AuditLog).order_by(AuditLog.id))).all():
            row.prev_hash = prev
            row.hash = record_hash(row)
            prev = row.hash
        await session.flush()
        await conn.execute(text("ALTER TABLE core_audit_log ENABLE ALWAYS TRIGGER core_audit_log_guard"))


async def test_purge_keeps_the_rest_verifiable(scratch: async_sessionmaker[AsyncSession]) -> None:
    engine = scratch.kw["bind"]
    await _append(scratch, 5, "r")
    await _age_first(engine, 3, 200)
    async with scratch() as s, s.begin():
        assert (await verify_chain(s)).ok
        # The floor holds whatever the configuration says.
        with pytest.raises(DBAPIError, match="at least 180 days"):
            async with s.begin_nested():
                await s.execute(text("SELECT core_audit_purge(now() - interval '10 days')"))
        assert await purge_expired(s, retention_days=30) == 3
    async with scratch() as s:
        checkpoint = await s.scalar(select(AuditCheckpoint))
        remaining = (await s.scalars(select(AuditLog).order_by(AuditLog.id))).all()
        result = await verify_chain(s)
    assert checkpoint is not None and checkpoint.purged_count == 3
    assert [r.object_id for r in remaining[:2]] == ["r3", "r4"] and remaining[2].action == "core.audit.purge"
    assert checkpoint.first_retained_id == remaining[0].id and checkpoint.prev_hash == remaining[0].prev_hash
    assert result.ok and result.checked == 3, result

    # Removing retained records outside the purge is still caught (the checkpoint names the start).
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE core_audit_log DISABLE TRIGGER core_audit_log_guard"))
        await conn.execute(text("DELETE FROM core_audit_log WHERE id = :id"), {"id": remaining[0].id})
        await conn.execute(text("ALTER TABLE core_audit_log ENABLE ALWAYS TRIGGER core_audit_log_guard"))
    async with scratch() as s:
        broken = await verify_chain(s)
    assert not broken.ok and broken.first_broken_id == remaining[1].id


async def test_purging_everything_then_appending_links_to_the_checkpoint(
    scratch: async_sessionmaker[AsyncSession],
) -> None:
    engine = scratch.kw["bind"]
    await _append(scratch, 3, "old")
    await _age_first(engine, 3, 365)
    async with scratch() as s, s.begin():
        purged = int(await s.scalar(text("SELECT core_audit_purge(:b)"), {"b": _days_ago(181)}) or 0)
    assert purged == 3
    await _append(scratch, 2, "new")
    async with scratch() as s:
        result = await verify_chain(s)
        checkpoint = await s.scalar(select(AuditCheckpoint))
        first = await s.scalar(select(AuditLog).order_by(AuditLog.id).limit(1))
    assert checkpoint is not None and checkpoint.first_retained_id is None
    assert first is not None and first.prev_hash == checkpoint.prev_hash
    assert result.ok and result.checked == 2


def _days_ago(days: int) -> object:
    from core.db.base import utcnow  # noqa: PLC0415

    return utcnow() - timedelta(days=days)
