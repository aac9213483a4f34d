"""发文 (outgoing) tables: drafts, versions, route config, 发文字号 ledger, distribution, seal, dispatch."""

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
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base, Timestamps, UUIDPk
from plugins.documents.models import TENANT_FK, DocumentTail, tenant_col


class Outgoing(DocumentTail, UUIDPk, Timestamps, Base):
    """发文: a draft with the 18 format elements of GB/T 9704-2012 and its approval state."""

    __tablename__ = "documents_outgoing"
    __table_args__ = (Index("ix_documents_outgoing_tsv", "tsv", postgresql_using="gin"),)

    tenant_id: Mapped[uuid.UUID] = tenant_col()
    state: Mapped[str] = mapped_column(String(20), index=True)
    doc_type: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(10))
    normative: Mapped[bool] = mapped_column(Boolean, default=False)
    copy_no: Mapped[str] = mapped_column(String(6), default="")
    classification: Mapped[int] = mapped_column(SmallInteger, default=0)
    secrecy_period: Mapped[str] = mapped_column(String(20), default="")
    urgency: Mapped[str] = mapped_column(String(10), default="")
    issuer_mark: Mapped[str] = mapped_column(String(100))
    issuer_code: Mapped[str] = mapped_column(String(20))
    doc_number: Mapped[str | None] = mapped_column(String(60), default=None)
    number_year: Mapped[int | None] = mapped_column(Integer, default=None)
    number_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    signers: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(300))
    main_recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text, default="")
    attachment_notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    signature: Mapped[str] = mapped_column(String(200), default="")
    written_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    seal: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    cc: Mapped[list[str]] = mapped_column(JSON, default=list)
    printer: Mapped[str] = mapped_column(String(200), default="")
    print_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    disclosure: Mapped[str] = mapped_column(String(10))
    disclosure_reason: Mapped[str] = mapped_column(Text, default="")
    countersigners: Mapped[list[str]] = mapped_column(JSON, default=list)
    signer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_users.id", ondelete="SET NULL"), default=None
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    print_copies: Mapped[int] = mapped_column(Integer, default=0)


class Version(Base):
    """A saved version of a draft's title and body (正文版本)."""

    __tablename__ = "documents_versions"
    __table_args__ = (UniqueConstraint("outgoing_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outgoing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents_outgoing.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    edited_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")


class RouteConfig(Base):
    """A tenant's approval route (审批流程) for 发文, stored as data: the ordered steps."""

    __tablename__ = "documents_route_config"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(TENANT_FK, ondelete="CASCADE"), primary_key=True)
    steps: Mapped[list[str]] = mapped_column(JSON)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(default=None)


class Number(Base):
    """发文字号 ledger: every sequence number of a (tenant, 机关代字, year) is used, reserved or void."""

    __tablename__ = "documents_numbers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code", "year", "seq"),
        UniqueConstraint("outgoing_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = tenant_col()
    code: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    outgoing_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents_outgoing.id", ondelete="RESTRICT"), default=None
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DistributionList(UUIDPk, Timestamps, Base):
    """分发名单: named recipients with their copy counts, e.g. 各乡镇、县直各部门 (158 份)."""

    __tablename__ = "documents_distribution_lists"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[uuid.UUID] = tenant_col()
    name: Mapped[str] = mapped_column(String(100))
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Recipient(Base):
    """One addressee of an outgoing document and its copies (from a list or added by hand)."""

    __tablename__ = "documents_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outgoing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents_outgoing.id", ondelete="CASCADE"), index=True
    )
    list_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents_distribution_lists.id", ondelete="SET NULL"), default=None
    )
    name: Mapped[str] = mapped_column(String(200))
    copies: Mapped[int] = mapped_column(Integer)


class SealRecord(Base):
    """用印登记: who sealed how many copies of which document, when."""

    __tablename__ = "documents_seal_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = tenant_col()
    outgoing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents_outgoing.id", ondelete="CASCADE"), index=True
    )
    seal_name: Mapped[str] = mapped_column(String(100))
    copies: Mapped[int] = mapped_column(Integer)
    by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    by_name: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Dispatch(Base):
    """分发记录: which recipient took which copies, who signed for it and when (密件不得代领)."""

    __tablename__ = "documents_dispatches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = tenant_col()
    outgoing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents_outgoing.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(200))
    copies: Mapped[int] = mapped_column(Integer)
    copy_numbers: Mapped[str] = mapped_column(String(200), default="")
    receiver_name: Mapped[str] = mapped_column(String(100))
    proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[uuid.UUID | None] = mapped_column(default=None)
