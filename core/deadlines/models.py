"""Deadline tables: one row per time limit (期限) and one per chase (催办) it will fire.

Sources: rules.md §0 (working-day calendar, provisional dates) and §1 (催办 2 working days before the
deadline and on the deadline day, each chase recorded; a missed deadline needs a 书面说明).
Ids are BIGINT identities: the tables hold millions of rows and never leave the office's API
without the tenant check.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base

RULES = ("workdays", "days", "months", "fixed")
STATES = ("open", "done", "cancelled")
REMINDER_KINDS = ("before", "due", "overdue")
# What the sweep did with a claimed reminder; the row itself is the record of the chase.
OUTCOMES = ("notified", "closed", "no_recipient")

STATE_OPEN = "open"
STATE_DONE = "done"
STATE_CANCELLED = "cancelled"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Deadline(Base):
    """A time limit on a plugin's object, e.g. 收文登记 within 2 working days (rules.md §1).

    ``basis_date`` is the day the period counts from (not counted itself, rules.md §0); ``rule`` and
    ``amount`` say how ``due_date`` was computed so it can be recomputed when a provisional year's
    schedule is imported. ``provisional`` is true when ``due_date`` fell back to Mon-Fri.
    ``explanation`` is the 书面说明 recorded for a missed deadline.
    """

    __tablename__ = "core_deadlines"
    __table_args__ = (
        CheckConstraint(_in("rule", RULES), name="rule"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount"),
        # Registering twice for the same object and kind must update, not duplicate (open ones only:
        # a finished deadline may be followed by a new one, e.g. after 退回重办).
        Index(
            "uq_core_deadlines_open_key",
            "tenant_id",
            "owner_plugin",
            "object_type",
            "object_id",
            "kind",
            unique=True,
            postgresql_where=text("state = 'open'"),
        ),
        # Lists and the overdue query look at open deadlines by due date.
        Index("ix_core_deadlines_open_due", "tenant_id", "due_date", postgresql_where=text("state = 'open'")),
        # Lists of every state, earliest due first.
        Index("ix_core_deadlines_tenant_due", "tenant_id", "due_date"),
        # Recomputing provisional deadlines after a year's schedule is imported.
        Index("ix_core_deadlines_provisional", "id", postgresql_where=text("provisional AND state = 'open'")),
        # A plugin's view of one object's deadlines, closed ones included.
        Index("ix_core_deadlines_object", "tenant_id", "owner_plugin", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    owner_plugin: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    basis_date: Mapped[date | None] = mapped_column(Date, default=None)
    rule: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int | None] = mapped_column(Integer, default=None)
    due_date: Mapped[date] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # Working days before the due date the chases fire (e.g. [2, 0]); kept so a recompute re-plans them.
    reminder_days: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    state: Mapped[str] = mapped_column(String(16), default=STATE_OPEN, server_default=STATE_OPEN)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    escalate_to: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    explanation: Mapped[str | None] = mapped_column(Text, default=None)
    explained_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    explained_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)

    reminders: Mapped[list[DeadlineReminder]] = relationship(
        back_populates="deadline",
        order_by="DeadlineReminder.fire_at",
        lazy="raise",
        passive_deletes=True,
    )


class DeadlineReminder(Base):
    """One chase (催办) of a deadline: fires at ``fire_at``; ``sent_at`` set once it was handled.

    ``kind`` is ``before`` (``workdays_before`` > 0), ``due`` (0, on the deadline day) or
    ``overdue`` (-1: the first working day after, escalated). ``recipient`` is who gets chased;
    ``outcome`` records what the sweep did (rules.md §1: each chase recorded).
    """

    __tablename__ = "core_deadline_reminders"
    __table_args__ = (
        CheckConstraint(_in("kind", REMINDER_KINDS), name="kind"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OUTCOMES)}", name="outcome"),
        # The sweep's only access path: pending rows by fire time. Partial, so sent rows (the vast
        # majority over time) never slow it down.
        Index("ix_core_deadline_reminders_pending", "fire_at", postgresql_where=text("sent_at IS NULL")),
        # Recomputing provisional dates after a year's schedule is imported.
        Index(
            "ix_core_deadline_reminders_provisional",
            "deadline_id",
            postgresql_where=text("provisional AND sent_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    deadline_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("core_deadlines.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(16))
    workdays_before: Mapped[int] = mapped_column(Integer)
    fire_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    recipient: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)

    deadline: Mapped[Deadline] = relationship(back_populates="reminders", lazy="raise")
