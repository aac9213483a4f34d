"""Fixtures of the documents tests: a tenant with the plugin enabled, units and staff members."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import pytest

from core.identity.bootstrap import create_staff, issue_session
from core.org.service import create_unit
from core.plugins.service import PluginService
from core.runtime import get_runtime

ALL = [
    "documents.incoming.register",
    "documents.incoming.read",
    "documents.incoming.open_sealed",
    "documents.incoming.propose",
    "documents.incoming.handle",
    "documents.instruction.write",
    "documents.outgoing.read",
    "documents.outgoing.draft",
    "documents.outgoing.review",
    "documents.outgoing.countersign",
    "documents.outgoing.sign",
    "documents.outgoing.sign_upward",
    "documents.outgoing.legal_review",
    "documents.route.manage",
    "documents.numbering.manage",
    "documents.dispatch.manage",
    "documents.export",
    "documents.deadlines.read",
]


async def enable(db: Any, tenant_id: uuid.UUID) -> None:
    async with db.transaction() as s:
        await PluginService(get_runtime().manager).install(s, tenant_id, "documents")


@pytest.fixture
async def dtenant(runtime: Any, db: Any, tenant: Any) -> Any:
    """``tenant`` with the documents plugin installed and enabled."""
    await enable(db, tenant.id)
    return tenant


@pytest.fixture
async def units(db: Any, dtenant: Any) -> dict[str, uuid.UUID]:
    async with db.transaction() as s:
        out = {}
        for code, name in (("zfb", "综合科"), ("cz", "财政局"), ("jy", "教育局")):
            out[code] = (await create_unit(s, dtenant.id, code=code, name=name)).id
        return out


class Person:
    def __init__(self, user_id: uuid.UUID, headers: dict[str, str]) -> None:
        self.id = user_id
        self.h = headers


@pytest.fixture
def person(db: Any):
    """``await person(tenant, perms=ALL, clearance=0, unit_id=None, name='...')``."""

    async def make(
        tenant: Any,
        perms: list[str] | None = None,
        clearance: int = 0,
        unit_id: uuid.UUID | None = None,
        name: str = "",
        roles: tuple[str, ...] = (),
    ) -> Person:
        async with db.transaction() as s:
            user = await create_staff(
                s,
                tenant_id=tenant.id,
                username=f"d{secrets.token_hex(5)}",
                password=None,
                display_name=name or f"人员{secrets.token_hex(2)}",
                unit_id=unit_id,
                permissions=tuple(ALL if perms is None else perms),
                clearance=clearance,
                roles=roles,
            )
            token = await issue_session(s, user_id=user.id, tenant_id=tenant.id)
        return Person(user.id, {"Authorization": f"Bearer {token}"})

    return make
