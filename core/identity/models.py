"""Identity tables: login sessions (会话) and citizen accounts (公众账号)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamps, UUIDPk

KIND_STAFF = "staff"
KIND_CITIZEN = "citizen"


class AuthSession(UUIDPk, Base):
    """Session (登录会话): an opaque token's sha256, never the token itself.

    A staff session has ``user_id`` and a ``tenant_id`` (the tenant it acts in); a citizen session has
    ``citizen_id`` and optionally the tenant whose portal it signed in to.
    """

    __tablename__ = "core_sessions"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'staff' AND user_id IS NOT NULL) OR (kind = 'citizen' AND citizen_id IS NOT NULL)",
            name="owner",
        ),
        Index("ix_core_sessions_user", "user_id"),
        Index("ix_core_sessions_citizen", "citizen_id"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_users.id", ondelete="CASCADE"), default=None
    )
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_citizens.id", ondelete="CASCADE"), default=None
    )
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(400), default=None)


class Citizen(UUIDPk, Timestamps, Base):
    """Citizen account (公众账号) of the public portal; never a staff account, never sees staff APIs."""

    __tablename__ = "core_citizens"
    __table_args__ = (CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="contact"),)

    phone: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, default=None)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
