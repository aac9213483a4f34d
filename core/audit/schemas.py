"""Audit API schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryOut(BaseModel):
    """One audit record as the audit administrator sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    tenant_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    actor_kind: str
    actor_name: str
    on_behalf_of: uuid.UUID | None
    on_behalf_of_name: str
    action: str
    object_type: str
    object_id: str | None
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
    user_agent: str | None
    request_id: str | None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    total: int
    page: int
    page_size: int
