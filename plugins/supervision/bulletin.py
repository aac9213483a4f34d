"""Monthly 督查通报 (rules.md §6): counts by state and light, each lead unit's on-time rate and the
overdue list, as of the month's last day (or today for the current month); PDF (reportlab, CJK font
found on the machine) and Excel (openpyxl).

Lights are computed on the core calendar as of that day, so a past month's bulletin is reproducible.
"""

from __future__ import annotations

import calendar as stdcal
import datetime as dt
import io
import uuid
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Tenant, Unit, cjk_font, invalid, load_calendar
from plugins.supervision import rules
from plugins.supervision.common import today
from plugins.supervision.items import settings_of
from plugins.supervision.models import Item

LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}
STATE_NAMES = {"open": "在办", "pending_signoff": "办结待销号", "closed": "已销号"}


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = dt.date(year, mon, 1)
    except ValueError:
        raise invalid("month", "invalid", "月份格式须为YYYY-MM", "month must be YYYY-MM") from None
    last = dt.date(year, mon, stdcal.monthrange(year, mon)[1])
    if first > today():
        raise invalid("month", "future", "不能生成未来月份的通报", "That month has not begun")
    return first, last


async def collect(session: AsyncSession, tenant_id: uuid.UUID, month: str) -> dict[str, Any]:
    """The bulletin's figures for ``month`` (YYYY-MM) in ``tenant_id`` (the whole office)."""
    first, last = month_bounds(month)
    as_of = min(last, today())
    cal = await load_calendar(session)
    conf = await settings_of(session, tenant_id)
    rows = list(
        (
            await session.scalars(
                select(Item)
                .where(
                    Item.tenant_id == tenant_id,
                    Item.state != "cancelled",
                    Item.basis_date <= as_of,
                    or_(Item.completed_on.is_(None), Item.completed_on >= first),
                )
                .order_by(Item.due_date, Item.id)
            )
        ).all()
    )
    units = {
        u.id: u.name for u in (await session.scalars(select(Unit).where(Unit.tenant_id == tenant_id))).all()
    }
    people = dict(
        (
            await session.execute(
                text("SELECT id, display_name FROM core_users WHERE id = ANY(:ids)"),
                {"ids": [r.leader_id for r in rows if r.leader_id]},
            )
        ).all()
    )
    tenant = await session.get(Tenant, tenant_id)
    lights = dict.fromkeys(rules.LIGHTS, 0)
    states = {"open": 0, "completed": 0}
    per_unit: dict[uuid.UUID, dict[str, Any]] = {}
    overdue = []
    for it in rows:
        completed = it.completed_on is not None and it.completed_on <= as_of
        states["completed" if completed else "open"] += 1
        u = per_unit.setdefault(
            it.lead_unit_id,
            {
                "unit": units.get(it.lead_unit_id, ""),
                "items": 0,
                "due": 0,
                "on_time": 0,
                "completed": 0,
                "overdue": 0,
            },
        )
        u["items"] += 1
        u["completed"] += int(completed)
        if it.due_date <= as_of:
            u["due"] += 1
            u["on_time"] += int(completed and it.completed_on <= it.due_date)
        if not completed:
            lights[rules.light(cal, as_of, it.due_date, conf)] += 1
            if as_of > it.due_date:
                u["overdue"] += 1
                overdue.append(
                    {
                        "title": it.title,
                        "unit": units.get(it.lead_unit_id, ""),
                        "leader": people.get(it.leader_id, ""),
                        "due_date": it.due_date.isoformat(),
                        "overdue_workdays": cal.workdays_between(it.due_date, as_of),
                    }
                )
    unit_rows = []
    for u in sorted(per_unit.values(), key=lambda x: x["unit"]):
        u["on_time_rate"] = round(100.0 * u["on_time"] / u["due"], 1) if u["due"] else None
        unit_rows.append(u)
    return {
        "office": tenant.name if tenant else "",
        "month": f"{first:%Y-%m}",
        "as_of": as_of.isoformat(),
        "total": len(rows),
        "states": states,
        "current_states": {k: sum(1 for r in rows if r.state == k) for k in STATE_NAMES},
        "lights": lights,
        "units": unit_rows,
        "overdue": overdue,
    }


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%"


def render_pdf(data: dict[str, Any]) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=20, leading=30, alignment=1)
    head = ParagraphStyle("h", fontName=font, fontSize=14, leading=22, spaceBefore=8)
    body = ParagraphStyle("b", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    year, mon = data["month"].split("-")
    story: list[Any] = [
        Paragraph("督查通报", title),
        Paragraph(f"{data['office']}　{year}年{int(mon)}月（统计截至{data['as_of']}）", body),
        Spacer(1, 4 * mm),
        Paragraph("一、总体情况", head),
        Paragraph(
            f"本月纳入督办事项{data['total']}项，其中已办结{data['states']['completed']}项，"
            f"在办{data['states']['open']}项；在办事项中绿灯{data['lights']['green']}项、"
            f"黄灯{data['lights']['yellow']}项、红灯{data['lights']['red']}项。",
            body,
        ),
        Paragraph("二、各单位按期办结情况", head),
    ]

    def table(rows: list[list[Any]]) -> Table:
        t = Table([[Paragraph(str(c), body) for c in r] for r in rows], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ]
            )
        )
        return t

    story.append(
        table(
            [["牵头单位", "事项数", "应办结", "按期办结", "按期办结率", "超期"]]
            + [
                [u["unit"], u["items"], u["due"], u["on_time"], _pct(u["on_time_rate"]), u["overdue"]]
                for u in data["units"]
            ]
        )
    )
    story.append(Paragraph("三、超期未办结事项", head))
    if data["overdue"]:
        story.append(
            table(
                [["事项", "牵头单位", "负责领导", "完成时限", "超期工作日"]]
                + [
                    [o["title"], o["unit"], o["leader"], o["due_date"], o["overdue_workdays"]]
                    for o in data["overdue"]
                ]
            )
        )
    else:
        story.append(Paragraph("本月无超期未办结事项。", body))
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"督查通报 {data['month']}",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    ).build(story)
    return buf.getvalue()


def render_xlsx(data: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "总体情况"
    bold = Font(bold=True)
    ws.append(["督查通报", data["month"], "统计截至", data["as_of"]])
    ws["A1"].font = bold
    ws.append(["项目", "数量"])
    ws.append(["纳入督办事项", data["total"]])
    ws.append(["已办结", data["states"]["completed"]])
    ws.append(["在办", data["states"]["open"]])
    for key, name in LIGHT_NAMES.items():
        ws.append([name, data["lights"][key]])
    for key, name in STATE_NAMES.items():
        ws.append([f"当前{name}", data["current_states"][key]])
    us = wb.create_sheet("各单位")
    us.append(["牵头单位", "事项数", "应办结", "按期办结", "按期办结率(%)", "已办结", "超期"])
    for u in data["units"]:
        us.append(
            [u["unit"], u["items"], u["due"], u["on_time"], u["on_time_rate"], u["completed"], u["overdue"]]
        )
    od = wb.create_sheet("超期事项")
    od.append(["事项", "牵头单位", "负责领导", "完成时限", "超期工作日"])
    for o in data["overdue"]:
        od.append([o["title"], o["unit"], o["leader"], o["due_date"], o["overdue_workdays"]])
    for sheet in (us, od):
        for cell in sheet[1]:
            cell.font = bold
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
