"""Casbin enforcement with per-request permission sets (有效权限).

Casbin holds the model (RBAC with domains, domain = tenant id). Checking ``enforce()`` per row or per
request is far too slow with many policies, so a request gets the caller's whole permission SET once:
``effective_permissions`` asks a per-tenant Enforcer (loaded through the SQLAlchemy adapter, only
that tenant's lines) for the user's implicit permissions and caches the result in-process, keyed by
``(user, tenant, policy version)``. Every policy change bumps the tenant's version in PostgreSQL
(``core_policy_versions``), so every process sees the change on its next request.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import casbin
from casbin.model import Model
from casbin_async_sqlalchemy_adapter import Adapter
from casbin_async_sqlalchemy_adapter.adapter import Filter
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.permissions.models import CasbinRule, PolicyVersion

MODEL_TEXT = """
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, dom, obj

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj
"""

# Casbin prints the model and policy at INFO; keep policy dumps out of the logs.
logging.getLogger("casbin.policy").setLevel(logging.WARNING)

MAX_CACHED_TENANTS = 512
MAX_CACHED_PERMISSION_SETS = 50_000


@dataclass
class _TenantPolicy:
    version: int
    enforcer: Any  # casbin.Enforcer (untyped library)


_tenant_policies: OrderedDict[uuid.UUID, _TenantPolicy] = OrderedDict()
_permission_sets: OrderedDict[tuple[uuid.UUID, uuid.UUID, int], frozenset[str]] = OrderedDict()


def adapter_for(session: AsyncSession) -> Any:
    """The Casbin adapter working inside ``session``'s transaction (it never commits by itself)."""
    return Adapter(session.bind, db_class=CasbinRule, db_session=session)


def new_model() -> Any:
    model = Model()
    model.load_model_from_text(MODEL_TEXT)
    return model


async def policy_version(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """The tenant's current policy version (0 before its first policy change)."""
    value = await session.scalar(select(PolicyVersion.version).where(PolicyVersion.tenant_id == tenant_id))
    return int(value or 0)


async def bump_policy_version(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """Mark the tenant's policy as changed; call in the same transaction as the change."""
    stmt = (
        insert(PolicyVersion)
        .values(tenant_id=tenant_id, version=1)
        .on_conflict_do_update(
            index_elements=[PolicyVersion.tenant_id], set_={"version": PolicyVersion.version + 1}
        )
        .returning(PolicyVersion.version)
    )
    return int((await session.execute(stmt)).scalar_one())


def _filter(ptype: str, **values: list[str]) -> Any:
    # Filter keeps its lists as class attributes; give each instance its own.
    f = Filter()
    f.ptype = [ptype]
    for name in ("v0", "v1", "v2", "v3", "v4", "v5"):
        setattr(f, name, values.get(name, []))
    return f


async def load_tenant_enforcer(session: AsyncSession, tenant_id: uuid.UUID) -> Any:
    """A fresh Enforcer holding only the tenant's policy lines (grants ``p`` and role members ``g``)."""
    enforcer = casbin.Enforcer(new_model())
    adapter = adapter_for(session)
    dom = str(tenant_id)
    await adapter.load_filtered_policy(enforcer.get_model(), _filter("p", v1=[dom]))
    await adapter.load_filtered_policy(enforcer.get_model(), _filter("g", v2=[dom]))
    enforcer.build_role_links()
    return enforcer


async def tenant_enforcer(session: AsyncSession, tenant_id: uuid.UUID, version: int) -> Any:
    """The cached Enforcer of a tenant at ``version``, reloaded when the version moved on."""
    cached = _tenant_policies.get(tenant_id)
    if cached is not None and cached.version == version:
        _tenant_policies.move_to_end(tenant_id)
        return cached.enforcer
    enforcer = await load_tenant_enforcer(session, tenant_id)
    _tenant_policies[tenant_id] = _TenantPolicy(version, enforcer)
    _tenant_policies.move_to_end(tenant_id)
    while len(_tenant_policies) > MAX_CACHED_TENANTS:
        _tenant_policies.popitem(last=False)
    return enforcer


async def effective_permissions(
    session: AsyncSession, user_id: uuid.UUID, tenant_id: uuid.UUID, *, version: int | None = None
) -> frozenset[str]:
    """The permission codes ``user_id`` holds in ``tenant_id`` through its roles.

    Pass ``version`` when it is already known (the auth middleware reads it with the session row) to
    save a query. The version must be read BEFORE the policy lines, which this function guarantees.
    """
    if version is None:
        version = await policy_version(session, tenant_id)
    key = (user_id, tenant_id, version)
    hit = _permission_sets.get(key)
    if hit is not None:
        _permission_sets.move_to_end(key)
        return hit
    enforcer = await tenant_enforcer(session, tenant_id, version)
    rows = enforcer.get_implicit_permissions_for_user(str(user_id), str(tenant_id))
    perms = frozenset(str(row[2]) for row in rows)
    _permission_sets[key] = perms
    while len(_permission_sets) > MAX_CACHED_PERMISSION_SETS:
        _permission_sets.popitem(last=False)
    return perms


def clear_caches() -> None:
    """Forget every cached enforcer and permission set (tests, CLI)."""
    _tenant_policies.clear()
    _permission_sets.clear()
