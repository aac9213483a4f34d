"""Storage API schemas."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class FileOut(BaseModel):
    """A stored file's metadata (never its object key: clients only know the id)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    plugin: str
    original_name: str
    mime: str
    size: int
    sha256: str
    classification: int
    created_by: uuid.UUID | None
    created_at: datetime
    locked_until: datetime | None
    missing: bool = False


class DownloadUrlOut(BaseModel):
    """A presigned download URL and when it stops working."""

    url: str
    expires_at: datetime
