"""Allocation order (penalty → overdue interest → overdue principal → current interest → current principal),
partial payments, days past due and penalty interest (issue 6)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain.repayment import (
    ALLOCATION_ORDER,
    Dues,
    InstallmentDue,
    InvalidRepayment,
    allocate,
    allocate_to_installments,
    days_past_due,
    penalty_interest,
    penalty_rate,
)

D = Decimal
DUES = Dues(penalty_fen=500, overdue_interest_fen=2_000, overdue_principal_fen=10_000, current_interest_fen=3_000,
            current_principal_fen=20_000)


def test_the_order_is_the_issue_6_order() -> None:
    assert ALLOCATION_ORDER == ("penalty_fen", "overdue_interest_fen", "overdue_principal_fen",
                                "current_interest_fen", "current_principal_fen")


@pytest.mark.parametrize(("amount", "expected"), [
    (0, (0, 0, 0, 0, 0, 0)),
    (300, (300, 0, 0, 0, 0, 0)),
    (500, (500, 0, 0, 0, 0, 0)),
    (1_500, (500, 1_000, 0, 0, 0, 0)),
    (7_500, (500, 2_000, 5_000, 0, 0, 0)),
    (13_500, (500, 2_000, 10_000, 1_000, 0, 0)),
    (25_500, (500, 2_000, 10_000, 3_000, 10_000, 0)),
    (35_500, (500, 2_000, 10_000, 3_000, 20_000, 0)),
    (40_000, (500, 2_000, 10_000, 3_000, 20_000, 4_500)),
])
def test_partial_payments_fill_the_buckets_in_order(amount, expected) -> None:
    result = allocate(amount, DUES)
    assert (result.penalty_fen, result.overdue_interest_fen, result.overdue_principal_fen,
            result.current_interest_fen, result.current_principal_fen, result.unapplied_fen) == expected
    assert result.applied_fen + result.unapplied_fen == amount


@given(amount=st.integers(min_value=0, max_value=10**9),
       parts=st.lists(st.integers(min_value=0, max_value=10**8), min_size=5, max_size=5))
def test_allocation_never_exceeds_a_due_and_loses_nothing(amount, parts) -> None:
    dues = Dues(*parts)
    result = allocate(amount, dues)
    assert result.applied_fen + result.unapplied_fen == amount
    assert result.applied_fen == min(amount, dues.total_fen)
    for name in ALLOCATION_ORDER:
        assert 0 <= getattr(result, name) <= getattr(dues, name)
    # a later bucket receives something only when every earlier one is full
    for i, name in enumerate(ALLOCATION_ORDER[1:], start=1):
        if getattr(result, name):
            assert all(getattr(result, e) == getattr(dues, e) for e in ALLOCATION_ORDER[:i])


@pytest.mark.parametrize("bad", [-1, True, "100", Decimal("1")])
def test_bad_amounts_are_refused(bad) -> None:
    with pytest.raises(InvalidRepayment):
        allocate(bad, DUES)
    with pytest.raises(InvalidRepayment):
        Dues(penalty_fen=bad)


def test_installments_oldest_first_within_each_bucket() -> None:
    today = date(2026, 5, 20)
    installments = [
        InstallmentDue(3, date(2026, 6, 15), principal_fen=8_000, interest_fen=300),  # current
        InstallmentDue(1, date(2026, 4, 15), principal_fen=8_000, interest_fen=500, penalty_fen=40),
        InstallmentDue(2, date(2026, 5, 15), principal_fen=8_000, interest_fen=400, penalty_fen=10),
    ]
    # penalties 50, overdue interest 900, overdue principal: 8,000 of period 1 then 2,050 of period 2
    parts, left = allocate_to_installments(11_000, installments, today)
    by_period = {p.period: p for p in parts}
    assert [p.period for p in parts] == [3, 1, 2]  # the order given
    assert (by_period[1].penalty_fen, by_period[1].interest_fen, by_period[1].principal_fen) == (40, 500, 8_000)
    assert (by_period[2].penalty_fen, by_period[2].interest_fen, by_period[2].principal_fen) == (10, 400, 2_050)
    assert by_period[3].total_fen == 0
    assert left == 0
    # enough for everything: current interest before current principal, the rest unapplied
    parts, left = allocate_to_installments(30_000, installments, today)
    assert sum(p.total_fen for p in parts) == 25_250
    assert left == 4_750


def test_an_installment_due_on_the_posting_date_is_current() -> None:
    inst = [InstallmentDue(1, date(2026, 5, 20), principal_fen=1_000, interest_fen=100),
            InstallmentDue(0, date(2026, 4, 20), principal_fen=1_000, interest_fen=100)]
    parts, _ = allocate_to_installments(1_150, inst, date(2026, 5, 20))
    # overdue period 0 first (interest, then principal), then the current interest
    assert [(p.period, p.interest_fen, p.principal_fen) for p in parts] == [(1, 50, 0), (0, 100, 1_000)]


@pytest.mark.parametrize("days", [0, 1, 90, 91, 270, 271, 360, 361])
def test_days_past_due_from_the_oldest_unpaid_due_date(days) -> None:
    due = date(2024, 1, 31)  # across the leap day
    assert days_past_due(due, due + timedelta(days=days)) == days


def test_days_past_due_edge_cases() -> None:
    assert days_past_due(None, date(2026, 1, 1)) == 0
    assert days_past_due(date(2026, 1, 10), date(2026, 1, 10)) == 0  # due today is still in time
    assert days_past_due(date(2026, 1, 10), date(2026, 1, 1)) == 0  # not yet due
    assert days_past_due(date(2024, 2, 28), date(2024, 3, 1)) == 2
    assert days_past_due(date(2023, 2, 28), date(2023, 3, 1)) == 1


def test_penalty_rate_is_the_contract_rate_raised_by_the_uplift() -> None:
    assert penalty_rate(D("3.85"), D("0.50")) == D("5.775")
    assert penalty_rate("4", D("0.3")) == D("5.2")


def test_penalty_interest_by_day_count() -> None:
    # 1,000,000 元 overdue 30 days at 3.6 % + 50 % = 5.4 %: 1,000,000 × 5.4 % × 30 / 360 = 4,500 元
    assert penalty_interest(100_000_000, D("3.6"), D("0.50"), 30) == 450_000
    assert penalty_interest(100_000_000, D("3.6"), D("0.50"), 30, "30_360") == 450_000
    assert penalty_interest(100_000_000, D("3.65"), D("0.50"), 30, "act365") == 450_000
    assert penalty_interest(100_000_000, D("3.6"), D("0.50"), 0) == 0
    # rounded half up once: 1 fen × 5.4 % × 100 days / 360 = 0.015 → 0; 100 fen → 1.5 → 2
    assert penalty_interest(1, D("3.6"), D("0.5"), 100) == 0
    assert penalty_interest(100, D("3.6"), D("0.5"), 100) == 2


def test_penalty_interest_refuses_bad_input() -> None:
    with pytest.raises(InvalidRepayment):
        penalty_interest(100, D("3.6"), D("-0.1"), 10)
    with pytest.raises(InvalidRepayment):
        penalty_interest(100, D("3.6"), D("0.5"), -1)
    with pytest.raises(InvalidRepayment):
        penalty_interest(-100, D("3.6"), D("0.5"), 1)
    with pytest.raises(TypeError):
        penalty_interest(100, D("3.6"), 0.5, 1)  # type: ignore[arg-type]
