"""API schemas of the deadline engine."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class ReminderOut(BaseModel):
    """One chase (催办) and what became of it; the record rules.md §1 asks for."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str  # before | due | overdue
    workdays_before: int
    fire_at: datetime
    provisional: bool
    recipient: uuid.UUID | None
    sent_at: datetime | None
    outcome: str | None  # notified | closed | no_recipient


class DeadlineOut(BaseModel):
    """A time limit on a plugin's object."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_plugin: str
    object_type: str
    object_id: str
    kind: str
    title: str
    basis_date: date | None
    rule: str
    amount: int | None
    due_date: date
    provisional: bool
    state: str
    assignee_id: uuid.UUID | None
    escalate_to: uuid.UUID | None
    created_at: datetime
    closed_at: datetime | None
    overdue: bool = False  # open and past its due date
    missed: bool = False  # overdue, or done after the due date: needs a 书面说明
    explanation: str | None
    explained_at: datetime | None
    explained_by: uuid.UUID | None


class DeadlineDetail(DeadlineOut):
    reminders: list[ReminderOut]


class ExplanationIn(BaseModel):
    """The 书面说明 for a missed deadline (1..2000 characters)."""

    text: str
