"""``core_files``: one row per stored object (文件)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, UUIDPk


class StoredFile(UUIDPk, Base):
    """A file in the object store.

    ``object_key`` is ``<tenant>/<plugin>/<yyyy>/<mm>/<uuid>`` and ``version_id`` the S3 version written;
    downloads always name that version. ``deleted_at`` marks a tombstone whose object is being removed
    (the row goes once the object is gone); ``missing_at`` is set by the sweeper when the object is not
    in S3. ``locked_until`` is the S3 object-lock retention of archived files (归档).
    """

    __tablename__ = "core_files"
    __table_args__ = (
        Index("ix_core_files_tenant_plugin_created", "tenant_id", "plugin", "created_at"),
        Index("ix_core_files_deleted_at", "deleted_at", postgresql_where="deleted_at IS NOT NULL"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="RESTRICT"))
    plugin: Mapped[str] = mapped_column(String(40))
    object_key: Mapped[str] = mapped_column(String(200), unique=True)
    version_id: Mapped[str | None] = mapped_column(String(200), default=None)
    original_name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    classification: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    lock_mode: Mapped[str | None] = mapped_column(String(20), default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    missing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
