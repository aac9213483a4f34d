"""Tables of the national working-day calendar (工作日历). One schedule for the country, not per tenant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, utcnow

SOURCE_PACKAGE = "chinesecalendar"
SOURCE_IMPORT = "import"


class CalendarYear(Base):
    """A year whose holiday notice (节假日安排) is imported; years absent here fall back to Mon-Fri.

    ``version`` grows by one on every re-import, so other processes notice the change cheaply.
    """

    __tablename__ = "core_calendar_years"
    __table_args__ = (
        CheckConstraint("source IN ('chinesecalendar', 'import')", name="source"),
        CheckConstraint("version >= 1", name="version"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(16))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(128), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CalendarDay(Base):
    """A listed day: a Mon-Fri rest day (``holiday``) or a Sat/Sun 调休 working day (``workday``)."""

    __tablename__ = "core_calendar_days"
    __table_args__ = (
        CheckConstraint("kind IN ('holiday', 'workday')", name="kind"),
        CheckConstraint("extract(year from day) = year", name="day_in_year"),
        # A holiday on a weekend or a makeup workday on a weekday would mean nothing (isodow 6, 7 = Sat, Sun).
        CheckConstraint("(kind = 'holiday') = (extract(isodow from day) < 6)", name="kind_matches_weekday"),
    )

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("core_calendar_years.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(64), default="", server_default="")
