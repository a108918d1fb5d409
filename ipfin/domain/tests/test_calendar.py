"""Working-day calendar: State Council holidays and make-up days (调休), the counting convention, and the
refusal to guess for a year without a published notice."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.calendar import (
    CalendarNotPublished,
    InvalidDate,
    WorkingCalendar,
    days_in_year,
    parse_iso_date,
    year_dates,
)
from ipfin.domain.errors import InvalidInput

YEARS = [2024, 2025, 2026]


def _days(years: list[int]) -> dict[date, bool]:
    return {d: chinese_calendar.is_workday(d) for y in years for d in year_dates(y)}


CAL = WorkingCalendar(_days(YEARS), years=YEARS)


# --- 2025 National Day + Mid-Autumn: 10-01..10-08 off; Sun 09-28 and Sat 10-11 are worked ------------

@pytest.mark.parametrize("day", [date(2025, 10, d) for d in range(1, 9)])
def test_national_day_2025_is_off(day: date) -> None:
    assert CAL.is_working_day(day) is False


def test_make_up_days_around_national_day_2025_are_worked() -> None:
    assert date(2025, 9, 28).weekday() == 6 and CAL.is_working_day(date(2025, 9, 28)) is True
    assert date(2025, 10, 11).weekday() == 5 and CAL.is_working_day(date(2025, 10, 11)) is True
    assert CAL.is_working_day(date(2025, 10, 12)) is False  # the Sunday after is an ordinary rest day
    assert CAL.is_working_day(date(2025, 10, 9)) is True


def test_add_working_days_across_national_day_2025() -> None:
    # Tue 09-30 is the last working day before the break; the next is Thu 10-09.
    assert CAL.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert CAL.add_working_days(date(2025, 9, 30), 2) == date(2025, 10, 10)
    assert CAL.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)  # Saturday make-up day
    assert CAL.add_working_days(date(2025, 9, 30), 4) == date(2025, 10, 13)
    # Sat 09-27 (rest) → Sun 09-28 (make-up) is day 1.
    assert CAL.add_working_days(date(2025, 9, 27), 1) == date(2025, 9, 28)
    # 5 working days (green channel, PZA-2.2.1) from a request received on 09-26.
    assert CAL.add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    # Counting from inside the break starts on the first working day after it.
    assert CAL.add_working_days(date(2025, 10, 3), 1) == date(2025, 10, 9)


def test_working_days_between_over_the_break() -> None:
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert CAL.working_days_between(date(2025, 9, 26), date(2025, 10, 12)) == 6  # 28, 29, 30, 9, 10, 11
    assert CAL.working_days_between(date(2025, 10, 12), date(2025, 9, 26)) == -6


# --- 2026 Spring Festival: 02-15..02-23 off; Sat 02-14 and Sat 02-28 are worked ----------------------

@pytest.mark.parametrize("day", [date(2026, 2, d) for d in range(15, 24)])
def test_spring_festival_2026_is_off(day: date) -> None:
    assert CAL.is_working_day(day) is False


def test_spring_festival_2026_make_up_days() -> None:
    assert date(2026, 2, 14).weekday() == 5 and CAL.is_working_day(date(2026, 2, 14)) is True
    assert date(2026, 2, 28).weekday() == 5 and CAL.is_working_day(date(2026, 2, 28)) is True
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    assert CAL.working_days_in(date(2026, 2, 13), date(2026, 2, 24)) == [
        date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 24)]


def test_n_zero_is_the_start_itself() -> None:
    assert CAL.add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)


def test_counting_runs_across_a_year_end() -> None:
    # 2025-12-31 (Wed) → 2026-01-01..03 New Year's Day off, Sun 01-04 worked.
    assert CAL.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)


# --- years without data ------------------------------------------------------------------------------

def test_unpublished_year_raises_typed_error() -> None:
    with pytest.raises(CalendarNotPublished) as caught:
        CAL.is_working_day(date(2027, 1, 4))
    assert caught.value.code == "calendar_not_published"
    assert caught.value.details == {"year": 2027}
    assert "2027" in caught.value.message and "not published" in caught.value.message


def test_counting_into_an_unpublished_year_raises_for_that_year() -> None:
    with pytest.raises(CalendarNotPublished) as caught:
        CAL.add_working_days(date(2026, 12, 25), 10)
    assert caught.value.details == {"year": 2027}
    with pytest.raises(CalendarNotPublished):
        CAL.add_working_days(date(2023, 12, 29), 1)
    with pytest.raises(CalendarNotPublished):
        CAL.working_days_between(date(2026, 12, 1), date(2027, 1, 10))


def test_a_gap_between_published_years_is_not_skipped() -> None:
    calendar = WorkingCalendar(_days([2024, 2026]), years=[2024, 2026])
    with pytest.raises(CalendarNotPublished) as caught:
        calendar.add_working_days(date(2024, 12, 31), 1)
    assert caught.value.details == {"year": 2025}


def test_incomplete_years_are_not_covered() -> None:
    days = _days([2025])
    del days[date(2025, 6, 1)]
    assert WorkingCalendar(days).years == frozenset()
    with pytest.raises(InvalidInput):
        WorkingCalendar(days, years=[2025])
    assert WorkingCalendar(_days([2025, 2026])).years == frozenset({2025, 2026})


def test_negative_n_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        CAL.add_working_days(date(2025, 1, 2), -1)


# --- date parsing ------------------------------------------------------------------------------------

def test_parse_iso_date() -> None:
    assert parse_iso_date("2025-10-01") == date(2025, 10, 1)
    assert parse_iso_date(" 2024-02-29 ") == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13-01", "2025/01/01", "20250101", "2025-1-1", "", "tomorrow",
                                  "2025-W01-1"])
def test_parse_iso_date_rejects_malformed(text: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_iso_date(text)
    assert caught.value.code == "invalid_date"


def test_parse_iso_date_gives_the_reason() -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_iso_date("2025-02-30")
    assert "2025-02-30" in caught.value.message and "day is out of range" in caught.value.message


def test_days_in_year() -> None:
    assert days_in_year(2024) == 366 and days_in_year(2025) == 365
    assert len(year_dates(2024)) == 366


# --- properties --------------------------------------------------------------------------------------

# Late enough to cross holidays, early enough that start + 80 working days (two counts) stays in 2026,
# the last year the test calendar covers.
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30))
counts = st.integers(min_value=0, max_value=40)


@given(start=starts, n=st.integers(min_value=1, max_value=40))
def test_result_is_a_working_day_strictly_after_start(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result > start
    assert CAL.is_working_day(result)
    assert CAL.working_days_between(start, result) == n


@given(start=starts, n=counts)
def test_monotone_in_n(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) < CAL.add_working_days(start, n + 1)


@given(start=starts, a=counts, b=counts)
def test_counts_compose(start: date, a: int, b: int) -> None:
    assert CAL.add_working_days(CAL.add_working_days(start, a), b) == CAL.add_working_days(start, a + b)


@given(start=starts, n=st.integers(min_value=1, max_value=40))
def test_agrees_with_a_day_by_day_walk(start: date, n: int) -> None:
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    assert CAL.add_working_days(start, n) == day


@given(day=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
def test_agrees_with_chinesecalendar(day: date) -> None:
    assert CAL.is_working_day(day) == chinese_calendar.is_workday(day)
