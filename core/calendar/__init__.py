"""Working-day calendar (工作日历): State Council holiday notices, 调休, and the deadline primitives.

Callers use :func:`core.calendar.service.load_calendar` to get a :class:`WorkCalendar` and its
``add_workdays`` / ``add_days`` / ``add_months``; :func:`on_year_imported` lets the deadline engine
recompute provisional deadlines when a missing year is imported.
"""

from core.calendar.rules import Due, WorkCalendar, YearSchedule
from core.calendar.service import (
    ImportResult,
    import_year,
    load_calendar,
    on_year_imported,
    seed_from_chinesecalendar,
)

__all__ = [
    "Due",
    "ImportResult",
    "WorkCalendar",
    "YearSchedule",
    "import_year",
    "load_calendar",
    "on_year_imported",
    "seed_from_chinesecalendar",
]
