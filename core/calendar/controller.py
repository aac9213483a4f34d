"""Calendar API (工作日历): browse working days, preview a deadline, import a year's holiday notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import sources
from core.calendar.rules import Due, iter_days
from core.calendar.schemas import ComputeOut, DayOut, ImportOut, YearOut
from core.calendar.service import import_year, list_years, load_calendar
from core.errors import AppError, FieldError, Msg, invalid
from core.identity import audit_hook
from core.security.guards import principal_or_401, require_platform_permission, require_staff

MANAGE = "core.calendar.manage"
MAX_SPAN_DAYS = 400
Rule = Literal["workdays", "days", "months"]
LIMITS: dict[Rule, tuple[int, int]] = {"workdays": (-2000, 2000), "days": (0, 3660), "months": (0, 120)}
BASIS: dict[Rule, str] = {
    "workdays": "国务院办公厅节假日安排通知（含调休上班日）",
    "days": "《民法典》第二百零一条、第二百零三条：开始当日不计入，"
    "期间最后一日为休息日的顺延至其后第一个工作日",
    "months": "《民法典》第二百零一条至第二百零三条：到期月的对应日（无对应日为月末日），遇休息日顺延",
}
# Room for multipart framing around a file of sources.MAX_UPLOAD_BYTES; larger bodies get 413.
_BODY_LIMIT = 4 * sources.MAX_UPLOAD_BYTES


@dataclass
class _ImportOperation(Operation):
    """The import accepts a JSON body, a CSV body or a multipart file; describe all three."""

    def __post_init__(self) -> None:
        day = Schema(
            type=OpenAPIType.OBJECT,
            required=["date", "kind"],
            properties={
                "date": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
                "kind": Schema(type=OpenAPIType.STRING, enum=["holiday", "workday"]),
                "name": Schema(type=OpenAPIType.STRING, max_length=64),
            },
        )
        body = Schema(
            type=OpenAPIType.OBJECT,
            required=["days"],
            properties={
                "year": Schema(type=OpenAPIType.INTEGER),
                "days": Schema(type=OpenAPIType.ARRAY, items=day),
            },
        )
        upload = Schema(
            type=OpenAPIType.OBJECT,
            required=["file"],
            properties={
                "file": Schema(
                    type=OpenAPIType.STRING,
                    format=OpenAPIFormat.BINARY,
                    description="CSV (date,kind,name) or JSON, at most 256 KB",
                ),
            },
        )
        self.request_body = RequestBody(
            required=True,
            content={
                "application/json": OpenAPIMediaType(schema=body),
                "multipart/form-data": OpenAPIMediaType(schema=upload),
                "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
            },
        )


def _required(name: str, value: dt.date | None) -> dt.date:
    # Declared optional so a missing date gets a field error naming it, not a generic 400.
    if value is None:
        raise invalid(name, "required", f"缺少 {name}（YYYY-MM-DD）", f"{name} is required (YYYY-MM-DD)")
    return value


def _check_range(name: Rule, value: int) -> None:
    lo, hi = LIMITS[name]
    if not lo <= value <= hi:
        raise invalid(
            name, "out_of_range", f"{name} 须在 {lo} 到 {hi} 之间", f"{name} must be between {lo} and {hi}"
        )


async def _read_upload(request: Request[Any, Any, Any], year: int) -> sources.ParsedYear:
    """Parse the request as multipart (a ``file`` field), JSON or CSV."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            uploads = [v for v in form.values() if isinstance(v, UploadFile)]
            upload = uploads[0] if len(uploads) == 1 else None
        if upload is None:
            raise invalid(
                "file", "missing", "请上传一个文件（字段名 file）", "Upload one file in the field 'file'"
            )
        data = await upload.read(sources.MAX_UPLOAD_BYTES + 1)
        return sources.parse_upload(data, upload.filename, year)
    data = await request.body()
    if ctype in ("application/json", ""):
        return sources.parse_json(data, year)
    if ctype in ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"):
        return sources.parse_csv(data, year)
    raise AppError(
        "unsupported_media_type",
        Msg("请以 JSON、CSV 或文件上传方式提交", "Send JSON, CSV or a multipart file upload"),
        status=415,
    )


class CalendarController(Controller):
    """工作日历: national working days, 调休 included; years without a schedule are provisional."""

    path = "/calendar"
    tags = ("calendar",)

    @get("/years", operation_id="calendar_list_years", guards=[require_staff])
    async def years(self, db_session: AsyncSession) -> list[YearOut]:
        """Years with an imported schedule; others fall back to Mon-Fri (provisional)."""
        return [YearOut.model_validate(y, from_attributes=True) for y in await list_years(db_session)]

    @get("/days", operation_id="calendar_list_days", guards=[require_staff])
    async def days(
        self, db_session: AsyncSession, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[DayOut]:
        """Every day in [start, end] (≤ 400) as workday, weekend, holiday or makeup_workday (调休上班)."""
        start, end = _required("start", start), _required("end", end)
        if end < start:
            raise invalid("end", "before_start", "结束日期早于开始日期", "end is before start")
        if (end - start).days + 1 > MAX_SPAN_DAYS:
            raise invalid(
                "end",
                "span_too_long",
                f"一次最多查询 {MAX_SPAN_DAYS} 天",
                f"At most {MAX_SPAN_DAYS} days per request",
            )
        cal = await load_calendar(db_session)
        return [
            DayOut(
                date=d,
                is_workday=cal.is_workday(d),
                kind=cal.day_kind(d),
                name=cal.day_name(d),
                provisional=cal.is_provisional(d),
            )
            for d in iter_days(start, end)
        ]

    @get("/compute", operation_id="calendar_compute", guards=[require_staff])
    async def compute(
        self,
        db_session: AsyncSession,
        start: dt.date | None = None,
        workdays: int | None = None,
        days: int | None = None,
        months: int | None = None,
    ) -> ComputeOut:
        """Preview a deadline: exactly one of ``workdays`` (N个工作日), ``days`` (N日), ``months`` (N个月)."""
        start = _required("start", start)
        args: tuple[tuple[Rule, int | None], ...] = (
            ("workdays", workdays),
            ("days", days),
            ("months", months),
        )
        given = {k: v for k, v in args if v is not None}
        if len(given) != 1:
            msg = Msg("workdays、days、months 须且只能给出一个", "Give exactly one of workdays, days, months")
            raise AppError(
                "validation_failed",
                Msg("请求参数无效", "The request is invalid"),
                status=422,
                fields=[FieldError(k, "exactly_one", msg) for k in (given or LIMITS)],
            )
        rule, n = next(iter(given.items()))
        _check_range(rule, n)
        cal = await load_calendar(db_session)
        due: Due
        try:
            if rule == "workdays":
                due = cal.add_workdays(start, n)
            elif rule == "days":
                due = cal.add_days(start, n)
            else:
                due = cal.add_months(start, n)
        except (ValueError, OverflowError):
            raise invalid("start", "out_of_range", "日期超出可计算范围", "The date is out of range") from None
        return ComputeOut(
            start=start, rule=rule, n=n, due=due.date, provisional=due.provisional, basis=BASIS[rule]
        )

    @post(
        "/years/{year:int}/import",
        operation_id="calendar_import_year",
        status_code=200,
        guards=[require_platform_permission(MANAGE)],
        request_max_body_size=_BODY_LIMIT,
        operation_class=_ImportOperation,
    )
    async def import_(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, year: int
    ) -> ImportOut:
        """Import (or replace) a year's holiday notice from JSON, CSV or a file upload (≤ 256 KB).

        Bad input answers 422 with a field error per bad line and changes nothing. Provisional deadlines
        computed on the year are recomputed in the same transaction.
        """
        principal = principal_or_401(request)
        sources.check_year(year)
        parsed = await _read_upload(request, year)
        result = await import_year(
            db_session,
            year,
            sources.to_schedule(parsed),
            source="import",
            imported_by=principal.display_name or str(principal.user_id),
        )
        await audit_hook.record(
            db_session,
            principal,
            "core.calendar.import",
            object_type="calendar_year",
            object_id=year,
            tenant_id=principal.tenant_id,
            version=result.version,
            holidays=result.holidays,
            makeup_workdays=result.makeup_workdays,
            recomputed=result.recomputed,
        )
        return ImportOut(
            year=result.year,
            source=result.source,
            version=result.version,
            holidays=result.holidays,
            makeup_workdays=result.makeup_workdays,
            replaced=result.replaced,
            recomputed=result.recomputed,
        )
