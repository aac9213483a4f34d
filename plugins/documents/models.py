"""Tables of the documents plugin shared by 收文 and 发文, and the 收文 (incoming) tables."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, Timestamps, UUIDPk

TENANT_FK = "core_tenants.id"


def tenant_col() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey(TENANT_FK, ondelete="CASCADE"), index=True)


class Counter(Base):
    """Yearly counters (计数器): 收文 serials per class and 发文字号 sequences per 机关代字.

    One row per (tenant, scope, key, year); allocation locks the row (SELECT ... FOR UPDATE).
    """

    __tablename__ = "documents_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(TENANT_FK, ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Reader(Base):
    """知悉范围: a person or a unit allowed to read a classified document (收文 or 发文)."""

    __tablename__ = "documents_readers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[uuid.UUID] = mapped_column(index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_users.id", ondelete="CASCADE"), default=None
    )
    unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_units.id", ondelete="CASCADE"), default=None
    )


class Attachment(Base):
    """A scanned or attached file of a document, kept in core storage."""

    __tablename__ = "documents_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = tenant_col()
    doc_id: Mapped[uuid.UUID] = mapped_column(index=True)
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_files.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(255))
    added_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Action(Base):
    """One step on a document's record (签收, 初审, 拟办, 批示, 核稿, 签发 ...): 意见, 姓名, 时间.

    Under a delegation (代理) both the stand-in and the person acted for are kept.
    """

    __tablename__ = "documents_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = tenant_col()
    doc_id: Mapped[uuid.UUID] = mapped_column(index=True)
    step: Mapped[str] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(20), default="")
    opinion: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    on_behalf_of: Mapped[uuid.UUID | None] = mapped_column(default=None)
    on_behalf_of_name: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # 督办事项 a 批示 opened in the supervision plugin (its id; no FK: plugins share no tables)
    supervision_item_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class DocumentTail:
    """Columns every document (收文 and 发文) ends with: handling unit, deadline, search vector, archive."""

    unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_units.id", ondelete="SET NULL"), default=None
    )
    due_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    deadline_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    tsv: Mapped[Any] = mapped_column(TSVECTOR, nullable=True, default=None)
    # 归档: set once by the archive job (mark_archived); an archived document no longer changes
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    archive_no: Mapped[str | None] = mapped_column(String(80), default=None)


class Incoming(DocumentTail, UUIDPk, Timestamps, Base):
    """收文: an incoming document from sign-in (签收) to 办结."""

    __tablename__ = "documents_incoming"
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", "doc_class", "serial"),
        Index("ix_documents_incoming_tsv", "tsv", postgresql_using="gin"),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_col()
    state: Mapped[str] = mapped_column(String(20), index=True)
    # 签收
    sender: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(200))
    recipient_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_users.id", ondelete="SET NULL"), default=None
    )
    envelope_no: Mapped[str] = mapped_column(String(60), default="")
    copies: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency: Mapped[str] = mapped_column(String(10), default="")
    opened: Mapped[bool] = mapped_column(Boolean, default=False)
    # 登记
    title: Mapped[str] = mapped_column(String(300), default="")
    classification: Mapped[int] = mapped_column(SmallInteger, default=0)
    doc_number: Mapped[str] = mapped_column(String(60), default="")
    issuing_org: Mapped[str] = mapped_column(String(200), default="")
    destination: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # 分类 and serial (抄件 has none)
    doc_class: Mapped[str | None] = mapped_column(String(10), default=None)
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    serial: Mapped[int | None] = mapped_column(Integer, default=None)
    proposal: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")


class Handler(Base):
    """承办: the lead unit (主办) and co-handling units (协办) of an 办件."""

    __tablename__ = "documents_handlers"
    __table_args__ = (UniqueConstraint("incoming_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incoming_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents_incoming.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_units.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(10))


class Circulation(Base):
    """传阅: one reader on the ordered route; readers of the same ``seq`` read in parallel."""

    __tablename__ = "documents_circulation"
    __table_args__ = (UniqueConstraint("incoming_id", "reader_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incoming_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents_incoming.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    reader_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_users.id", ondelete="RESTRICT"))
    reader_name: Mapped[str] = mapped_column(String(100), default="")
    sent_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    remark: Mapped[str] = mapped_column(Text, default="")
