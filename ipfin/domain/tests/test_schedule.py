"""Repayment schedules against independent references: numpy_financial.pmt, closed-form interest totals,
hand-computed day counts, month ends and leap years; typed errors for bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy_financial as npf
import pytest

from ipfin.domain.errors import InvalidInput
from ipfin.domain.money import round_fen
from ipfin.domain.schedule import (
    InvalidSchedule,
    Keep,
    add_months,
    annuity_installment,
    build_schedule,
    days_30e_360,
    period_interest,
    remaining_schedule,
)

D = Decimal


def _pmt_fen(principal_fen: int, annual_rate: str, periods: int, period_months: int = 1) -> int:
    """numpy_financial's (float) annuity, rounded to the fen: the independent reference."""
    rate = float(annual_rate) / 100 * period_months / 12
    return int(D(repr(float(-npf.pmt(rate, periods, principal_fen)))).quantize(D(1), rounding="ROUND_HALF_UP"))


# ---------------------------------------------------------------------------------------------------------
# Equal installments (等额本息)


@pytest.mark.parametrize(("principal_fen", "rate", "months", "frequency", "day_count"), [
    (100_000_000, "3.85", 12, "monthly", "act360"),
    (100_000_000, "3.85", 12, "monthly", "30_360"),
    (50_000_000, "4.35", 36, "monthly", "act365"),
    (123_456_789, "5.5", 24, "quarterly", "act360"),
    (987_654_32, "2.95", 60, "monthly", "30_360"),
    (300_000, "6", 6, "monthly", "act360"),
])
def test_equal_installment_equals_numpy_financial_pmt_except_the_last(principal_fen, rate, months, frequency,
                                                                       day_count) -> None:
    schedule = build_schedule(principal_fen=principal_fen, annual_rate=D(rate), months=months,
                              method="equal-installment", start=date(2026, 1, 15), frequency=frequency,
                              day_count=day_count)
    period_months = 3 if frequency == "quarterly" else 1
    expected = _pmt_fen(principal_fen, rate, months // period_months, period_months)
    assert schedule.installment_fen == expected
    assert [r.total_fen for r in schedule.rows[:-1]] == [expected] * (len(schedule.rows) - 1)
    assert sum(r.principal_fen for r in schedule.rows) == principal_fen
    assert schedule.rows[-1].balance_fen == 0


def test_equal_installment_under_30_360_interest_is_balance_times_monthly_rate() -> None:
    schedule = build_schedule(principal_fen=100_000_000, annual_rate=D("3.85"), months=12,
                              method="equal-installment", start=date(2026, 1, 15), day_count="30_360")
    balance = 100_000_000
    for row in schedule.rows:
        assert row.interest_fen == round_fen(D(balance) * D("3.85") / 1200)
        balance = row.balance_fen
    # only rounding is absorbed by the last row
    assert abs(schedule.rows[-1].total_fen - schedule.installment_fen) <= 12


def test_equal_installment_act360_interest_follows_actual_days() -> None:
    schedule = build_schedule(principal_fen=100_000_000, annual_rate=D("3.85"), months=3,
                              method="equal-installment", start=date(2026, 1, 15))
    first, second = schedule.rows[0], schedule.rows[1]
    assert first.interest_fen == round_fen(D(100_000_000) * D("3.85") * 31 / 36000)  # 15 Jan → 15 Feb
    assert second.interest_fen == round_fen(D(first.balance_fen) * D("3.85") * 28 / 36000)  # February 2026
    assert first.principal_fen == schedule.installment_fen - first.interest_fen


def test_zero_rate_installment_is_the_principal_split_evenly() -> None:
    schedule = build_schedule(principal_fen=1_000_000, annual_rate=D("0"), months=3, method="equal-installment",
                              start=date(2026, 1, 1))
    assert [r.principal_fen for r in schedule.rows] == [333_333, 333_333, 333_334]
    assert schedule.totals.interest_fen == 0


def test_annuity_installment_matches_a_published_example() -> None:
    # 1,000,000 元 over 12 months at 3.85 %: 85,081.39 元 a month (any bank's calculator)
    assert annuity_installment(100_000_000, D("3.85"), 12) == 8_508_139


# ---------------------------------------------------------------------------------------------------------
# Equal principal (等额本金)


def test_equal_principal_interest_total_by_formula_when_every_row_is_exact() -> None:
    # 3.6 %/yr is 0.3 % a month; balances are multiples of 10,000,000 fen so no row rounds.
    schedule = build_schedule(principal_fen=120_000_000, annual_rate=D("3.6"), months=12, method="equal-principal",
                              start=date(2026, 3, 10), day_count="30_360")
    assert [r.principal_fen for r in schedule.rows] == [10_000_000] * 12
    # Σ (P − k·P/n)·i for k = 0..n−1 = i·P·(n+1)/2
    assert schedule.totals.interest_fen == D("0.003") * 120_000_000 * 13 / 2 == 2_340_000


@pytest.mark.parametrize(("principal_fen", "rate", "months"), [(100_000_001, "3.85", 12), (7_777_777, "4.9", 36),
                                                               (50_000_000, "3.45", 24)])
def test_equal_principal_interest_total_within_rounding_of_the_formula(principal_fen, rate, months) -> None:
    schedule = build_schedule(principal_fen=principal_fen, annual_rate=D(rate), months=months,
                              method="equal-principal", start=date(2026, 1, 15), day_count="30_360")
    part = schedule.installment_fen
    assert part == round_fen(D(principal_fen) / months)
    i = D(rate) / 1200
    exact = sum(D(principal_fen - k * part) * i for k in range(months))
    assert abs(schedule.totals.interest_fen - exact) <= D(months) / 2
    assert schedule.rows[-1].principal_fen == principal_fen - part * (months - 1)


def test_tiny_principal_over_many_periods_never_goes_negative() -> None:
    schedule = build_schedule(principal_fen=7, annual_rate=D("3.85"), months=12, method="equal-principal",
                              start=date(2026, 1, 15))
    assert all(r.balance_fen >= 0 for r in schedule.rows)
    assert sum(r.principal_fen for r in schedule.rows) == 7
    assert schedule.rows[-1].balance_fen == 0


# ---------------------------------------------------------------------------------------------------------
# Interest-only and bullet


def test_interest_only_pays_principal_at_maturity() -> None:
    schedule = build_schedule(principal_fen=100_000_000, annual_rate=D("3.85"), months=12, method="interest-only",
                              start=date(2026, 1, 15), frequency="quarterly", day_count="30_360")
    assert [r.principal_fen for r in schedule.rows] == [0, 0, 0, 100_000_000]
    assert [r.interest_fen for r in schedule.rows] == [962_500] * 4  # 1,000,000 元 × 3.85 % / 4
    assert [r.due_date for r in schedule.rows] == [date(2026, 4, 15), date(2026, 7, 15), date(2026, 10, 15),
                                                   date(2027, 1, 15)]


def test_bullet_is_one_payment_with_all_interest() -> None:
    schedule = build_schedule(principal_fen=100_000_000, annual_rate=D("3.85"), months=12, method="bullet",
                              start=date(2026, 1, 15))
    (row,) = schedule.rows
    assert row.due_date == date(2027, 1, 15)
    assert row.interest_fen == round_fen(D(100_000_000) * D("3.85") * 365 / 36000)
    assert row.total_fen == 100_000_000 + row.interest_fen
    thirty = build_schedule(principal_fen=100_000_000, annual_rate=D("3.85"), months=12, method="bullet",
                            start=date(2026, 1, 15), day_count="30_360")
    assert thirty.rows[0].interest_fen == 3_850_000


def test_bullet_refuses_a_first_due_date() -> None:
    with pytest.raises(InvalidSchedule):
        build_schedule(principal_fen=100, annual_rate=D("3"), months=6, method="bullet", start=date(2026, 1, 1),
                       first_due=date(2026, 2, 1))


# ---------------------------------------------------------------------------------------------------------
# Dates: month ends, leap years, broken first period


def test_start_on_31_january_of_a_leap_year_anchors_on_the_31st() -> None:
    schedule = build_schedule(principal_fen=1_200_000, annual_rate=D("3.85"), months=6, method="equal-principal",
                              start=date(2024, 1, 31))
    assert [r.due_date for r in schedule.rows] == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30),
                                                   date(2024, 5, 31), date(2024, 6, 30), date(2024, 7, 31)]
    # 29 days of February 2024 at ACT/360
    assert schedule.rows[0].interest_fen == round_fen(D(1_200_000) * D("3.85") * 29 / 36000)


