"""Fixtures of the supervision tests: a tenant with the plugin enabled, units and staff members."""

from __future__ import annotations

import secrets
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from core.identity.bootstrap import create_staff, issue_session
from core.org.service import create_unit
from core.plugins.models import PluginState
from core.plugins.service import PluginService
from core.runtime import get_runtime

ALL = [
    "supervision.item.read",
    "supervision.item.manage",
    "supervision.progress.report",
    "supervision.item.signoff",
    "supervision.proposal.read",
    "supervision.proposal.manage",
    "supervision.proposal.answer",
    "supervision.report.export",
    "core.files.upload",
]
UNIT_STAFF = ["supervision.item.read", "supervision.progress.report", "core.files.upload"]


async def enable(db: Any, tenant_id: uuid.UUID, **settings: Any) -> None:
    async with db.transaction() as s:
        await PluginService(get_runtime().manager).install(s, tenant_id, "supervision")
        if settings:
            row = await s.get(PluginState, (tenant_id, "supervision"))
            row.settings = {**(row.settings or {}), **settings}


@pytest.fixture
async def stenant(runtime: Any, db: Any, tenant: Any) -> Any:
    """``tenant`` with the supervision plugin installed and enabled."""
    await enable(db, tenant.id)
    return tenant


@pytest.fixture
async def units(db: Any, stenant: Any) -> dict[str, uuid.UUID]:
    async with db.transaction() as s:
        out = {}
        for code, name in (
            ("dcs", "督查室"),
            ("fgw", "发展改革局"),
            ("jtj", "交通运输局"),
            ("jyj", "教育局"),
        ):
            out[code] = (await create_unit(s, stenant.id, code=code, name=name)).id
        return out


class Person:
    def __init__(self, user_id: uuid.UUID, headers: dict[str, str]) -> None:
        self.id = user_id
        self.h = headers


@pytest.fixture
def person(db: Any):
    """``await person(tenant, perms=ALL, unit_id=None, name='...')``."""

    async def make(
        tenant: Any, perms: list[str] | None = None, unit_id: uuid.UUID | None = None, name: str = ""
    ) -> Person:
        async with db.transaction() as s:
            user = await create_staff(
                s,
                tenant_id=tenant.id,
                username=f"s{secrets.token_hex(5)}",
                password=None,
                display_name=name or f"人员{secrets.token_hex(2)}",
                unit_id=unit_id,
                permissions=tuple(ALL if perms is None else perms),
            )
            token = await issue_session(s, user_id=user.id, tenant_id=tenant.id)
        return Person(user.id, {"Authorization": f"Bearer {token}"})

    return make


def item_body(units: dict[str, uuid.UUID], leader: Any, **kw: Any) -> dict[str, Any]:
    body = {
        "source_kind": "instruction",
        "source_ref": "县长批示〔2026〕12号",
        "title": "推进城区道路积水点改造",
        "content": "对城区12处积水点逐一改造，汛期前完成",
        "standard": "12处积水点全部完成改造并通过验收",
        "lead_unit_id": str(units["jtj"]),
        "co_unit_ids": [str(units["fgw"])],
        "leader_id": str(leader.id),
        "basis_date": "2026-09-21",
        "due_date": "2026-10-12",
    }
    body.update(kw)
    return body


async def create_item(client: Any, h: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post("/api/supervision/items", json=body, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


async def upload(client: Any, h: dict[str, str], name: str = "进展材料.pdf") -> str:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    r = await client.post(
        "/api/files/?plugin=supervision",
        content=pdf,
        headers={**h, "X-File-Name": quote(name), "Content-Type": "application/pdf"},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]
