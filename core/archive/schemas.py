"""Archive API schemas."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field


class RequestIn(BaseModel):
    kind: str = Field(min_length=3, max_length=60, pattern=r"^[a-z][a-z0-9_]*\.[a-z0-9_.]+$")
    object_id: str = Field(min_length=1, max_length=100)


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    object_id: str
    state: str
    attempts: int
    error: str | None
    requested_at: dt.datetime
    archive_no: str | None = None


class FileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    role: str
    name: str
    mime: str
    size: int
    sha256: str
    removed_at: dt.datetime | None


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    archive_no: str
    kind: str
    object_id: str
    fonds_no: str
    year: int
    retention: str
    org_code: str
    item_no: int
    title: str
    responsible: str
    doc_no: str
    doc_date: dt.date
    classification: int
    pages: int
    state: str
    archived_at: dt.datetime | None
    expires_on: dt.date | None
    lock_until: dt.datetime | None
    destroyed_at: dt.datetime | None
    files: list[FileOut] = []


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int


class DestructionIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)
    item_ids: list[uuid.UUID] = Field(min_length=1, max_length=5000)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=2000)


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item_id: uuid.UUID
    archive_no: str
    title: str
    expires_on: dt.date
    objects_removed: int | None


class DestructionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    reason: str
    state: str
    proposed_by: uuid.UUID
    proposed_at: dt.datetime
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    decision_note: str | None
    executed_by: uuid.UUID | None
    executed_at: dt.datetime | None
    entries: list[EntryOut] = []
