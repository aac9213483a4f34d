"""Working-day calendar (工作日历) and the deadline primitives every module uses. Pure: no I/O.

Legal basis of the three ways to count a period:

- "N个工作日" (working days): the State Council's yearly notice on public holidays
  (《国务院办公厅关于××年部分节假日安排的通知》), INCLUDING 调休 makeup workdays on weekends.
- "N日" (calendar days, e.g. 《信访工作条例》 15/60/30 日) and "N个月" (calendar months, e.g. the 3-month
  reply to 人大建议/政协提案): 《民法典》第二百零一条 (the starting day is not counted), 第二百零二条
  (the corresponding day of the final month, or its last day) and 第二百零三条 (a last day that is a
  rest day moves to the first working day after it).

Internally days are ``date.toordinal()`` integers; per-year sorted workday ordinals and bisect make each
computation O(years spanned), never a day-by-day walk.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

DayKind = Literal["workday", "weekend", "holiday", "makeup_workday"]

_SATURDAY = 5
_MIN_YEAR = dt.MINYEAR
_MAX_YEAR = dt.MAXYEAR


@dataclass(frozen=True)
class YearSchedule:
    """One year's holiday notice (节假日安排).

    ``holidays``: rest days falling on Mon-Fri (法定节假日 and the 调休 rest days);
    ``makeup_workdays``: Sat/Sun that are working days (调休上班). Every other day follows the week.
    ``names``: optional display names (e.g. 国庆节) of those days.
    """

    year: int
    holidays: frozenset[dt.date] = frozenset()
    makeup_workdays: frozenset[dt.date] = frozenset()
    names: Mapping[dt.date, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for d in self.holidays:
            if d.year != self.year or d.weekday() >= _SATURDAY:
                raise ValueError(f"holiday {d} must be a Mon-Fri day of {self.year}")
        for d in self.makeup_workdays:
            if d.year != self.year or d.weekday() < _SATURDAY:
                raise ValueError(f"makeup workday {d} must be a Sat/Sun of {self.year}")
        for d in self.names:
            if d not in self.holidays and d not in self.makeup_workdays:
                raise ValueError(f"name given for {d}, which is neither a holiday nor a makeup workday")
        # Freeze the mapping too: a schedule is shared by every computation in the process.
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))

    def workday_ordinals(self) -> list[int]:
        """Sorted ordinals of every working day of the year."""
        start = dt.date(self.year, 1, 1).toordinal()
        end = dt.date(self.year, 12, 31).toordinal()
        off = {d.toordinal() for d in self.holidays}
        on = {d.toordinal() for d in self.makeup_workdays}
        # ordinal 1 (0001-01-01) is a Monday, so (o - 1) % 7 is the weekday.
        return [o for o in range(start, end + 1) if o in on or ((o - 1) % 7 < _SATURDAY and o not in off)]


@dataclass(frozen=True)
class Due:
    """A computed date; ``provisional`` when any day examined lies in a year without a schedule
    (Mon-Fri fallback), so the date must be recomputed once that year is imported."""

    date: dt.date
    provisional: bool


def _weekdays_upto(o: int) -> int:
    """Mon-Fri days with ordinal in [1, o] (ordinal 1 is a Monday)."""
    return 5 * (o // 7) + min(o % 7, 5)


def _nth_weekday(c: int) -> int:
    """Ordinal of the c-th (1-based) Mon-Fri day counted from ordinal 1."""
    q, r = divmod(c - 1, 5)
    return 7 * q + r + 1


def _year_bounds(year: int) -> tuple[int, int]:
    return dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()


def _check_year(year: int) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError("date out of range")


class WorkCalendar:
    """The working-day calendar built from imported year schedules.

    A year without a schedule falls back to Mon-Fri and every result touching it is provisional.
    Immutable after construction, so one instance can be shared across requests.
    """

    def __init__(self, years: Mapping[int, YearSchedule]) -> None:
        for year, sched in years.items():
            if sched.year != year:
                raise ValueError(f"schedule for {sched.year} filed under {year}")
        self._years: dict[int, YearSchedule] = dict(years)
        self._ords: dict[int, list[int]] = {y: s.workday_ordinals() for y, s in self._years.items()}

    # -- per-year counting primitives (ordinals) ------------------------------------------------

    def _prefix(self, year: int, o: int) -> int:
        """Working days of ``year`` with ordinal <= o (o inside the year, or the day before it)."""
        ords = self._ords.get(year)
        if ords is not None:
            return bisect_right(ords, o)
        first, _ = _year_bounds(year)
        return _weekdays_upto(o) - _weekdays_upto(first - 1)

    def _total(self, year: int) -> int:
        return self._prefix(year, _year_bounds(year)[1])

    def _nth(self, year: int, c: int) -> int:
        """Ordinal of the c-th (1-based) working day of ``year``; 1 <= c <= _total(year)."""
        ords = self._ords.get(year)
        if ords is not None:
            return ords[c - 1]
        first, _ = _year_bounds(year)
        return _nth_weekday(_weekdays_upto(first - 1) + c)

    def _provisional(self, first: dt.date, last: dt.date) -> bool:
        """True when a day in [first, last] lies in a year without a schedule."""
        return any(y not in self._years for y in range(first.year, last.year + 1))

    # -- public API --------------------------------------------------------------------------------

    @property
    def scheduled_years(self) -> list[int]:
        return sorted(self._years)

    def schedule(self, year: int) -> YearSchedule | None:
        return self._years.get(year)

    def is_provisional(self, d: dt.date) -> bool:
        """True when ``d``'s year has no imported schedule (Mon-Fri fallback)."""
        return d.year not in self._years

    def is_workday(self, d: dt.date) -> bool:
        """工作日: per the year's holiday notice, else Mon-Fri."""
        sched = self._years.get(d.year)
        if sched is not None:
            if d in sched.holidays:
                return False
            if d in sched.makeup_workdays:
                return True
        return d.weekday() < _SATURDAY

    def day_kind(self, d: dt.date) -> DayKind:
        """workday / weekend / holiday (Mon-Fri rest day) / makeup_workday (调休上班 on Sat/Sun)."""
        sched = self._years.get(d.year)
        if sched is not None:
            if d in sched.holidays:
                return "holiday"
            if d in sched.makeup_workdays:
                return "makeup_workday"
        return "workday" if d.weekday() < _SATURDAY else "weekend"

    def day_name(self, d: dt.date) -> str | None:
        sched = self._years.get(d.year)
        return None if sched is None else sched.names.get(d)

    def add_workdays(self, start: dt.date, n: int) -> Due:
        """ "N个工作日" (State Council holiday notice, 调休 included): the start day is not counted.

        n > 0: the n-th working day after ``start``; n < 0: the |n|-th working day before it (e.g. -2 for
        "remind 2 working days before the deadline"); n = 0: ``start`` if a working day, else the next.
        """
        s = start.toordinal()
        if n == 0:
            if self.is_workday(start):
                return Due(start, self.is_provisional(start))
            nxt = self.add_workdays(start, 1)
            return Due(nxt.date, nxt.provisional or self.is_provisional(start))
        y = start.year
        if n > 0:
            c = self._prefix(y, s) + n
            while c > (total := self._total(y)):
                c -= total
                y += 1
                _check_year(y)
            result = dt.date.fromordinal(self._nth(y, c))
            return Due(result, self._provisional(dt.date.fromordinal(s + 1), result))
        c = self._prefix(y, s - 1) + n + 1
        while c < 1:
            y -= 1
            _check_year(y)
            c += self._total(y)
        result = dt.date.fromordinal(self._nth(y, c))
        return Due(result, self._provisional(result, dt.date.fromordinal(s - 1)))

    def next_workday(self, d: dt.date) -> Due:
        """The first working day strictly after ``d``."""
        return self.add_workdays(d, 1)

    def previous_workday(self, d: dt.date) -> Due:
        """The last working day strictly before ``d``."""
        return self.add_workdays(d, -1)

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative (-(working days in (b, a])) when b < a.

        Not flagged provisional: call :meth:`is_provisional` on the ends if that matters.
        """
        if b < a:
            return -self.workdays_between(b, a)
        ao, bo = a.toordinal(), b.toordinal()
        if a.year == b.year:
            return self._prefix(a.year, bo) - self._prefix(a.year, ao)
        count = self._total(a.year) - self._prefix(a.year, ao)
        count += sum(self._total(y) for y in range(a.year + 1, b.year))
        return count + self._prefix(b.year, bo)

    def _roll_forward(self, last: dt.date) -> Due:
        # 《民法典》第二百零三条: a last day that is a rest day moves to the first working day after it;
        # a 调休 makeup workday is a working day and does not move.
        return self.add_workdays(last, 0)

    def add_days(self, start: dt.date, n: int) -> Due:
        """ "N日" in calendar days (e.g. 《信访工作条例》第二十二条、第三十四条 15/60/30 日).

        《民法典》第二百零一条: the day of the event is not counted, so the period ends on start + n;
        第二百零三条: if that day is a legal holiday or weekend rest day it moves to the next working day.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        try:
            last = start + dt.timedelta(days=n)
        except OverflowError:
            raise ValueError("date out of range") from None
        return self._roll_forward(last)

    def add_months(self, start: dt.date, n: int) -> Due:
        """ "N个月" in calendar months (e.g. 人大建议、政协提案 3个月内答复).

        《民法典》第二百零二条: the corresponding day of the final month, or that month's last day when it
        has no such day (Jan 31 + 1 month = Feb 28/29); then 第二百零三条 roll-forward as in add_days.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        y, m0 = divmod(start.year * 12 + start.month - 1 + n, 12)
        _check_year(y)
        day = min(start.day, _stdcal.monthrange(y, m0 + 1)[1])
        return self._roll_forward(dt.date(y, m0 + 1, day))


def iter_days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every day in [start, end] (for listings, not deadline arithmetic)."""
    for o in range(start.toordinal(), end.toordinal() + 1):
        yield dt.date.fromordinal(o)
