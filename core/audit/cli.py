"""``fuban audit verify`` (exit status 1 on tampering) and ``fuban audit purge``."""

from __future__ import annotations

import asyncio
from typing import Any

import click
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.chain import VerifyResult, purge_expired, verify_chain
from core.audit.sql import RETENTION_FLOOR_DAYS
from core.db.engine import Database
from core.settings import ConfigError, Settings, load_settings


def retention_days(settings: Settings) -> int:
    """``FUBAN_AUDIT_RETENTION_DAYS`` when the settings define it; never below 180 days."""
    configured: Any = getattr(settings, "audit_retention_days", RETENTION_FLOOR_DAYS)
    return max(RETENTION_FLOOR_DAYS, int(configured))


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as err:
        raise click.ClickException(str(err)) from None


async def verify_database(settings: Settings) -> VerifyResult:
    """Verify in one REPEATABLE READ snapshot, so a purge running meanwhile cannot confuse the walk."""
    db = Database(settings)
    try:
        async with db.engine.connect() as conn:
            snap = await conn.execution_options(isolation_level="REPEATABLE READ")
            async with AsyncSession(bind=snap) as session:
                return await verify_chain(session)
    finally:
        await db.dispose()


@click.group("audit")
def audit() -> None:
    """Audit log: verify the hash chain, purge past the retention."""


@audit.command("verify")
def verify() -> None:
    """Check every record's hash and link; exit 1 naming the first broken record."""
    result = asyncio.run(verify_database(_settings()))
    if result.ok:
        click.echo(
            f"audit chain OK: {result.checked} records verified"
            + (f", last id {result.last_id}, last hash {result.last_hash}" if result.last_id else "")
        )
        return
    click.echo(
        f"audit chain BROKEN at record {result.first_broken_id}: {result.reason} "
        f"({result.checked} records verified before it)",
        err=True,
    )
    raise SystemExit(1)


@audit.command("purge")
@click.option(
    "--retention-days",
    "days",
    type=int,
    default=None,
    help=f"Keep this many days (at least {RETENTION_FLOOR_DAYS}; default from settings).",
)
def purge(days: int | None) -> None:
    """Delete records older than the retention, leaving a checkpoint so the chain still verifies."""
    settings = _settings()
    keep = max(days or retention_days(settings), RETENTION_FLOOR_DAYS)

    async def go() -> int:
        db = Database(settings)
        try:
            async with db.transaction() as session:
                return await purge_expired(session, retention_days=keep)
        finally:
            await db.dispose()

    click.echo(f"purged {asyncio.run(go())} audit records older than {keep} days")


async def purge_job() -> int:
    """The daily purge job (``core.audit_purge``), run by the worker with the process's database."""
    from core.runtime import get_runtime  # noqa: PLC0415 - only the worker has a runtime

    rt = get_runtime()
    assert rt.db is not None
    async with rt.db.transaction() as session:
        return await purge_expired(session, retention_days=retention_days(rt.settings))