def test_start_on_31_january_of_a_common_year_falls_due_on_28_february() -> None:
    schedule = build_schedule(principal_fen=1_200_000, annual_rate=D("3.85"), months=3, method="interest-only",
                              start=date(2023, 1, 31))
    assert [r.due_date for r in schedule.rows] == [date(2023, 2, 28), date(2023, 3, 31), date(2023, 4, 30)]
    assert [(r.due_date - r.accrual_start).days for r in schedule.rows] == [28, 31, 30]


def test_start_on_29_february_falls_due_on_28_february_next_year() -> None:
    schedule = build_schedule(principal_fen=1_200_000, annual_rate=D("3.85"), months=12, method="equal-installment",
                              start=date(2024, 2, 29))
    assert schedule.rows[0].due_date == date(2024, 3, 29)
    assert schedule.rows[-1].due_date == date(2025, 2, 28)
    assert sum(r.principal_fen for r in schedule.rows) == 1_200_000


def test_30_360_full_periods_ignore_february_length() -> None:
    schedule = build_schedule(principal_fen=120_000_000, annual_rate=D("3.6"), months=2, method="interest-only",
                              start=date(2024, 1, 31), day_count="30_360")
    assert [r.interest_fen for r in schedule.rows] == [360_000, 360_000]


def test_act365_uses_365_even_in_a_leap_year() -> None:
    schedule = build_schedule(principal_fen=36_500_000, annual_rate=D("4"), months=12, method="bullet",
                              start=date(2024, 1, 1), day_count="act365")
    assert schedule.rows[0].interest_fen == round_fen(D(36_500_000) * 4 * 366 / 36500) == 1_464_000


