"""The reminder sweep: exactly once under concurrent sweepers, plugin enablement, closed deadlines.

The sweep is global (all tenants), so each test sweeps "as of" a year of its own before 2004 (no
other test has chases that early) and checks its own tenant's rows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import update

from core.db.engine import Database
from core.deadlines.models import Deadline, DeadlineReminder
from core.deadlines.service import ReminderSpec, complete_deadline
from core.deadlines.sweep import SweepResult, count_due, overdue_query, sweep_due_reminders
from core.settings import Settings
from core.tenancy.models import Tenant
from tests.deadlines.support import at, count, register, reminders, set_plugin, tenant_notifications

ROOT = Path(__file__).resolve().parents[2]
D = dt.date


async def _many(db: Database, tenant: Tenant, year: int, n: int, **kw: Any) -> list[Deadline]:
    """``n`` deadlines due early in ``year``, each with 2 chases (on the day + escalation)."""
    return [
        await register(
            db,
            tenant.id,
            object_id=f"{year}-{i}",
            basis=D(year, 3, 1),
            amount=3,
            reminders=[ReminderSpec(0)],
            now=at(D(year, 1, 2)),
            **kw,
        )
        for i in range(n)
    ]


def _end_of(year: int) -> dt.datetime:
    return at(D(year, 12, 31), 23)


async def _assert_once(db: Database, tenant: Tenant, expected: int) -> None:
    notes = await tenant_notifications(db, tenant.id)
    keys = [n.dedupe_key for n in notes]
    assert len(keys) == expected == len(set(keys))
    assert (
        await count(
            db, DeadlineReminder, DeadlineReminder.tenant_id == tenant.id, DeadlineReminder.sent_at.is_(None)
        )
        == 0
    )


async def test_sweep_notifies_and_records_each_chase(db: Database, tenant: Tenant) -> None:
    clerk, boss = uuid.uuid4(), uuid.uuid4()
    d = await register(
        db,
        tenant.id,
        object_id="one",
        basis=D(2001, 3, 1),
        amount=3,
        assignee_id=clerk,
        escalate_to=boss,
        now=at(D(2001, 1, 2)),
    )
    rs = await reminders(db, d.id)
    # Sweep as of the first chase: only that one fires.
    first = await sweep_due_reminders(db.sessionmaker, rs[0].fire_at)
    assert first.claimed >= 1 and first.duplicates == 0
    assert [(n.recipient_id, n.kind) for n in await tenant_notifications(db, tenant.id)] == [
        (clerk, "deadline.before")
    ]
    await sweep_due_reminders(db.sessionmaker, _end_of(2001))
    notes = await tenant_notifications(db, tenant.id)
    assert [(n.recipient_id, n.kind, n.dedupe_key) for n in notes] == [
        (clerk, "deadline.before", f"reminder:{rs[0].id}"),
        (clerk, "deadline.due", f"reminder:{rs[1].id}"),
        (boss, "deadline.overdue", f"reminder:{rs[2].id}"),
    ]
    assert notes[0].source_plugin == "core" and notes[0].object_id == "one"
    assert notes[0].link == f"/deadlines/{d.id}" and "关于某某事项的请示" in notes[0].title
    assert [(r.outcome, r.sent_at is not None) for r in await reminders(db, d.id)] == [("notified", True)] * 3
    # Overdue items are queryable.
    async with db.sessionmaker() as s:
        overdue = (await s.scalars(overdue_query(D(2001, 12, 31), tenant_id=tenant.id))).all()
    assert [x.id for x in overdue] == [d.id]


async def test_two_concurrent_sweeps_in_one_loop(db: Database, tenant: Tenant) -> None:
    await _many(db, tenant, 2002, 250)  # 500 due chases
    now = _end_of(2002)
    results = await asyncio.gather(*(sweep_due_reminders(db.sessionmaker, now, batch=7) for _ in range(3)))
    assert all(r.claimed > 0 for r in results)  # they really shared the work
    assert sum(r.duplicates for r in results) == 0
    assert sum(r.notified for r in results) >= 500
    await _assert_once(db, tenant, 500)


async def test_two_os_processes_race_exactly_once(db: Database, tenant: Tenant, settings: Settings) -> None:
    await _many(db, tenant, 2003, 250)  # 500 due chases
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    start_at = time.time() + 4  # both connect first, then start at the same instant
    args = [
        "-m",
        "core.deadlines.sweep",
        "--dsn",
        settings.database_url,
        "--loops",
        "3",
        "--batch",
        "10",
        "--now",
        _end_of(2003).isoformat(),
        "--start-at",
        str(start_at),
    ]
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), timeout=120)
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()
    results = [SweepResult(**json.loads(out.decode().strip().splitlines()[-1])) for out, _ in outs]
    assert sum(r.duplicates for r in results) == 0
    assert sum(r.notified for r in results) >= 500
    await _assert_once(db, tenant, 500)


async def test_disabled_or_missing_plugin_leaves_chases_pending(db: Database, tenant: Tenant) -> None:
    now = _end_of(2000)
    await set_plugin(db, tenant.id, "documents", "disabled")
    d = (await _many(db, tenant, 2000, 1, owner_plugin="documents"))[0]
    assert await count_due_for(db, d.id, now) == 2
    await sweep_due_reminders(db.sessionmaker, now)
    assert [r.sent_at for r in await reminders(db, d.id)] == [None, None]
    await set_plugin(db, tenant.id, "documents", None)  # uninstalled: still skipped
    await sweep_due_reminders(db.sessionmaker, now)
    assert await tenant_notifications(db, tenant.id) == []
    await set_plugin(db, tenant.id, "documents", "enabled")
    await sweep_due_reminders(db.sessionmaker, now)
    await _assert_once(db, tenant, 2)


async def count_due_for(db: Database, deadline_id: int, now: dt.datetime) -> int:
    return await count(
        db,
        DeadlineReminder,
        DeadlineReminder.deadline_id == deadline_id,
        DeadlineReminder.fire_at <= now,
        DeadlineReminder.sent_at.is_(None),
    )


async def test_chases_of_a_deadline_closed_meanwhile_are_recorded_without_notification(
    db: Database, tenant: Tenant
) -> None:
    d = (await _many(db, tenant, 2001, 1))[0]
    # The state change raced the sweep: the chases are still there although the deadline is done.
    async with db.transaction() as s:
        await s.execute(update(Deadline).where(Deadline.id == d.id).values(state="done"))
    await sweep_due_reminders(db.sessionmaker, _end_of(2001))
    assert [r.outcome for r in await reminders(db, d.id)] == ["closed", "closed"]
    assert await tenant_notifications(db, tenant.id) == []


async def test_completed_deadline_never_chases(db: Database, tenant: Tenant) -> None:
    d = (await _many(db, tenant, 2001, 1))[0]
    async with db.transaction() as s:
        await complete_deadline(
            s, tenant_id=tenant.id, owner_plugin="core", object_type="item", object_id=d.object_id
        )
    await sweep_due_reminders(db.sessionmaker, _end_of(2001))
    assert await reminders(db, d.id) == []
    assert await tenant_notifications(db, tenant.id) == []


async def test_no_recipient_is_recorded(db: Database, tenant: Tenant) -> None:
    d = (await _many(db, tenant, 2001, 1, assignee_id=None, escalate_to=None))[0]
    await sweep_due_reminders(db.sessionmaker, _end_of(2001))
    assert [r.outcome for r in await reminders(db, d.id)] == ["no_recipient", "no_recipient"]


class Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []

    async def deliver(self, notification: dict[str, Any]) -> None:
        self.got.append(notification)


class Broken:
    name = "broken"

    async def deliver(self, notification: dict[str, Any]) -> None:
        raise ConnectionError("SMS gateway down")


async def test_channels_get_committed_notifications_and_a_failure_is_not_fatal(
    db: Database, tenant: Tenant
) -> None:
    await _many(db, tenant, 2001, 2)
    rec = Recorder()
    result = await sweep_due_reminders(db.sessionmaker, _end_of(2001), channels=[Broken(), rec])
    mine = [n for n in rec.got if n["tenant_id"] == str(tenant.id)]
    assert len(mine) == 4 and result.delivery_failures >= 4
    notes = {n.id for n in await tenant_notifications(db, tenant.id)}
    assert {n["id"] for n in mine} == notes
    assert {n["kind"] for n in mine} == {"deadline.due", "deadline.overdue"}


async def test_count_due_and_naive_now(db: Database) -> None:
    async with db.sessionmaker() as s:
        assert await count_due(s, at(D(1999, 1, 1))) == 0
    try:
        await sweep_due_reminders(db.sessionmaker, dt.datetime(2001, 1, 1))
    except ValueError:
        pass
    else:
        raise AssertionError("a naive datetime must be refused")
