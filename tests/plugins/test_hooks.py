"""One test per hook, driven through the real app, database and queue with the sample plugin."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from core.api import plugin_settings, publish_event
from core.db import migrate
from core.plugins import hookspecs
from core.plugins.models import PluginState
from core.plugins.service import PluginService
from core.runtime import get_runtime
from tests.sample_plugin import plugin as sample

ADMIN = ["core.plugins.manage"]


@pytest.fixture(autouse=True)
def _runtime(runtime: Any) -> None:
    """Every test here needs the app's runtime (loaded plugins)."""


async def _install(client: Any, headers: dict[str, str], name: str = "sample") -> Any:
    return await client.post(f"/api/plugins/{name}/install", headers=headers)


async def _hooks_logged(db: Any, tenant_id: uuid.UUID) -> list[str]:
    async with db.sessionmaker() as s:
        rows = await s.scalars(
            select(sample.SampleLifecycleLog.hook)
            .where(sample.SampleLifecycleLog.tenant_id == tenant_id)
            .order_by(sample.SampleLifecycleLog.id)
        )
        return list(rows)


def test_hook_register_settings() -> None:
    assert get_runtime().plugin_settings["sample"] == {"greeting": "你好", "chase_before_workdays": 2}


async def test_plugin_settings_overrides(db: Any, tenant: Any) -> None:
    async with db.transaction() as s:
        await PluginService(get_runtime().manager).install(s, tenant.id, "sample")
        row = await s.get(PluginState, (tenant.id, "sample"))
        row.settings = {"greeting": "早上好", "unknown": 1}
    async with db.sessionmaker() as s:
        merged = await plugin_settings(s, tenant.id, "sample")
    assert merged == {"greeting": "早上好", "chase_before_workdays": 2}  # unknown keys are not leaked


async def test_hook_register_models(db: Any) -> None:
    async with db.sessionmaker() as s:
        names = set(await s.scalars(text("select tablename from pg_tables where schemaname='public'")))
    assert {"sample_lifecycle_log", "sample_job_runs"} <= names


async def test_hook_register_migrations(db: Any) -> None:
    heads = migrate.heads(get_runtime().manager)
    assert "sample_0002" in heads  # sample_0002 (archivable notes) follows sample_0001
    async with db.sessionmaker() as s:
        applied = set(await s.scalars(text("select version_num from alembic_version")))
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    script = ScriptDirectory.from_config(migrate.alembic_config(get_runtime().manager))
    implied = {r.revision for r in script.get_all_current(tuple(applied))}
    assert set(heads) <= implied  # every branch head applied by `prepare` (dependencies included)


async def test_migrations_match_models(db: Any) -> None:
    assert await migrate.pending_model_changes(db, get_runtime().manager) == []


def test_hook_register_permissions() -> None:
    codes = [p.code for p in get_runtime().permissions["sample"]]
    assert codes == ["sample.items.read"]


async def test_hook_register_default_grants(db: Any, tenant: Any, client: Any, staff_headers: Any) -> None:
    from core.permissions.service import role_permissions  # noqa: PLC0415

    assert get_runtime().default_grants["sample"] == {"staff": ["sample.items.read"]}
    assert (await _install(client, await staff_headers(tenant, ADMIN))).status_code == 200
    async with db.sessionmaker() as s:
        assert "sample.items.read" in await role_permissions(s, tenant.id, "staff")


