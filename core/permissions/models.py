"""Permission tables: roles (角色), Casbin rules, the policy version counter and seeded default grants."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, Timestamps, UUIDPk


class Role(UUIDPk, Timestamps, Base):
    """Role (角色) of one tenant; in Casbin a role is its ``code`` within the tenant's domain."""

    __tablename__ = "core_roles"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)


class CasbinRule(Base):
    """A Casbin policy line, read and written by casbin-async-sqlalchemy-adapter.

    ``p, <role code>, <tenant id>, <permission code>`` grants a permission to a role in a tenant;
    ``g, <user id>, <role code>, <tenant id>`` assigns a role to a person in a tenant.
    """

    __tablename__ = "core_casbin_rules"
    __table_args__ = (
        Index("ix_core_casbin_rules_p_dom", "ptype", "v1"),
        Index("ix_core_casbin_rules_g_dom", "ptype", "v2"),
        Index("ix_core_casbin_rules_v0", "v0"),
        # Our lines always have three values; the constraint stops concurrent duplicate grants.
        UniqueConstraint("ptype", "v0", "v1", "v2", name="uq_core_casbin_rules_line"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ptype: Mapped[str] = mapped_column(String(16))
    v0: Mapped[str | None] = mapped_column(String(255), default=None)
    v1: Mapped[str | None] = mapped_column(String(255), default=None)
    v2: Mapped[str | None] = mapped_column(String(255), default=None)
    v3: Mapped[str | None] = mapped_column(String(255), default=None)
    v4: Mapped[str | None] = mapped_column(String(255), default=None)
    v5: Mapped[str | None] = mapped_column(String(255), default=None)

    def __str__(self) -> str:
        # The adapter feeds this text to casbin.persist.load_policy_line.
        values = [self.ptype]
        for v in (self.v0, self.v1, self.v2, self.v3, self.v4, self.v5):
            if v is None:
                break
            values.append(v)
        return ", ".join(values)


class PolicyVersion(Base):
    """Policy version (策略版本): bumped on every policy change of a tenant, so all processes drop caches."""

    __tablename__ = "core_policy_versions"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(BigInteger, default=1)


class SeededGrant(Base):
    """A default grant already seeded for a tenant; never seeded again, even after an admin removed it."""

    __tablename__ = "core_seeded_grants"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), primary_key=True
    )
    plugin: Mapped[str] = mapped_column(String(40), primary_key=True)
    role_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    permission: Mapped[str] = mapped_column(String(200), primary_key=True)
