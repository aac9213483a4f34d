"""Benchmark of the deadline reminder sweep over a million pending deadlines.

    python bench/deadlines.py [--dsn postgresql://user@host:port/db] [--rows 1000000] [--due-percent 1]

Without ``--dsn`` an embedded PostgreSQL (``core.devstack.services.EmbeddedPostgres``) is started in a
temporary directory. With ``--dsn`` everything happens in a scratch schema that is dropped at the end
(``--keep`` keeps it). Loads the rows with ``generate_series`` (no ORM), makes ``--due-percent`` of the
deadlines due, then times a pure "find due" query and ``sweep_due_reminders`` claiming them.
Target: the sweep finds and claims the due reminders of 1,000,000 pending deadlines in < 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from core.db.base import Base
from core.deadlines.models import Deadline, DeadlineReminder
from core.deadlines.sweep import FIND_DUE, count_due, sweep_due_reminders
from core.notifications.models import Notification
from core.plugins.models import PluginState
from core.tenancy.models import Tenant

SCHEMA = "bench_deadlines"
TABLES = [
    Base.metadata.tables[m.__tablename__]
    for m in (Tenant, PluginState, Deadline, DeadlineReminder, Notification)
]
# The sweep's "now"; pending reminders fire after it, due ones an hour before.
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _asyncpg(dsn: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if dsn.startswith(prefix):
            return "postgresql+asyncpg://" + dsn[len(prefix) :]
    raise SystemExit("--dsn must be a postgresql:// URL")


def _line(label: str, rows: int, seconds: float) -> None:
    rate = rows / seconds if seconds > 0 else float("inf")
    print(f"{label:<44} {rows:>10,} rows {seconds:>9.3f} s {rate:>14,.0f} rows/s")


async def _timed(engine: AsyncEngine, label: str, sql: str, **params: Any) -> int:
    t0 = time.perf_counter()
    async with engine.begin() as conn:
        n = (await conn.execute(text(sql), params)).rowcount
    _line(label, int(n), time.perf_counter() - t0)
    return int(n)


async def load(engine: AsyncEngine, rows: int, due_percent: float) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        await conn.run_sync(lambda c: Base.metadata.create_all(c, tables=TABLES))
    on, off = uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as conn:
        # Tenant "on" has the plugin enabled; tenant "off" disabled: its due reminders must be skipped.
        await conn.execute(
            text(
                "INSERT INTO core_tenants (id, code, name, active) VALUES (:on, 'bench-on', '启用县', true),"
                " (:off, 'bench-off', '停用县', true)"
            ),
            {"on": on, "off": off},
        )
        await conn.execute(
            text(
                "INSERT INTO core_plugin_states (tenant_id, plugin, state, version, settings) VALUES"
                " (:on, 'documents', 'enabled', '1', '{}'), (:off, 'documents', 'disabled', '1', '{}')"
            ),
            {"on": on, "off": off},
        )
    # Synthetic rows: the dates are fabricated data, not deadline arithmetic.
    await _timed(
        engine,
        "load core_deadlines (generate_series)",
        """
        INSERT INTO core_deadlines (tenant_id, owner_plugin, object_type, object_id, kind, title, basis_date,
                                    rule, amount, due_date, provisional, reminder_days, state,
                                    assignee_id, escalate_to)
        SELECT CASE WHEN g % 10 = 3 THEN CAST(:off AS uuid) ELSE CAST(:on AS uuid) END,
               'documents', 'incoming', g::text, 'intake_register', '关于某某事项的请示 ' || g,
               DATE '2026-05-01', 'workdays', 2, DATE '2026-06-10' + (g % 300), false, '{2,0}', 'open',
               gen_random_uuid(), gen_random_uuid()
        FROM generate_series(1, :rows) AS g""",
        on=on,
        off=off,
        rows=rows,
    )
    # Every 1/p-th deadline has its 'before' chase due an hour before NOW (plus a tenth as many in the
    # disabled tenant, which the sweep must skip); all other chases are pending later.
    step = max(round(100 / due_percent), 1) if due_percent > 0 else rows + 1
    await _timed(
        engine,
        "load core_deadline_reminders (3 per deadline)",
        """
        INSERT INTO core_deadline_reminders (deadline_id, tenant_id, kind, workdays_before, fire_at,
                                             provisional, recipient)
        SELECT d.id, d.tenant_id, k.kind, k.n,
               CASE WHEN k.kind = 'before' AND (d.id % :step = 0 OR d.id % (:step * 10) = 3)
                    THEN CAST(:now AS timestamptz) - interval '1 hour'
                    ELSE CAST(:now AS timestamptz) + make_interval(days => 3 + (d.id % 300)::int + (1 - k.n))
               END,
               false, CASE WHEN k.kind = 'overdue' THEN d.escalate_to ELSE d.assignee_id END
        FROM core_deadlines d
        CROSS JOIN (VALUES ('before', 2), ('due', 0), ('overdue', -1)) AS k(kind, n)""",
        step=step,
        now=NOW,
    )
    t0 = time.perf_counter()
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE core_deadlines"))
        await conn.execute(text("VACUUM ANALYZE core_deadline_reminders"))
        await conn.execute(text("ANALYZE core_plugin_states"))
    print(f"{'vacuum analyze':<44} {time.perf_counter() - t0:>26.3f} s")


async def measure(engine: AsyncEngine, batch: int) -> float:
    factory = async_sessionmaker(engine, expire_on_commit=False)
    async with engine.connect() as conn:
        pending = (
            await conn.execute(text("SELECT count(*) FROM core_deadline_reminders WHERE sent_at IS NULL"))
        ).scalar_one()
        deadlines = (await conn.execute(text("SELECT count(*) FROM core_deadlines"))).scalar_one()
    print(f"\npending deadlines: {deadlines:,}   pending reminders: {pending:,}\n")
    async with factory() as session:
        await count_due(session, NOW)  # warm the cache the way a running system has it
        t0 = time.perf_counter()
        due = await count_due(session, NOW)
        _line("find due (count, no locks)", due, time.perf_counter() - t0)
        plan = (
            (
                await session.execute(
                    text("EXPLAIN (ANALYZE, BUFFERS) " + str(FIND_DUE)), {"now": NOW, "batch": batch}
                )
            )
            .scalars()
            .all()
        )
    t0 = time.perf_counter()
    result = await sweep_due_reminders(factory, NOW, batch=batch)
    sweep_s = time.perf_counter() - t0
    _line(f"sweep_due_reminders (find+claim+notify, batch {batch})", result.claimed, sweep_s)
    t0 = time.perf_counter()
    again = await sweep_due_reminders(factory, NOW, batch=batch)
    _line("second sweep (nothing left to do)", again.claimed, time.perf_counter() - t0)
    async with engine.connect() as conn:
        notes = (await conn.execute(text("SELECT count(*) FROM core_notifications"))).scalar_one()
        skipped = (
            await conn.execute(
                text(
                    "SELECT count(*) FROM core_deadline_reminders WHERE sent_at IS NULL AND fire_at <= :now"
                ),
                {"now": NOW},
            )
        ).scalar_one()
    print(
        f"\nnotifications created: {notes:,} (claimed {result.claimed:,}, batches {result.batches});"
        f" due but skipped (plugin disabled): {skipped:,}"
    )
    print("\nplan of one claim batch's selection:\n  " + "\n  ".join(plan))
    return sweep_s


async def run(dsn: str, rows: int, due_percent: float, batch: int, keep: bool) -> float:
    engine = create_async_engine(_asyncpg(dsn), connect_args={"server_settings": {"search_path": SCHEMA}})
    try:
        await load(engine, rows, due_percent)
        return await measure(engine, batch)
    finally:
        if not keep:
            async with engine.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dsn", help="PostgreSQL URL; default: start an embedded PostgreSQL")
    parser.add_argument("--rows", type=int, default=1_000_000, help="pending deadlines to load")
    parser.add_argument("--due-percent", type=float, default=1.0, help="share of deadlines with a due chase")
    parser.add_argument("--batch", type=int, default=1000, help="reminders claimed per transaction")
    parser.add_argument("--keep", action="store_true", help="keep the bench schema afterwards")
    args = parser.parse_args()
    pg = tmp = None
    dsn = args.dsn
    if dsn is None:
        try:
            from core.devstack.services import EmbeddedPostgres  # noqa: PLC0415 - only without --dsn
        except ImportError as err:
            raise SystemExit(f"no embedded PostgreSQL ({err}): pass --dsn") from None
        tmp = Path(tempfile.mkdtemp(prefix="fuban-bench-"))
        if os.geteuid() == 0:
            shutil.chown(tmp, "postgres")  # the embedded server refuses to run as root
        pg = EmbeddedPostgres(tmp / "pg", _free_port())
        pg.start()
        dsn = pg.url
    try:
        sweep_s = asyncio.run(run(dsn, args.rows, args.due_percent, args.batch, args.keep))
    finally:
        if pg is not None:
            pg.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    verdict = "OK" if sweep_s < 5 else "SLOWER THAN TARGET"
    print(f"\nsweep over {args.rows:,} pending deadlines: {sweep_s:.3f} s (target < 5 s): {verdict}")


if __name__ == "__main__":
    main()
