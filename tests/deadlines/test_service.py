"""The deadline engine on the real database and the imported working-day calendar."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import delete, update

from core.calendar.models import CalendarYear
from core.calendar.rules import YearSchedule
from core.calendar.service import import_year, invalidate_calendar_cache
from core.db.engine import Database
from core.deadlines.models import Deadline, DeadlineReminder
from core.deadlines.service import (
    ReminderSpec,
    cancel_deadline,
    complete_deadline,
    explain_missed,
    install_calendar_listener,
    list_deadlines,
    register_deadline,
)
from core.errors import AppError
from core.tenancy.models import Tenant
from tests.deadlines.support import at, count, register, reminders

D = dt.date


async def test_due_and_chases_follow_the_2026_national_day_schedule(db: Database, tenant: Tenant) -> None:
    boss, clerk = uuid.uuid4(), uuid.uuid4()
    d = await register(db, tenant.id, basis=D(2026, 9, 30), amount=2, assignee_id=clerk, escalate_to=boss)
    # 2 working days after 09-30: 10-01..07 are rest days, so 10-08 and 10-09.
    assert (d.due_date, d.provisional, d.state, d.reminder_days) == (D(2026, 10, 9), False, "open", [2, 0])
    rs = await reminders(db, d.id)
    assert [(r.kind, r.workdays_before, r.fire_at, r.recipient, r.sent_at) for r in rs] == [
        ("before", 2, at(D(2026, 9, 30)), clerk, None),  # 2 working days before 10-09
        ("due", 0, at(D(2026, 10, 9)), clerk, None),
        ("overdue", -1, at(D(2026, 10, 10)), boss, None),  # Saturday 10-10 is a makeup working day
    ]


async def test_registering_twice_updates_in_place(db: Database, tenant: Tenant) -> None:
    first = await register(db, tenant.id, object_id="doc-1")
    ids = [r.id for r in await reminders(db, first.id)]
    again = await register(
        db,
        tenant.id,
        object_id="doc-1",
        title="改过的标题",
        assignee_id=first.assignee_id,
        escalate_to=first.escalate_to,
    )
    assert again.id == first.id and again.title == "改过的标题"
    assert await count(db, Deadline, Deadline.tenant_id == tenant.id) == 1
    # Nothing about the chases changed: the very same rows stay.
    assert [r.id for r in await reminders(db, first.id)] == ids
    # A new assignee: the chases are re-addressed, the escalation (to the leader) stays.
    clerk = uuid.uuid4()
    await register(db, tenant.id, object_id="doc-1", assignee_id=clerk, escalate_to=first.escalate_to)
    rs = await reminders(db, first.id)
    assert [r.recipient for r in rs] == [clerk, clerk, first.escalate_to] and rs[2].id == ids[2]


async def test_concurrent_registrations_make_one_deadline(db: Database, tenant: Tenant) -> None:
    results = await asyncio.gather(*(register(db, tenant.id, object_id="race") for _ in range(4)))
    assert len({d.id for d in results}) == 1
    assert await count(db, Deadline, Deadline.tenant_id == tenant.id) == 1
    assert await count(db, DeadlineReminder, DeadlineReminder.deadline_id == results[0].id) == 3


async def test_reregistering_recomputes_unsent_chases_and_keeps_sent_ones(
    db: Database, tenant: Tenant
) -> None:
    d = await register(db, tenant.id, object_id="doc-2", basis=D(2026, 9, 24), amount=2)  # due 09-28
    before = (await reminders(db, d.id))[0]
    async with db.transaction() as s:
        await s.execute(
            update(DeadlineReminder)
            .where(DeadlineReminder.id == before.id)
            .values(sent_at=at(D(2026, 9, 24)), outcome="notified")
        )
    # Same input again: the sent chase is not repeated.
    await register(db, tenant.id, object_id="doc-2", basis=D(2026, 9, 24), amount=2)
    assert [(r.kind, r.sent_at is not None) for r in await reminders(db, d.id)] == [
        ("before", True),
        ("due", False),
        ("overdue", False),
    ]
    # An extension: 5 working days instead of 2 -> due 10-09; the sent chase stays on the record.
    d2 = await register(db, tenant.id, object_id="doc-2", basis=D(2026, 9, 24), amount=5)
    assert d2.id == d.id and d2.due_date == D(2026, 10, 9)
    rs = await reminders(db, d.id)
    assert [(r.kind, r.fire_at, r.sent_at is not None) for r in rs] == [
        ("before", at(D(2026, 9, 24)), True),
        ("before", at(D(2026, 9, 30)), False),
        ("due", at(D(2026, 10, 9)), False),
        ("overdue", at(D(2026, 10, 10)), False),
    ]


async def test_custom_reminders_and_late_registration(db: Database, tenant: Tenant) -> None:
    d = await register(
        db,
        tenant.id,
        reminders=[ReminderSpec(3), ReminderSpec(1), ReminderSpec(0)],
        basis=D(2026, 9, 30),
        amount=2,
        now=at(D(2026, 10, 8), 15),
    )
    # On 10-08 the chases of 09-29 and 09-30 are history; 10-08 itself (1 day before) still fires.
    assert [(r.kind, r.workdays_before) for r in await reminders(db, d.id)] == [
        ("before", 1),
        ("due", 0),
        ("overdue", -1),
    ]


async def test_complete_and_cancel(db: Database, tenant: Tenant) -> None:
    a = await register(db, tenant.id, object_id="doc-3", kind="intake_register")
    b = await register(db, tenant.id, object_id="doc-3", kind="leader_instruction")
    async with db.transaction() as s:
        await s.execute(
            update(DeadlineReminder)
            .where(DeadlineReminder.deadline_id == a.id, DeadlineReminder.kind == "before")
            .values(sent_at=at(D(2026, 9, 1)), outcome="notified")
        )
    async with db.transaction() as s:
        done = await complete_deadline(
            s,
            tenant_id=tenant.id,
            owner_plugin="core",
            object_type="item",
            object_id="doc-3",
            kind="intake_register",
        )
    assert [(x.id, x.state) for x in done] == [(a.id, "done")] and done[0].closed_at is not None
    # Unsent chases are dropped, the sent one stays as the record.
    assert [r.kind for r in await reminders(db, a.id)] == ["before"]
    async with db.transaction() as s:
        again = await complete_deadline(
            s,
            tenant_id=tenant.id,
            owner_plugin="core",
            object_type="item",
            object_id="doc-3",
            kind="intake_register",
        )
        cancelled = await cancel_deadline(
            s, tenant_id=tenant.id, owner_plugin="core", object_type="item", object_id="doc-3"
        )
    assert again == []
    assert [(x.id, x.state) for x in cancelled] == [(b.id, "cancelled")]
    assert await reminders(db, b.id) == []
    # After completion a new registration opens a new deadline (e.g. the item came back for redo).
    c = await register(db, tenant.id, object_id="doc-3", kind="intake_register")
    assert c.id not in (a.id, b.id) and c.state == "open"


BAD: list[tuple[dict[str, Any], str]] = [
    ({"title": "  "}, "title"),
    ({"title": "长" * 301}, "title"),
    ({"object_id": ""}, "object_id"),
    ({"rule": "weeks"}, "rule"),
    ({"amount": -1}, "amount"),
    ({"amount": None}, "amount"),
    ({"basis": None}, "basis"),
    ({"basis": dt.datetime(2026, 9, 1, tzinfo=dt.UTC)}, "basis"),
    ({"due": D(2026, 10, 9)}, "due"),
    ({"rule": "fixed", "amount": None}, "due"),
    ({"reminders": [ReminderSpec(-3)]}, "reminders.0.workdays_before"),
]


@pytest.mark.parametrize(("kw", "field"), BAD)
async def test_bad_input_is_422_and_writes_nothing(
    db: Database, tenant: Tenant, kw: dict[str, Any], field: str
) -> None:
    with pytest.raises(AppError) as err:
        await register(db, tenant.id, **kw)
    assert err.value.status == 422 and err.value.code == "validation_failed"
    assert field in [f.field for f in err.value.fields]
    assert await count(db, Deadline, Deadline.tenant_id == tenant.id) == 0
    assert await count(db, DeadlineReminder, DeadlineReminder.tenant_id == tenant.id) == 0


async def test_explanation_only_for_missed_deadlines(
    db: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    d = await register(db, tenant.id, basis=D(2026, 9, 30), amount=2)  # due 10-09
    on_time = at(D(2026, 10, 9), 17)
    late = at(D(2026, 10, 12), 10)

    async def explain(text: str, now: dt.datetime, tenant_id: uuid.UUID = tenant.id) -> Deadline:
        async with db.transaction() as s:
            return await explain_missed(s, d.id, text, tenant_id=tenant_id, now=now)

    for text, now, status, code in [
        ("", late, 422, "validation_failed"),
        ("超" * 2001, late, 422, "validation_failed"),
        ("未超期", on_time, 409, "deadline_not_overdue"),
    ]:
        with pytest.raises(AppError) as err:
            await explain(text, now)
        assert (err.value.status, err.value.code) == (status, code)
    with pytest.raises(AppError) as err:
        await explain("别的县", late, other_tenant.id)
    assert err.value.status == 404
    done = await explain("  因国庆假期后材料补送，延误一日。  ", late)
    assert done.explanation == "因国庆假期后材料补送，延误一日。" and done.explained_at == late
    with pytest.raises(AppError) as err:
        await explain("再写一次", late)
    assert (err.value.status, err.value.code) == (409, "already_explained")


async def test_done_late_needs_explanation_too(db: Database, tenant: Tenant) -> None:
    d = await register(db, tenant.id, object_id="late", basis=D(2026, 9, 30), amount=2)
    async with db.transaction() as s:
        await complete_deadline(
            s,
            tenant_id=tenant.id,
            owner_plugin="core",
            object_type="item",
            object_id="late",
            now=at(D(2026, 10, 10), 11),
        )
    async with db.transaction() as s:
        out = await explain_missed(s, d.id, "晚一天办结", tenant_id=tenant.id, now=at(D(2026, 10, 12)))
    assert out.state == "done" and out.explanation == "晚一天办结"


async def test_list_filters(db: Database, tenant: Tenant) -> None:
    await register(db, tenant.id, object_id="a", owner_plugin="core", basis=D(2026, 9, 1))
    await register(db, tenant.id, object_id="b", object_type="letter", basis=D(2026, 11, 2))
    await register(db, tenant.id, object_id="c", basis=D(2026, 12, 1))
    async with db.transaction() as s:
        await cancel_deadline(s, tenant_id=tenant.id, owner_plugin="core", object_type="item", object_id="c")
    async with db.sessionmaker() as s:
        rows, total = await list_deadlines(s, tenant.id, state="open", page=1, page_size=1)
        assert (total, [r.object_id for r in rows]) == (2, ["a"])
        rows, total = await list_deadlines(s, tenant.id, overdue_only=True, today=D(2026, 10, 1))
        assert [r.object_id for r in rows] == ["a"]
        rows, total = await list_deadlines(s, tenant.id, object_type="letter")
        assert [r.object_id for r in rows] == ["b"]
        rows, total = await list_deadlines(s, tenant.id, state="cancelled")
        assert [r.object_id for r in rows] == ["c"]


async def test_provisional_deadlines_recomputed_when_the_year_is_imported(
    db: Database, tenant: Tenant
) -> None:
    # 2095 has no schedule: Mon-Fri fallback, flagged provisional (rules.md §0).
    year = 2095
    basis = D(year, 4, 28)
    d = await register(db, tenant.id, object_id="future", basis=basis, amount=5, now=at(D(year, 1, 2)))
    assert d.provisional
    fallback_due = d.due_date
    holidays = frozenset(x for x in (D(year, 5, day) for day in range(1, 8)) if x.weekday() < 5)
    install_calendar_listener()
    try:
        async with db.transaction() as s:
            result = await import_year(s, year, YearSchedule(year, holidays))
        assert result.recomputed >= 1
        async with db.sessionmaker() as s:
            fresh = await s.get(Deadline, d.id)
            assert fresh is not None
        assert not fresh.provisional and fresh.due_date > fallback_due
        rs = await reminders(db, d.id)
        assert [r.provisional for r in rs] == [False, False, False]
        assert rs[1].fire_at == at(fresh.due_date)
    finally:
        async with db.transaction() as s:
            await cancel_deadline(
                s, tenant_id=tenant.id, owner_plugin="core", object_type="item", object_id="future"
            )
            await s.execute(delete(CalendarYear).where(CalendarYear.year == year))
        invalidate_calendar_cache()


async def test_register_is_usable_inside_a_caller_transaction(db: Database, tenant: Tenant) -> None:
    # A plugin registers within its own transaction; a rollback leaves nothing behind.
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            await register_deadline(
                s,
                tenant_id=tenant.id,
                owner_plugin="core",
                object_type="item",
                object_id="rb",
                kind="k",
                title="t",
                basis=D(2026, 9, 1),
                rule="workdays",
                amount=1,
            )
            raise RuntimeError("plugin failed later")
    assert await count(db, Deadline, Deadline.tenant_id == tenant.id) == 0
