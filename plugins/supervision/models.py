"""Tables of the supervision plugin (督查督办): items, their units and sub-tasks, progress reports,
files, chases and the 人大建议/政协提案 register. Sources: rules.md §6."""

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
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, Timestamps, UUIDPk

SOURCE_KINDS = ("instruction", "meeting", "proposal", "work_report", "media", "manual")
CADENCES = ("none", "weekly", "biweekly", "monthly")
ITEM_STATES = ("open", "pending_signoff", "closed", "cancelled")
PROPOSAL_KINDS = ("npc_suggestion", "cppcc_proposal")
PROPOSAL_STATES = ("assigned", "answered", "closed")
GRADES = ("A", "B", "C", "D")
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Item(UUIDPk, Timestamps, Base):
    """督办事项: 工作内容, 标准, 牵头/配合单位, 负责领导, 完成时限 (rules.md §6).

    ``source_*`` name where the item came from (领导批示, 会议决定, 建议提案, 政府工作报告任务 ...);
    one source yields one item (the unique index makes the event hook idempotent).
    """

    __tablename__ = "supervision_items"
    __table_args__ = (
        CheckConstraint(_in("source_kind", SOURCE_KINDS), name="source_kind"),
        CheckConstraint(_in("cadence", CADENCES), name="cadence"),
        CheckConstraint(_in("state", ITEM_STATES), name="state"),
        Index(
            "uq_supervision_items_source",
            "tenant_id",
            "source_plugin",
            "source_kind",
            "source_id",
            unique=True,
            postgresql_where=text("source_id IS NOT NULL"),
        ),
        Index("ix_supervision_items_tenant_due", "tenant_id", "state", "due_date"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    source_kind: Mapped[str] = mapped_column(String(20))
    source_plugin: Mapped[str] = mapped_column(String(40), default="supervision")
    source_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_ref: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    standard: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_units.id"))
    leader_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("core_users.id"), nullable=True)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("core_users.id"), nullable=True)
    basis_date: Mapped[date] = mapped_column(Date)
    due_rule: Mapped[str] = mapped_column(String(10), default="fixed")
    due_workdays: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_date: Mapped[date] = mapped_column(Date)
    cadence: Mapped[str] = mapped_column(String(10), default="none")
    next_report_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    reports_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(20), default="open")
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    completed_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    signed_off_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    signoff_opinion: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)


class ItemUnit(Base):
    """A unit of an item: the 牵头单位 (``lead``), a 配合单位 (``co``) or a sub-task's unit (``task``).

    Unit scoping (staff see the items of their units) joins through this table.
    """

    __tablename__ = "supervision_item_units"
    __table_args__ = (UniqueConstraint("item_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_items.id", ondelete="CASCADE"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_units.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))


class Task(UUIDPk, Base):
    """A sub-task (分解任务) of an item for one unit, due no later than the item."""

    __tablename__ = "supervision_tasks"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("supervision_items.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_units.id"))
    content: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)


class Report(Base):
    """进展报告: one periodic progress report of an item (optionally for a sub-task)."""

    __tablename__ = "supervision_reports"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("supervision_items.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("supervision_tasks.id"), nullable=True)
    period_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    content: Mapped[str] = mapped_column(Text)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    reported_on: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    reporter_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ItemFile(Base):
    """A file (core storage) linked to an item: a progress report's attachment or 办结 evidence."""

    __tablename__ = "supervision_files"
    __table_args__ = (UniqueConstraint("item_id", "file_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_items.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_reports.id"), nullable=True)
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_files.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))


class Chase(Base):
    """催办: a manual chase (the deadline engine's automatic ones live in core_deadline_reminders)."""

    __tablename__ = "supervision_chases"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("supervision_items.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    by_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Proposal(UUIDPk, Timestamps, Base):
    """人大代表建议 / 政协委员提案 assigned to a unit for a written answer (rules.md §6).

    ``due_date``: 3 months after assignment, 6 for complex ones (calendar months, rules.md §0).
    ``contacted_on``: 见面/沟通 with the deputy before answering; ``grade`` A/B/C/D.
    """

    __tablename__ = "supervision_proposals"
    __table_args__ = (
        CheckConstraint(_in("kind", PROPOSAL_KINDS), name="kind"),
        CheckConstraint(_in("state", PROPOSAL_STATES), name="state"),
        CheckConstraint("grade IS NULL OR " + _in("grade", GRADES), name="grade"),
        CheckConstraint("satisfaction IS NULL OR " + _in("satisfaction", SATISFACTION), name="satisfaction"),
        UniqueConstraint("tenant_id", "kind", "session_year", "number"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    session_year: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text, default="")
    deputy_name: Mapped[str] = mapped_column(String(100))
    deputy_contact: Mapped[str] = mapped_column(String(100), default="")
    lead_unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_units.id"))
    assigned_on: Mapped[date] = mapped_column(Date)
    complex: Mapped[bool] = mapped_column(Boolean, default=False)
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="assigned")
    contacted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    contact_method: Mapped[str | None] = mapped_column(String(20), nullable=True)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(1), nullable=True)
    answer_file_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("core_files.id"), nullable=True)
    satisfaction: Mapped[str | None] = mapped_column(String(30), nullable=True)
    feedback_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)


class Bulletin(Base):
    """A generated monthly 督查通报 (PDF + Excel in core storage), one per tenant and month."""

    __tablename__ = "supervision_bulletins"
    __table_args__ = (UniqueConstraint("tenant_id", "month"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    as_of: Mapped[date] = mapped_column(Date)
    pdf_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_files.id"))
    xlsx_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_files.id"))
    generated_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
