"""A sample plugin that implements every hook; the plugin-system tests drive it end to end."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import click
from litestar import Request, get
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.api import (
    Base,
    Event,
    JobSpec,
    LifecycleContext,
    MenuItem,
    PermissionSpec,
    PluginManifest,
    current_principal,
    get_database,
    hookimpl,
    require_permission,
)

manifest = PluginManifest(
    name="sample",
    version="1.2.0",
    title="示例插件",
    title_en="Sample plugin",
    requires_core=">=0.1",
)


class SampleLifecycleLog(Base):
    """Every lifecycle call, so tests can see each hook ran exactly as often as it should."""

    __tablename__ = "sample_lifecycle_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    hook: Mapped[str] = mapped_column(String(30))


class SampleJobRun(Base):
    """One row per executed job run (the worker test counts them)."""

    __tablename__ = "sample_job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    label: Mapped[str] = mapped_column(String(100))


EVENTS_SEEN: list[dict[str, Any]] = []


class LogChannel:
    """A notification channel that keeps what it was given."""

    name = "sample-log"
    delivered: list[dict[str, Any]] = []  # noqa: RUF012 - shared on purpose for the tests

    async def deliver(self, notification: dict[str, Any]) -> None:
        self.delivered.append(notification)


@hookimpl
def register_settings() -> dict[str, Any]:
    return {"greeting": "你好", "chase_before_workdays": 2}


@hookimpl
def register_models() -> list[type[Any]]:
    return [SampleLifecycleLog, SampleJobRun]


@hookimpl
def register_migrations() -> Path:
    return Path(__file__).parent / "migrations"


@hookimpl
def register_permissions() -> list[PermissionSpec]:
    return [PermissionSpec("sample.items.read", "查看示例", "Read samples")]


@hookimpl
def register_default_grants() -> dict[str, list[str]]:
    return {"staff": ["sample.items.read"]}


@get("/hello", operation_id="sample_hello", guards=[require_permission("sample.items.read")])
async def hello(request: Request[Any, Any, Any]) -> dict[str, Any]:
    principal = current_principal(request)
    return {"hello": "world", "tenant": str(principal.tenant_id) if principal else None}


@get("/public", operation_id="sample_public")
async def public() -> dict[str, str]:
    return {"public": "yes"}


@hookimpl
def register_routes() -> list[Any]:
    return [hello, public]


@hookimpl
def register_menu() -> list[MenuItem]:
    return [
        MenuItem(
            key="sample.root",
            title="sample.menu.root",
            icon="Box",
            order=50,
            children=(
                MenuItem(
                    key="sample.list",
                    title="sample.menu.list",
                    path="/sample",
                    permission="sample.items.read",
                ),
                MenuItem(
                    key="sample.secret",
                    title="sample.menu.secret",
                    path="/sample/secret",
                    permission="sample.items.secret",
                ),
            ),
        ),
    ]


async def record_run(
    label: str = "run", tenant_id: str | None = None, scheduled_for: str | None = None
) -> None:
    db = get_database()
    async with db.transaction() as session:
        session.add(SampleJobRun(tenant_id=tenant_id, label=scheduled_for or label))


@hookimpl
def register_jobs() -> list[JobSpec]:
    return [
        JobSpec(name="record", fn=record_run),
        JobSpec(name="tick", fn=record_run, schedule="interval:1"),
        JobSpec(name="tenant_tick", fn=record_run, schedule="interval:1", per_tenant=True),
    ]


async def on_sample_event(event: Event) -> None:
    EVENTS_SEEN.append({"name": event.name, "tenant": event.tenant_id, "payload": event.payload})
    if event.payload.get("fail"):
        raise RuntimeError("handler refused the event")


@hookimpl
def register_event_handlers() -> dict[str, list[Any]]:
    return {"sample.ping": [on_sample_event]}


@click.command("greet")
@click.argument("name")
def greet(name: str) -> None:
    """Say hello (proves register_cli)."""
    click.echo(f"你好, {name}")


@hookimpl
def register_cli() -> list[Any]:
    return [greet]


@hookimpl
def register_notification_channels() -> list[Any]:
    return [LogChannel()]


async def _log(ctx: LifecycleContext, hook: str) -> None:
    ctx.session.add(SampleLifecycleLog(tenant_id=ctx.tenant_id, hook=hook))
    await ctx.session.flush()


async def _count(session: AsyncSession, tenant_id: uuid.UUID, hook: str) -> int:
    rows = await session.scalars(
        select(SampleLifecycleLog.id).where(
            SampleLifecycleLog.tenant_id == tenant_id, SampleLifecycleLog.hook == hook
        )
    )
    return len(list(rows))


@hookimpl
async def on_install(ctx: LifecycleContext) -> None:
    await _log(ctx, "on_install")


@hookimpl
async def on_upgrade(ctx: LifecycleContext) -> None:
    await _log(ctx, f"on_upgrade:{ctx.from_version}->{ctx.to_version}")


@hookimpl
async def on_enable(ctx: LifecycleContext) -> None:
    await _log(ctx, "on_enable")


@hookimpl
async def on_disable(ctx: LifecycleContext) -> None:
    await _log(ctx, "on_disable")


@hookimpl
async def on_uninstall(ctx: LifecycleContext) -> None:
    await _log(ctx, "on_uninstall")
