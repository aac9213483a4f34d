"""Tenant table."""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamps, UUIDPk


class Tenant(UUIDPk, Timestamps, Base):
    """A government office using fuban (租户: 县/市政府办公室); every row of business data belongs to one."""

    __tablename__ = "core_tenants"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
