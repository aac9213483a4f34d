"""What the app mounts and registers from identity, organisation and permissions (one place to wire)."""

from __future__ import annotations

from typing import Any

from litestar import Controller

from core.identity.admin_controller import AccountAdminController
from core.identity.controller import AuthController, PortalAuthController
from core.identity.models import AuthSession, Citizen
from core.org.controller import PostController, UnitController
from core.org.delegation_controller import DelegationController
from core.org.models import Delegation, LeaderPortfolio, Post, Unit, User
from core.org.people import PeopleController
from core.org.tenants import TenantController
from core.permissions.controller import PermissionCatalogController, RoleController
from core.permissions.models import CasbinRule, PolicyVersion, Role, SeededGrant


def route_handlers() -> list[type[Controller]]:
    """Controllers to mount under the API prefix (``/api``): /auth, /portal/auth and /admin/*."""
    return [
        AuthController,
        PortalAuthController,
        AccountAdminController,
        TenantController,
        UnitController,
        PeopleController,
        PostController,
        DelegationController,
        PermissionCatalogController,
        RoleController,
    ]


def models() -> list[type[Any]]:
    """Model classes of these packages (for ``register_models``; importing them fills ``Base.metadata``)."""
    return [
        User,
        Unit,
        Post,
        LeaderPortfolio,
        Delegation,
        AuthSession,
        Citizen,
        Role,
        CasbinRule,
        PolicyVersion,
        SeededGrant,
    ]