def test_broken_first_period_accrues_its_actual_days() -> None:
    schedule = build_schedule(principal_fen=100_000_000, annual_rate=D("3.6"), months=3, method="interest-only",
                              start=date(2026, 1, 15), first_due=date(2026, 2, 20))
    assert [r.due_date for r in schedule.rows] == [date(2026, 2, 20), date(2026, 3, 20), date(2026, 4, 20)]
    assert schedule.rows[0].interest_fen == 100_000_000 * 36 * 36 // 360_000  # 36 days
    thirty = build_schedule(principal_fen=100_000_000, annual_rate=D("3.6"), months=3, method="interest-only",
                            start=date(2026, 1, 15), first_due=date(2026, 2, 20), day_count="30_360")
    assert days_30e_360(date(2026, 1, 15), date(2026, 2, 20)) == 35
    assert [r.interest_fen for r in thirty.rows] == [350_000, 300_000, 300_000]


def test_first_due_one_period_after_start_is_a_regular_schedule() -> None:
    plain = build_schedule(principal_fen=1_000_000, annual_rate=D("3.85"), months=6, method="equal-installment",
                           start=date(2024, 1, 31))
    same = build_schedule(principal_fen=1_000_000, annual_rate=D("3.85"), months=6, method="equal-installment",
                          start=date(2024, 1, 31), first_due=date(2024, 2, 29))
    assert plain == same


def test_add_months_clamps_and_returns_to_the_anchor() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 1, anchor_day=31) == date(2024, 3, 31)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)


def test_period_interest_rounds_half_up_once() -> None:
    # 1 fen... 100 fen × 1.8 % × 1 day / 360 = 0.005 fen → 0; 10,000 fen gives 0.5 → 1
    assert period_interest(100, D("1.8"), "act360", start=date(2026, 1, 1), end=date(2026, 1, 2)) == 0
    assert period_interest(10_000, D("1.8"), "act360", start=date(2026, 1, 1), end=date(2026, 1, 2)) == 1


# ---------------------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("kwargs", [
    {"principal_fen": 0},
    {"principal_fen": -5},
    {"principal_fen": True},
    {"months": 0},
    {"months": 361},
    {"annual_rate": "-0.1"},
    {"annual_rate": "3.85001"},
    {"annual_rate": "36"},
    {"annual_rate": "abc"},
    {"method": "balloon"},
    {"frequency": "weekly"},
    {"day_count": "act366"},
    {"frequency": "quarterly", "months": 10},
    {"first_due": date(2026, 1, 15)},
    {"first_due": date(2026, 3, 15)},
    {"anchor_day": 32},
])
def test_bad_input_raises_a_typed_error(kwargs) -> None:
    params = {"principal_fen": 100_000, "annual_rate": D("3.85"), "months": 12, "method": "equal-installment",
              "start": date(2026, 1, 15)} | kwargs
    with pytest.raises(InvalidSchedule) as info:
        build_schedule(**params)
    assert isinstance(info.value, InvalidInput)
    assert info.value.code == "invalid_schedule"
    assert info.value.message  # one substituted line


def test_float_rate_is_refused() -> None:
    with pytest.raises(TypeError):
        build_schedule(principal_fen=100, annual_rate=3.85, months=1, method="bullet", start=date(2026, 1, 1))


