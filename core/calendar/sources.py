"""Where year schedules come from: the pip package ``chinesecalendar`` and an administrator's upload.

Upload formats (one year per file; the year of the State Council's holiday notice, 节假日安排通知):

- CSV with a header line ``date,kind,name``; ``kind`` is ``holiday`` (a Mon-Fri rest day) or ``workday``
  (a 调休 Sat/Sun working day); ``name`` may be empty. UTF-8 (with or without BOM) or GB18030.
- JSON ``{"year": 2027, "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, ...]}``.

Weekend rest days and ordinary workdays are implied by the week and never listed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from core.calendar.rules import YearSchedule
from core.errors import AppError, FieldError, Msg

EntryKind = Literal["holiday", "workday"]
KINDS: tuple[EntryKind, ...] = ("holiday", "workday")
MAX_UPLOAD_BYTES = 256 * 1024
MIN_YEAR = 2000
MAX_YEAR = 2200
MAX_NAME = 64
_MAX_REPORTED = 50  # enough to fix a file in one go, small enough to read
_DATE_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


@dataclass(frozen=True)
class DayEntry:
    """One listed day: a Mon-Fri ``holiday`` (放假) or a Sat/Sun ``workday`` (调休上班)."""

    day: dt.date
    kind: EntryKind
    name: str = ""


@dataclass(frozen=True)
class ParsedYear:
    year: int
    entries: tuple[DayEntry, ...]


def _error(fields: list[FieldError]) -> AppError:
    return AppError(
        "calendar_invalid",
        Msg("工作日历数据有误，未做任何修改", "The calendar data is invalid; nothing was changed"),
        status=422,
        fields=fields[:_MAX_REPORTED],
    )


def _fe(field: str, code: str, zh: str, en: str) -> FieldError:
    return FieldError(field, code, Msg(zh, en))


def check_year(year: int, field: str = "year") -> None:
    """Reject years no holiday notice will ever cover."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _error(
            [
                _fe(
                    field,
                    "year_out_of_range",
                    f"年份须在 {MIN_YEAR}–{MAX_YEAR} 之间",
                    f"The year must be between {MIN_YEAR} and {MAX_YEAR}",
                )
            ]
        )


