"""Permission catalogue (权限目录): what every loaded plugin declared, and their default grants.

The app collects ``register_permissions`` / ``register_default_grants`` once at start-up and hands the
result to :func:`set_registered_permissions` and :func:`set_default_grants`. Core's own entries are
always present, so tests and the CLI work without a plugin manager.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.permissions import policy
from core.permissions.core_permissions import CORE_DEFAULT_GRANTS, CORE_PERMISSIONS, DUTY_OWNER
from core.permissions.enforcer import bump_policy_version
from core.permissions.models import SeededGrant
from core.plugins.types import PermissionSpec

CORE = "core"


@dataclass(frozen=True)
class RegisteredPermission:
    """A catalogue entry: the declaring plugin and its spec."""

    plugin: str
    spec: PermissionSpec


_catalogue: dict[str, RegisteredPermission] = {}
_grants: dict[str, dict[str, list[str]]] = {}


def set_registered_permissions(specs_by_plugin: dict[str, list[PermissionSpec]]) -> None:
    """Replace the catalogue; a code must start with ``<plugin>.`` and be declared once."""
    # Core's identity/org/permission codes are always there; the core plugin may add more of its own.
    core_specs = {spec.code: spec for spec in [*CORE_PERMISSIONS, *specs_by_plugin.get(CORE, [])]}
    merged = {CORE: list(core_specs.values()), **{k: v for k, v in specs_by_plugin.items() if k != CORE}}
    catalogue: dict[str, RegisteredPermission] = {}
    for plugin, specs in merged.items():
        for spec in specs:
            if not spec.code.startswith(plugin + ".") or len(spec.code) > 200:
                raise ValueError(f"plugin {plugin!r}: permission {spec.code!r} must start with '{plugin}.'")
            if spec.code in catalogue:
                raise ValueError(f"plugin {plugin!r}: permission {spec.code!r} is declared twice")
            catalogue[spec.code] = RegisteredPermission(plugin, spec)
    _catalogue.clear()
    _catalogue.update(catalogue)


def set_default_grants(grants_by_plugin: dict[str, dict[str, list[str]]]) -> None:
    """Replace the default grants; each plugin may only grant its own, registered permissions."""
    core_grants: dict[str, list[str]] = {role: list(codes) for role, codes in CORE_DEFAULT_GRANTS.items()}
    for role, codes in grants_by_plugin.get(CORE, {}).items():
        core_grants.setdefault(role, [])
        core_grants[role] += [c for c in codes if c not in core_grants[role]]
    merged = {CORE: core_grants, **{k: v for k, v in grants_by_plugin.items() if k != CORE}}
    for plugin, grants in merged.items():
        for role_code, codes in grants.items():
            for code in codes:
                entry = _catalogue.get(code)
                if entry is None or entry.plugin != plugin:
                    raise ValueError(
                        f"plugin {plugin!r}: default grant of unknown or foreign permission {code!r}"
                    )
                owner = DUTY_OWNER.get(code)
                if owner is not None and owner != role_code:
                    raise ValueError(f"plugin {plugin!r}: {code!r} may only be granted to {owner!r}")
    _grants.clear()
    _grants.update({p: {r: list(c) for r, c in g.items()} for p, g in merged.items()})


def catalogue() -> list[RegisteredPermission]:
    """All registered permissions, ordered by code."""
    return sorted(_catalogue.values(), key=lambda e: e.spec.code)


def specs_by_plugin() -> dict[str, list[PermissionSpec]]:
    """The catalogue in the shape :func:`set_registered_permissions` takes (to save and restore it)."""
    out: dict[str, list[PermissionSpec]] = {}
    for entry in _catalogue.values():
        out.setdefault(entry.plugin, []).append(entry.spec)
    return out


def grants_by_plugin() -> dict[str, dict[str, list[str]]]:
    """The default grants in the shape :func:`set_default_grants` takes."""
    return {p: default_grants(p) for p in _grants}


def is_registered(code: str) -> bool:
    return code in _catalogue


def default_grants(plugin: str) -> dict[str, list[str]]:
    return {r: list(c) for r, c in _grants.get(plugin, {}).items()}


async def seed_default_grants(session: AsyncSession, tenant_id: uuid.UUID, plugin: str) -> int:
    """Grant ``plugin``'s default grants in a tenant (on install); returns how many grants were added.

    Each (role, permission) is seeded once per tenant: a grant an admin removed later is not re-added
    on re-install or upgrade. Missing roles are created (built-in codes with their built-in names).
    """
    grants = default_grants(plugin)
    if not grants:
        return 0
    done = set(
        (
            await session.execute(
                select(SeededGrant.role_code, SeededGrant.permission).where(
                    SeededGrant.tenant_id == tenant_id, SeededGrant.plugin == plugin
                )
            )
        ).all()
    )
    added = 0
    for role_code, codes in grants.items():
        todo = [c for c in codes if (role_code, c) not in done]
        if not todo:
            continue
        await policy.ensure_role(session, tenant_id, role_code)
        for code in todo:
            if await policy.add_grant(session, tenant_id, role_code, code, bump=False):
                added += 1
            session.add(SeededGrant(tenant_id=tenant_id, plugin=plugin, role_code=role_code, permission=code))
    await session.flush()
    if added:
        await bump_policy_version(session, tenant_id)
    return added


# Core's entries are there from import on.
set_registered_permissions({})
set_default_grants({})
