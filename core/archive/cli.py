"""``fuban archive export``: write an accession package (移交包) zip for the archives bureau."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from sqlalchemy import select

from core.archive.bucket import ArchiveBucket
from core.archive.export import Selection, select_items, stream_package
from core.audit.service import record
from core.db.engine import Database
from core.settings import ConfigError, Settings, load_settings
from core.tenancy.models import Tenant


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as err:
        raise click.ClickException(str(err)) from None


async def export_to_file(
    settings: Settings, tenant_code: str, year: int, retention: str | None, out: Path
) -> int:
    """Stream the package of ``tenant_code``'s ``year`` into ``out``; returns the number of 件."""
    db = Database(settings)
    try:
        async with db.transaction() as s:
            tenant = await s.scalar(select(Tenant).where(Tenant.code == tenant_code))
            if tenant is None:
                raise click.ClickException(f"no tenant with code {tenant_code!r}")
            sel = Selection(tenant.id, year, retention, max_classification=3)
            rows = await select_items(s, sel)
            await record(
                s,
                action="core.archive.export",
                object_type="core.archive_export",
                object_id=f"{year}-{retention or 'all'}",
                tenant_id=tenant.id,
                actor_kind="system",
                actor_name="fuban archive export",
                summary=f"命令行导出移交包 {year} 年度（{len(rows)}件）",
                after={"year": year, "retention": retention, "items": len(rows)},
            )
        part = out.with_name(out.name + ".part")
        with part.open("wb") as fh:
            async for chunk in stream_package(ArchiveBucket.from_settings(settings), sel, rows):
                fh.write(chunk)
        part.replace(out)  # a cut-short export never looks complete
        return len(rows)
    finally:
        await db.dispose()


@click.group("archive")
def archive() -> None:
    """Archive (归档): accession packages for the archives bureau."""


@archive.command("export")
@click.option("--tenant", "tenant_code", required=True, help="Tenant code.")
@click.option("--year", type=click.IntRange(1900, 2999), required=True, help="年度.")
@click.option(
    "--retention", type=click.Choice(["Y", "D30", "D10"]), default=None, help="保管期限 (default all)."
)
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Zip file.")
def export(tenant_code: str, year: int, retention: str | None, out: Path) -> None:
    """Write the accession package (manifest XML/JSON, 目录.csv, SHA256SUMS, files) of a year."""
    count = asyncio.run(export_to_file(_settings(), tenant_code, year, retention, out))
    click.echo(f"{count} items written to {out}")
