"""Parsing an administrator's CSV/JSON upload, and the chinesecalendar package as a source."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.calendar.sources import (
    MAX_UPLOAD_BYTES,
    DayEntry,
    chinesecalendar_schedule,
    chinesecalendar_years,
    parse_csv,
    parse_json,
    parse_json_obj,
    parse_upload,
    schedule_entries,
    schedule_from_entries,
    to_schedule,
)
from core.errors import AppError

D = dt.date

GOOD_CSV = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,workday,春节调休
2027-10-01,holiday,国庆节

"""

GOOD_JSON = {
    "year": 2027,
    "days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-06", "kind": "workday"},
    ],
}


def fields(err: pytest.ExceptionInfo[AppError]) -> dict[str, str]:
    assert err.value.status == 422
    assert err.value.message.zh and err.value.message.en
    for f in err.value.fields:
        assert f.message.zh and f.message.en
    return {f.field: f.code for f in err.value.fields}


# -- CSV ---------------------------------------------------------------------------------------------


def test_csv_ok() -> None:
    parsed = parse_csv(GOOD_CSV.encode(), 2027)
    assert parsed.year == 2027
    assert parsed.entries[0] == DayEntry(D(2027, 1, 1), "holiday", "元旦")
    sched = to_schedule(parsed)
    assert sched.holidays == {D(2027, 1, 1), D(2027, 10, 1)}
    assert sched.makeup_workdays == {D(2027, 2, 6)}
    assert sched.names[D(2027, 2, 6)] == "春节调休"


def test_csv_year_from_first_row_bom_and_gbk() -> None:
    assert parse_csv(b"\xef\xbb\xbf" + GOOD_CSV.encode()).year == 2027
    parsed = parse_csv(GOOD_CSV.replace("\n", "\r\n").encode("gb18030"))
    assert parsed.entries[0].name == "元旦"


def test_csv_two_columns_and_slash_dates() -> None:
    parsed = parse_csv(b"date,kind\n2027/1/1,HOLIDAY\n", 2027)
    assert parsed.entries == (DayEntry(D(2027, 1, 1), "holiday", ""),)


def test_csv_header_required() -> None:
    with pytest.raises(AppError) as err:
        parse_csv(b"2027-01-01,holiday,x\n", 2027)
    assert fields(err) == {"line.1": "bad_header"}


def test_csv_errors_name_the_line() -> None:
    data = "\n".join(
        [
            "date,kind,name",
            "2027-01-01,holiday,元旦",  # line 2 ok
            "2027-01-02,holiday,周六",  # line 3: Saturday as holiday
            "2027-01-04,workday,周一",  # line 4: Monday as workday
            "2026-12-31,holiday,",  # line 5: wrong year
            "2027-13-01,holiday,",  # line 6: no such date
            "2027-01-05,rest,",  # line 7: bad kind
            "2027-01-01,holiday,again",  # line 8: duplicate of line 2
            "2027-01-06",  # line 9: one column
        ]
    ).encode()
    with pytest.raises(AppError) as err:
        parse_csv(data, 2027)
    assert fields(err) == {
        "line.3.kind": "holiday_on_weekend",
        "line.4.kind": "workday_on_weekday",
        "line.5.date": "wrong_year",
        "line.6.date": "invalid_date",
        "line.7.kind": "invalid_kind",
        "line.8.date": "duplicate_date",
        "line.9": "bad_columns",
    }


@pytest.mark.parametrize("data", [b"", b"   \n", b"date,kind,name\n", b"date,kind,name\n\n\n"])
def test_csv_empty_rejected(data: bytes) -> None:
    with pytest.raises(AppError) as err:
        parse_csv(data, 2027)
    assert set(fields(err).values()) <= {"empty", "bad_header"}


