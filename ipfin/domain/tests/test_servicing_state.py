"""Servicing state from schedule rows (no database): days past due, overdue amounts, penalty accrual, interest
to the day and the pay-off quote."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ipfin.domain import servicing_state as s
from ipfin.domain.repayment import penalty_interest
from ipfin.domain.schedule import build_schedule, period_interest

RATE = Decimal("3.50")
UPLIFT = Decimal("0.50")
START = date(2025, 1, 31)


def rows(principal: int = 1_200_000, months: int = 12) -> list[s.Row]:
    schedule = build_schedule(principal_fen=principal, annual_rate=RATE, months=months, method="equal-installment",
                              start=START)
    return [s.Row(r.period, r.due_date, r.accrual_start, r.principal_fen, r.interest_fen) for r in schedule.rows]


def paid(row: s.Row) -> s.Row:
    return s.Row(row.period, row.due_on, row.accrual_start, row.principal_fen, row.interest_fen, row.principal_fen,
                 row.interest_fen)


def test_nothing_due_before_the_first_due_date() -> None:
    state = s.servicing_state(rows(), date(2025, 2, 27))
    assert state == s.State(1_200_000, None, 0, 0, 0)


def test_due_date_itself_is_in_time_and_the_next_day_is_one_day_past_due() -> None:
    schedule = rows()
    due = schedule[0].due_on
    assert due == date(2025, 2, 28)  # month-end anchoring
    on_due = s.servicing_state(schedule, due)
    assert (on_due.days_past_due, on_due.oldest_unpaid_due_on, on_due.overdue_principal_fen) == (0, due, 0)
    assert s.installment_status(schedule[0], due) == s.DUE
    next_day = s.servicing_state(schedule, due + timedelta(days=1))
    assert next_day.days_past_due == 1
    assert next_day.overdue_principal_fen == schedule[0].principal_fen
    assert next_day.overdue_interest_fen == schedule[0].interest_fen
    assert s.installment_status(schedule[0], due + timedelta(days=1)) == s.OVERDUE


def test_days_past_due_count_from_the_oldest_unpaid_row() -> None:
    schedule = [paid(schedule_row) if i == 0 else schedule_row for i, schedule_row in enumerate(rows())]
    on = date(2025, 5, 1)  # rows 2 (31 Mar) and 3 (30 Apr) unpaid
    state = s.servicing_state(schedule, on)
    assert state.oldest_unpaid_due_on == date(2025, 3, 31) and state.days_past_due == 31
    assert state.overdue_principal_fen == schedule[1].principal_fen + schedule[2].principal_fen
    assert s.installment_status(schedule[0], on) == s.PAID


def test_penalty_single_day_equals_the_daily_accrual() -> None:
    schedule = rows()
    first = schedule[0]
    day = first.due_on + timedelta(days=10)
    one_day = s.penalty_accrual(schedule, through=day, accrued_through=day - timedelta(days=1), annual_rate=RATE,
                                uplift=UPLIFT)
    assert one_day == penalty_interest(first.principal_fen, RATE, UPLIFT, 1)


def test_penalty_sums_principal_days_per_row_and_rounds_once() -> None:
    schedule = rows()
    on = date(2025, 4, 10)  # row 1 (28 Feb) 41 days, row 2 (31 Mar) 10 days
    expected = penalty_interest(schedule[0].principal_fen * 41 + schedule[1].principal_fen * 10, RATE, UPLIFT, 1)
    assert s.penalty_accrual(schedule, through=on, accrued_through=None, annual_rate=RATE, uplift=UPLIFT) == expected
    # accrued through 31 Mar already: only the days after it count
    since = s.penalty_accrual(schedule, through=on, accrued_through=date(2025, 3, 31), annual_rate=RATE,
                              uplift=UPLIFT)
    assert since == penalty_interest(schedule[0].principal_fen * 10 + schedule[1].principal_fen * 10, RATE, UPLIFT, 1)
    assert s.penalty_accrual(schedule, through=schedule[0].due_on, accrued_through=None, annual_rate=RATE,
                             uplift=UPLIFT) == 0


def test_accrued_interest_to_the_day_and_payoff_quote() -> None:
    schedule = rows()
    on = date(2025, 3, 15)  # row 1 overdue, row 2 running since 28 Feb
    balance = sum(r.principal_fen for r in schedule[1:])
    accrued = s.accrued_interest(schedule, on, RATE, "act360")
    assert accrued == period_interest(balance, RATE, "act360", start=date(2025, 2, 28), end=on)
    quote = s.payoff_quote(schedule, on, penalty_fen=12, annual_rate=RATE, day_count="act360")
    assert quote.overdue_principal_fen == schedule[0].principal_fen
    assert quote.remaining_principal_fen == balance and quote.accrued_interest_fen == accrued
    assert quote.total_fen == 12 + sum(r.principal_fen for r in schedule) + schedule[0].interest_fen + accrued
    assert s.accrued_interest(schedule, schedule[-1].due_on, RATE, "act360") == 0


@given(st.integers(min_value=1, max_value=10**10), st.integers(min_value=0, max_value=400))
def test_payoff_principal_is_always_the_whole_outstanding(principal: int, offset: int) -> None:
    schedule = rows(principal)
    on = START + timedelta(days=offset)
    quote = s.payoff_quote(schedule, on, penalty_fen=0, annual_rate=RATE, day_count="act360")
    assert quote.overdue_principal_fen + quote.current_principal_fen + quote.remaining_principal_fen == principal
    assert 0 <= quote.accrued_interest_fen
    running = s.running_row(schedule, on)
    assert running is None or quote.accrued_interest_fen <= running.interest_fen
