"""Request and response bodies of the roles and grants API (角色与授权)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PermissionOut(BaseModel):
    code: str
    plugin: str
    title: str
    title_en: str
    description: str


class RoleIn(_In):
    code: str = Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_-]{1,63}$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    description: str = Field("", max_length=1000)


class RolePatch(_In):
    name: str | None = Field(None, min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=1000)


class RoleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    name_en: str
    description: str
    builtin: bool


class RoleDetail(RoleOut):
    permissions: list[str]
    member_count: int


class RolePermissionsIn(_In):
    """The complete set of permission codes the role should hold."""

    permissions: list[str] = Field(max_length=2000)


class MemberIn(_In):
    user_id: uuid.UUID


class MemberOut(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
