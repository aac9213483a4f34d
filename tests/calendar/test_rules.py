"""The calendar primitives: known 2026 facts, the 民法典 period rules, and properties against a
day-by-day reference implementation."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar.rules import Due, WorkCalendar, YearSchedule
from core.calendar.sources import chinesecalendar_schedule, chinesecalendar_years

D = dt.date
ONE = dt.timedelta(days=1)


@cache
def national() -> WorkCalendar:
    """2004-2026 from the chinesecalendar package; 2003 and 2027+ have no schedule."""
    years = {y: s for y in chinesecalendar_years() if (s := chinesecalendar_schedule(y)) is not None}
    return WorkCalendar(years)


# -- known dates --------------------------------------------------------------------------------------


def test_2026_facts() -> None:
    cal = national()
    for d in (D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)):
        assert d.weekday() >= 5 and cal.is_workday(d) and cal.day_kind(d) == "makeup_workday"
    for day in range(1, 8):
        assert not cal.is_workday(D(2026, 10, day))
    assert cal.day_kind(D(2026, 10, 1)) == "holiday" and cal.day_name(D(2026, 10, 1)) == "国庆节"
    assert cal.day_kind(D(2026, 10, 3)) == "weekend"
    assert cal.day_kind(D(2026, 10, 9)) == "workday"


def test_workdays_skip_national_day_and_count_the_makeup_saturday() -> None:
    # 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat 调休 (3), 10-12 Mon (4), 10-13 Tue (5)
    assert national().add_workdays(D(2026, 9, 30), 5) == Due(D(2026, 10, 13), False)
    assert national().add_workdays(D(2026, 9, 30), 3) == Due(D(2026, 10, 10), False)


def test_workdays_zero_and_start_not_counted() -> None:
    cal = national()
    assert cal.add_workdays(D(2026, 10, 9), 0).date == D(2026, 10, 9)  # a workday stays
    assert cal.add_workdays(D(2026, 10, 1), 0).date == D(2026, 10, 8)  # a holiday moves on
    assert cal.add_workdays(D(2026, 10, 9), 1).date == D(2026, 10, 10)  # the start day is not counted
    assert cal.next_workday(D(2026, 10, 7)).date == D(2026, 10, 8)
    assert cal.previous_workday(D(2026, 10, 8)).date == D(2026, 9, 30)


def test_two_workdays_before_a_monday() -> None:
    cal = national()
    assert cal.add_workdays(D(2026, 6, 15), -2).date == D(2026, 6, 11)  # Thu, skipping the weekend
    # the Saturday before Monday 10-12 is a makeup workday, so it is the first one back
    assert cal.add_workdays(D(2026, 10, 12), -1).date == D(2026, 10, 10)
    assert cal.add_workdays(D(2026, 10, 12), -2).date == D(2026, 10, 9)
    assert cal.add_workdays(D(2026, 10, 8), -2).date == D(2026, 9, 29)  # back across National Day


def test_days_landing_in_national_day_roll_to_the_first_workday_after() -> None:
    cal = national()
    assert cal.add_days(D(2026, 9, 16), 15) == Due(D(2026, 10, 8), False)  # lands 10-01
    assert cal.add_days(D(2026, 9, 22), 15) == Due(D(2026, 10, 8), False)  # lands 10-07


def test_days_landing_on_a_makeup_saturday_do_not_roll() -> None:
    assert national().add_days(D(2026, 9, 25), 15) == Due(D(2026, 10, 10), False)


def test_days_on_an_ordinary_weekend_roll_to_monday() -> None:
    assert national().add_days(D(2026, 6, 1), 5) == Due(D(2026, 6, 8), False)  # Sat 06-06 → Mon 06-08


def test_days_petition_periods() -> None:
    cal = national()
    # 《信访工作条例》60日: accepted 2026-03-02 → 05-01 (劳动节) → first workday 05-06
    assert cal.add_days(D(2026, 3, 2), 60).date == D(2026, 5, 6)
    assert cal.add_days(D(2026, 3, 2), 0).date == D(2026, 3, 2)


def test_months_corresponding_day_or_month_end() -> None:
    cal = national()
    assert cal.add_months(D(2026, 1, 31), 1) == Due(D(2026, 2, 28), False)  # month end; a makeup Saturday
    assert cal.add_months(D(2024, 1, 31), 1).date == D(2024, 2, 29)  # leap year, a Thursday
    assert cal.add_months(D(2026, 1, 15), 1).date == D(2026, 2, 24)  # 02-15 in 春节 → 02-24
    assert cal.add_months(D(2026, 5, 10), 3).date == D(2026, 8, 10)  # 建议提案 3个月, a Monday
    assert cal.add_months(D(2026, 11, 30), 3).date == D(2027, 3, 1)  # 02-28 → month end Sun → Mon
    assert cal.add_months(D(2026, 11, 30), 3).provisional


def test_2027_is_provisional_with_weekday_fallback() -> None:
    cal = national()
    assert cal.is_provisional(D(2027, 1, 1)) and not cal.is_provisional(D(2026, 12, 31))
    assert cal.is_workday(D(2027, 1, 1))  # Friday: Mon-Fri fallback until 2027 is imported
    assert cal.add_workdays(D(2027, 1, 1), 1) == Due(D(2027, 1, 4), True)
    assert cal.add_workdays(D(2026, 12, 30), 1) == Due(D(2026, 12, 31), False)
    assert cal.add_workdays(D(2026, 12, 31), 1) == Due(D(2027, 1, 1), True)
    assert cal.add_days(D(2026, 12, 20), 15) == Due(D(2027, 1, 4), True)
    assert cal.add_days(D(2026, 12, 1), 15) == Due(D(2026, 12, 16), False)
    # going back from 2027 into 2026 only examines 2026 days
    assert cal.add_workdays(D(2027, 1, 1), -1) == Due(D(2026, 12, 31), False)
    assert cal.add_workdays(D(2027, 1, 1), 0) == Due(D(2027, 1, 1), True)


def test_workdays_between() -> None:
    cal = national()
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert cal.workdays_between(D(2026, 10, 13), D(2026, 9, 30)) == -5
    assert cal.workdays_between(D(2026, 1, 1), D(2026, 1, 1)) == 0
    # 2026: 261 Mon-Fri days - 19 weekday holidays + 6 makeup weekends = 248 (as chinesecalendar counts)
    assert cal.workdays_between(D(2025, 12, 31), D(2026, 12, 31)) == 248
    sched = cal.schedule(2026)
    assert sched is not None and len(sched.holidays) == 19 and len(sched.makeup_workdays) == 6


def test_negative_periods_rejected() -> None:
    with pytest.raises(ValueError):
        national().add_days(D(2026, 1, 1), -1)
    with pytest.raises(ValueError):
        national().add_months(D(2026, 1, 1), -1)


def test_schedule_rejects_meaningless_days() -> None:
    with pytest.raises(ValueError):
        YearSchedule(2027, holidays=frozenset({D(2027, 1, 2)}))  # a Saturday
    with pytest.raises(ValueError):
        YearSchedule(2027, makeup_workdays=frozenset({D(2027, 1, 4)}))  # a Monday
    with pytest.raises(ValueError):
        YearSchedule(2027, holidays=frozenset({D(2026, 12, 31)}))  # wrong year
    with pytest.raises(ValueError):
        WorkCalendar({2028: YearSchedule(2027)})


def test_far_dates_fail_cleanly() -> None:
    cal = national()
    with pytest.raises(ValueError):
        cal.add_workdays(D(9999, 12, 31), 1)
    with pytest.raises(ValueError):
        cal.add_workdays(D(1, 1, 1), -1)
    with pytest.raises(ValueError):
        cal.add_days(D(9999, 12, 30), 5)


def test_fast_enough_for_the_deadline_engine() -> None:
    import time  # noqa: PLC0415

    cal = national()
    t0 = time.perf_counter()
    for i in range(20_000):
        cal.add_workdays(D(2020, 1, 1) + dt.timedelta(days=i % 2000), 1 + i % 300)
    assert time.perf_counter() - t0 < 2.0


# -- a day-by-day reference implementation -----------------------------------------------------------


def ref_add_workdays(cal: WorkCalendar, start: dt.date, n: int) -> tuple[dt.date, list[dt.date]]:
    """(result, days examined), walking one day at a time."""
    if n == 0:
        d, seen = start, [start]
        while not cal.is_workday(d):
            d += ONE
            seen.append(d)
        return d, seen
    step = ONE if n > 0 else -ONE
    d, left, seen = start, abs(n), []
    while left:
        d += step
        seen.append(d)
        left -= cal.is_workday(d)
    return d, seen


def ref_between(cal: WorkCalendar, a: dt.date, b: dt.date) -> int:
    return sum(cal.is_workday(a + ONE * i) for i in range(1, (b - a).days + 1))


def touches(cal: WorkCalendar, days: list[dt.date]) -> bool:
    return any(cal.is_provisional(d) for d in days)


dates = st.dates(D(2002, 10, 1), D(2029, 3, 31))
counts = st.integers(-400, 400)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(d=dates, n=counts)
def test_matches_reference(d: dt.date, n: int) -> None:
    cal = national()
    expected, seen = ref_add_workdays(cal, d, n)
    assert cal.add_workdays(d, n) == Due(expected, touches(cal, seen))


@SETTINGS
@given(d=dates, n=st.integers(1, 400))
def test_forward_properties(d: dt.date, n: int) -> None:
    cal = national()
    due = cal.add_workdays(d, n)
    assert due.date > d and cal.is_workday(due.date)
    assert cal.workdays_between(d, due.date) == n
    assert cal.workdays_between(d, due.date - ONE) == n - 1  # the n-th, not a later one
    # inverse: back n from there lands on d, or on the workday before d when d is a rest day
    back = cal.add_workdays(due.date, -n).date
    assert back == (d if cal.is_workday(d) else cal.previous_workday(d).date)


@SETTINGS
@given(d=dates, n=st.integers(1, 400))
def test_backward_properties(d: dt.date, n: int) -> None:
    cal = national()
    due = cal.add_workdays(d, -n)
    assert due.date < d and cal.is_workday(due.date)
    # n workdays in [due, d)
    assert cal.workdays_between(due.date - ONE, d - ONE) == n
    forward = cal.add_workdays(due.date, n).date
    assert forward == (d if cal.is_workday(d) else cal.next_workday(d).date)


@SETTINGS
@given(d=dates, a=counts, b=counts)
def test_monotone_in_n(d: dt.date, a: int, b: int) -> None:
    cal = national()
    lo, hi = sorted((a, b))
    x, y = cal.add_workdays(d, lo).date, cal.add_workdays(d, hi).date
    assert x <= y
    if lo < hi and (lo >= 1 or hi <= 0):
        assert x < y


@SETTINGS
@given(a=dates, b=dates)
def test_between_matches_reference(a: dt.date, b: dt.date) -> None:
    cal = national()
    lo, hi = sorted((a, b))
    if (hi - lo).days > 800:
        hi = lo + ONE * 800
    assert cal.workdays_between(lo, hi) == ref_between(cal, lo, hi)
    assert cal.workdays_between(hi, lo) == -ref_between(cal, lo, hi)


@SETTINGS
@given(d=dates, n=st.integers(0, 400))
def test_days_properties(d: dt.date, n: int) -> None:
    cal = national()
    due = cal.add_days(d, n)
    last = d + ONE * n
    assert due.date >= last and cal.is_workday(due.date)
    # nothing between the last day and the result is a working day: it is the FIRST one after
    assert cal.workdays_between(last - ONE, due.date - ONE) == 0
    seen = [last + ONE * i for i in range((due.date - last).days + 1)]
    assert due.provisional == touches(cal, seen)


@SETTINGS
@given(d=dates, n=st.integers(0, 30))
def test_months_properties(d: dt.date, n: int) -> None:
    cal = national()
    due = cal.add_months(d, n)
    assert cal.is_workday(due.date)
    # the corresponding day, or the month's last day (民法典 202), then the first workday on or after it
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    last = D(y, m + 1, 1)
    while (last + ONE).month == m + 1 and last.day < d.day:
        last += ONE
    assert due.date >= last
    assert cal.workdays_between(last - ONE, due.date - ONE) == 0


# -- synthetic schedules, gaps between scheduled years -------------------------------------------------


@st.composite
def schedules(draw: st.DrawFn) -> WorkCalendar:
    years: dict[int, YearSchedule] = {}
    for year in (2030, 2031, 2033):  # 2032 (and 2029, 2034) unscheduled
        days = [D(year, 1, 1) + ONE * i for i in range(365)]
        weekdays = [x for x in days if x.weekday() < 5]
        weekends = [x for x in days if x.weekday() >= 5]
        hol = draw(st.sets(st.sampled_from(weekdays), max_size=40))
        mk = draw(st.sets(st.sampled_from(weekends), max_size=10))
        years[year] = YearSchedule(year, frozenset(hol), frozenset(mk))
    return WorkCalendar(years)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cal=schedules(), d=st.dates(D(2029, 6, 1), D(2034, 6, 30)), n=st.integers(-300, 300))
def test_synthetic_matches_reference(cal: WorkCalendar, d: dt.date, n: int) -> None:
    expected, seen = ref_add_workdays(cal, d, n)
    assert cal.add_workdays(d, n) == Due(expected, touches(cal, seen))
    if n >= 0:
        last = d + ONE * n
        rolled, seen = ref_add_workdays(cal, last, 0)
        assert cal.add_days(d, n) == Due(rolled, touches(cal, seen))
