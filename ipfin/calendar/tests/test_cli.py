"""``ipfin calendar …`` and ``ipfin lpr …`` run in-process: output, exit codes, nothing written on bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ipfin.accounts.models import AuditEvent
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear, LprFixing, LprSource
from ipfin.calendar.tests.conftest import notice_year_rows
from ipfin.cli import run

pytestmark = pytest.mark.django_db


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


# --- is-working-day / add-working-days ----------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [("2025-10-01", "false"), ("2025-10-08", "false"),
                                               ("2025-09-28", "true"), ("2025-10-11", "true"),
                                               ("2026-02-16", "false"), ("2026-02-14", "true"),
                                               ("2026-02-28", "true"), ("2025-10-12", "false")])
def test_is_working_day(calendar_2025_2026: None, capsys: pytest.CaptureFixture[str], day: str, expected: str) -> None:
    assert _run(capsys, "calendar", "is-working-day", day) == (0, expected + "\n", "")


def test_is_working_day_json(calendar_2025_2026: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "calendar", "is-working-day", "2025-10-06", "--json")
    assert code == 0
    assert json.loads(out) == {"date": "2025-10-06", "is_working_day": False, "name": "中秋节"}


def test_add_working_days(calendar_2025_2026: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "calendar", "add-working-days", "2025-09-30", "1") == (0, "2025-10-09\n", "")
    assert _run(capsys, "calendar", "add-working-days", "2025-09-26", "5") == (0, "2025-10-10\n", "")
    assert _run(capsys, "calendar", "add-working-days", "2026-02-13", "2") == (0, "2026-02-24\n", "")
    code, out, _ = _run(capsys, "calendar", "add-working-days", "2026-02-13", "0", "--json")
    assert (code, json.loads(out)) == (0, {"date": "2026-02-13", "n": 0, "result": "2026-02-13"})


@pytest.mark.parametrize("argv", [
    ["calendar", "is-working-day", "2027-01-04"],
    ["calendar", "add-working-days", "2027-01-04", "1"],
    ["calendar", "add-working-days", "2026-12-28", "10"],
])
def test_unpublished_year_exits_2_with_one_line(calendar_2025_2026: None, capsys: pytest.CaptureFixture[str],
                                                argv: list[str]) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    line = _one_error_line(err)
    assert "calendar for 2027 is not published" in line


def test_unpublished_year_json_still_errors_on_stderr(db: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "calendar", "is-working-day", "2025-01-02", "--json")
    assert code == 2 and out == "" and "2025" in _one_error_line(err)


@pytest.mark.parametrize(("argv", "fragment"), [
    (["calendar", "is-working-day", "2025-02-30"], "day is out of range for month"),
    (["calendar", "is-working-day", "2025/10/01"], "YYYY-MM-DD"),
    (["calendar", "add-working-days", "2025-10-01", "-1"], "at least 0"),
    (["calendar", "add-working-days", "2025-10-01", "two"], "whole number"),
    (["calendar", "add-working-days", "2025-13-01", "1"], "month must be in 1..12"),
])
def test_malformed_input_exits_2(calendar_2025_2026: None, capsys: pytest.CaptureFixture[str],
                                 argv: list[str], fragment: str) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert fragment in _one_error_line(err)


# --- calendar load ------------------------------------------------------------------------------------

NATIONAL_DAY_2027 = [date(2027, 10, d) for d in range(1, 8)]
MAKE_UP_2027 = [date(2027, 9, 26), date(2027, 10, 9)]


def test_load_a_year_then_reload_changes_nothing(calendar_2025_2026: None, capsys: pytest.CaptureFixture[str],
                                                 write_csv: Callable[..., Path]) -> None:
    path = write_csv(notice_year_rows(2027, NATIONAL_DAY_2027, MAKE_UP_2027, "国庆节"),
                     preamble="# 国务院办公厅关于2027年部分节假日安排的通知 (test data)")
    code, out, err = _run(capsys, "calendar", "load", str(path))
    assert (code, err) == (0, "")
    assert out == "calendar 2027: 365 days loaded, 365 changed\n"
    assert CalendarYear.objects.get(year=2027).source == CalendarSource.CSV_FILE
    assert AuditEvent.objects.filter(action="calendar.publish_year").count() == 1
    assert _run(capsys, "calendar", "is-working-day", "2027-10-09") == (0, "true\n", "")
    assert _run(capsys, "calendar", "add-working-days", "2027-09-30", "1") == (0, "2027-10-08\n", "")

    code, out, _ = _run(capsys, "calendar", "load", str(path), "--json")
    report = json.loads(out)
    assert code == 0 and report["unchanged_years"] == [2027] and report["changed_days"] == 0
    assert AuditEvent.objects.filter(action="calendar.publish_year").count() == 1  # nothing rewritten


def test_load_replaces_a_published_year(calendar_2025_2026: None, capsys: pytest.CaptureFixture[str],
                                        write_csv: Callable[..., Path]) -> None:
    # A correction of 2026: Monday 2026-06-01 declared a holiday; every other day as published.
    rows = [(d.date.isoformat(), "true" if d.is_working_day else "false", d.name)
            for d in CalendarDay.objects.filter(date__year=2026).order_by("date")]
    assert rows[151][0] == "2026-06-01"
    rows[151] = ("2026-06-01", "false", "儿童节")
    code, out, _ = _run(capsys, "calendar", "load", str(write_csv(rows)), "--json")
    report = json.loads(out)
    assert code == 0 and report["replaced_years"] == [2026] and report["changed_days"] == 1
    assert CalendarYear.objects.get(year=2026).source == CalendarSource.CSV_FILE
    assert _run(capsys, "calendar", "is-working-day", "2026-06-01") == (0, "false\n", "")


@pytest.mark.parametrize(("mutate", "fragment"), [
    (lambda rows: rows.__setitem__(40, ("2027-02-30", "true", "")), "line 42: date '2027-02-30'"),
    (lambda rows: rows.__setitem__(9, ("2027-01-10", "maybe", "")), "line 11: is_working_day must be true or false"),
    (lambda rows: rows.__setitem__(9, ("2027-01-10", "true")), "line 11: expected 3 columns"),
    (lambda rows: rows.__setitem__(9, rows[8]), "line 11: 2027-01-09 is listed twice (first on line 10)"),
    (lambda rows: rows.pop(100), "calendar for 2027 is incomplete: 1 of its 365 days are missing (first missing: "
                                 "2027-04-11)"),
    (lambda rows: rows.append(("2028-01-01", "false", "元旦")), "calendar for 2028 is incomplete"),
])
def test_bad_calendar_file_exits_2_and_writes_nothing(
    calendar_2025_2026: None, capsys: pytest.CaptureFixture[str], write_csv: Callable[..., Path],
    mutate: Callable[[list[Any]], Any], fragment: str,
) -> None:
    rows = notice_year_rows(2027, NATIONAL_DAY_2027, MAKE_UP_2027, "国庆节")
    mutate(rows)
    days_before = CalendarDay.objects.count()
    code, out, err = _run(capsys, "calendar", "load", str(write_csv(rows)))
    assert code == 2 and out == ""
    assert fragment in _one_error_line(err)
    assert CalendarDay.objects.count() == days_before
    assert not CalendarYear.objects.filter(year__gte=2027).exists()
    assert not AuditEvent.objects.exists()


def test_bad_header_and_missing_file(db: Any, capsys: pytest.CaptureFixture[str], write_csv: Callable[..., Path],
                                     tmp_path: Path) -> None:
    code, _, err = _run(capsys, "calendar", "load", str(write_csv([("2027-01-01", "false")], header="day,off")))
    assert code == 2 and "line 1: the header must be date,is_working_day,name" in _one_error_line(err)
    code, _, err = _run(capsys, "calendar", "load", str(tmp_path / "nope.csv"))
    assert code == 2 and "no such file" in _one_error_line(err)
    assert not CalendarDay.objects.exists()


# --- lpr on / lpr add ---------------------------------------------------------------------------------

def test_lpr_on_a_fixing_date_and_between(lpr_fixings: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "lpr", "on", "2025-05-20") == (
        0, "2025-05-20: 1Y 3.00%  5Y 3.50%  (fixing of 2025-05-20)\n", "")
    assert _run(capsys, "lpr", "on", "2025-05-19") == (
        0, "2025-05-19: 1Y 3.10%  5Y 3.60%  (fixing of 2025-04-21)\n", "")
    assert _run(capsys, "lpr", "on", "2025-06-01") == (
        0, "2025-06-01: 1Y 3.00%  5Y 3.50%  (fixing of 2025-05-20)\n", "")


def test_lpr_on_with_tenor(lpr_fixings: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "lpr", "on", "2024-08-01", "--tenor-months", "61", "--json")
    assert code == 0
    assert json.loads(out) == {"date": "2024-08-01", "fixing_date": "2024-07-22", "lpr_1y_pct": "3.35",
                               "lpr_5y_pct": "3.85", "tenor_months": 61, "tenor": "5y", "applicable_pct": "3.85"}
    code, out, _ = _run(capsys, "lpr", "on", "2024-08-01", "--tenor-months", "60")
    assert code == 0 and out.splitlines()[1] == "60 months: 1Y LPR applies, 3.35%"


@pytest.mark.parametrize(("argv", "fragment"), [
    (["lpr", "on", "2019-08-19"], "No LPR fixing is in force on 2019-08-19: the first fixing on record is of 2019-08-20"),
    (["lpr", "on", "2025-02-30"], "day is out of range for month"),
    (["lpr", "on", "2025-06-01", "--tenor-months", "0"], "at least 1"),
    (["lpr", "on", "2025-06-01", "--tenor-months", "1.5"], "whole number"),
])
def test_lpr_on_bad_input(lpr_fixings: None, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert fragment in _one_error_line(err)


def test_lpr_add_then_in_force(lpr_fixings: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "lpr", "add", "2026-09-21", "2.95", "3.45")
    assert code == 0 and out == "LPR fixing of 2026-09-21 recorded: 1Y 2.95%  5Y 3.45%\n"
    fixing = LprFixing.objects.get(fixing_date=date(2026, 9, 21))
    assert (fixing.lpr_1y_pct, fixing.lpr_5y_pct, fixing.source) == (Decimal("2.95"), Decimal("3.45"), LprSource.COMMAND_LINE)
    assert AuditEvent.objects.filter(action="lpr.add", object_id=str(fixing.pk)).count() == 1
    assert _run(capsys, "lpr", "on", "2026-10-01")[1].startswith("2026-10-01: 1Y 2.95%  5Y 3.45%")
    code, out, _ = _run(capsys, "lpr", "add", "2026-09-21", "2.95", "3.45", "--json")
    assert code == 0 and json.loads(out)["created"] is False


@pytest.mark.parametrize(("argv", "fragment"), [
    (["2026-09-21", "0", "3.45"], "must be positive"),
    (["2026-09-21", "2.95", "20"], "below 20"),
    (["2026-09-21", "2.95", "3.45678"], "at most 4 decimal places"),
    (["2026-09-21", "abc", "3.45"], "decimal number"),
    (["2026-02-30", "2.95", "3.45"], "day is out of range"),
    (["2025-05-20", "2.95", "3.45"], "A fixing of 2025-05-20 is already on record (1Y 3.00%, 5Y 3.50%)"),
])
def test_lpr_add_bad_input_writes_nothing(lpr_fixings: None, capsys: pytest.CaptureFixture[str],
                                          argv: list[str], fragment: str) -> None:
    before = list(LprFixing.objects.order_by("fixing_date").values_list("fixing_date", "lpr_1y_pct", "lpr_5y_pct"))
    code, out, err = _run(capsys, "lpr", "add", *argv)
    assert code == 2 and out == ""
    assert fragment in _one_error_line(err)
    assert list(LprFixing.objects.order_by("fixing_date").values_list("fixing_date", "lpr_1y_pct", "lpr_5y_pct")) == before
    assert not AuditEvent.objects.exists()
