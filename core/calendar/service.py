"""Loading and importing the working-day calendar (工作日历) in the database.

The calendar is read far more often than written, so each process keeps the built
:class:`WorkCalendar` and checks one tiny aggregate over ``core_calendar_years`` per load: any import,
in any process, changes it (a new year raises the count, a re-import raises the sum of versions).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar.models import SOURCE_IMPORT, SOURCE_PACKAGE, CalendarDay, CalendarYear
from core.calendar.rules import WorkCalendar, YearSchedule
from core.calendar.sources import (
    DayEntry,
    EntryKind,
    check_year,
    chinesecalendar_schedule,
    chinesecalendar_years,
    schedule_entries,
    schedule_from_entries,
)
from core.db.base import utcnow

logger = logging.getLogger(__name__)

YearListener = Callable[[AsyncSession, int], Awaitable[int]]
_listeners: list[YearListener] = []

_Token = tuple[int, int, dt.datetime | None]
_cache: tuple[_Token, WorkCalendar] | None = None


def on_year_imported(callback: YearListener) -> YearListener:
    """Register ``callback(session, year) -> number of items recomputed``, awaited in the importing
    transaction after a year is imported or seeded (e.g. the deadline engine recomputes provisional
    deadlines). Usable as a decorator; registering the same callback twice has no effect."""
    if callback not in _listeners:
        _listeners.append(callback)
    return callback


def remove_year_listener(callback: YearListener) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def invalidate_calendar_cache() -> None:
    global _cache  # noqa: PLW0603 - the process-local cache
    _cache = None


@dataclass(frozen=True)
class ImportResult:
    year: int
    source: str
    version: int
    holidays: int
    makeup_workdays: int
    replaced: bool
    recomputed: int


@dataclass(frozen=True)
class YearInfo:
    year: int
    source: str
    imported_at: dt.datetime
    imported_by: str | None
    version: int
    holidays: int
    makeup_workdays: int


async def _token(session: AsyncSession) -> _Token:
    stmt = select(
        func.count(), func.coalesce(func.sum(CalendarYear.version), 0), func.max(CalendarYear.imported_at)
    )
    row = (await session.execute(stmt)).one()
    return int(row[0]), int(row[1]), row[2]


async def _read_calendar(session: AsyncSession) -> WorkCalendar:
    years = set((await session.scalars(select(CalendarYear.year))).all())
    holidays: dict[int, set[dt.date]] = {y: set() for y in years}
    makeups: dict[int, set[dt.date]] = {y: set() for y in years}
    names: dict[int, dict[dt.date, str]] = {y: {} for y in years}
    stmt = select(CalendarDay.day, CalendarDay.year, CalendarDay.kind, CalendarDay.name)
    rows = await session.execute(stmt)
    for day, year, kind, name in rows:
        (holidays if kind == "holiday" else makeups)[year].add(day)
        if name:
            names[year][day] = name
    return WorkCalendar(
        {y: YearSchedule(y, frozenset(holidays[y]), frozenset(makeups[y]), names[y]) for y in years}
    )


async def load_calendar(session: AsyncSession) -> WorkCalendar:
    """The working-day calendar of every imported year (other years fall back to Mon-Fri, provisional).

    Cached per process; one aggregate query detects imports made anywhere since.
    """
    global _cache  # noqa: PLW0603 - the process-local cache
    token = await _token(session)
    if _cache is not None and _cache[0] == token:
        return _cache[1]
    cal = await _read_calendar(session)
    # Equality (not ordering) of tokens: a rolled-back import's cache entry is simply replaced.
    _cache = (token, cal)
    return cal


async def _notify(session: AsyncSession, year: int) -> int:
    total = 0
    for callback in list(_listeners):
        total += int(await callback(session, year))
    return total


def _day_rows(schedule: YearSchedule) -> list[dict[str, object]]:
    return [
        {"day": e.day, "year": schedule.year, "kind": e.kind, "name": e.name}
        for e in schedule_entries(schedule)
    ]


async def import_year(
    session: AsyncSession,
    year: int,
    entries: Iterable[DayEntry] | YearSchedule,
    source: str = SOURCE_IMPORT,
    imported_by: str | None = None,
) -> ImportResult:
    """Replace ``year``'s schedule inside the caller's transaction and tell the listeners.

    Validation happens before any write, so bad input (an AppError with field errors) changes nothing;
    a listener's failure propagates and rolls the whole import back with the transaction.
    """
    if source not in (SOURCE_IMPORT, SOURCE_PACKAGE):
        raise ValueError(f"unknown calendar source {source!r}")
    if isinstance(entries, YearSchedule):
        check_year(year)
        if entries.year != year:
            raise ValueError(f"schedule of {entries.year} given for {year}")
        schedule = entries
    else:
        schedule = schedule_from_entries(year, entries)
    now = utcnow()
    # Upsert first: the row lock it takes serialises concurrent imports of the same year.
    upsert = pg_insert(CalendarYear).values(
        year=year, source=source, imported_at=now, imported_by=imported_by, version=1
    )
    stmt = upsert.on_conflict_do_update(
        index_elements=[CalendarYear.year],
        set_={
            "source": source,
            "imported_at": now,
            "imported_by": imported_by,
            "version": CalendarYear.version + 1,
        },
    ).returning(CalendarYear.version)
    version = int((await session.execute(stmt)).scalar_one())
    await session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    rows = _day_rows(schedule)
    if rows:
        await session.execute(insert(CalendarDay), rows)
    invalidate_calendar_cache()
    recomputed = await _notify(session, year)
    logger.info(
        "calendar %s imported from %s (version %s), %s items recomputed", year, source, version, recomputed
    )
    return ImportResult(
        year, source, version, len(schedule.holidays), len(schedule.makeup_workdays), version > 1, recomputed
    )


async def seed_from_chinesecalendar(session: AsyncSession) -> list[int]:
    """Insert every year the ``chinesecalendar`` package knows and the database lacks; return them.

    Idempotent and safe to run from two processes at once (ON CONFLICT DO NOTHING decides who seeds a
    year). Years already present, e.g. imported by an administrator, are never overwritten.
    """
    existing = set((await session.scalars(select(CalendarYear.year))).all())
    todo = [y for y in chinesecalendar_years() if y not in existing]
    if not todo:
        return []
    schedules = {y: s for y in todo if (s := chinesecalendar_schedule(y)) is not None}
    now = utcnow()
    stmt = (
        pg_insert(CalendarYear)
        .values(
            [
                {"year": y, "source": SOURCE_PACKAGE, "imported_at": now, "imported_by": None, "version": 1}
                for y in schedules
            ]
        )
        .on_conflict_do_nothing(index_elements=[CalendarYear.year])
        .returning(CalendarYear.year)
    )
    seeded = sorted((await session.scalars(stmt)).all())
    rows = [r for y in seeded for r in _day_rows(schedules[y])]
    if rows:
        await session.execute(insert(CalendarDay), rows)
    invalidate_calendar_cache()
    recomputed = 0
    for y in seeded:
        recomputed += await _notify(session, y)
    if seeded:
        logger.info("calendar seeded from chinesecalendar: %s (%s items recomputed)", seeded, recomputed)
    return seeded


async def list_years(session: AsyncSession) -> list[YearInfo]:
    """Imported years, oldest first, with their counts of holidays and makeup workdays."""
    holidays = func.count(CalendarDay.day).filter(CalendarDay.kind == "holiday")
    makeups = func.count(CalendarDay.day).filter(CalendarDay.kind == "workday")
    stmt = (
        select(CalendarYear, holidays, makeups)
        .outerjoin(CalendarDay, CalendarDay.year == CalendarYear.year)
        .group_by(CalendarYear.year)
        .order_by(CalendarYear.year)
    )
    return [
        YearInfo(y.year, y.source, y.imported_at, y.imported_by, y.version, int(h), int(m))
        for y, h, m in (await session.execute(stmt)).all()
    ]


async def year_entries(session: AsyncSession, year: int) -> list[DayEntry]:
    """The listed days of ``year`` (empty when the year is not imported)."""
    rows = await session.execute(
        select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)
        .where(CalendarDay.year == year)
        .order_by(CalendarDay.day)
    )
    return [DayEntry(day, cast(EntryKind, kind), name) for day, kind, name in rows]
