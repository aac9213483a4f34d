"""``fuban plugins list|install|enable|disable|uninstall``."""

from __future__ import annotations

import asyncio
import json

import click
from sqlalchemy import select

from core.plugins.service import PluginService
from core.settings import load_settings
from core.tenancy.models import Tenant


@click.group()
def plugins() -> None:
    """Plugins and their per-tenant state."""


def _change(action: str, name: str, tenant: str) -> None:
    from core.bootstrap import runtime_for  # noqa: PLC0415 - avoids an import cycle with core.cli

    rt = runtime_for(load_settings())
    assert rt.db is not None
    db = rt.db

    async def go() -> str:
        try:
            async with db.transaction() as session:
                tid = await session.scalar(select(Tenant.id).where(Tenant.code == tenant))
                if tid is None:
                    raise click.ClickException(f"no tenant with code {tenant!r}")
                service = PluginService(rt.manager)
                await getattr(service, action)(session, tid, name)
                states = await service.states(session, tid)
                return states[name].state if name in states else "not_installed"
        finally:
            await db.dispose()

    try:
        state = asyncio.run(go())
    except click.ClickException:
        raise
    except Exception as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{name} @ {tenant}: {state}")


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_plugins(as_json: bool) -> None:
    """List loaded plugins (allowlist applied) with version, dependencies and hooks."""
    from core.plugins.manager import PluginManager  # noqa: PLC0415

    manager = PluginManager.load(load_settings().plugins)
    rows = [
        {
            "name": p.name,
            "version": p.manifest.version,
            "title": p.manifest.title,
            "depends": list(p.manifest.depends),
            "hooks": list(p.hooks),
        }
        for p in manager.plugins
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['name']:<16} {r['version']:<10} {r['title']}  hooks={','.join(r['hooks'])}")


for _action in ("install", "enable", "disable", "uninstall"):

    def _make(action: str) -> click.Command:
        @click.command(action, help=f"{action.capitalize()} a plugin for a tenant.")
        @click.argument("name")
        @click.option("--tenant", required=True, help="Tenant code.")
        def cmd(name: str, tenant: str) -> None:
            _change(action, name, tenant)

        return cmd

    plugins.add_command(_make(_action))
