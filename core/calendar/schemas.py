"""Request and response bodies of the calendar API (工作日历)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from core.calendar.rules import DayKind


class YearOut(BaseModel):
    year: int
    source: Literal["chinesecalendar", "import"]
    imported_at: dt.datetime
    imported_by: str | None
    version: int
    holidays: int = Field(description="Listed Mon-Fri rest days.")
    makeup_workdays: int = Field(description="Listed Sat/Sun working days (调休上班).")


class DayOut(BaseModel):
    date: dt.date
    is_workday: bool
    kind: DayKind
    name: str | None = None
    provisional: bool = Field(description="The year has no imported schedule; Mon-Fri is assumed.")


class ComputeOut(BaseModel):
    start: dt.date
    rule: Literal["workdays", "days", "months"]
    n: int
    due: dt.date
    provisional: bool
    basis: str = Field(description="Legal source of the counting rule.")


class ImportOut(BaseModel):
    year: int
    source: str
    version: int
    holidays: int
    makeup_workdays: int
    replaced: bool = Field(description="A schedule for this year existed and was replaced.")
    recomputed: int = Field(description="Provisional items (e.g. deadlines) recomputed after the import.")
