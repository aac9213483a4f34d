"""``fuban calendar``: import, show and seed the working-day calendar (工作日历) from the command line."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import click
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import sources
from core.calendar.service import import_year, list_years, seed_from_chinesecalendar, year_entries
from core.db.engine import Database
from core.errors import AppError
from core.settings import get_settings

T = TypeVar("T")


def _click_error(err: AppError) -> click.ClickException:
    lines = [f"{err.message.zh} / {err.message.en}"]
    lines += [f"  {f.field}: {f.message.zh} / {f.message.en}" for f in err.fields]
    return click.ClickException("\n".join(lines))


def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction of a fresh Database; AppErrors become readable CLI errors."""

    async def go() -> T:
        db = Database(get_settings())
        try:
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except AppError as err:
        raise _click_error(err) from None


@click.group("calendar")
def calendar() -> None:
    """Working-day calendar (工作日历): State Council holiday notices, 调休 included."""


@calendar.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="Year of the notice (default: from the file).")
def import_cmd(file: Path, year: int | None) -> None:
    """Import or replace one year from a CSV (date,kind,name) or JSON file."""
    data = file.read_bytes()
    try:
        parsed = sources.parse_upload(data, file.name, year)
    except AppError as err:
        raise _click_error(err) from None
    schedule = sources.to_schedule(parsed)
    result = _in_transaction(
        lambda s: import_year(
            s, parsed.year, schedule, source="import", imported_by=f"cli:{getpass.getuser()}"
        )
    )
    click.echo(
        f"{result.year}: {result.holidays} holidays, {result.makeup_workdays} makeup workdays, "
        f"version {result.version}{' (replaced)' if result.replaced else ''}, "
        f"{result.recomputed} items recomputed"
    )


@calendar.command("show")
@click.argument("year", type=int)
def show(year: int) -> None:
    """List a year's holidays and makeup workdays."""

    async def work(session: AsyncSession) -> tuple[list[sources.DayEntry], str]:
        info = {y.year: y for y in await list_years(session)}.get(year)
        if info is None:
            return [], f"{year}: no schedule imported; Mon-Fri is assumed and deadlines are provisional"
        return await year_entries(session, year), (
            f"{year}: source {info.source}, version {info.version}, "
            f"imported {info.imported_at.astimezone(ZoneInfo(get_settings().timezone)):%Y-%m-%d %H:%M}"
            + (f" by {info.imported_by}" if info.imported_by else "")
        )

    entries, head = _in_transaction(work)
    click.echo(head)
    for e in entries:
        label = "放假 holiday" if e.kind == "holiday" else "上班 workday"
        click.echo(f"  {e.day.isoformat()} {'一二三四五六日'[e.day.weekday()]}  {label}  {e.name}")


@calendar.command("seed")
def seed() -> None:
    """Insert every year the chinesecalendar package knows and the database lacks (idempotent)."""
    years = _in_transaction(seed_from_chinesecalendar)
    click.echo(f"seeded {', '.join(map(str, years))}" if years else "nothing to seed")
