"""Tables of the archive service (归档): requests, 件 with their 档号 and files, counters, destruction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UUIDPk


class ArchiveRequest(UUIDPk, Base):
    """A durable request to archive one object (归档申请); the job's state machine.

    ``state``: ``requested`` → ``numbered`` (档号 committed) → ``archived``; ``failed`` after the job's
    last retry (a new run picks it up again). One request per (tenant, kind, object).
    """

    __tablename__ = "core_archive_requests"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "object_id"),
        Index("ix_core_archive_requests_state", "state", "updated_at"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="requested")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ArchiveCounter(Base):
    """The last 件号 used per (tenant, 年度, 保管期限, 机构); rows are locked while a number is taken."""

    __tablename__ = "core_archive_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="RESTRICT"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    retention: Mapped[str] = mapped_column(String(4), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class ArchivedItem(UUIDPk, Base):
    """One archived 件 with its 档号 ``全宗号-WS·年度-保管期限-机构-件号`` and DA/T 22 metadata.

    ``state``: ``numbered`` (档号 taken, files being written), ``archived``, ``destroyed`` (销毁, row kept).
    ``expires_on``: end of the 保管期限 for D10/D30 (``None`` for 永久).
    """

    __tablename__ = "core_archive_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "archive_no"),
        UniqueConstraint("tenant_id", "year", "retention", "org_code", "item_no"),
        Index("ix_core_archive_items_tenant_year", "tenant_id", "year", "retention"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_archive_requests.id", ondelete="RESTRICT"), unique=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    archive_no: Mapped[str] = mapped_column(String(80))
    fonds_no: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    retention: Mapped[str] = mapped_column(String(4))
    org_code: Mapped[str] = mapped_column(String(20))
    item_no: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    responsible: Mapped[str] = mapped_column(String(200))
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    doc_date: Mapped[dt.date] = mapped_column(Date)
    classification: Mapped[int] = mapped_column(SmallInteger, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="numbered")
    numbered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    lock_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ArchiveFile(UUIDPk, Base):
    """One object of a 件 in the archive bucket, with its sha256 (the metadata XML is one of them)."""

    __tablename__ = "core_archive_files"
    __table_args__ = (UniqueConstraint("item_id", "seq"),)

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_archive_items.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    object_key: Mapped[str] = mapped_column(String(300), unique=True)
    version_id: Mapped[str | None] = mapped_column(String(200), default=None)
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    source_file_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class DestructionList(UUIDPk, Base):
    """A destruction list (销毁清册): proposed, approved by a second person, executed; never deleted.

    ``state``: ``proposed`` → ``approved`` → ``executed`` (or ``rejected``).
    """

    __tablename__ = "core_archive_destruction_lists"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="proposed")
    proposed_by: Mapped[uuid.UUID] = mapped_column()
    proposed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    decision_note: Mapped[str | None] = mapped_column(Text, default=None)
    executed_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    executed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class DestructionEntry(Base):
    """One 件 on a destruction list, with a snapshot of what was destroyed (the destruction record)."""

    __tablename__ = "core_archive_destruction_entries"

    list_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_archive_destruction_lists.id", ondelete="RESTRICT"), primary_key=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_archive_items.id", ondelete="RESTRICT"), primary_key=True
    )
    archive_no: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(500))
    expires_on: Mapped[dt.date] = mapped_column(Date)
    objects_removed: Mapped[int | None] = mapped_column(Integer, default=None)


ARCHIVE_MODELS: list[type[Any]] = [
    ArchiveRequest,
    ArchiveCounter,
    ArchivedItem,
    ArchiveFile,
    DestructionList,
    DestructionEntry,
]
