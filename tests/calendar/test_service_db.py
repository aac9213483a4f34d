"""Calendar service on real PostgreSQL: seeding, importing, the cross-process cache, listeners.

The ``db`` fixture is shared by the whole session, so every test works in a transaction it rolls back
(or removes what it committed): other tests must still see 2027 as unscheduled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import service
from core.calendar.models import CalendarDay, CalendarYear
from core.calendar.service import (
    import_year,
    list_years,
    load_calendar,
    on_year_imported,
    remove_year_listener,
    seed_from_chinesecalendar,
    year_entries,
)
from core.calendar.sources import DayEntry, chinesecalendar_years
from core.db.engine import Database
from core.errors import AppError

D = dt.date
FAR = 2190  # a year no real schedule will touch during the test session
MON = next(D(FAR, 1, d) for d in range(1, 8) if D(FAR, 1, d).weekday() == 0)
SUN = next(D(FAR, 1, d) for d in range(1, 8) if D(FAR, 1, d).weekday() == 6)

DAYS_2027 = [
    DayEntry(D(2027, 1, 1), "holiday", "元旦"),
    DayEntry(D(2027, 2, 8), "holiday", "春节"),
    DayEntry(D(2027, 2, 6), "workday", "春节调休"),
]


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    """A session whose transaction is always rolled back."""
    async with db.sessionmaker() as s:
        await s.begin()
        try:
            yield s
        finally:
            await s.rollback()
            service.invalidate_calendar_cache()


async def _drop_year(db: Database, year: int) -> None:
    async with db.transaction() as s:
        await s.execute(delete(CalendarYear).where(CalendarYear.year == year))
    service.invalidate_calendar_cache()


async def test_seed_is_idempotent_and_has_the_2026_facts(session: AsyncSession) -> None:
    await seed_from_chinesecalendar(session)  # may seed nothing if the install step already did
    assert await seed_from_chinesecalendar(session) == []
    years = {y.year: y for y in await list_years(session)}
    assert set(chinesecalendar_years()) <= set(years)
    assert years[2026].makeup_workdays == 6
    cal = await load_calendar(session)
    for d in (D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)):
        assert cal.is_workday(d)
    assert not any(cal.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert cal.add_workdays(D(2026, 9, 30), 5).date == D(2026, 10, 13)
    assert cal.is_provisional(D(2027, 1, 1))


async def test_seed_fills_only_missing_years_and_keeps_imports(session: AsyncSession) -> None:
    await seed_from_chinesecalendar(session)
    await session.execute(delete(CalendarYear).where(CalendarYear.year.in_([2010, 2011])))
    await import_year(session, 2012, [DayEntry(D(2012, 1, 2), "holiday", "自定")], imported_by="tester")
    assert await seed_from_chinesecalendar(session) == [2010, 2011]
    assert await year_entries(session, 2012) == [DayEntry(D(2012, 1, 2), "holiday", "自定")]
    row = await session.get(CalendarYear, 2012)
    assert row is not None and row.source == "import" and row.imported_by == "tester"


async def test_import_replaces_the_year_and_bumps_version(session: AsyncSession) -> None:
    first = await import_year(session, 2027, DAYS_2027, imported_by="a")
    assert (first.version, first.replaced, first.holidays, first.makeup_workdays) == (1, False, 2, 1)
    cal = await load_calendar(session)
    assert not cal.is_provisional(D(2027, 1, 1)) and not cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 2, 6)) and cal.day_name(D(2027, 2, 6)) == "春节调休"
    assert cal.add_workdays(D(2026, 12, 31), 1).date == D(2027, 1, 4)

    second = await import_year(session, 2027, [DayEntry(D(2027, 5, 3), "holiday", "劳动节")], imported_by="b")
    assert (second.version, second.replaced) == (2, True)
    assert await year_entries(session, 2027) == [DayEntry(D(2027, 5, 3), "holiday", "劳动节")]
    cal = await load_calendar(session)
    assert cal.is_workday(D(2027, 1, 1)) and not cal.is_workday(D(2027, 5, 3))


async def test_failed_validation_changes_nothing(session: AsyncSession) -> None:
    await import_year(session, 2027, DAYS_2027)
    with pytest.raises(AppError) as err:
        await import_year(session, 2027, [DayEntry(D(2027, 1, 2), "holiday")])  # a Saturday
    assert err.value.status == 422 and err.value.fields[0].field == "days.0.kind"
    assert await year_entries(session, 2027) == sorted(DAYS_2027, key=lambda e: e.day)
    row = await session.get(CalendarYear, 2027)
    assert row is not None and row.version == 1


async def test_listeners_run_after_import_and_see_the_new_year(session: AsyncSession) -> None:
    seen: list[tuple[int, bool]] = []

    async def recompute(s: AsyncSession, year: int) -> int:
        cal = await load_calendar(s)
        seen.append((year, cal.is_provisional(D(year, 1, 1))))
        return 7

    on_year_imported(recompute)
    on_year_imported(recompute)  # registering twice has no effect
    try:
        result = await import_year(session, 2027, DAYS_2027)
    finally:
        remove_year_listener(recompute)
    assert seen == [(2027, False)]
    assert result.recomputed == 7


async def test_failing_listener_propagates(session: AsyncSession) -> None:
    async def broken(s: AsyncSession, year: int) -> int:
        raise RuntimeError("boom")

    on_year_imported(broken)
    try:
        with pytest.raises(RuntimeError):
            await import_year(session, 2027, DAYS_2027)
    finally:
        remove_year_listener(broken)


async def test_cache_sees_an_import_committed_elsewhere(db: Database) -> None:
    await _drop_year(db, FAR)
    try:
        async with db.transaction() as s:
            cal = await load_calendar(s)
            assert cal.is_provisional(D(FAR, 1, 1))
            assert await load_calendar(s) is cal  # unchanged: served from the cache
        # Another process imports (simulated by writing rows without touching this process's cache).
        async with db.transaction() as s:
            s.add(CalendarYear(year=FAR, source="import", version=1))
            await s.flush()
            s.add(CalendarDay(day=MON, year=FAR, kind="holiday", name="x"))
        async with db.transaction() as s:
            cal = await load_calendar(s)
            assert not cal.is_provisional(MON) and not cal.is_workday(MON)
        # A re-import elsewhere (same count of years, higher version) is noticed too.
        async with db.transaction() as s:
            row = await s.get(CalendarYear, FAR)
            assert row is not None
            row.version += 1
            await s.execute(delete(CalendarDay).where(CalendarDay.year == FAR))
        async with db.transaction() as s:
            assert (await load_calendar(s)).is_workday(MON)
    finally:
        await _drop_year(db, FAR)


async def test_rolled_back_import_leaves_no_trace(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            await import_year(s, FAR, [DayEntry(MON, "holiday")])
            assert not (await load_calendar(s)).is_provisional(MON)
            raise RuntimeError("abort the request")
    async with db.transaction() as s:
        assert (await load_calendar(s)).is_provisional(MON)
        count = select(func.count()).select_from(CalendarDay).where(CalendarDay.year == FAR)
        assert await s.scalar(count) == 0


async def test_database_rejects_meaningless_rows(session: AsyncSession) -> None:
    from sqlalchemy.exc import IntegrityError  # noqa: PLC0415

    session.add(CalendarYear(year=FAR, source="import", version=1))
    await session.flush()
    nested = await session.begin_nested()
    session.add(CalendarDay(day=SUN, year=FAR, kind="holiday"))  # a holiday on a Sunday means nothing
    with pytest.raises(IntegrityError):
        await session.flush()
    await nested.rollback()
