"""In-app notifications (站内通知): the record every delivery channel starts from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base


class Notification(Base):
    """A message to one person in one tenant.

    ``dedupe_key`` is unique: whoever creates a notification names the event it stands for (e.g.
    ``reminder:<id>``), so a retried or raced send can never produce a second one.
    """

    __tablename__ = "core_notifications"
    __table_args__ = (
        Index("ix_core_notifications_recipient_read", "recipient_id", "read_at"),
        # The caller's own list is tenant-scoped and newest first.
        Index("ix_core_notifications_recipient_tenant_id", "recipient_id", "tenant_id", "id"),
    )

    # BIGINT: one row per chase, so this table grows like core_deadline_reminders.
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    recipient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(400))
    title_en: Mapped[str] = mapped_column(String(400), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500), default=None)
    source_plugin: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(60), default=None)
    object_id: Mapped[str | None] = mapped_column(String(100), default=None)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    def as_dict(self) -> dict[str, Any]:
        """The shape handed to delivery channels (JSON-friendly)."""
        return {
            "id": self.id,
            "tenant_id": str(self.tenant_id),
            "recipient_id": str(self.recipient_id),
            "kind": self.kind,
            "title": self.title,
            "title_en": self.title_en,
            "body": self.body,
            "link": self.link,
            "source_plugin": self.source_plugin,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "dedupe_key": self.dedupe_key,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }
