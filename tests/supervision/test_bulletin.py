"""Monthly 督查通报: counts by state and light as of the month's end, per-unit on-time rate, overdue
list; PDF (Chinese text extractable with pypdf) and Excel (openpyxl)."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text

from tests.supervision.conftest import UNIT_STAFF, create_item, item_body, upload

B = "/api/supervision/items"
R = "/api/supervision/bulletin"


async def _complete_on(client, db, clerk, staff, item, day):
    """办结 through the API, then back-date the completion into October (history for the bulletin)."""
    ev = await upload(client, staff.h, "验收材料.pdf")
    r = await client.post(
        f"{B}/{item['id']}/complete",
        json={"result": "已完成", "evidence_file_ids": [ev], "explanation": "按期完成（补录）"},
        headers=staff.h,
    )
    assert r.status_code == 200, r.text
    async with db.transaction() as s:
        await s.execute(
            text("UPDATE supervision_items SET completed_on = :d WHERE id = :i"),
            {"d": dt.date.fromisoformat(day), "i": item["id"]},
        )


async def test_monthly_bulletin_pdf_and_excel(client, db, stenant, units, person):
    clerk, leader = await person(stenant), await person(stenant, name="赵常务")
    staff = await person(stenant, perms=UNIT_STAFF, unit_id=units["jtj"])
    fgw = await person(stenant, perms=UNIT_STAFF, unit_id=units["fgw"])
    mk = lambda title, unit, due: create_item(  # noqa: E731
        client,
        clerk.h,
        item_body(
            units,
            leader,
            title=title,
            lead_unit_id=str(units[unit]),
            co_unit_ids=[],
            basis_date="2026-09-01",
            due_date=due,
        ),
    )
    a = await mk("积水点改造", "jtj", "2026-10-09")
    await mk("公交站台改造", "jtj", "2026-10-20")
    c = await mk("项目审批提速", "fgw", "2026-10-15")
    await mk("重点项目开工", "fgw", "2026-11-05")
    await mk("校舍维修", "jyj", "2026-12-31")
    await _complete_on(client, db, clerk, staff, a, "2026-10-09")
    await _complete_on(client, db, clerk, fgw, c, "2026-10-16")

    data = (await client.get(R, params={"month": "2026-10"}, headers=clerk.h)).json()
    assert data["as_of"] == "2026-10-31" and data["total"] == 5
    assert data["states"] == {"open": 3, "completed": 2}
    # as of 10-31: 11-05 is 4 working days away (yellow), 12-31 green, 10-20 overdue (red)
    assert data["lights"] == {"green": 1, "yellow": 1, "red": 1}
    units_by_name = {u["unit"]: u for u in data["units"]}
    assert (units_by_name["交通运输局"]["due"], units_by_name["交通运输局"]["on_time"]) == (2, 1)
    assert units_by_name["交通运输局"]["on_time_rate"] == 50.0
    assert units_by_name["发展改革局"]["on_time_rate"] == 0.0
    assert units_by_name["教育局"]["on_time_rate"] is None
    # 10-21..23, 10-26..30: 8 working days overdue by 10-31
    assert data["overdue"] == [
        {
            "title": "公交站台改造",
            "unit": "交通运输局",
            "leader": "赵常务",
            "due_date": "2026-10-20",
            "overdue_workdays": 8,
        }
    ]

    r = await client.get(f"{R}/pdf", params={"month": "2026-10"}, headers=clerk.h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    for needle in ("督查通报", "2026年10月", "交通运输局", "50.0%", "公交站台改造", "赵常务", "红灯1项"):
        assert needle in pdf_text.replace("\n", ""), needle

    r = await client.get(f"{R}/xlsx", params={"month": "2026-10"}, headers=clerk.h)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["总体情况", "各单位", "超期事项"]
    rows = {row[0]: row for row in wb["各单位"].iter_rows(min_row=2, values_only=True)}
    assert rows["交通运输局"][4] == 50.0 and rows["发展改革局"][6] == 0
    overdue = list(wb["超期事项"].iter_rows(min_row=2, values_only=True))
    assert overdue == [("公交站台改造", "交通运输局", "赵常务", "2026-10-20", 8)]
    summary = {row[0]: row[1] for row in wb["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert (summary["红灯"], summary["黄灯"], summary["绿灯"]) == (1, 1, 1)


async def test_bad_month_is_422(client, stenant, person):
    clerk = await person(stenant)
    for month in ("2026-13", "2099-01", "26-1"):
        r = await client.get(f"{R}/pdf", params={"month": month}, headers=clerk.h)
        assert r.status_code in (400, 422), (month, r.status_code)
        assert r.json()["status"] == r.status_code


async def test_stored_bulletins_and_the_monthly_job(client, db, stenant, other_tenant, units, person):
    from plugins.supervision.bulletins import generate_missing, previous_month  # noqa: PLC0415

    clerk, leader = await person(stenant), await person(stenant)
    await create_item(client, clerk.h, item_body(units, leader))
    month = previous_month(dt.date.today())  # what the job generates
    by_hand = "2026-09" if month != "2026-09" else "2026-08"
    r = await client.post(f"{R}/generate", params={"month": by_hand}, headers=clerk.h)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["month"] == by_hand
    assert first["as_of"] == {"2026-09": "2026-09-30", "2026-08": "2026-08-31"}[by_hand]
    # generating again replaces the files of that month
    again = (await client.post(f"{R}/generate", params={"month": by_hand}, headers=clerk.h)).json()
    assert again["pdf_file_id"] != first["pdf_file_id"]
    # the scheduled job adds last month's once; a second run finds it stored
    assert previous_month(dt.date(2026, 1, 15)) == "2025-12"
    assert await generate_missing(db, stenant.id, month) == month
    assert await generate_missing(db, stenant.id, month) is None
    archive = (await client.get(f"{R}/archive", headers=clerk.h)).json()
    assert [b["month"] for b in archive] == sorted({month, by_hand}, reverse=True)
    async with db.sessionmaker() as s:
        live = await s.scalar(
            text(
                "SELECT count(*) FROM core_files "
                "WHERE tenant_id = :t AND plugin = 'supervision' AND deleted_at IS NULL"
            ),
            {"t": stenant.id},
        )
    assert live == 2 * len(archive)
    from tests.supervision.conftest import enable  # noqa: PLC0415

    await enable(db, other_tenant.id)
    foreign = await person(other_tenant)
    assert (await client.get(f"{R}/archive", headers=foreign.h)).json() == []
