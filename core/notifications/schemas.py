"""API schemas of notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    title_en: str
    body: str
    link: str | None
    source_plugin: str
    object_type: str | None
    object_id: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    """One page of the caller's notifications plus the unread count (for the bell badge)."""

    items: list[NotificationOut]
    total: int
    page: int
    page_size: int
    unread: int


class ReadAllOut(BaseModel):
    updated: int
