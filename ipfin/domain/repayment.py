"""Repayments (还款): allocation of a payment, days past due (逾期天数) and penalty interest (罚息), issue 6.

Allocation order (issue 6): penalty → overdue interest → overdue principal → current interest → current
principal. Within each bucket :func:`allocate_to_installments` serves the oldest installment first. What is
left after every bucket is paid is the unapplied remainder (a prepayment or an overpayment for the caller to
decide on).

Days past due count from the oldest unpaid due date: an installment due on D and unpaid is 1 day past due on
D + 1 (the due date itself is still in time).

Penalty interest on overdue principal runs at the contract rate raised by the product's uplift
(``Loan.penalty_rate_uplift``; 0.50 = +50 %; the PBoC's notice 银发〔2003〕251号 sets 罚息 for overdue loans at
+30 % to +50 % over the contract rate); the uplift is a product parameter passed in, never a number in this module.

Pure Python: no Django imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.domain.errors import InvalidInput, _
from ipfin.domain.money import Fen, round_fen
from ipfin.domain.schedule import DayCount, parse_annual_rate, parse_day_count


class InvalidRepayment(InvalidInput):
    code = "invalid_repayment"
    message_template = _("The repayment parameters are not valid.")


def _check_fen(value: Any, field: str) -> Fen:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidRepayment(_("{field} must be a non-negative whole number of fen, not {value}."),
                               field=field, value=str(value))
    return value


# ---------------------------------------------------------------------------------------------------------
# Allocation over buckets


@dataclass(frozen=True, slots=True)
class Dues:
    """What the borrower owes on the posting date, by bucket, in fen (the order of the fields is the order
    of allocation)."""

    penalty_fen: Fen = 0
    overdue_interest_fen: Fen = 0
    overdue_principal_fen: Fen = 0
    current_interest_fen: Fen = 0
    current_principal_fen: Fen = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_fen(getattr(self, f.name), f.name)

    @property
    def total_fen(self) -> Fen:
        return sum(getattr(self, f.name) for f in fields(self))


ALLOCATION_ORDER: tuple[str, ...] = tuple(f.name for f in fields(Dues))


@dataclass(frozen=True, slots=True)
class Allocation:
    """How a payment was split; ``unapplied_fen`` is what exceeded every due."""

    penalty_fen: Fen
    overdue_interest_fen: Fen
    overdue_principal_fen: Fen
    current_interest_fen: Fen
    current_principal_fen: Fen
    unapplied_fen: Fen

    @property
    def applied_fen(self) -> Fen:
        return sum(getattr(self, name) for name in ALLOCATION_ORDER)

    def as_dict(self) -> dict[str, Fen]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"applied_fen": self.applied_fen}


def allocate(amount_fen: Fen, dues: Dues) -> Allocation:
    """Split ``amount_fen`` over ``dues`` in the order penalty → overdue interest → overdue principal →
    current interest → current principal (issue 6); the rest is returned as ``unapplied_fen``."""
    left = _check_fen(amount_fen, "amount_fen")
    parts: dict[str, Fen] = {}
    for name in ALLOCATION_ORDER:
        take = min(left, getattr(dues, name))
        parts[name] = take
        left -= take
    return Allocation(**parts, unapplied_fen=left)


# ---------------------------------------------------------------------------------------------------------
# Allocation over installments


@dataclass(frozen=True, slots=True)
class InstallmentDue:
    """What is still unpaid of one schedule row (``period``) due on ``due_date``."""

    period: int
    due_date: date
    principal_fen: Fen
    interest_fen: Fen
    penalty_fen: Fen = 0

    def __post_init__(self) -> None:
        for name in ("principal_fen", "interest_fen", "penalty_fen"):
            _check_fen(getattr(self, name), name)


@dataclass(frozen=True, slots=True)
class InstallmentAllocation:
    period: int
    penalty_fen: Fen
    interest_fen: Fen
    principal_fen: Fen

    @property
    def total_fen(self) -> Fen:
        return self.penalty_fen + self.interest_fen + self.principal_fen


def allocate_to_installments(amount_fen: Fen, installments: Sequence[InstallmentDue], business_date: date
                             ) -> tuple[list[InstallmentAllocation], Fen]:
    """Split a payment posted on ``business_date`` over unpaid installments in the issue-6 order.

    An installment is overdue when its due date is before ``business_date`` and current otherwise (only
    installments due on or before the next due date should be passed as current). Each bucket is served
    oldest installment first. Returns one allocation per installment (in the order given) and the unapplied
    remainder.
    """
    left = _check_fen(amount_fen, "amount_fen")
    ordered = sorted(installments, key=lambda i: (i.due_date, i.period))
    overdue = [i for i in ordered if i.due_date < business_date]
    current = [i for i in ordered if i.due_date >= business_date]
    taken: dict[int, dict[str, Fen]] = {i.period: {"penalty": 0, "interest": 0, "principal": 0} for i in ordered}
    buckets = [(ordered, "penalty"), (overdue, "interest"), (overdue, "principal"),
               (current, "interest"), (current, "principal")]
    for group, part in buckets:
        for inst in group:
            take = min(left, getattr(inst, f"{part}_fen") - taken[inst.period][part])
            taken[inst.period][part] += take
            left -= take
    return ([InstallmentAllocation(i.period, **{f"{k}_fen": v for k, v in taken[i.period].items()})
             for i in installments], left)


# ---------------------------------------------------------------------------------------------------------
# Overdue


def days_past_due(oldest_unpaid_due_date: date | None, business_date: date) -> int:
    """逾期天数: days since the oldest unpaid due date; 0 when nothing is unpaid or it is not yet past due."""
    if oldest_unpaid_due_date is None:
        return 0
    return max((business_date - oldest_unpaid_due_date).days, 0)


def penalty_rate(annual_rate: Decimal | str, uplift: Decimal) -> Decimal:
    """罚息利率: the contract rate (percent per year) raised by ``uplift`` (a ratio: 0.50 = +50 %)."""
    if isinstance(uplift, float | bool) or not isinstance(uplift, Decimal):
        raise TypeError(f"uplift must be a Decimal ratio, not {type(uplift).__name__}")
    if not uplift.is_finite() or uplift < 0:
        raise InvalidRepayment(_("The penalty uplift {uplift} must not be negative."), uplift=str(uplift))
    return parse_annual_rate(annual_rate) * (1 + uplift)


def penalty_interest(overdue_principal_fen: Fen, annual_rate: Decimal | str, uplift: Decimal, days: int,
                     day_count: DayCount | str = DayCount.ACT_360) -> Fen:
    """罚息 on ``overdue_principal_fen`` for ``days`` days at the raised rate, per the loan's day-count
    basis (360, or 365 under ACT/365; 30/360 loans use 360), rounded half up once."""
    principal = _check_fen(overdue_principal_fen, "overdue_principal_fen")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise InvalidRepayment(_("The number of days {days} must not be negative."), days=str(days))
    rate = penalty_rate(annual_rate, uplift)
    basis = parse_day_count(day_count).basis_days
    return round_fen(Decimal(principal) * rate * days / (100 * basis))
