"""Annual fees, grace period and late surcharge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.registry.annual_fee import (
    FeeSchedule,
    due_date,
    due_years,
    fee_position,
    late_surcharge,
    load_fee_schedule,
    months_late,
    patent_year,
)
from ipfin.domain.registry.patent_number import PatentKind

SCHEDULE_PATH = Path(__file__).resolve().parents[2] / "registry" / "data" / "annual_fees.toml"


@pytest.fixture(scope="module")
def schedule() -> FeeSchedule:
    return load_fee_schedule(SCHEDULE_PATH)


def test_schedule_from_data(schedule: FeeSchedule) -> None:
    assert schedule.fee(PatentKind.INVENTION, 1) == 90_000  # 900 元
    assert schedule.fee(PatentKind.INVENTION, 20) == 800_000
    assert schedule.fee(PatentKind.UTILITY_MODEL, 10) == 200_000
    assert schedule.fee(PatentKind.DESIGN, 15) == 300_000
    assert schedule.rate_per_month == Decimal("0.05")
    assert set(schedule.fees_fen["invention"]) == set(range(1, 21))


def test_patent_years_follow_the_filing_date() -> None:
    # 专利审查指南 example: filed 1997-06-03, granted 2001-08-01 (year 5); year 6 due 2002-06-03
    filed = date(1997, 6, 3)
    assert patent_year(filed, date(2001, 8, 1)) == 5
    assert patent_year(filed, date(2002, 6, 2)) == 5
    assert patent_year(filed, date(2002, 6, 3)) == 6
    assert due_date(filed, 6) == date(2002, 6, 3)
    years = due_years(PatentKind.INVENTION, filed, date(2001, 8, 1))
    assert years[0] == (6, date(2002, 6, 3)) and years[-1] == (20, date(2016, 6, 3))


@pytest.mark.parametrize(
    ("paid_on", "months", "surcharge_fen"),
    [
        (date(2024, 3, 10), 0, 0),
        (date(2024, 4, 10), 1, 0),  # within one whole month: free
        (date(2024, 4, 11), 2, 6_000),  # 5 % of 1200 元
        (date(2024, 6, 10), 3, 12_000),
        (date(2024, 9, 10), 6, 30_000),  # 25 %
    ],
)
def test_late_surcharge(schedule: FeeSchedule, paid_on: date, months: int, surcharge_fen: int) -> None:
    due = date(2024, 3, 10)
    assert months_late(due, paid_on) == months
    assert late_surcharge(schedule, 120_000, due, paid_on) == surcharge_fen


def test_beyond_grace_is_refused(schedule: FeeSchedule) -> None:
    with pytest.raises(Exception, match="grace period"):
        late_surcharge(schedule, 120_000, date(2024, 3, 10), date(2024, 9, 11))


def test_fee_position(schedule: FeeSchedule) -> None:
    filed, granted = date(2018, 5, 20), date(2020, 9, 1)  # granted in year 3, paid through end of year 3
    kind = PatentKind.INVENTION
    paid = fee_position(schedule, kind, filed, granted, date(2021, 5, 19), date(2021, 4, 1))
    assert (paid.state, paid.year, paid.due, paid.fee_fen) == ("paid", 4, date(2021, 5, 20), 120_000)
    grace = fee_position(schedule, kind, filed, granted, date(2021, 5, 19), date(2021, 7, 1))
    assert (grace.state, grace.surcharge_fen, grace.grace_ends) == ("grace", 6_000, date(2021, 11, 20))
    lapsed = fee_position(schedule, kind, filed, granted, date(2021, 5, 19), date(2021, 11, 21))
    assert lapsed.state == "lapsed"
    only_grant_year = fee_position(schedule, kind, filed, granted, None, date(2021, 1, 1))
    assert only_grant_year.year == 4
    over = fee_position(schedule, kind, filed, granted, date(2038, 5, 19), date(2030, 1, 1))
    assert over.state == "term_over"


@given(st.dates(date(2003, 1, 1), date(2030, 12, 31)), st.integers(1, 400))
def test_surcharge_never_exceeds_25_percent(schedule_due: date, days_late: int) -> None:
    schedule = load_fee_schedule(SCHEDULE_PATH)
    from datetime import timedelta

    paid_on = schedule_due + timedelta(days=days_late)
    try:
        surcharge = late_surcharge(schedule, 100_000, schedule_due, paid_on)
    except Exception:
        assert days_late > 180
        return
    assert 0 <= surcharge <= 25_000
