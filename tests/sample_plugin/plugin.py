"""A sample plugin that implements every hook; the plugin-system tests drive it end to end."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import click
import redis.asyncio as aioredis
from litestar import Request, get
from sqlalchemy import ForeignKey, Integer, SmallInteger, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.api import (
    ArchivableSpec,
    ArchiveGeneratedFile,
    ArchiveItem,
    ArchiveStoredFile,
    Base,
    Event,
    JobSpec,
    LifecycleContext,
    MenuItem,
    PermissionSpec,
    PluginManifest,
    current_principal,
    get_database,
    get_settings,
    hookimpl,
    not_found,
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


class SampleNote(Base):
    """An archivable note (the archive tests' 件); ``archive_no``/``archived_times`` record mark_archived."""

    __tablename__ = "sample_notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("core_tenants.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    retention: Mapped[str] = mapped_column(String(10))
    org_code: Mapped[str] = mapped_column(String(20))
    classification: Mapped[int] = mapped_column(SmallInteger, default=0)
    attachment_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    archive_no: Mapped[str | None] = mapped_column(String(80), default=None)
    archived_times: Mapped[int] = mapped_column(Integer, default=0)


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
    return [SampleLifecycleLog, SampleJobRun, SampleNote]


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


async def _checkpoint(stage: str, note_id: str) -> None:
    """Test hook: while Redis holds ``sample:archive:block:<stage>:<id>``, wait (and say so), so a test
    can kill the worker at a known point of a real archive run."""
    client = aioredis.Redis.from_url(get_settings().redis_url)
    try:
        if not await client.exists(f"sample:archive:block:{stage}:{note_id}"):
            return
        await client.incr(f"sample:archive:reached:{stage}:{note_id}")
        while await client.exists(f"sample:archive:block:{stage}:{note_id}"):
            await asyncio.sleep(0.1)
    finally:
        await client.aclose()


async def _note(session: AsyncSession, tenant_id: uuid.UUID, object_id: str) -> SampleNote:
    try:
        note_id = uuid.UUID(object_id)
    except ValueError:
        raise not_found("note", "便笺") from None
    note = await session.get(SampleNote, note_id)
    if note is None or note.tenant_id != tenant_id:
        raise not_found("note", "便笺")
    return note


async def collect_note(session: AsyncSession, tenant_id: uuid.UUID, object_id: str) -> ArchiveItem:
    note = await _note(session, tenant_id, object_id)
    await _checkpoint("collect", object_id)
    files: list[ArchiveStoredFile | ArchiveGeneratedFile] = [
        ArchiveGeneratedFile(name="正文.txt", content=f"{note.title}\n示例正文。".encode())
    ]
    if note.attachment_id is not None:
        files.append(ArchiveStoredFile(file_id=note.attachment_id, name="附件.pdf"))
    return ArchiveItem(
        title=note.title,
        responsible="示例县人民政府办公室",
        doc_no=f"示府办〔{note.year}〕1号",
        doc_date=dt.date(note.year, 3, 1),
        retention=note.retention,
        org_code=note.org_code,
        classification=note.classification,
        pages=1,
        files=tuple(files),
        extra={"主题词": "示例"},
    )


async def mark_note_archived(
    session: AsyncSession, tenant_id: uuid.UUID, object_id: str, archive_no: str
) -> None:
    note = await _note(session, tenant_id, object_id)
    await _checkpoint("mark", object_id)
    note.archive_no = archive_no
    note.archived_times += 1
    await session.flush()


@hookimpl
def register_archivable() -> list[ArchivableSpec]:
    return [ArchivableSpec("sample.note", "示例便笺", collect_note, mark_note_archived)]


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
