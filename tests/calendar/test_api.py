"""Calendar API: listing, computing, importing (JSON body, CSV body, multipart upload), permissions.

Imports use year 2190 so the rest of the suite still sees 2027 as unscheduled; each test removes it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from core.calendar import service
from core.calendar.models import CalendarYear
from core.db.engine import Database

D = dt.date
FAR = 2190
MON = next(D(FAR, 1, d) for d in range(1, 8) if D(FAR, 1, d).weekday() == 0)
SAT = next(D(FAR, 1, d) for d in range(1, 8) if D(FAR, 1, d).weekday() == 5)
MANAGE = ["core.calendar.manage"]


@pytest.fixture
async def clean_far(db: Database) -> AsyncIterator[None]:
    async def drop() -> None:
        async with db.transaction() as s:
            await s.execute(delete(CalendarYear).where(CalendarYear.year == FAR))
        service.invalidate_calendar_cache()

    await drop()
    yield
    await drop()


@pytest.fixture
async def seeded(db: Database) -> None:
    async with db.transaction() as s:
        await service.seed_from_chinesecalendar(s)


@pytest.fixture
async def staff(staff_headers: Any, tenant: Any) -> dict[str, str]:
    return dict(await staff_headers(tenant))


@pytest.fixture
async def admin(staff_headers: Any, db: Database) -> dict[str, str]:
    """A platform administrator: the calendar is shared by every tenant (平台管理 only)."""
    from core.org.tenants import ensure_platform_tenant  # noqa: PLC0415

    async with db.transaction() as s:
        platform = await ensure_platform_tenant(s)
    return dict(await staff_headers(platform, permissions=MANAGE))


async def test_a_county_office_cannot_import_the_shared_calendar(
    client: Any, staff_headers: Any, tenant: Any, db: Database
) -> None:
    """Even holding the permission (through a custom role), a county tenant's admin gets 404, and the
    role API refuses to grant the platform permission there."""

    async def imported() -> int | None:
        async with db.sessionmaker() as s:
            return await s.scalar(
                select(func.count()).select_from(CalendarYear).where(CalendarYear.year == 2039)
            )

    assert await imported() == 0
    county_admin = await staff_headers(tenant, permissions=MANAGE)
    r = await client.post("/api/calendar/years/2039/import", headers=county_admin, json={"days": []})
    assert r.status_code == 404
    sec = await staff_headers(tenant, roles=["secadmin"])
    roles = (await client.get("/api/admin/roles", headers=sec)).json()["items"]
    clerk = next(r for r in roles if r["code"] == "clerk")
    r = await client.put(
        f"/api/admin/roles/{clerk['id']}/permissions", headers=sec, json={"permissions": MANAGE}
    )
    assert r.status_code == 422 and r.json()["fields"][0]["code"] == "platform_only"
    assert await imported() == 0


def field_codes(body: dict[str, Any]) -> dict[str, str]:
    return {f["field"]: f["code"] for f in body["fields"]}


# -- reads -------------------------------------------------------------------------------------------


async def test_reads_need_a_signed_in_staff_member(client: Any) -> None:
    for url in (
        "/api/calendar/years",
        "/api/calendar/days?start=2026-10-01&end=2026-10-02",
        "/api/calendar/compute?start=2026-09-30&workdays=5",
    ):
        r = await client.get(url)
        assert r.status_code == 401, url


async def test_years(client: Any, staff: dict[str, str], seeded: None) -> None:
    r = await client.get("/api/calendar/years", headers=staff)
    assert r.status_code == 200, r.text
    years = {y["year"]: y for y in r.json()}
    assert years[2026]["source"] == "chinesecalendar" and years[2026]["makeup_workdays"] == 6
    assert years[2026]["holidays"] == 19 and years[2026]["version"] >= 1
    assert 2027 not in years


async def test_days(client: Any, staff: dict[str, str], seeded: None) -> None:
    r = await client.get(
        "/api/calendar/days", params={"start": "2026-09-30", "end": "2026-10-12"}, headers=staff
    )
    assert r.status_code == 200, r.text
    days = {d["date"]: d for d in r.json()}
    assert len(days) == 13
    assert days["2026-10-01"] == {
        "date": "2026-10-01",
        "is_workday": False,
        "kind": "holiday",
        "name": "国庆节",
        "provisional": False,
    }
    assert days["2026-10-03"]["kind"] == "weekend"
    assert days["2026-10-10"]["kind"] == "makeup_workday" and days["2026-10-10"]["is_workday"]
    assert days["2026-09-30"]["kind"] == "workday"
    r = await client.get(
        "/api/calendar/days", params={"start": "2026-12-31", "end": "2027-01-01"}, headers=staff
    )
    assert [d["provisional"] for d in r.json()] == [False, True]


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"start": "2026-01-10", "end": "2026-01-01"}, "end", "before_start"),
        ({"start": "2026-01-01", "end": "2027-02-05"}, "end", "span_too_long"),
    ],
)
async def test_days_validation(
    client: Any, staff: dict[str, str], params: dict[str, str], field: str, code: str
) -> None:
    r = await client.get("/api/calendar/days", params=params, headers=staff)
    assert r.status_code == 422, r.text
    assert field_codes(r.json()) == {field: code}


async def test_days_bad_or_missing_date(client: Any, staff: dict[str, str]) -> None:
    r = await client.get(
        "/api/calendar/days", params={"start": "2026-13-01", "end": "2026-12-01"}, headers=staff
    )
    assert r.status_code == 422 and "start" in field_codes(r.json())
    r = await client.get("/api/calendar/days", params={"start": "2026-01-01"}, headers=staff)
    assert r.status_code == 422 and field_codes(r.json()) == {"end": "required"}
    r = await client.get("/api/calendar/compute", params={"days": 3}, headers=staff)
    assert r.status_code == 422 and field_codes(r.json()) == {"start": "required"}


async def test_span_of_exactly_400_days_is_allowed(client: Any, staff: dict[str, str]) -> None:
    r = await client.get(
        "/api/calendar/days", params={"start": "2026-01-01", "end": "2027-02-04"}, headers=staff
    )
    assert r.status_code == 200 and len(r.json()) == 400


@pytest.mark.parametrize(
    ("params", "due", "provisional"),
    [
        ({"start": "2026-09-30", "workdays": 5}, "2026-10-13", False),
        ({"start": "2026-10-12", "workdays": -2}, "2026-10-09", False),
        ({"start": "2026-09-16", "days": 15}, "2026-10-08", False),
        ({"start": "2026-09-25", "days": 15}, "2026-10-10", False),
        ({"start": "2026-01-31", "months": 1}, "2026-02-28", False),
        ({"start": "2026-12-31", "workdays": 1}, "2027-01-01", True),
    ],
)
async def test_compute(
    client: Any, staff: dict[str, str], seeded: None, params: dict[str, Any], due: str, provisional: bool
) -> None:
    r = await client.get("/api/calendar/compute", params=params, headers=staff)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["due"], body["provisional"]) == (due, provisional)
    rule = next(k for k in ("workdays", "days", "months") if k in params)
    assert body["rule"] == rule and body["n"] == params[rule] and body["basis"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        (
            {"start": "2026-09-30"},
            {"workdays": "exactly_one", "days": "exactly_one", "months": "exactly_one"},
        ),
        (
            {"start": "2026-09-30", "workdays": 1, "days": 2},
            {"workdays": "exactly_one", "days": "exactly_one"},
        ),
        ({"start": "2026-09-30", "days": -1}, {"days": "out_of_range"}),
        ({"start": "2026-09-30", "months": 1000}, {"months": "out_of_range"}),
        ({"start": "9999-12-31", "workdays": 5}, {"start": "out_of_range"}),
    ],
)
async def test_compute_validation(
    client: Any, staff: dict[str, str], params: dict[str, Any], fields: dict[str, str]
) -> None:
    r = await client.get("/api/calendar/compute", params=params, headers=staff)
    assert r.status_code == 422, r.text
    assert field_codes(r.json()) == fields


# -- import ------------------------------------------------------------------------------------------


def far_json(**extra: Any) -> dict[str, Any]:
    return {
        "year": FAR,
        "days": [
            {"date": MON.isoformat(), "kind": "holiday", "name": "元旦"},
            {"date": SAT.isoformat(), "kind": "workday"},
        ],
        **extra,
    }


async def test_import_needs_the_permission(client: Any, staff: dict[str, str], clean_far: None) -> None:
    r = await client.post(f"/api/calendar/years/{FAR}/import", json=far_json(), headers=staff)
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = await client.post(f"/api/calendar/years/{FAR}/import", json=far_json())
    assert r.status_code == 401


async def test_import_json_then_replace_with_csv(client: Any, admin: dict[str, str], clean_far: None) -> None:
    r = await client.post(f"/api/calendar/years/{FAR}/import", json=far_json(), headers=admin)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "year": FAR,
        "source": "import",
        "version": 1,
        "holidays": 1,
        "makeup_workdays": 1,
        "replaced": False,
        "recomputed": 0,
    }
    r = await client.get(
        "/api/calendar/compute", params={"start": MON.isoformat(), "workdays": 0}, headers=admin
    )
    assert r.json()["provisional"] is False and r.json()["due"] != MON.isoformat()

    csv = f"date,kind,name\n{MON.isoformat()},holiday,元旦\n".encode()
    r = await client.post(
        f"/api/calendar/years/{FAR}/import", content=csv, headers={**admin, "Content-Type": "text/csv"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["replaced"], r.json()["makeup_workdays"]) == (2, True, 0)
    r = await client.get(
        "/api/calendar/days", params={"start": SAT.isoformat(), "end": SAT.isoformat()}, headers=admin
    )
    assert r.json()[0]["kind"] == "weekend"


async def test_import_multipart_upload(client: Any, admin: dict[str, str], clean_far: None) -> None:
    files = {"file": ("2190.json", json.dumps(far_json()).encode(), "application/json")}
    r = await client.post(f"/api/calendar/years/{FAR}/import", files=files, headers=admin)
    assert r.status_code == 200, r.text
    csv = f"date,kind,name\n{SAT.isoformat()},workday,调休\n".encode("gb18030")
    files = {"file": ("假日.csv", csv, "text/csv")}
    r = await client.post(f"/api/calendar/years/{FAR}/import", files=files, headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["holidays"], r.json()["makeup_workdays"], r.json()["version"]) == (0, 1, 2)


async def test_bad_imports_change_nothing(client: Any, admin: dict[str, str], clean_far: None) -> None:
    url = f"/api/calendar/years/{FAR}/import"
    assert (await client.post(url, json=far_json(), headers=admin)).status_code == 200
    sunday = MON - dt.timedelta(days=1) if MON.day > 1 else MON + dt.timedelta(days=6)
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        (
            {"json": {"year": FAR, "days": [{"date": sunday.isoformat(), "kind": "holiday"}]}},
            {"days.0.kind": "holiday_on_weekend"},
        ),
        ({"json": far_json(year=FAR + 1)}, {"year": "year_mismatch"}),
        ({"json": {"year": FAR, "days": []}}, {"days": "empty"}),
        ({"content": b"", "headers": {"Content-Type": "application/json"}}, {"file": "empty"}),
        ({"content": b"{oops", "headers": {"Content-Type": "application/json"}}, {"file": "bad_json"}),
        (
            {"content": b"date,kind\n2190-13-01,holiday\n", "headers": {"Content-Type": "text/csv"}},
            {"line.2.date": "invalid_date"},
        ),
        ({"files": {"file": ("empty.csv", b"", "text/csv")}}, {"file": "empty"}),
        (
            {"files": {"other": ("a.csv", b"x", "text/csv"), "more": ("b.csv", b"y", "text/csv")}},
            {"file": "missing"},
        ),
        (
            {"files": {"file": ("big.csv", b"date,kind,name\n" + b"#" * 300_000, "text/csv")}},
            {"file": "too_large"},
        ),
    ]
    for kwargs, expected in cases:
        headers = {**admin, **kwargs.pop("headers", {})}
        r = await client.post(url, headers=headers, **kwargs)
        assert r.status_code == 422, (expected, r.text)
        assert field_codes(r.json()) == expected, r.text
    r = await client.post("/api/calendar/years/1999/import", json=far_json(), headers=admin)
    assert r.status_code == 422 and field_codes(r.json()) == {"year": "year_out_of_range"}
    r = await client.post(url, content=b"<xml/>", headers={**admin, "Content-Type": "application/xml"})
    assert r.status_code == 415
    r = await client.get("/api/calendar/years", headers=admin)
    far = next(y for y in r.json() if y["year"] == FAR)
    assert (far["version"], far["holidays"], far["makeup_workdays"]) == (1, 1, 1)


async def test_import_recomputes_through_listeners(
    client: Any, admin: dict[str, str], clean_far: None
) -> None:
    calls: list[int] = []

    async def listener(session: Any, year: int) -> int:
        calls.append(year)
        return 3

    service.on_year_imported(listener)
    try:
        r = await client.post(f"/api/calendar/years/{FAR}/import", json=far_json(), headers=admin)
    finally:
        service.remove_year_listener(listener)
    assert r.status_code == 200 and r.json()["recomputed"] == 3 and calls == [FAR]


async def test_openapi_documents_the_three_import_encodings(client: Any) -> None:
    r = await client.get("/schema/openapi.json")
    if r.status_code == 404:
        pytest.skip("docs disabled")
    op = r.json()["paths"]["/api/calendar/years/{year}/import"]["post"]
    assert op["operationId"] == "calendar_import_year"
    assert set(op["requestBody"]["content"]) == {"application/json", "multipart/form-data", "text/csv"}
