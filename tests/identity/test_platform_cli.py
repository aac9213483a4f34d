"""``fuban platform create-admin``: the first administrator of a fresh installation."""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import Any

from click.testing import CliRunner

from core.org.platform_cli import platform


def _run(*args: str) -> Any:
    return CliRunner().invoke(platform, list(args))


def _password(output: str) -> str:
    match = re.search(r"one-time password .*: (\S+)$", output, re.M)
    assert match, output
    return match.group(1)


async def _login(client: Any, username: str, password: str) -> Any:
    return await client.post(
        "/api/auth/login", json={"username": username, "password": password, "tenant": "platform"}
    )


async def test_create_login_and_reset(client: Any, tenant: Any, staff_headers: Any) -> None:
    name = f"root{secrets.token_hex(3)}"
    made = await asyncio.to_thread(_run, "create-admin", name, "--display-name", "平台管理员")
    assert made.exit_code == 0, made.output
    first = _password(made.output)
    r = await _login(client, name, first)
    assert r.status_code == 200, r.text
    assert r.json()["must_change_password"] is True
    bearer = {"Authorization": f"Bearer {r.json()['token']}"}
    assert (await client.get("/api/auth/me", headers=bearer)).json()["permissions"] == [], (
        "no powers until the one-time password is changed"
    )
    new = {"current_password": first, "new_password": "Platform-Admin-2026!x"}
    assert (await client.post("/api/auth/password", headers=bearer, json=new)).status_code == 204
    me = (await client.get("/api/auth/me", headers=bearer)).json()
    assert "core.platform.manage" in me["permissions"] and me["roles"] == ["sysadmin"]

    again = await asyncio.to_thread(_run, "create-admin", name)
    assert again.exit_code != 0 and "--reset" in again.output

    reset = await asyncio.to_thread(_run, "create-admin", name, "--reset")
    assert reset.exit_code == 0, reset.output
    second = _password(reset.output)
    assert second != first
    assert (await _login(client, name, first)).status_code == 401
    assert (await _login(client, name, second)).status_code == 200


async def test_reset_refuses_county_accounts_and_bad_names(tenant: Any, staff_headers: Any, db: Any) -> None:
    from core.identity.bootstrap import create_staff  # noqa: PLC0415

    name = f"county{secrets.token_hex(3)}"
    async with db.transaction() as s:
        await create_staff(s, tenant_id=tenant.id, username=name, password=None, roles=["sysadmin"])
    refused = await asyncio.to_thread(_run, "create-admin", name, "--reset")
    assert refused.exit_code != 0 and "not a platform administrator" in refused.output
    bad = await asyncio.to_thread(_run, "create-admin", "有 空格")
    assert bad.exit_code != 0 and "characters" in bad.output


async def test_liveness_needs_no_dependencies(client: Any) -> None:
    r = await client.get("/api/live")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
