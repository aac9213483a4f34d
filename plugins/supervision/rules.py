"""Time rules of 督查督办 (rules.md §0, §6), all on the core working-day calendar.

- Status lights (红黄绿灯): by the WORKING days left until the 完成时限 (``workdays_between``, never
  ``timedelta``). Defaults (config, per tenant): green above 5 working days, yellow 1–5, red when
  0 are left or the item is overdue (rules.md §6 names the lights; the thresholds are office practice).
- 完成时限 given as "N个工作日": N working days after the basis day (rules.md §0).
- Progress-report cadence (进展报告): weekly = 7 calendar days, biweekly = 14, monthly = 1 calendar
  month after the previous report's due day; a day off moves to the next working day (the calendar's
  ``add_days``/``add_months``, 民法典 201-203); never later than the 完成时限.
- 建议提案: answer within 3 months of assignment, 6 months for complex ones (rules.md §6;
  《全国人民代表大会代表建议、批评和意见处理办法》 and the CPPCC proposal rules: 3个月内答复,
  涉及面广、处理难度大的 6个月), counted in calendar months (rules.md §0, ``add_months``).
  The local schedule (交办/见面/书面答复/总结 by fixed days of the year) is config.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.api import WorkCalendar

SETTINGS: dict[str, Any] = {
    # Lights (config): yellow when 1..light_yellow_workdays working days are left, red at or below
    # light_red_workdays (0 = due today) and whenever overdue.
    "light_yellow_workdays": 5,
    "light_red_workdays": 0,
    # 催办 N working days before a report or the 完成时限 is due (and on the day itself).
    "chase_before_workdays": 2,
    # Local 建议提案 schedule (rules.md §6 example, config): month-day of each milestone.
    "proposal_assign_by": "05-10",
    "proposal_meet_by": "07-01",
    "proposal_reply_by": "08-20",
    "proposal_summary_by": "09-01",
}

# rules.md §6: reply within 3 months, complex ones 6 months (law, not config).
PROPOSAL_MONTHS = 3
PROPOSAL_COMPLEX_MONTHS = 6

CADENCE_RULE = {"weekly": ("days", 7), "biweekly": ("days", 14), "monthly": ("months", 1)}
LIGHTS = ("green", "yellow", "red")


def remaining_workdays(cal: WorkCalendar, today: dt.date, due: dt.date) -> int:
    """Working days in (today, due]; negative once ``due`` has passed."""
    return cal.workdays_between(today, due)


def light(cal: WorkCalendar, today: dt.date, due: dt.date, conf: dict[str, Any]) -> str:
    """绿/黄/红 by remaining working days (thresholds from the tenant's settings)."""
    left = remaining_workdays(cal, today, due)
    if today > due or left <= int(conf["light_red_workdays"]):
        return "red"
    if left <= int(conf["light_yellow_workdays"]):
        return "yellow"
    return "green"


def next_report_due(cal: WorkCalendar, previous: dt.date, cadence: str, final: dt.date) -> dt.date | None:
    """The next 进展报告 due day after ``previous`` at ``cadence``, capped at the 完成时限."""
    if cadence not in CADENCE_RULE:
        return None
    rule, amount = CADENCE_RULE[cadence]
    due = cal.add_days(previous, amount) if rule == "days" else cal.add_months(previous, amount)
    return min(due.date, final)


def proposal_due(cal: WorkCalendar, assigned_on: dt.date, complex_: bool) -> dt.date:
    """答复期限: 3 (complex: 6) calendar months after assignment (rules.md §6, §0)."""
    months = PROPOSAL_COMPLEX_MONTHS if complex_ else PROPOSAL_MONTHS
    return cal.add_months(assigned_on, months).date


def milestones(conf: dict[str, Any], year: int) -> dict[str, str]:
    """The tenant's local 建议提案 schedule for ``year`` (config, rules.md §6)."""
    out = {}
    for key in ("assign_by", "meet_by", "reply_by", "summary_by"):
        month, day = (int(x) for x in str(conf[f"proposal_{key}"]).split("-"))
        out[key] = dt.date(year, month, day).isoformat()
    return out
