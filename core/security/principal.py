"""The caller of a request, as the authentication middleware resolved it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from litestar.connection import ASGIConnection

PrincipalKind = Literal["staff", "citizen", "system"]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    Attributes:
        kind: ``staff`` (office staff), ``citizen`` (portal account) or ``system`` (jobs, CLI).
        user_id: the account's id.
        tenant_id: the tenant the request acts in (a person with posts in several tenants switches).
        permissions: the effective permission codes in that tenant, computed once per request.
        clearance: 0 非密, 1 秘密, 2 机密, 3 绝密.
        on_behalf_of: the leader this person acts for under a delegation (代理), if any.
    """

    kind: PrincipalKind
    user_id: uuid.UUID
    tenant_id: uuid.UUID | None
    permissions: frozenset[str] = frozenset()
    clearance: int = 0
    display_name: str = ""
    on_behalf_of: uuid.UUID | None = None
    session_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def has(self, code: str) -> bool:
        return code in self.permissions


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The principal the auth middleware stored on the connection, if any."""
    value = connection.scope.get("state", {}).get("principal")
    return value if isinstance(value, Principal) else None
