"""Tables of the letters and visits plugin (信访). Source: rules.md §4 (《信访工作条例》2022).

Personal data (name, address, phone, ID number) lives only on :class:`PetitionCase`/:class:`MailMessage`
and is masked by the API unless the caller holds ``petitions.personal.read``. Query codes are stored
as keyed hashes only (shown once to the citizen).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
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
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, Timestamps, UUIDPk

CHANNELS = ("web", "letter", "phone", "fax", "visit", "transfer")
# 市长信箱 messages: received → handling (assigned) → proofreading (校对) → replied → published.
MAIL_STATUSES = ("received", "handling", "proofreading", "replied", "published")
STATUSES = (
    "registered",  # 登记
    "referred",  # 已转送/交办 (to another office)
    "received",  # 已签收 (by the office it was referred to)
    "accepted",  # 受理
    "not_accepted",  # 不予受理
    "returned",  # 异议退回 (objection: not our remit)
    "withdrawn",  # 撤回 (pull-back by the origin)
    "merged",  # 合并到另一件
    "answered",  # 已答复 (支持/解释说明/不予支持)
    "review_requested",  # 复查申请
    "review_answered",  # 复查意见
    "recheck_requested",  # 复核申请
    "rechecked",  # 复核意见 (final: same facts not accepted again)
)
ANSWER_TYPES = ("support", "explain", "reject")  # 支持 / 解释说明 / 不予支持
RATINGS = ("satisfied", "basically", "dissatisfied")  # 满意 / 基本满意 / 不满意


class PetitionCase(UUIDPk, Timestamps, Base):
    """A 信访事项 (one letter, call, fax, visit or web submission), with its legal clock state."""

    __tablename__ = "petitions_cases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_petitions_cases_tenant_status", "tenant_id", "status"),
        Index("ix_petitions_cases_person", "tenant_id", "person_hash"),
        Index("ix_petitions_cases_shingles", "shingles", postgresql_using="gin"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default="registered")
    category: Mapped[str] = mapped_column(String(40), default="other")
    title: Mapped[str] = mapped_column(String(200))
    request: Mapped[str] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text)
    reasons: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    id_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    person_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    factor_hashes: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    representatives: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    shingles: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    received_on: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    handle_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    extended_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    extension_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    answer_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    answer_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer_basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    review_stage: Mapped[int] = mapped_column(Integer, default=0)
    review_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    rating: Mapped[str | None] = mapped_column(String(20), nullable=True)
    redo_count: Mapped[int] = mapped_column(Integer, default=0)
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    related_to: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    merged_into: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    origin_tenant_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    origin_case_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    origin_routing_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class CaseEvent(Base):
    """The case's timeline; ``public`` events are what the citizen sees when tracking."""

    __tablename__ = "petitions_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("petitions_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseFile(Base):
    """An attachment (照片/PDF) of a case, stored in core storage."""

    __tablename__ = "petitions_files"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("petitions_cases.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_files.id"))
    kind: Mapped[str] = mapped_column(String(30), default="attachment")


class Routing(Base):
    """A 转送/交办 of a case to a unit of the same office or to another office (tenant)."""

    __tablename__ = "petitions_routings"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("petitions_cases.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[str] = mapped_column(String(20))  # 转送 transfer / 交办 assign
    target_unit_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    target_tenant_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    target_case_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="sent")
    target_status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    sent_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Notice(Base):
    """A generated written notice (告知书/答复意见书) as PDF."""

    __tablename__ = "petitions_notices"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("petitions_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_files.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MailMessage(UUIDPk, Timestamps, Base):
    """A 市长信箱 / hotline message: 受理 → 转办 → 办理 → 答复 (proof-read) → 回访 → 评价."""

    __tablename__ = "petitions_mail"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_petitions_mail_published", "tenant_id", "published_at"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30))
    allow_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    factor_hashes: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="received")
    unit_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    replied_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    proofread_by: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    proofread_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rating: Mapped[str | None] = mapped_column(String(20), nullable=True)
    followup_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    redo_count: Mapped[int] = mapped_column(Integer, default=0)
    received_on: Mapped[date] = mapped_column(Date)


MODELS: list[type[Base]] = [PetitionCase, CaseEvent, CaseFile, Routing, Notice, MailMessage]
