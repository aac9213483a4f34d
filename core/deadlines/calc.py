"""Deadline arithmetic on the working-day calendar: due dates and the days chases fire.

Never ``timedelta`` on dates: every day here comes from :class:`core.calendar` so 调休 makeup
workdays and holidays (rules.md §0) are honoured, and a year without an imported schedule yields
dates flagged provisional.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from core.errors import invalid
from core.settings import get_settings

# ``workdays_before`` of the escalation on the first working day after the due date.
OVERDUE_OFFSET = -1


class DueLike(Protocol):
    """``core.calendar``'s ``Due``: a day and whether it was computed on a provisional year."""

    @property
    def date(self) -> dt.date: ...

    @property
    def provisional(self) -> bool: ...


class CalendarLike(Protocol):
    """The part of ``core.calendar``'s ``WorkCalendar`` the deadline engine uses."""

    def add_workdays(self, start: dt.date, n: int) -> DueLike: ...

    def add_days(self, start: dt.date, n: int) -> DueLike: ...

    def add_months(self, start: dt.date, n: int) -> DueLike: ...

    def is_workday(self, d: dt.date) -> bool: ...

    def is_provisional(self, d: dt.date) -> bool: ...


@dataclass(frozen=True)
class ReminderSpec:
    """A chase ``workdays_before`` working days before the due date; 0 = on the due date itself."""

    workdays_before: int


# rules.md §1: 催办 fires 2 working days before the deadline and on the deadline day.
DEFAULT_REMINDERS: tuple[ReminderSpec, ...] = (ReminderSpec(2), ReminderSpec(0))
MAX_WORKDAYS_BEFORE = 60


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    workdays_before: int
    day: dt.date
    fire_at: dt.datetime
    provisional: bool
    recipient: uuid.UUID | None


@dataclass(frozen=True)
class OfficeClock:
    """The office's time zone and the local hour chases fire at (settings ``timezone``/``reminder_hour``)."""

    tz: ZoneInfo
    hour: int

    @classmethod
    def from_settings(cls) -> OfficeClock:
        s = get_settings()
        return cls(ZoneInfo(s.timezone), s.reminder_hour)

    def today(self, now: dt.datetime) -> dt.date:
        return now.astimezone(self.tz).date()

    def fire_at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(self.hour), tzinfo=self.tz)


def compute_due(
    cal: CalendarLike, rule: str, basis: dt.date | None, amount: int | None, due: dt.date | None
) -> tuple[dt.date, bool]:
    """The due date and whether it is provisional.

    - ``workdays``: "N个工作日", N working days after ``basis`` (rules.md §0).
    - ``days``: "N日", calendar days, day of the event not counted, a last day on a legal holiday
      moves to the next working day (民法典 art. 201, 203; the calendar applies the shift).
    - ``months``: "N个月", calendar months (rules.md §0, e.g. 建议提案 3 months, §6).
    - ``fixed``: a date given by the caller (e.g. a meeting decision's 完成时限); not computed,
      hence never provisional itself.
    """
    if rule == "fixed":
        assert due is not None
        return due, False
    assert basis is not None and amount is not None
    if rule == "workdays":
        result = cal.add_workdays(basis, amount)
    elif rule == "days":
        result = cal.add_days(basis, amount)
    elif rule == "months":
        result = cal.add_months(basis, amount)
    else:
        raise invalid("rule", "unknown_rule", f"未知的期限规则：{rule}", f"unknown rule: {rule}")
    return result.date, bool(result.provisional)


def chase_day(cal: CalendarLike, due: dt.date, workdays_before: int) -> tuple[dt.date, bool]:
    """The working day a chase fires on (rules.md §1).

    ``n`` > 0: the n-th working day before ``due``. 0: ``due`` itself when it is a working day,
    otherwise the last working day before it (nobody reads a chase sent on a holiday).
    ``OVERDUE_OFFSET``: the first working day after ``due``.
    """
    if workdays_before == OVERDUE_OFFSET:
        r = cal.add_workdays(due, 1)
        return r.date, bool(r.provisional)
    if workdays_before == 0 and cal.is_workday(due):
        return due, bool(cal.is_provisional(due))
    r = cal.add_workdays(due, -max(workdays_before, 1))
    return r.date, bool(r.provisional)


def plan_reminders(
    cal: CalendarLike,
    clock: OfficeClock,
    due: dt.date,
    specs: list[int],
    *,
    assignee_id: uuid.UUID | None,
    escalate_to: uuid.UUID | None,
    today: dt.date,
) -> list[PlannedReminder]:
    """The chases of a deadline due on ``due``: one per ``specs`` entry plus the overdue escalation.

    Chases whose day already passed are left out (a deadline registered late must not fire a
    burst of stale reminders); today's fire at the next sweep. The escalation always stays: it
    goes to ``escalate_to`` (the responsible leader), or to the assignee when nobody is named.
    Two chases falling on one day collapse into the one closest to the due date.
    """
    by_day: dict[dt.date, PlannedReminder] = {}
    for n in sorted(set(specs), reverse=True):
        day, prov = chase_day(cal, due, n)
        if day < today:
            continue
        kind = "before" if n > 0 else "due"
        by_day[day] = PlannedReminder(kind, n, day, clock.fire_at(day), prov, assignee_id)
    day, prov = chase_day(cal, due, OVERDUE_OFFSET)
    overdue = PlannedReminder(
        "overdue", OVERDUE_OFFSET, day, clock.fire_at(day), prov, escalate_to or assignee_id
    )
    return [*sorted(by_day.values(), key=lambda p: p.day), overdue]


def validate_specs(reminders: object) -> list[int]:
    """``reminders`` as a list of working-day offsets; 422 on anything else."""
    out: list[int] = []
    for i, spec in enumerate(reminders if isinstance(reminders, list | tuple) else [None]):
        n = getattr(spec, "workdays_before", None)
        if (
            not isinstance(spec, ReminderSpec)
            or not isinstance(n, int)
            or isinstance(n, bool)
            or not (0 <= n <= MAX_WORKDAYS_BEFORE)
        ):
            raise invalid(
                f"reminders.{i}.workdays_before",
                "out_of_range",
                f"催办提前的工作日数须为0至{MAX_WORKDAYS_BEFORE}的整数",
                f"workdays_before must be an integer from 0 to {MAX_WORKDAYS_BEFORE}",
            )
        out.append(n)
    return sorted(set(out), reverse=True)
