"""Audit tables (审计日志): the append-only, hash-chained log and the checkpoints left by retention purges."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base


class AuditLog(Base):
    """One audit record. Rows are never updated or deleted (a trigger refuses it), except by
    ``core_audit_purge`` for rows past the retention.

    ``hash`` is sha256 over the canonical JSON of every other column, ``prev_hash`` included, so each
    record vouches for the one before it (see :mod:`core.audit.chain`). ``id`` is drawn while appends are
    serialized, so id order is chain order; gaps (rolled-back transactions) are harmless.
    """

    __tablename__ = "core_audit_log"
    __table_args__ = (
        Index("ix_core_audit_log_tenant_at", "tenant_id", "at"),
        Index("ix_core_audit_log_actor", "actor_id", "at"),
        Index("ix_core_audit_log_object", "object_type", "object_id"),
        Index("ix_core_audit_log_action", "action", postgresql_ops={"action": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_kind: Mapped[str] = mapped_column(String(20), default="system")
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    on_behalf_of: Mapped[uuid.UUID | None] = mapped_column(default=None)
    on_behalf_of_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(100), default=None)
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB, default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """Written by each retention purge: the chain now starts at ``first_retained_id`` whose ``prev_hash``
    must equal ``prev_hash`` here (the hash of the last purged record)."""

    __tablename__ = "core_audit_checkpoints"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purged_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purged_count: Mapped[int] = mapped_column(BigInteger)
    first_retained_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
