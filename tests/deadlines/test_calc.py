"""Chase days and due dates on the real 2025/2026 schedules (pure: no database)."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar.rules import WorkCalendar
from core.calendar.sources import chinesecalendar_schedule
from core.deadlines.calc import (
    OVERDUE_OFFSET,
    OfficeClock,
    ReminderSpec,
    chase_day,
    compute_due,
    plan_reminders,
    validate_specs,
)
from core.errors import AppError


def _calendar() -> WorkCalendar:
    years = {}
    for y in (2025, 2026):
        sched = chinesecalendar_schedule(y)
        assert sched is not None
        years[y] = sched
    return WorkCalendar(years)


CAL = _calendar()
CLOCK = OfficeClock(ZoneInfo("Asia/Shanghai"), 9)
D = dt.date


def test_national_day_2026_chases() -> None:
    # rules.md §0: 2026-10-01..07 are rest days, 10-10 (Saturday) is a 调休 working day.
    due = D(2026, 10, 9)
    assert chase_day(CAL, due, 2) == (D(2026, 9, 30), False)
    assert chase_day(CAL, due, 1) == (D(2026, 10, 8), False)
    assert chase_day(CAL, due, 0) == (due, False)
    assert chase_day(CAL, due, OVERDUE_OFFSET) == (D(2026, 10, 10), False)


def test_chase_on_a_rest_day_moves_to_the_working_day_before() -> None:
    # A fixed due date on 2026-10-03 (holiday): nobody reads a chase that day.
    assert chase_day(CAL, D(2026, 10, 3), 0) == (D(2026, 9, 30), False)
    assert chase_day(CAL, D(2026, 10, 3), OVERDUE_OFFSET) == (D(2026, 10, 8), False)


def test_unscheduled_year_is_provisional() -> None:
    assert chase_day(CAL, D(2027, 3, 10), 2) == (D(2027, 3, 8), True)
    assert compute_due(CAL, "workdays", D(2026, 12, 30), 3, None) == (D(2027, 1, 4), True)


def test_due_rules() -> None:
    # "N个工作日" skips the National Day week; 10-10 counts (makeup working day).
    assert compute_due(CAL, "workdays", D(2026, 9, 30), 2, None) == (D(2026, 10, 9), False)
    assert compute_due(CAL, "workdays", D(2026, 9, 30), 3, None) == (D(2026, 10, 10), False)
    # "N日": 15 calendar days from 09-20 end on 10-05, a holiday, so the period ends on 10-08 (民法典 203).
    assert compute_due(CAL, "days", D(2026, 9, 20), 15, None) == (D(2026, 10, 8), False)
    # "N个月": 3 months from 2026-05-31 end on 08-31.
    assert compute_due(CAL, "months", D(2026, 5, 31), 3, None) == (D(2026, 8, 31), False)
    assert compute_due(CAL, "fixed", None, None, D(2026, 10, 3)) == (D(2026, 10, 3), False)


def test_plan_default_reminders_and_fire_time() -> None:
    boss, clerk = uuid.uuid4(), uuid.uuid4()
    plan = plan_reminders(
        CAL, CLOCK, D(2026, 10, 9), [2, 0], assignee_id=clerk, escalate_to=boss, today=D(2026, 9, 1)
    )
    assert [(p.kind, p.workdays_before, p.day, p.recipient) for p in plan] == [
        ("before", 2, D(2026, 9, 30), clerk),
        ("due", 0, D(2026, 10, 9), clerk),
        ("overdue", -1, D(2026, 10, 10), boss),
    ]
    assert plan[0].fire_at == dt.datetime(2026, 9, 30, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert plan[0].fire_at.astimezone(dt.UTC) == dt.datetime(2026, 9, 30, 1, tzinfo=dt.UTC)


def test_plan_leaves_out_past_chases_but_keeps_the_escalation() -> None:
    clerk = uuid.uuid4()
    plan = plan_reminders(
        CAL, CLOCK, D(2026, 10, 9), [2, 0], assignee_id=clerk, escalate_to=None, today=D(2026, 10, 12)
    )
    # Registered after the fact: only the escalation, to the assignee when nobody else is named.
    assert [(p.kind, p.recipient) for p in plan] == [("overdue", clerk)]


def test_plan_collapses_chases_on_one_day() -> None:
    plan = plan_reminders(
        CAL, CLOCK, D(2026, 10, 3), [1, 0], assignee_id=None, escalate_to=None, today=D(2026, 9, 1)
    )
    assert [(p.kind, p.day) for p in plan] == [("due", D(2026, 9, 30)), ("overdue", D(2026, 10, 8))]


@pytest.mark.parametrize("bad", [[ReminderSpec(-1)], [ReminderSpec(61)], [3], [ReminderSpec(True)]])
def test_bad_reminder_specs(bad: list[object]) -> None:
    with pytest.raises(AppError) as err:
        validate_specs(bad)
    assert err.value.status == 422
    assert err.value.fields[0].field == "reminders.0.workdays_before"


@settings(max_examples=300, deadline=None)
@given(due=st.dates(D(2025, 1, 15), D(2026, 12, 20)), n=st.integers(1, 10))
def test_chase_days_are_working_days_in_order(due: dt.date, n: int) -> None:
    before, _ = chase_day(CAL, due, n)
    on_day, _ = chase_day(CAL, due, 0)
    after, _ = chase_day(CAL, due, OVERDUE_OFFSET)
    for day in (before, on_day, after):
        assert CAL.is_workday(day)
    assert before <= on_day <= due < after
    # Exactly n working days lie in (before, due] when the due date is itself a working day; on a
    # rest day the on-the-day chase moves back and may meet the 1-day-before one (plan collapses them).
    if CAL.is_workday(due):
        assert before < on_day == due
        assert CAL.workdays_between(before, due) == n
    else:
        assert CAL.workdays_between(before, due) == n - 1
    # Nothing between the due date and the escalation is a working day.
    assert CAL.workdays_between(due, after) == 1
