"""A loan's servicing state as a pure function of its schedule rows (还款计划) and a business date (issue 6).

The repayment actions (``ipfin.servicing.actions``) and close of business derive the loan's servicing fields
from the rows of its current schedule with these functions, so that both agree to the fen:

* :func:`servicing_state` — outstanding principal, the oldest unpaid due date, days past due (逾期天数: an
  installment due on D and unpaid is 1 day past due on D + 1), overdue principal and interest.
* :func:`installment_status` — scheduled / due / overdue / paid of one row on a date.
* :func:`penalty_accrual` — 罚息 on overdue principal at the contract rate raised by the product's uplift
  (``ipfin.domain.repayment.penalty_rate``) for the days after ``accrued_through`` up to ``through``
  (inclusive). Each row's unpaid principal accrues from the day after its due date; the sum of
  principal × days is rounded half up **once** — over a single day this is exactly
  ``penalty_interest(overdue_principal, rate, uplift, 1)``, the daily accrual of close of business.
* :func:`accrued_interest` — the interest of the running period earned up to a value date (for prepayment and
  early pay-off: 提前还款 and 提前结清 charge interest to the day, never the whole period).
* :func:`payoff_quote` — what an early pay-off on a date costs, by bucket.

Pure Python: no Django imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ipfin.domain.money import Fen
from ipfin.domain.repayment import days_past_due, penalty_interest
from ipfin.domain.schedule import DayCount, period_interest

SCHEDULED, DUE, OVERDUE, PAID = "scheduled", "due", "overdue", "paid"  # values of InstallmentStatus


@dataclass(frozen=True, slots=True)
class Row:
    """One live (not superseded) schedule row with what has been paid on it."""

    period: int
    due_on: date
    accrual_start: date
    principal_fen: Fen
    interest_fen: Fen
    principal_paid_fen: Fen = 0
    interest_paid_fen: Fen = 0

    @property
    def principal_unpaid_fen(self) -> Fen:
        return self.principal_fen - self.principal_paid_fen

    @property
    def interest_unpaid_fen(self) -> Fen:
        return self.interest_fen - self.interest_paid_fen

    @property
    def is_paid(self) -> bool:
        return self.principal_unpaid_fen <= 0 and self.interest_unpaid_fen <= 0


@dataclass(frozen=True, slots=True)
class State:
    outstanding_principal_fen: Fen
    oldest_unpaid_due_on: date | None  # oldest unpaid row due on or before the date
    days_past_due: int
    overdue_principal_fen: Fen
    overdue_interest_fen: Fen


def installment_status(row: Row, on: date) -> str:
    if row.is_paid:
        return PAID
    if row.due_on < on:
        return OVERDUE
    return DUE if row.due_on == on else SCHEDULED


def servicing_state(rows: Iterable[Row], on: date) -> State:
    """The loan's servicing fields on business date ``on`` from its live schedule rows."""
    rows = list(rows)
    unpaid = [r for r in rows if not r.is_paid]
    overdue = [r for r in unpaid if r.due_on < on]
    due = [r.due_on for r in unpaid if r.due_on <= on]
    oldest = min(due) if due else None
    return State(
        outstanding_principal_fen=sum(r.principal_unpaid_fen for r in rows),
        oldest_unpaid_due_on=oldest,
        days_past_due=days_past_due(oldest, on),
        overdue_principal_fen=sum(r.principal_unpaid_fen for r in overdue),
        overdue_interest_fen=sum(r.interest_unpaid_fen for r in overdue),
    )


