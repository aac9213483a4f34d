"""``fuban calendar`` commands against the test database (each run builds its own Database)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import delete

from core.calendar import service
from core.calendar.cli import calendar
from core.calendar.models import CalendarYear
from core.db.engine import Database

FAR = 2191
MON = next(dt.date(FAR, 1, d) for d in range(1, 8) if dt.date(FAR, 1, d).weekday() == 0)


async def _cli(*args: str) -> Result:
    # The command runs its own event loop (asyncio.run), so give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, calendar, list(args))


async def test_cli_seed_import_show(db: Database, tmp_path: Path) -> None:
    try:
        r = await _cli("seed")
        assert r.exit_code == 0, r.output
        r = await _cli("seed")
        assert r.exit_code == 0 and "nothing to seed" in r.output

        good = tmp_path / "holidays.json"
        good.write_text(
            json.dumps({"year": FAR, "days": [{"date": MON.isoformat(), "kind": "holiday", "name": "元旦"}]}),
            encoding="utf-8",
        )
        r = await _cli("import", str(good))
        assert r.exit_code == 0, r.output
        assert f"{FAR}: 1 holidays, 0 makeup workdays, version 1" in r.output

        bad = tmp_path / "bad.csv"
        bad.write_text(f"date,kind,name\n{MON.isoformat()},workday,x\n", encoding="utf-8")
        r = await _cli("import", str(bad), "--year", str(FAR))
        assert r.exit_code == 1 and "line.2.kind" in r.output

        r = await _cli("show", str(FAR))
        assert r.exit_code == 0 and "version 1" in r.output and f"{MON.isoformat()}" in r.output
        r = await _cli("show", "2031")
        assert "provisional" in r.output
    finally:
        async with db.transaction() as s:
            await s.execute(delete(CalendarYear).where(CalendarYear.year == FAR))
        service.invalidate_calendar_cache()