def test_method_spellings_from_the_glossary_are_accepted() -> None:
    schedule = build_schedule(principal_fen=100_000, annual_rate="3.85", months=3, method="equal_principal",
                              start=date(2026, 1, 15))
    assert schedule.method == "equal-principal"


def test_as_dict_has_exactly_the_cli_keys() -> None:
    data = build_schedule(principal_fen=100_000, annual_rate=D("3.85"), months=2, method="equal-installment",
                          start=date(2026, 1, 15)).as_dict()
    assert set(data) == {"rows", "totals"}
    assert set(data["rows"][0]) == {"period", "due_date", "principal_fen", "interest_fen", "total_fen", "balance_fen"}
    assert set(data["totals"]) == {"principal_fen", "interest_fen", "total_fen"}
    assert data["rows"][0]["due_date"] == "2026-02-15"


# ---------------------------------------------------------------------------------------------------------
# Prepayment: re-amortising the balance


def _after_prepayment(keep: str, method: str = "equal-installment"):
    original = build_schedule(principal_fen=120_000_000, annual_rate=D("3.85"), months=12, method=method,
                              start=date(2026, 1, 31))
    paid = original.rows[2]  # three periods paid; then 30,000,000 fen prepaid on the third due date
    balance = paid.balance_fen - 30_000_000
    new = remaining_schedule(balance_fen=balance, annual_rate=D("3.85"), method=method, from_date=paid.due_date,
                             next_due=original.rows[3].due_date, periods=9, keep=keep,
                             installment_fen=original.installment_fen, anchor_day=31, first_period=4)
    return original, balance, new


def test_prepayment_keeping_the_term_lowers_the_installment() -> None:
    original, balance, new = _after_prepayment("term")
    assert len(new.rows) == 9
    assert new.maturity == original.maturity
    assert new.rows[0].period == 4
    assert new.installment_fen < original.installment_fen
    assert new.installment_fen == _pmt_fen(balance, "3.85", 9)
    assert sum(r.principal_fen for r in new.rows) == balance
    # 30 April → 31 May is a whole period on the month-end anchor
    assert [r.due_date for r in new.rows][:2] == [date(2026, 5, 31), date(2026, 6, 30)]


def test_prepayment_keeping_the_installment_shortens_the_term() -> None:
    original, balance, new = _after_prepayment(Keep.INSTALLMENT)
    assert len(new.rows) < 9
    assert new.maturity < original.maturity
    assert all(r.total_fen == original.installment_fen for r in new.rows[:-1])
    assert new.rows[-1].total_fen <= original.installment_fen
    assert sum(r.principal_fen for r in new.rows) == balance
    assert new.rows[-1].balance_fen == 0


def test_prepayment_of_equal_principal_keeping_the_principal_part() -> None:
    original, balance, new = _after_prepayment("installment", "equal-principal")
    assert [r.principal_fen for r in new.rows[:-1]] == [original.installment_fen] * (len(new.rows) - 1)
    assert len(new.rows) == 6  # 90,000,000 − 30,000,000 left = 6 periods of 10,000,000
    assert sum(r.principal_fen for r in new.rows) == balance


def test_prepayment_mid_period_accrues_the_broken_days() -> None:
    new = remaining_schedule(balance_fen=50_000_000, annual_rate=D("3.6"), method="interest-only",
                             from_date=date(2026, 3, 10), next_due=date(2026, 3, 31), periods=2, anchor_day=31)
    assert new.rows[0].interest_fen == 50_000_000 * 36 * 21 // 360_000  # 21 days
    assert [r.due_date for r in new.rows] == [date(2026, 3, 31), date(2026, 4, 30)]


@pytest.mark.parametrize("kwargs", [
    {"keep": "installment", "method": "interest-only"},
    {"keep": "installment", "installment_fen": None},
    {"keep": "installment", "installment_fen": 0},
    {"periods": 0},
    {"next_due": date(2026, 3, 1)},
    {"balance_fen": 0},
    {"keep": "both"},
])
def test_bad_prepayment_input_raises_a_typed_error(kwargs) -> None:
    params = {"balance_fen": 1_000_000, "annual_rate": D("3.85"), "method": "equal-installment",
              "from_date": date(2026, 3, 1), "next_due": date(2026, 4, 1), "periods": 6,
              "installment_fen": 100_000} | kwargs
    with pytest.raises(InvalidSchedule):
        remaining_schedule(**params)
