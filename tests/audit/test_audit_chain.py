"""The audit log on the real PostgreSQL: in-transaction writes, the hash chain, the trigger, tampering."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from core.audit.chain import verify_chain
from core.audit.cli import audit
from core.audit.models import AuditLog
from core.audit.service import identity_recorder, record, record_read
from core.db.engine import Database
from core.security.principal import Principal
from tests.audit.helpers import apply_audit_sql


@pytest.fixture(autouse=True)
async def _audit_sql(db: Database) -> None:
    await apply_audit_sql(db)


@pytest.fixture
async def tampering(db: Database) -> AsyncIterator[Any]:
    """Run SQL as the superuser with the guard trigger off (what an intruder with DBA rights does).

    Everything the test changed is put back afterwards, so later tests see a valid chain again.
    """
    restores: list[tuple[str, dict[str, Any]]] = []

    async def run(
        sql: str, params: dict[str, Any], restore: tuple[str, dict[str, Any]] | None = None
    ) -> None:
        async with db.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE core_audit_log DISABLE TRIGGER core_audit_log_guard"))
            await conn.execute(text(sql), params)
            await conn.execute(text("ALTER TABLE core_audit_log ENABLE ALWAYS TRIGGER core_audit_log_guard"))
        if restore is not None:
            restores.append(restore)

    yield run
    for sql, params in reversed(restores):
        await run(sql, params)


def staff(tenant_id: uuid.UUID | None = None, **kw: Any) -> Principal:
    return Principal(
        kind="staff", user_id=uuid.uuid4(), tenant_id=tenant_id or uuid.uuid4(), display_name="张三", **kw
    )


async def test_records_commit_and_roll_back_with_the_caller(db: Database) -> None:
    marker = uuid.uuid4().hex
    async with db.transaction() as session:
        entry = await record(
            session,
            action="core.test.commit",
            object_type="core.test",
            object_id=marker,
            principal=staff(),
            summary="提交的操作",
            before={"state": "draft"},
            after={"state": "sent", "amount": 1.5, "when": uuid.UUID(int=1)},
        )
        assert len(entry.hash) == 64
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await record(session, action="core.test.rollback", object_type="core.test", object_id=marker)
            raise RuntimeError("the operation failed")
    async with db.transaction() as session:
        actions = (await session.scalars(select(AuditLog.action).where(AuditLog.object_id == marker))).all()
        stored = await session.scalar(select(AuditLog).where(AuditLog.object_id == marker))
    assert actions == ["core.test.commit"]
    assert stored is not None and stored.after == {
        "state": "sent",
        "amount": "1.5",
        "when": str(uuid.UUID(int=1)),
    }
    assert stored.actor_name == "张三" and stored.actor_kind == "staff"


async def test_delegation_records_both_people(db: Database) -> None:
    leader = uuid.uuid4()
    principal = staff(on_behalf_of=leader, extra={"on_behalf_of_name": "李局长"})
    async with db.transaction() as session:
        entry = await record(
            session, action="documents.outgoing.sign", object_type="documents.outgoing", object_id=1
        )
        assert entry.actor_id is None  # no request context here: nobody is invented
        entry = await record(
            session,
            action="documents.outgoing.sign",
            object_type="documents.outgoing",
            object_id=1,
            principal=principal,
        )
    assert entry.actor_id == principal.user_id and entry.on_behalf_of == leader
    assert entry.on_behalf_of_name == "李局长"


async def test_bad_action_names_are_programming_errors(db: Database) -> None:
    async with db.transaction() as session:
        for bad in ("nodots", "Core.Upper.case", "core..double", "core.x y"):
            with pytest.raises(ValueError, match="audit action"):
                await record(session, action=bad, object_type="x")


async def test_record_read_only_for_classified_content(db: Database) -> None:
    async with db.transaction() as session:
        assert (
            await record_read(
                session, action="documents.incoming.read", object_type="d", object_id=1, classification=0
            )
            is None
        )
        entry = await record_read(
            session,
            action="documents.incoming.read",
            object_type="d",
            object_id=1,
            classification=2,
            principal=staff(),
            summary="阅读机密公文",
        )
    assert entry is not None and entry.after == {"classification": 2}


async def test_identity_recorder_adapter(db: Database) -> None:
    principal = staff()
    marker = uuid.uuid4().hex
    async with db.transaction() as session:
        await identity_recorder(
            session,
            principal,
            "core.unit.rename",
            object_type="core.unit",
            object_id=marker,
            tenant_id=principal.tenant_id,
            summary={"before": {"name": "办公室"}, "after": {"name": "综合科"}, "by_admin": True},
        )
        entry = await session.scalar(select(AuditLog).where(AuditLog.object_id == marker))
    assert entry is not None and entry.before == {"name": "办公室"}
    assert entry.after == {"name": "综合科", "by_admin": True} and entry.tenant_id == principal.tenant_id


async def test_chain_verifies_and_concurrent_appends_keep_it(db: Database) -> None:
    async def one(i: int) -> None:
        async with db.transaction() as session:
            await record(session, action="core.test.concurrent", object_type="core.test", object_id=i)
            await asyncio.sleep(0.01)  # hold the append lock a little: writers really overlap

    async with db.transaction() as session:
        before = int(await session.scalar(select(func.count()).select_from(AuditLog)) or 0)
    await asyncio.gather(*(one(i) for i in range(25)))
    async with db.transaction() as session:
        result = await verify_chain(session, batch_size=7)
        after = int(await session.scalar(select(func.count()).select_from(AuditLog)) or 0)
    assert after == before + 25
    assert result.ok, result
    assert result.checked == after and result.last_hash is not None


async def test_update_delete_truncate_are_refused(db: Database) -> None:
    async with db.transaction() as session:
        entry = await record(session, action="core.test.immutable", object_type="core.test")
    for sql in (
        "UPDATE core_audit_log SET summary = 'changed' WHERE id = :id",
        "DELETE FROM core_audit_log WHERE id = :id",
        "TRUNCATE core_audit_log",
        "TRUNCATE core_audit_checkpoints",
        "INSERT INTO core_audit_checkpoints (at, purged_before, purged_count, prev_hash) "
        "VALUES (now(), now(), 0, 'x')",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.transaction() as session:
                await session.execute(text(sql), {"id": entry.id})
    # Not even as the superuser in replica mode (the trigger is ENABLE ALWAYS).
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.transaction() as session:
            await session.execute(text("SET LOCAL session_replication_role = replica"))
            await session.execute(text("DELETE FROM core_audit_log WHERE id = :id"), {"id": entry.id})
    # Nor by pretending to be the purge for a recent record.
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.transaction() as session:
            await session.execute(text("SELECT set_config('fuban.audit_purge', 'on', true)"))
            await session.execute(text("DELETE FROM core_audit_log WHERE id = :id"), {"id": entry.id})


def _cli_verify() -> Any:
    return CliRunner().invoke(audit, ["verify"])


async def test_tampering_is_detected_and_named(db: Database, tampering: Any) -> None:
    async with db.transaction() as session:
        first = await record(session, action="core.test.tamper", object_type="core.test", summary="原始记录")
        await record(session, action="core.test.tamper", object_type="core.test", summary="后一条")
    ok = await asyncio.to_thread(_cli_verify)
    assert ok.exit_code == 0, ok.output
    assert "audit chain OK" in ok.output

    # Edit a record's content: that record is named.
    await tampering(
        "UPDATE core_audit_log SET summary = '篡改后的记录' WHERE id = :id",
        {"id": first.id},
        ("UPDATE core_audit_log SET summary = '原始记录' WHERE id = :id", {"id": first.id}),
    )
    async with db.transaction() as session:
        result = await verify_chain(session)
    assert not result.ok and result.first_broken_id == first.id and "altered" in result.reason
    bad = await asyncio.to_thread(_cli_verify)
    assert bad.exit_code == 1 and f"BROKEN at record {first.id}" in bad.output


async def test_removed_record_is_detected(db: Database, tampering: Any) -> None:
    async with db.transaction() as session:
        first = await record(session, action="core.test.remove", object_type="core.test", object_id="a")
        second = await record(session, action="core.test.remove", object_type="core.test", object_id="b")
    async with db.engine.connect() as conn:
        saved = dict(
            (await conn.execute(text("SELECT * FROM core_audit_log WHERE id = :id"), {"id": first.id}))
            .mappings()
            .one()
        )
    columns = ", ".join(saved)
    values = ", ".join(f":{c}" for c in saved)
    for column in ("before", "after"):
        saved[column] = None if saved[column] is None else json.dumps(saved[column])
    await tampering(
        "DELETE FROM core_audit_log WHERE id = :id",
        {"id": first.id},
        (f"INSERT INTO core_audit_log ({columns}) VALUES ({values})", saved),
    )
    async with db.transaction() as session:
        result = await verify_chain(session)
    assert not result.ok and result.first_broken_id == second.id and "removed" in result.reason
