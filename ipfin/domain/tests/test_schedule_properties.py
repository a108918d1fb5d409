"""Hypothesis properties of every schedule: principal sums exactly, balances never negative, last balance
zero, totals are the sums of the rows, due dates strictly increase — over random principals, rates, terms,
methods, frequencies, day counts, start dates and broken first periods."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy_financial as npf
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ipfin.domain.schedule import (
    DayCount,
    Frequency,
    Keep,
    RepaymentMethod,
    Schedule,
    add_months,
    build_schedule,
    remaining_schedule,
)

principals = st.integers(min_value=1, max_value=10**12)  # 1 fen … 100 亿元
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("24"), places=4)
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def schedule_params(draw: st.DrawFn) -> dict:
    method = draw(st.sampled_from(list(RepaymentMethod)))
    frequency = draw(st.sampled_from(list(Frequency)))
    months = draw(st.integers(min_value=1, max_value=120))
    if frequency is Frequency.QUARTERLY:
        months = 3 * draw(st.integers(min_value=1, max_value=40))
    start = draw(starts)
    first_due = None
    if method is not RepaymentMethod.BULLET and draw(st.booleans()):
        span = (add_months(start, 2 * frequency.months) - start).days
        first_due = start + timedelta(days=draw(st.integers(min_value=1, max_value=span - 1)))
    return {"principal_fen": draw(principals), "annual_rate": draw(rates), "months": months, "method": method,
            "start": start, "frequency": frequency, "day_count": draw(st.sampled_from(list(DayCount))),
            "first_due": first_due}


def _check_invariants(schedule: Schedule, principal_fen: int) -> None:
    rows = schedule.rows
    assert sum(r.principal_fen for r in rows) == principal_fen
    assert all(r.balance_fen >= 0 and r.principal_fen >= 0 and r.interest_fen >= 0 for r in rows)
    assert rows[-1].balance_fen == 0
    balance = principal_fen
    for row in rows:
        balance -= row.principal_fen
        assert row.balance_fen == balance
        assert row.total_fen == row.principal_fen + row.interest_fen
        assert row.accrual_start < row.due_date
    assert all(a.due_date < b.due_date for a, b in zip(rows, rows[1:], strict=False))
    totals = schedule.totals
    assert totals.principal_fen == principal_fen
    assert totals.interest_fen == sum(r.interest_fen for r in rows)
    assert totals.total_fen == sum(r.total_fen for r in rows)


@settings(max_examples=200, deadline=None)
@given(schedule_params())
def test_every_schedule_keeps_the_invariants(params: dict) -> None:
    schedule = build_schedule(**params)
    _check_invariants(schedule, params["principal_fen"])
    expected_rows = 1 if params["method"] is RepaymentMethod.BULLET else params["months"] // params["frequency"].months
    assert len(schedule.rows) == expected_rows
    if params["method"] is RepaymentMethod.INTEREST_ONLY:
        assert all(r.principal_fen == 0 for r in schedule.rows[:-1])


@settings(max_examples=100, deadline=None)
@given(principal=st.integers(min_value=100_000, max_value=10**11),
       rate=st.decimals(min_value=Decimal("1"), max_value=Decimal("24"), places=4),
       periods=st.integers(min_value=2, max_value=60), start=starts)
def test_equal_installment_equals_pmt_rounded_except_the_last(principal, rate, periods, start) -> None:
    reference = float(-npf.pmt(float(rate) / 1200, periods, principal))
    # numpy_financial works in float (relative error far below 1e-12 at rates of 1 %/yr and more; tiny rates
    # lose digits in (1+i)^n − 1): a reference that close to a half fen cannot decide HALF_UP, leave it out.
    assume(abs(reference - int(reference) - 0.5) > reference * 1e-12)
    schedule = build_schedule(principal_fen=principal, annual_rate=rate, months=periods,
                              method="equal-installment", start=start, day_count="30_360")
    expected = int(reference + 0.5)
    assert schedule.installment_fen == expected
    assert all(r.total_fen == expected for r in schedule.rows[:-1])


@settings(max_examples=100, deadline=None)
@given(params=schedule_params(), paid=st.integers(min_value=0, max_value=200), prepay_share=st.integers(1, 99),
       keep=st.sampled_from(list(Keep)))
def test_re_amortised_balances_keep_the_invariants(params: dict, paid: int, prepay_share: int, keep: Keep) -> None:
    assume(params["method"] in (RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL)
           or keep is Keep.TERM)
    original = build_schedule(**params)
    assume(len(original.rows) >= 2)
    k = paid % (len(original.rows) - 1)
    row = original.rows[k]
    balance = row.balance_fen - row.balance_fen * prepay_share // 100
    assume(balance > 0)
    assume(original.installment_fen is None or original.installment_fen > 0)
    new = remaining_schedule(balance_fen=balance, annual_rate=params["annual_rate"], method=params["method"],
                             from_date=row.due_date, next_due=original.rows[k + 1].due_date,
                             periods=len(original.rows) - k - 1, frequency=params["frequency"],
                             day_count=params["day_count"], keep=keep, installment_fen=original.installment_fen,
                             anchor_day=(params["first_due"] or params["start"]).day,
                             first_period=k + 2)
    _check_invariants(new, balance)
    assert new.maturity <= original.maturity
    assert len(new.rows) <= len(original.rows) - k - 1
