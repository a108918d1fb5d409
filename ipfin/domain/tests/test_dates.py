"""The date rules of design §5: supported range and value dates (no database)."""

from datetime import date

import pytest

from ipfin.domain.calendar import InvalidDate, parse_iso_date
from ipfin.domain.dates import (
    FIRST_SUPPORTED_DATE,
    LAST_SUPPORTED_DATE,
    DateOutOfRange,
    ValueDateBeforeRecord,
    ValueDateInFuture,
    check_supported,
    check_value_date,
)

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize("day", [FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE, TODAY])
def test_supported_range_includes_its_bounds(day: date) -> None:
    assert check_supported(day) == day


@pytest.mark.parametrize("day", [date(1, 1, 1), date(2, 6, 15), date(1899, 12, 31), date(2200, 1, 1),
                                 date(9999, 12, 31)])
def test_dates_outside_the_range_are_refused(day: date) -> None:
    with pytest.raises(DateOutOfRange) as info:
        check_supported(day, "received_on")
    assert info.value.details["field"] == "received_on"


@pytest.mark.parametrize("text", ["0001-01-01", "0002-12-31", "9999-12-31", "9999-06-15"])
def test_the_strict_parser_refuses_out_of_range_dates(text: str) -> None:
    with pytest.raises(DateOutOfRange):
        parse_iso_date(text)


def test_the_strict_parser_still_refuses_bad_forms() -> None:
    with pytest.raises(InvalidDate):
        parse_iso_date("2026-02-30")


def test_a_value_date_on_the_business_date_is_accepted() -> None:
    assert check_value_date(TODAY, business_date=TODAY, not_before=TODAY) == TODAY


def test_a_value_date_one_day_after_the_business_date_is_refused() -> None:
    with pytest.raises(ValueDateInFuture) as info:
        check_value_date(date(2026, 12, 3), business_date=TODAY)
    assert info.value.details["business_date"] == "2026-12-02"


def test_a_value_date_before_its_record_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueDateBeforeRecord) as info:
        check_value_date(date(2026, 11, 30), business_date=TODAY, not_before=date(2026, 12, 1),
                         why="the loan's disbursement date")
    assert "disbursement" in info.value.message


def test_year_9999_is_out_of_range_before_it_is_in_the_future() -> None:
    with pytest.raises(DateOutOfRange):
        check_value_date(date(9999, 12, 31), business_date=TODAY)