def test_too_large_rejected() -> None:
    line = b"2027-01-01,holiday," + b"x" * 60 + b"\n"
    data = b"date,kind,name\n" + line * (MAX_UPLOAD_BYTES // len(line) + 1)
    with pytest.raises(AppError) as err:
        parse_upload(data, "x.csv", 2027)
    assert fields(err) == {"file": "too_large"}


def test_year_out_of_range() -> None:
    with pytest.raises(AppError) as err:
        parse_csv(b"date,kind\n1899-01-02,holiday\n")
    assert "year_out_of_range" in fields(err).values()


# -- JSON --------------------------------------------------------------------------------------------


def test_json_ok_and_year_from_path() -> None:
    parsed = parse_json(json.dumps(GOOD_JSON).encode(), 2027)
    assert [e.day for e in parsed.entries] == [D(2027, 1, 1), D(2027, 2, 6)]
    assert parse_json_obj({"days": GOOD_JSON["days"]}, 2027).year == 2027
    assert parse_upload(json.dumps(GOOD_JSON).encode()).year == 2027  # sniffed as JSON


def test_json_errors_name_the_index() -> None:
    doc = {
        "year": 2027,
        "days": [
            {"date": "2027-01-01", "kind": "holiday"},
            {"date": "2027-01-03", "kind": "holiday"},  # Sunday
            "2027-01-05",
            {"date": 20270105, "kind": "holiday"},
            {"date": "2027-01-01", "kind": "holiday"},
            {"date": "2027-01-06", "kind": "holiday", "name": "x" * 65},
        ],
    }
    with pytest.raises(AppError) as err:
        parse_json_obj(doc, 2027)
    assert fields(err) == {
        "days.1.kind": "holiday_on_weekend",
        "days.2": "not_an_object",
        "days.3.date": "invalid_date",
        "days.4.date": "duplicate_date",
        "days.5.name": "invalid_name",
    }


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([], {"body": "not_an_object"}),
        ({"year": 2026, "days": GOOD_JSON["days"]}, {"year": "year_mismatch"}),
        ({"year": "2027", "days": []}, {"year": "invalid_year"}),
        ({"year": 2027, "days": {}}, {"days": "invalid"}),
        ({"year": 2027, "days": []}, {"days": "empty"}),
        ({"year": 2027, "days": [], "extra": 1}, {"extra": "unknown_field"}),
    ],
)
def test_json_shape_errors(doc: object, expected: dict[str, str]) -> None:
    with pytest.raises(AppError) as err:
        parse_json_obj(doc, 2027)
    assert fields(err) == expected


def test_json_syntax_and_missing_year() -> None:
    with pytest.raises(AppError) as err:
        parse_json(b'{"year": 2027, "days": [', 2027)
    assert fields(err) == {"file": "bad_json"}
    with pytest.raises(AppError) as err:
        parse_json(b'{"days": []}')
    assert fields(err) == {"year": "missing"}


def test_entries_given_in_code_are_validated() -> None:
    with pytest.raises(AppError) as err:
        schedule_from_entries(2027, [DayEntry(D(2027, 1, 2), "holiday"), DayEntry(D(2027, 1, 4), "holiday")])
    assert fields(err) == {"days.0.kind": "holiday_on_weekend"}


# -- chinesecalendar ---------------------------------------------------------------------------------


def test_chinesecalendar_2026_facts() -> None:
    sched = chinesecalendar_schedule(2026)
    assert sched is not None
    assert sched.makeup_workdays == {
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    }
    national_day = {D(2026, 10, d) for d in range(1, 8)}
    # the weekdays of 10-01..07 are listed holidays; 10-03/04 are weekends anyway
    assert {d for d in national_day if d.weekday() < 5} <= sched.holidays
    assert sched.names[D(2026, 10, 1)] == "国庆节"
    assert sched.names[D(2026, 10, 10)] == "国庆节调休"


def test_chinesecalendar_years_and_2027() -> None:
    years = chinesecalendar_years()
    assert years[0] == 2004 and 2026 in years and 2027 not in years
    assert chinesecalendar_schedule(2027) is None


def test_chinesecalendar_schedule_round_trips_through_the_csv_format() -> None:
    sched = chinesecalendar_schedule(2025)
    assert sched is not None
    csv = "date,kind,name\n" + "".join(f"{e.day},{e.kind},{e.name}\n" for e in schedule_entries(sched))
    assert to_schedule(parse_csv(csv.encode(), 2025)) == sched