async def test_hook_register_routes(client: Any, tenant: Any, other_tenant: Any, staff_headers: Any) -> None:
    admin = await staff_headers(tenant, [*ADMIN, "sample.items.read"])
    reader_elsewhere = await staff_headers(other_tenant, ["sample.items.read"])
    # not installed → 404 with the error format
    r = await client.get("/api/sample/hello", headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert (await _install(client, admin)).json()["state"] == "enabled"
    r = await client.get("/api/sample/hello", headers=admin)
    assert r.status_code == 200 and r.json()["tenant"] == str(tenant.id)
    # enabled in one tenant only: the other tenant still gets 404
    assert (await client.get("/api/sample/hello", headers=reader_elsewhere)).status_code == 404
    # public routes of a plugin resolve the tenant from the portal header
    assert (
        await client.get("/api/sample/public", headers={"X-Fuban-Tenant": tenant.code})
    ).status_code == 200
    assert (
        await client.get("/api/sample/public", headers={"X-Fuban-Tenant": other_tenant.code})
    ).status_code == 404
    assert (await client.get("/api/sample/public")).status_code == 404
    # disabled → 404 again
    assert (await client.post("/api/plugins/sample/disable", headers=admin)).json()["state"] == "disabled"
    assert (await client.get("/api/sample/hello", headers=admin)).status_code == 404


async def test_hook_register_menu(client: Any, tenant: Any, staff_headers: Any) -> None:
    admin = await staff_headers(tenant, ADMIN)
    await _install(client, admin)
    reader = await staff_headers(tenant, ["sample.items.read"])
    menu = (await client.get("/api/menu", headers=reader)).json()
    sample_root = next(n for n in menu if n["key"] == "sample.root")
    assert [c["key"] for c in sample_root["children"]] == ["sample.list"]  # no permission for the secret item
    assert all(n["key"] != "core.admin" for n in menu)  # admin group hidden: every child needs a permission
    await client.post("/api/plugins/sample/disable", headers=admin)
    menu = (await client.get("/api/menu", headers=reader)).json()
    assert all(n["plugin"] != "sample" for n in menu)
    assert (await client.get("/api/menu")).status_code == 401


def test_hook_register_jobs() -> None:
    jobs = {j.name: j for j in get_runtime().jobs["sample"]}
    assert jobs["tick"].schedule == "interval:1" and jobs["tenant_tick"].per_tenant


async def test_hook_register_event_handlers(db: Any, tenant: Any, other_tenant: Any) -> None:
    async with db.transaction() as s:
        await PluginService(get_runtime().manager).install(s, tenant.id, "sample")
    sample.EVENTS_SEEN.clear()
    async with db.transaction() as s:
        assert await publish_event(s, "sample.ping", {"n": 1}, tenant.id) == 1
        assert await publish_event(s, "sample.ping", {"n": 2}, other_tenant.id) == 0  # not enabled there
    assert [e["payload"]["n"] for e in sample.EVENTS_SEEN] == [1]
    # a failing handler rolls back the publisher's whole transaction
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            s.add(sample.SampleJobRun(label="must-vanish"))
            await s.flush()
            await publish_event(s, "sample.ping", {"fail": True}, tenant.id)
    async with db.sessionmaker() as s:
        assert (
            await s.scalar(select(sample.SampleJobRun.id).where(sample.SampleJobRun.label == "must-vanish"))
            is None
        )


def test_hook_register_cli() -> None:
    from core.cli import main  # noqa: PLC0415

    result = CliRunner().invoke(main, ["sample", "greet", "张三"])
    assert result.exit_code == 0, result.output
    assert "你好, 张三" in result.output


async def test_hook_register_archivable(db: Any, settings: Any, tenant: Any) -> None:
    """The sample kind is collected and drives a real archive run: 档号 assigned, mark_archived once."""
    from core.archive.run import archive_request  # noqa: PLC0415
    from core.archive.specs import archivables  # noqa: PLC0415
    from tests.archive.helpers import counts, install_sample, make_note, request  # noqa: PLC0415

    plugin, spec = archivables()["sample.note"]
    assert plugin == "sample" and spec.title == "示例便笺"
    await install_sample(db, tenant.id)
    note = await make_note(db, settings, tenant.id, org="HOOK", attachment=False)
    assert await archive_request(db, await request(db, tenant.id, note)) == "archived"
    c = await counts(db, note)
    assert c["archived_times"] == 1 and c["archive_no"] == "J001-WS·2026-Y-HOOK-0001"


def test_hook_register_notification_channels() -> None:
    assert [c.name for c in get_runtime().channels] == ["sample-log"]


async def _lifecycle(client: Any, admin: dict[str, str], action: str) -> Any:
    return await client.post(f"/api/plugins/sample/{action}", headers=admin)


async def test_hook_on_install(db: Any, client: Any, tenant: Any, staff_headers: Any) -> None:
    admin = await staff_headers(tenant, ADMIN)
    assert (await _install(client, admin)).status_code == 200
    assert (await _install(client, admin)).status_code == 200  # idempotent
    assert (await _hooks_logged(db, tenant.id)).count("on_install") == 1


async def test_hook_on_enable(db: Any, client: Any, tenant: Any, staff_headers: Any) -> None:
    admin = await staff_headers(tenant, ADMIN)
    await _install(client, admin)
    await _lifecycle(client, admin, "enable")  # already enabled: no second call
    await _lifecycle(client, admin, "disable")
    await _lifecycle(client, admin, "enable")
    assert (await _hooks_logged(db, tenant.id)).count("on_enable") == 2


async def test_hook_on_disable(db: Any, client: Any, tenant: Any, staff_headers: Any) -> None:
    admin = await staff_headers(tenant, ADMIN)
    await _install(client, admin)
    await _lifecycle(client, admin, "disable")
    await _lifecycle(client, admin, "disable")
    assert (await _hooks_logged(db, tenant.id)).count("on_disable") == 1


async def test_hook_on_uninstall(db: Any, client: Any, tenant: Any, staff_headers: Any) -> None:
    admin = await staff_headers(tenant, ADMIN)
    await _install(client, admin)
    assert (await _lifecycle(client, admin, "uninstall")).json()["state"] == "not_installed"
    assert (await _lifecycle(client, admin, "uninstall")).status_code == 200  # idempotent
    assert (await _hooks_logged(db, tenant.id)) == ["on_install", "on_enable", "on_disable", "on_uninstall"]


async def test_hook_on_upgrade(db: Any, tenant: Any) -> None:
    service = PluginService(get_runtime().manager)
    async with db.transaction() as s:
        await service.install(s, tenant.id, "sample")
        (
            await s.get(PluginState, (tenant.id, "sample"))
        ).version = "1.0.0"  # as if installed by an old release
    async with db.transaction() as s:
        await service.upgrade_all(s)
    async with db.transaction() as s:
        await service.upgrade_all(s)  # second run: nothing to do
    assert (await _hooks_logged(db, tenant.id)).count("on_upgrade:1.0.0->1.2.0") == 1


async def test_plugins_list_and_errors(client: Any, tenant: Any, staff_headers: Any) -> None:
    admin = await staff_headers(tenant, ADMIN)
    listed = {p["name"]: p for p in (await client.get("/api/plugins", headers=admin)).json()}
    assert listed["core"]["state"] == "enabled" and listed["sample"]["state"] == "not_installed"
    assert set(listed["sample"]["hooks"]) == set(hookspecs.HOOK_NAMES)
    r = await client.post("/api/plugins/ghost/install", headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "plugin_not_found"
    r = await client.post("/api/plugins/core/disable", headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "plugin_is_core"
    r = await client.post("/api/plugins/sample/enable", headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "plugin_not_installed"
    nobody = await staff_headers(tenant, [])
    r = await client.post("/api/plugins/sample/install", headers=nobody)
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    listed = {p["name"]: p for p in (await client.get("/api/plugins", headers=admin)).json()}
    assert listed["sample"]["state"] == "not_installed"  # the refused calls changed nothing


def test_every_hookspec_is_documented_and_tested() -> None:
    """Meta-test: each hook has a docstring with a body beyond one line, and a test_hook_<name> here."""
    tested = {n.removeprefix("test_hook_") for n in globals() if n.startswith("test_hook_")}
    for name in hookspecs.HOOK_NAMES:
        doc = (getattr(hookspecs, name).__doc__ or "").strip()
        assert len(doc.splitlines()) >= 1 and len(doc) >= 40, f"hookspec {name} lacks a documentation section"
        assert name in tested, f"hookspec {name} has no test_hook_{name}"
    assert set(hookspecs.HOOK_NAMES) == {
        n for n in dir(hookspecs) if n.startswith(("register_", "on_")) and callable(getattr(hookspecs, n))
    }