def parse_date(text: str) -> dt.date | None:
    """``2027-01-01``; also ``2027/1/1`` as spreadsheet programs rewrite dates so."""
    m = _DATE_RE.match(text.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _check_entry(
    year: int, where: str, raw: tuple[Any, Any, Any], errors: list[FieldError]
) -> DayEntry | None:
    """Validate one row; append field errors (naming ``where``) and return None when it is bad."""
    raw_date, raw_kind, raw_name = raw
    n_before = len(errors)
    day = parse_date(raw_date) if isinstance(raw_date, str) else None
    if day is None:
        errors.append(
            _fe(
                f"{where}.date",
                "invalid_date",
                f"日期无效：{raw_date!s:.40}（应为 YYYY-MM-DD）",
                f"Invalid date {raw_date!s:.40} (expected YYYY-MM-DD)",
            )
        )
    elif day.year != year:
        errors.append(
            _fe(f"{where}.date", "wrong_year", f"日期 {day} 不属于 {year} 年", f"{day} is not in {year}")
        )
    kind = raw_kind.strip().lower() if isinstance(raw_kind, str) else None
    if kind not in KINDS:
        errors.append(
            _fe(
                f"{where}.kind",
                "invalid_kind",
                "类型须为 holiday（放假）或 workday（调休上班）",
                "kind must be holiday or workday",
            )
        )
    if raw_name is None:
        name = ""
    elif isinstance(raw_name, str) and len(raw_name.strip()) <= MAX_NAME:
        name = raw_name.strip()
    else:
        errors.append(
            _fe(
                f"{where}.name",
                "invalid_name",
                f"名称须为不超过 {MAX_NAME} 字的文字",
                f"name must be text of at most {MAX_NAME} characters",
            )
        )
    if day is not None and day.year == year and kind in KINDS:
        weekend = day.weekday() >= 5
        if kind == "holiday" and weekend:
            errors.append(
                _fe(
                    f"{where}.kind",
                    "holiday_on_weekend",
                    f"{day} 是周末，本就休息，不应列为 holiday",
                    f"{day} is a weekend day, already a rest day; do not list it as holiday",
                )
            )
        elif kind == "workday" and not weekend:
            errors.append(
                _fe(
                    f"{where}.kind",
                    "workday_on_weekday",
                    f"{day} 是周一至周五，本就上班，不应列为 workday",
                    f"{day} is Mon-Fri, already a working day; do not list it as workday",
                )
            )
    if len(errors) > n_before:
        return None
    assert day is not None
    return DayEntry(day, kind, name)  # type: ignore[arg-type]  # kind narrowed by the KINDS check


def _check_duplicates(entries: Sequence[tuple[str, DayEntry]], errors: list[FieldError]) -> None:
    seen: dict[dt.date, str] = {}
    for where, e in entries:
        if e.day in seen:
            first = seen[e.day]
            errors.append(
                _fe(
                    f"{where}.date",
                    "duplicate_date",
                    f"日期 {e.day} 重复（首次见于 {first}）",
                    f"{e.day} is listed twice (first at {first})",
                )
            )
        else:
            seen[e.day] = where


def _finish(
    year: int, rows: list[tuple[str, DayEntry]], errors: list[FieldError], empty_field: str
) -> ParsedYear:
    _check_duplicates(rows, errors)
    if not rows and not errors:
        errors.append(_fe(empty_field, "empty", "没有任何日期", "No days are listed"))
    if errors:
        raise _error(errors)
    return ParsedYear(year, tuple(sorted((e for _, e in rows), key=lambda e: e.day)))


def schedule_from_entries(year: int, entries: Iterable[DayEntry], field: str = "days") -> YearSchedule:
    """Validate entries given in code (not parsed from a file) and build the year's schedule."""
    check_year(year)
    errors: list[FieldError] = []
    rows: list[tuple[str, DayEntry]] = []
    for i, e in enumerate(entries):
        ok = _check_entry(year, f"{field}.{i}", (e.day.isoformat(), e.kind, e.name), errors)
        if ok is not None:
            rows.append((f"{field}.{i}", ok))
    return to_schedule(_finish(year, rows, errors, field))


def to_schedule(parsed: ParsedYear) -> YearSchedule:
    return YearSchedule(
        year=parsed.year,
        holidays=frozenset(e.day for e in parsed.entries if e.kind == "holiday"),
        makeup_workdays=frozenset(e.day for e in parsed.entries if e.kind == "workday"),
        names={e.day: e.name for e in parsed.entries if e.name},
    )


def _decode(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GB18030 (GBK); everything else sends UTF-8.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise _error(
                [
                    _fe(
                        "file",
                        "bad_encoding",
                        "文件编码无法识别（请使用 UTF-8）",
                        "Unreadable text encoding (use UTF-8)",
                    )
                ]
            ) from None


def _check_size(data: bytes) -> None:
    if not data.strip():
        raise _error([_fe("file", "empty", "文件为空", "The file is empty")])
    if len(data) > MAX_UPLOAD_BYTES:
        raise _error(
            [
                _fe(
                    "file",
                    "too_large",
                    f"文件超过 {MAX_UPLOAD_BYTES // 1024} KB",
                    f"The file exceeds {MAX_UPLOAD_BYTES // 1024} KB",
                )
            ]
        )


def parse_csv(data: bytes, year: int | None = None) -> ParsedYear:
    """Parse ``date,kind,name`` CSV. Without ``year`` the first row's date names the year."""
    _check_size(data)
    reader = csv.reader(io.StringIO(_decode(data)))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        header = []
    if header[:2] != ["date", "kind"] or len(header) > 3 or (len(header) == 3 and header[2] != "name"):
        raise _error(
            [
                _fe(
                    "line.1",
                    "bad_header",
                    "第 1 行须为表头 date,kind,name",
                    "Line 1 must be the header date,kind,name",
                )
            ]
        )
    errors: list[FieldError] = []
    rows: list[tuple[str, DayEntry]] = []
    try:
        for rec in reader:
            where = f"line.{reader.line_num}"
            if not any(c.strip() for c in rec):
                continue  # blank lines, e.g. a trailing one
            if len(rec) < 2 or len(rec) > 3:
                errors.append(
                    _fe(
                        where,
                        "bad_columns",
                        f"第 {reader.line_num} 行须有 2 或 3 列",
                        f"Line {reader.line_num} must have 2 or 3 columns",
                    )
                )
                continue
            if year is None:
                first = parse_date(rec[0])
                if first is None:
                    raise _error(
                        [
                            _fe(
                                f"{where}.date",
                                "invalid_date",
                                "无法从首行日期确定年份",
                                "Cannot tell the year from the first date",
                            )
                        ]
                    )
                year = first.year
                check_year(year, f"{where}.date")
            entry = _check_entry(year, where, (rec[0], rec[1], rec[2] if len(rec) == 3 else None), errors)
            if entry is not None:
                rows.append((where, entry))
    except csv.Error as exc:
        errors.append(
            _fe(f"line.{reader.line_num}", "bad_csv", f"CSV 格式错误：{exc}", f"Malformed CSV: {exc}")
        )
    if year is None:
        raise _error([_fe("file", "empty", "没有任何日期", "No days are listed")])
    check_year(year)
    return _finish(year, rows, errors, "file")


def parse_json_obj(obj: Any, year: int | None = None) -> ParsedYear:
    """Validate an already-decoded JSON document (also the JSON request body of the import API)."""
    if not isinstance(obj, dict):
        raise _error(
            [
                _fe(
                    "body",
                    "not_an_object",
                    '须为 JSON 对象 {"year": ..., "days": [...]}',
                    'Expected a JSON object {"year": ..., "days": [...]}',
                )
            ]
        )
    unknown = sorted(str(k) for k in obj if k not in ("year", "days"))
    if unknown:
        raise _error([_fe(k, "unknown_field", "不支持的字段", "Unknown field") for k in unknown])
    doc_year = obj.get("year")
    if doc_year is not None and (not isinstance(doc_year, int) or isinstance(doc_year, bool)):
        raise _error([_fe("year", "invalid_year", "year 须为整数", "year must be an integer")])
    if year is not None and doc_year is not None and doc_year != year:
        raise _error(
            [
                _fe(
                    "year",
                    "year_mismatch",
                    f"文件年份 {doc_year} 与所选年份 {year} 不一致",
                    f"The file is for {doc_year}, not {year}",
                )
            ]
        )
    target = year if year is not None else doc_year
    if target is None:
        raise _error([_fe("year", "missing", "缺少 year", "year is missing")])
    check_year(target)
    days = obj.get("days")
    if not isinstance(days, list):
        raise _error([_fe("days", "invalid", "days 须为列表", "days must be a list")])
    errors: list[FieldError] = []
    rows: list[tuple[str, DayEntry]] = []
    for i, item in enumerate(days):
        where = f"days.{i}"
        if not isinstance(item, dict):
            errors.append(
                _fe(
                    where,
                    "not_an_object",
                    "每一项须为对象 {date, kind, name}",
                    "Each item must be an object {date, kind, name}",
                )
            )
            continue
        entry = _check_entry(target, where, (item.get("date"), item.get("kind"), item.get("name")), errors)
        if entry is not None:
            rows.append((where, entry))
    return _finish(target, rows, errors, "days")


def parse_json(data: bytes, year: int | None = None) -> ParsedYear:
    _check_size(data)
    try:
        obj = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise _error(
            [
                _fe(
                    "file",
                    "bad_json",
                    f"JSON 格式错误（第 {exc.lineno} 行）：{exc.msg}",
                    f"Malformed JSON (line {exc.lineno}): {exc.msg}",
                )
            ]
        ) from None
    return parse_json_obj(obj, year)


def parse_upload(data: bytes, filename: str | None = None, year: int | None = None) -> ParsedYear:
    """Parse an uploaded file as JSON or CSV, by extension, else by its first character."""
    name = (filename or "").lower()
    if name.endswith(".json"):
        return parse_json(data, year)
    if name.endswith(".csv"):
        return parse_csv(data, year)
    looks_json = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    return parse_json(data, year) if looks_json else parse_csv(data, year)


# -- the chinesecalendar package ---------------------------------------------------------------------


def chinesecalendar_years() -> list[int]:
    """Years the installed ``chinesecalendar`` knows (2004-2026 for 1.11)."""
    import chinese_calendar  # noqa: PLC0415 - imported on use: only seeding needs it

    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return [y for y in sorted(years) if _package_knows(y)]


def _package_knows(year: int) -> bool:
    import chinese_calendar  # noqa: PLC0415

    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False  # the package raises for years it does not cover (e.g. 2027 in 1.11)
    return True


def _zh_name(value: object) -> str:
    import chinese_calendar  # noqa: PLC0415

    try:
        return str(chinese_calendar.Holiday(value).chinese)
    except ValueError:
        return str(value or "")


def chinesecalendar_schedule(year: int) -> YearSchedule | None:
    """The year's schedule from ``chinesecalendar``; None when the package has no data for it."""
    import chinese_calendar  # noqa: PLC0415

    if not _package_knows(year):
        return None
    # Read the package's tables directly: calling is_workday per day re-validates each date (slow).
    holidays = {d: v for d, v in chinese_calendar.holidays.items() if d.year == year and d.weekday() < 5}
    makeups = {d: v for d, v in chinese_calendar.workdays.items() if d.year == year and d.weekday() >= 5}
    names = {d: _zh_name(v) for d, v in holidays.items()}
    names.update({d: _zh_name(v) + "调休" for d, v in makeups.items()})
    return YearSchedule(year, frozenset(holidays), frozenset(makeups), {d: n for d, n in names.items() if n})


def schedule_entries(schedule: YearSchedule) -> list[DayEntry]:
    """The listed days of a schedule, sorted (for storage and export)."""
    out = [DayEntry(d, "holiday", schedule.names.get(d, "")) for d in schedule.holidays]
    out += [DayEntry(d, "workday", schedule.names.get(d, "")) for d in schedule.makeup_workdays]
    return sorted(out, key=lambda e: e.day)
