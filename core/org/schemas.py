"""Request and response bodies of the organisation API (组织机构)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Name = Field(min_length=1, max_length=200)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitIn(_In):
    code: str = Field(min_length=1, max_length=40)
    name: str = Name
    parent_id: uuid.UUID | None = None
    sort: int = Field(0, ge=-1_000_000, le=1_000_000)


class UnitPatch(_In):
    """Only the fields sent change; ``parent_id: null`` moves the unit to the top level."""

    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    parent_id: uuid.UUID | None = None
    sort: int | None = Field(None, ge=-1_000_000, le=1_000_000)


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    parent_id: uuid.UUID | None
    sort: int


class UnitNode(UnitOut):
    children: list[UnitNode] = []


class PersonIn(_In):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field("", max_length=100)
    phone: str | None = Field(None, pattern=r"^\+?[0-9-]{3,32}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str | None = Field(None, max_length=128, description="Omit to generate a temporary password.")
    unit_id: uuid.UUID | None = None
    title: str = Field("", max_length=100)
    is_leader: bool = False


class PersonPatch(_In):
    display_name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, pattern=r"^\+?[0-9-]{3,32}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    active: bool | None = None


class ClearanceIn(_In):
    clearance: int = Field(ge=0, le=3, description="0 非密, 1 秘密, 2 机密, 3 绝密.")


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    phone: str | None
    email: str | None
    clearance: int
    active: bool
    locked_until: datetime | None
    must_change_password: bool


class PostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    unit_id: uuid.UUID | None
    title: str
    is_leader: bool
    sort: int


class PersonDetail(PersonOut):
    posts: list[PostOut]
    roles: list[str]


class PersonCreated(PersonOut):
    """``temporary_password`` is present (once) when the server generated the first password."""

    temporary_password: str | None = None


class PostIn(_In):
    """Give a person a post; name them by ``user_id`` or, for a person of another tenant, ``username``."""

    user_id: uuid.UUID | None = None
    username: str | None = Field(None, max_length=64)
    unit_id: uuid.UUID | None = None
    title: str = Field("", max_length=100)
    is_leader: bool = False
    sort: int = Field(0, ge=-1_000_000, le=1_000_000)


class PostPatch(_In):
    unit_id: uuid.UUID | None = None
    title: str | None = Field(None, max_length=100)
    is_leader: bool | None = None
    sort: int | None = Field(None, ge=-1_000_000, le=1_000_000)


class PortfolioIn(_In):
    unit_ids: list[uuid.UUID] = Field(max_length=500)


class PortfolioOut(BaseModel):
    post_id: uuid.UUID
    unit_ids: list[uuid.UUID]


class DelegationIn(_In):
    """Omit ``principal_user_id`` to delegate your own work."""

    principal_user_id: uuid.UUID | None = None
    stand_in_user_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = Field("", max_length=500)


class DelegationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    principal_user_id: uuid.UUID
    stand_in_user_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: uuid.UUID | None
    revoked_at: datetime | None


class TenantIn(_In):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]{1,39}$")
    name: str = Name


class TenantPatch(_In):
    name: str | None = Field(None, min_length=1, max_length=200)
    active: bool | None = None


class TenantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    active: bool


class TenantAdminIn(_In):
    """A first administrator for a new tenant (an existing username gets a post there)."""

    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field("", max_length=100)
    password: str | None = Field(None, max_length=128)
    role: Literal["sysadmin", "secadmin", "auditadmin"]
