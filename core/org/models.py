"""Organisation tables: Person (人员), Unit (科室), Post (岗位), LeaderPortfolio (分管), Delegation (代理)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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

from core.db.base import Base, Timestamps, UUIDPk

CLEARANCE_LABELS = {
    0: ("非密", "unclassified"),
    1: ("秘密", "secret"),
    2: ("机密", "confidential"),
    3: ("绝密", "top secret"),
}


class User(UUIDPk, Timestamps, Base):
    """Person (人员): one global staff account; posts tie it to tenants and units.

    ``username`` is stored lower-case. ``clearance`` is the 密级 the person may read (0 非密 .. 3 绝密).
    ``password_hash`` is ``None`` for accounts that only sign in through an external identity provider.
    """

    __tablename__ = "core_users"
    __table_args__ = (CheckConstraint("clearance BETWEEN 0 AND 3", name="clearance_range"),)

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    clearance: Mapped[int] = mapped_column(SmallInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Set by an admin reset: the next session may only change the password.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)


class Unit(UUIDPk, Timestamps, Base):
    """Unit (科室): a node of a tenant's organisation tree; ``parent_id`` ``None`` = top level."""

    __tablename__ = "core_units"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_units.id", ondelete="RESTRICT"), index=True, default=None
    )
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Post(UUIDPk, Timestamps, Base):
    """Post (岗位/职务): a person's position in a tenant, optionally in a unit; a person may hold several."""

    __tablename__ = "core_posts"
    __table_args__ = (Index("ix_core_posts_user_tenant", "user_id", "tenant_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_users.id", ondelete="CASCADE"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_units.id", ondelete="RESTRICT"), index=True, default=None
    )
    title: Mapped[str] = mapped_column(String(100), default="")
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    sort: Mapped[int] = mapped_column(Integer, default=0)


class LeaderPortfolio(Base):
    """Portfolio (分管): the units a leader post is in charge of."""

    __tablename__ = "core_leader_portfolios"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_posts.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_units.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class Delegation(UUIDPk, Timestamps, Base):
    """Delegation (代理): ``principal_user_id`` (say, a leader away) names a stand-in for a period.

    The period is ``[starts_at, ends_at)``.

    While active, the stand-in may act for the principal (header ``X-Fuban-On-Behalf-Of``); every such
    request carries both people (``Principal.user_id`` = stand-in, ``Principal.on_behalf_of`` = principal).
    """

    __tablename__ = "core_delegations"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period"),
        CheckConstraint("principal_user_id <> stand_in_user_id", name="not_self"),
        Index("ix_core_delegations_stand_in", "stand_in_user_id", "tenant_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), index=True
    )
    principal_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_users.id", ondelete="CASCADE"), index=True
    )
    stand_in_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("core_users.id", ondelete="SET NULL"), default=None
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
