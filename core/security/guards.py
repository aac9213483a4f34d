"""Litestar guards: authentication and permission checks against the per-request permission set."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.errors import AppError, Msg, forbidden, not_found
from core.permissions.core_permissions import PLATFORM_TENANT_CODE
from core.security.principal import Principal, current_principal

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]

NOT_AUTHENTICATED = AppError("not_authenticated", Msg("请先登录", "Authentication required"), status=401)


def require_staff(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Only signed-in office staff pass (citizens never reach staff APIs)."""
    principal = current_principal(connection)
    if principal is None:
        raise NOT_AUTHENTICATED
    if principal.kind not in ("staff", "system"):
        raise forbidden("staff_only")


def require_permission(*codes: str) -> Guard:
    """A guard passing staff who hold ALL of ``codes`` in the request's tenant."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        require_staff(connection, handler)
        principal = current_principal(connection)
        assert principal is not None
        missing = [c for c in codes if not principal.has(c)]
        if missing:
            raise AppError(
                "permission_denied",
                Msg("缺少权限：" + "、".join(missing), "Missing permission: " + ", ".join(missing)),
                status=403,
                extra={"missing": missing},
            )

    guard.__name__ = "require_" + "_".join(c.replace(".", "_") for c in codes)
    guard.required_permissions = codes  # type: ignore[attr-defined]
    return guard


def require_platform_permission(*codes: str) -> Guard:
    """Like :func:`require_permission`, and the caller must act in the platform tenant (平台管理).

    For installation-wide powers (tenants, the shared holiday calendar); elsewhere the route is 404.
    """
    has = require_permission(*codes)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        has(connection, handler)
        principal = current_principal(connection)
        if principal is None or principal.extra.get("tenant_code") != PLATFORM_TENANT_CODE:
            raise not_found()

    guard.__name__ = "require_platform_" + "_".join(c.replace(".", "_") for c in codes)
    guard.required_permissions = codes  # type: ignore[attr-defined]
    return guard


def principal_or_401(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = current_principal(connection)
    if principal is None:
        raise NOT_AUTHENTICATED
    return principal


def principal_and_tenant(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[Principal, uuid.UUID]:
    """The signed-in caller and the tenant it acts in; 401 when nobody in a tenant is signed in."""
    principal = principal_or_401(connection)
    if principal.tenant_id is None:
        raise NOT_AUTHENTICATED
    return principal, principal.tenant_id


def tenant_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """:func:`principal_and_tenant` without the tenant (its ``tenant_id`` is set)."""
    return principal_and_tenant(connection)[0]
