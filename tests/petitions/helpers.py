"""Shared helpers of the 信访 tests: enable the plugin, solve challenges, submit like the portal."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from core.plugins.service import PluginService
from core.runtime import get_runtime
from plugins.petitions.abuse import leading_zero_bits, solve

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def enable(db: Any, tenant: Any, **settings: Any) -> None:
    """Install and enable petitions for ``tenant``; ``settings`` override the plugin's defaults."""
    from core.plugins.models import PluginState  # noqa: PLC0415

    async with db.transaction() as s:
        await PluginService(get_runtime().manager).install(s, tenant.id, "petitions")
        row = await s.get(PluginState, (tenant.id, "petitions"))
        row.settings = {
            "challenge_bits": 4,
            "public_rate_ip_per_min": 10_000,
            "public_rate_tenant_per_min": 100_000,
            # The test client always has the same address: misses would add up across tests.
            "track_ip_max_failures": 100_000,
            **settings,
        }


def th(tenant: Any) -> dict[str, str]:
    return {"X-Fuban-Tenant": tenant.code}


async def challenge(client: Any, tenant: Any, headers: dict[str, str] | None = None) -> dict[str, str]:
    r = await client.get("/api/petitions/public/challenge", headers={**th(tenant), **(headers or {})})
    assert r.status_code == 200, r.text
    c = r.json()
    return {"challenge_id": c["challenge_id"], "solution": solve(c["salt"], c["bits"])}


async def failing_challenge(client: Any, tenant: Any) -> dict[str, str]:
    """A fresh challenge with an answer that provably fails it and the right answer, for later.

    A fixed "wrong" string is not enough: with ``bits`` = 4 it passes one time in 16.
    """
    r = await client.get("/api/petitions/public/challenge", headers=th(tenant))
    assert r.status_code == 200, r.text
    c = r.json()
    i = 0
    while leading_zero_bits(hashlib.sha256(f"{c['salt']}:x{i}".encode()).digest()) >= c["bits"]:
        i += 1
    return {"challenge_id": c["challenge_id"], "solution": f"x{i}", "right": solve(c["salt"], c["bits"])}


def case_body(**kw: Any) -> dict[str, Any]:
    body = {
        "name": "张三丰",
        "address": "甘泉县城关镇解放路12号",
        "phone": "13812341234",
        "title": "小区噪音扰民",
        "category": "environment",
        "request": "请求有关部门查处夜间施工噪音",
        "facts": "工地每晚施工至凌晨两点，噪音严重影响休息",
        "reasons": "违反环境噪声污染防治法",
        "idempotency_key": secrets.token_hex(12),
    }
    body.update(kw)
    return body


async def submit(client: Any, tenant: Any, headers: dict[str, str] | None = None, **kw: Any) -> Any:
    body = {**case_body(**kw), **await challenge(client, tenant)}
    return await client.post(
        "/api/petitions/public/cases", json=body, headers={**th(tenant), **(headers or {})}
    )


async def count_rows(db: Any, tenant: Any) -> tuple[int, int]:
    """(cases, files) of the tenant."""
    from sqlalchemy import func, select  # noqa: PLC0415

    from core.storage.models import StoredFile  # noqa: PLC0415
    from plugins.petitions.models import PetitionCase  # noqa: PLC0415

    async with db.sessionmaker() as s:
        cases = await s.scalar(select(func.count()).where(PetitionCase.tenant_id == tenant.id))
        files = await s.scalar(
            select(func.count()).where(StoredFile.tenant_id == tenant.id, StoredFile.plugin == "petitions")
        )
    return int(cases or 0), int(files or 0)


def count_objects(tenant: Any) -> int:
    from core.api import get_storage  # noqa: PLC0415

    st = get_storage()
    return sum(1 for _ in st.client.list_objects(st.bucket, prefix=f"{tenant.id}/petitions/", recursive=True))


async def drain() -> None:
    from core.api import get_storage  # noqa: PLC0415

    await get_storage().drain()