def penalty_accrual(rows: Iterable[Row], *, through: date, accrued_through: date | None, annual_rate: Decimal,
                    uplift: Decimal, day_count: DayCount | str = DayCount.ACT_360) -> Fen:
    """罚息 accrued on overdue principal for the days after ``accrued_through`` up to ``through`` (inclusive).

    A row's unpaid principal accrues from the day after its due date (the due date itself is still in time);
    the principal-days are summed and rounded half up once, at ``annual_rate × (1 + uplift)`` on the loan's
    day-count basis (``ipfin.domain.repayment.penalty_interest``).
    """
    principal_days = 0
    for row in rows:
        if row.principal_unpaid_fen <= 0 or row.due_on >= through:
            continue
        start = row.due_on if accrued_through is None else max(row.due_on, accrued_through)
        days = (through - start).days
        if days > 0:
            principal_days += row.principal_unpaid_fen * days
    if principal_days == 0:
        return 0
    # principal × days at the daily rate equals the same principal-days for one day: one rounding.
    return penalty_interest(principal_days, annual_rate, uplift, 1, day_count)


def running_row(rows: Sequence[Row], on: date) -> Row | None:
    """The first row not yet due on ``on`` (its period is running), or None after the last due date."""
    future = sorted((r for r in rows if r.due_on > on), key=lambda r: (r.due_on, r.period))
    return future[0] if future else None


def accrued_interest(rows: Sequence[Row], on: date, annual_rate: Decimal, day_count: DayCount | str) -> Fen:
    """Interest earned in the running period up to ``on`` on the principal not yet due (capped at the row's
    scheduled interest still unpaid); 0 when nothing is running or the period starts on ``on``."""
    row = running_row(rows, on)
    if row is None or row.accrual_start >= on:
        return 0
    balance = sum(r.principal_unpaid_fen for r in rows if r.due_on > on)
    if balance <= 0:
        return 0
    earned = period_interest(balance, annual_rate, day_count, start=row.accrual_start, end=on)
    return max(min(earned, row.interest_unpaid_fen), 0)


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """提前结清: what paying the loan off on ``on`` costs, by bucket (the allocation order)."""

    on: date
    penalty_fen: Fen
    overdue_interest_fen: Fen
    overdue_principal_fen: Fen
    current_interest_fen: Fen  # rows due on ``on``
    current_principal_fen: Fen
    accrued_interest_fen: Fen  # running period, to the day
    remaining_principal_fen: Fen  # principal of rows not yet due

    @property
    def total_fen(self) -> Fen:
        return (self.penalty_fen + self.overdue_interest_fen + self.overdue_principal_fen
                + self.current_interest_fen + self.current_principal_fen + self.accrued_interest_fen
                + self.remaining_principal_fen)

    def as_dict(self) -> dict[str, object]:
        return {"on": self.on.isoformat(), "penalty_fen": self.penalty_fen,
                "overdue_interest_fen": self.overdue_interest_fen,
                "overdue_principal_fen": self.overdue_principal_fen,
                "current_interest_fen": self.current_interest_fen,
                "current_principal_fen": self.current_principal_fen,
                "accrued_interest_fen": self.accrued_interest_fen,
                "remaining_principal_fen": self.remaining_principal_fen, "total_fen": self.total_fen}


def payoff_quote(rows: Sequence[Row], on: date, *, penalty_fen: Fen, annual_rate: Decimal,
                 day_count: DayCount | str) -> PayoffQuote:
    """Everything due (penalty, overdue and current rows), plus the principal not yet due, plus the interest
    of the running period accrued to ``on``. ``penalty_fen`` must already be accrued through ``on``."""
    unpaid = [r for r in rows if not r.is_paid]
    overdue = [r for r in unpaid if r.due_on < on]
    current = [r for r in unpaid if r.due_on == on]
    future = [r for r in unpaid if r.due_on > on]
    return PayoffQuote(
        on=on, penalty_fen=penalty_fen,
        overdue_interest_fen=sum(r.interest_unpaid_fen for r in overdue),
        overdue_principal_fen=sum(r.principal_unpaid_fen for r in overdue),
        current_interest_fen=sum(r.interest_unpaid_fen for r in current),
        current_principal_fen=sum(r.principal_unpaid_fen for r in current),
        accrued_interest_fen=accrued_interest(unpaid, on, annual_rate, day_count),
        remaining_principal_fen=sum(r.principal_unpaid_fen for r in future),
    )
