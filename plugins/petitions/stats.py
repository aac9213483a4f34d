"""Statistics (统计): 办复率, on-time rate, 满意率, by unit / category / month, year-on-year, hot topics,
group petitions in 批次/人次, and an Excel export. Source: rules.md §4 (metrics).

- 办复率 = answered cases / accepted cases (target 100 %);
- on-time rate = answered on or before the (possibly extended) handling due date / answered;
- 满意率 = (满意 + 基本满意) / rated.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import audit_read, invalid, require_permission, tenant_principal

STATS = "petitions.stats.read"
ANSWERED = ("answered", "review_requested", "review_answered", "recheck_requested", "rechecked")
ACCEPTED = ("accepted", *ANSWERED)

_GROUPS = {
    "unit": "COALESCE(u.name, '（未交办）')",
    "category": "c.category",
    "month": "to_char(c.received_on, 'YYYY-MM')",
}

_SQL = """
SELECT {key} AS key,
  count(*) AS total,
  count(*) FILTER (WHERE c.status = ANY(:acc)) AS accepted,
  count(*) FILTER (WHERE c.status = ANY(:ans)) AS answered,
  count(*) FILTER (WHERE c.status = ANY(:ans) AND c.answered_on <= c.handle_due) AS on_time,
  count(*) FILTER (WHERE c.rating IS NOT NULL) AS rated,
  count(*) FILTER (WHERE c.rating IN ('satisfied', 'basically')) AS satisfied,
  count(*) FILTER (WHERE c.is_group) AS group_batches,
  COALESCE(sum(c.headcount) FILTER (WHERE c.is_group), 0) AS group_people,
  count(*) FILTER (WHERE c.is_repeat) AS repeats
FROM petitions_cases c LEFT JOIN core_units u ON u.id = c.unit_id
WHERE c.tenant_id = :t AND c.received_on BETWEEN :a AND :b AND c.status NOT IN ('merged', 'withdrawn')
GROUP BY 1 ORDER BY 1
"""


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


async def _rows(
    session: AsyncSession, tenant_id: uuid.UUID, by: str, a: dt.date, b: dt.date
) -> list[dict[str, Any]]:
    sql = text(_SQL.format(key=_GROUPS.get(by, "'all'")))
    res = await session.execute(
        sql, {"t": tenant_id, "a": a, "b": b, "acc": list(ACCEPTED), "ans": list(ANSWERED)}
    )
    out = []
    for r in res.mappings():
        d = dict(r)
        d["answer_rate"] = _rate(d["answered"], d["accepted"])
        d["on_time_rate"] = _rate(d["on_time"], d["answered"])
        d["satisfaction_rate"] = _rate(d["satisfied"], d["rated"])
        out.append(d)
    return out


def _year_ago(d: dt.date) -> dt.date:
    # A reporting window, not a legal deadline: Feb 29 maps to Feb 28.
    return d.replace(year=d.year - 1, day=min(d.day, 28)) if d.month == 2 else d.replace(year=d.year - 1)


async def summary(
    session: AsyncSession, tenant_id: uuid.UUID, by: str, a: dt.date, b: dt.date
) -> dict[str, Any]:
    rows = await _rows(session, tenant_id, by, a, b)
    total = (await _rows(session, tenant_id, "all", a, b)) or [{}]
    last = (await _rows(session, tenant_id, "all", _year_ago(a), _year_ago(b))) or [{}]
    yoy = {}
    for k in ("total", "group_batches", "group_people", "repeats"):
        now, before = int(total[0].get(k, 0) or 0), int(last[0].get(k, 0) or 0)
        yoy[k] = {"current": now, "last_year": before, "change": _rate(now - before, before)}
    return {"from": a, "to": b, "by": by, "rows": rows, "total": total[0], "year_on_year": yoy}


def _range(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    b = date_to or dt.date.today()
    a = date_from or b.replace(month=1, day=1)
    if a > b or (b - a).days > 3660:
        raise invalid("date_from", "bad_range", "统计区间无效", "Invalid date range")
    return a, b


Q = Annotated[dt.date | None, Parameter(required=False)]
BY = Annotated[str, Parameter(pattern=r"^(unit|category|month|all)$")]


class StatsController(Controller):
    path = "/stats"
    tags = ["petitions"]  # noqa: RUF012
    guards = [require_permission(STATS)]  # noqa: RUF012

    @get("/", operation_id="petitions_stats_summary")
    async def get_summary(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        by: BY = "category",
        date_from: Q = None,
        date_to: Q = None,
    ) -> dict[str, Any]:
        """办复率, on-time rate and 满意率 by unit, category or month, with year-on-year counts."""
        p = tenant_principal(request)
        a, b = _range(date_from, date_to)
        return await summary(db_session, p.tenant_id, by, a, b)

    @get("/hot-topics", operation_id="petitions_stats_hot_topics")
    async def hot(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        days: Annotated[int, Parameter(ge=1, le=366)] = 30,
    ) -> list[dict[str, Any]]:
        """Categories with the most petitions in the last ``days`` days vs the period before."""
        p = tenant_principal(request)
        res = await db_session.execute(
            text("""
            SELECT category, count(*) FILTER (WHERE received_on > :r) AS recent,
                   count(*) FILTER (WHERE received_on <= :r) AS before
            FROM petitions_cases WHERE tenant_id = :t AND received_on > :b
              AND status <> 'merged'
            GROUP BY category ORDER BY recent DESC, category LIMIT 20"""),
            # A reporting window, not a legal period: plain calendar arithmetic is right here.
            {
                "t": p.tenant_id,
                "r": dt.date.today() - dt.timedelta(days=days),
                "b": dt.date.today() - dt.timedelta(days=2 * days),
            },
        )
        return [{"category": c, "recent": r, "before": b, "growth": _rate(r - b, b)} for c, r, b in res]

    @get(
        "/export",
        operation_id="petitions_stats_export",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    async def export(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        date_from: Q = None,
        date_to: Q = None,
    ) -> Response[bytes]:
        """The statistics as an Excel workbook: one sheet per grouping."""
        p = tenant_principal(request)
        a, b = _range(date_from, date_to)
        wb = Workbook()
        wb.remove(wb.active)
        head = [
            "分组",
            "总件数",
            "受理",
            "办结",
            "按期办结",
            "已评价",
            "满意(含基本满意)",
            "集体访批次",
            "集体访人次",
            "重复信访",
            "办复率",
            "按期率",
            "满意率",
        ]
        keys = [
            "key",
            "total",
            "accepted",
            "answered",
            "on_time",
            "rated",
            "satisfied",
            "group_batches",
            "group_people",
            "repeats",
            "answer_rate",
            "on_time_rate",
            "satisfaction_rate",
        ]
        for by, title in (("unit", "按单位"), ("category", "按类别"), ("month", "按月份")):
            ws = wb.create_sheet(title)
            ws.append(head)
            for r in (await summary(db_session, p.tenant_id, by, a, b))["rows"]:
                ws.append([r[k] for k in keys])
        buf = io.BytesIO()
        wb.save(buf)
        await audit_read(
            db_session,
            action="petitions.stats.export",
            object_type="petitions.stats",
            object_id=None,
            classification=0,
            always=True,
            details={"from": str(a), "to": str(b)},
        )
        return Response(
            buf.getvalue(), headers={"Content-Disposition": 'attachment; filename="petitions-stats.xlsx"'}
        )
