"""Per-tenant plugin state (installed/enabled/disabled) and per-tenant setting overrides."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base

STATE_ENABLED = "enabled"
STATE_DISABLED = "disabled"


class PluginState(Base):
    """A plugin installed for a tenant; no row means not installed there.

    ``state`` is ``enabled`` or ``disabled``; ``version`` is the plugin version last installed or
    upgraded for this tenant (``on_upgrade`` runs when the code's version differs).
    """

    __tablename__ = "core_plugin_states"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("core_tenants.id", ondelete="CASCADE"), primary_key=True
    )
    plugin: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(40))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
