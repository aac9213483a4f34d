"""Request and response bodies of the identity API (登录、会话、口令)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    tenant: str | None = Field(
        None, max_length=40, description="Tenant code; default: the first post's tenant."
    )


class TenantRef(BaseModel):
    id: uuid.UUID
    code: str
    name: str


class UserBrief(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str


class CitizenOut(BaseModel):
    id: uuid.UUID
    phone: str | None
    email: str | None
    display_name: str


class LoginOut(BaseModel):
    """The token is shown once; it is also set as the HttpOnly ``fuban_session`` cookie."""

    token: str
    expires_at: datetime
    kind: str
    user: UserBrief | None = None
    citizen: CitizenOut | None = None
    tenant: TenantRef | None = None
    must_change_password: bool = False


class SwitchTenantIn(_In):
    tenant: str = Field(min_length=1, max_length=40, description="Tenant code.")


class PasswordChangeIn(_In):
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


class PostOut(BaseModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    unit_id: uuid.UUID | None
    unit_name: str | None = None
    title: str
    is_leader: bool


class DelegationBrief(BaseModel):
    id: uuid.UUID
    principal_user_id: uuid.UUID
    stand_in_user_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str


class MeOut(BaseModel):
    """Who I am in the current tenant (``acting_for`` is set while acting under a delegation)."""

    user: UserBrief
    tenant: TenantRef
    tenants: list[TenantRef]
    posts: list[PostOut]
    roles: list[str]
    permissions: list[str]
    clearance: int
    must_change_password: bool
    acting_for: uuid.UUID | None
    delegations_given: list[DelegationBrief]
    delegations_received: list[DelegationBrief]
    idle_timeout_seconds: int = Field(
        description="The session ends after this long unused (the console signs out)."
    )


class SessionOut(BaseModel):
    id: uuid.UUID
    kind: str
    user_id: uuid.UUID | None
    tenant_id: uuid.UUID | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool = False


class ResetPasswordIn(_In):
    password: str | None = Field(None, max_length=128, description="Omit to generate a temporary password.")


class ResetPasswordOut(BaseModel):
    """``temporary_password`` is only present when the server generated it; it is shown once."""

    user_id: uuid.UUID
    must_change_password: bool
    temporary_password: str | None = None


class CitizenRegisterIn(_In):
    phone: str | None = Field(None, pattern=r"^\+?[0-9]{6,20}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(min_length=1, max_length=128)
    display_name: str = Field("", max_length=100)
    tenant: str | None = Field(None, max_length=40, description="Code of the office whose portal this is.")


class CitizenLoginIn(_In):
    login: str = Field(min_length=1, max_length=254, description="Phone number or e-mail address.")
    password: str = Field(min_length=1, max_length=128)
    tenant: str | None = Field(None, max_length=40)
