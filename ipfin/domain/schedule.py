"""Repayment schedules (还款计划): 等额本息, 等额本金, 按期付息到期还本 and 利随本清 (issue 6, design §5).

Conventions
-----------
* Amounts are integer fen; every intermediate is :class:`~decimal.Decimal`; each row's interest (and the
  equal installment) is rounded **once**, ROUND_HALF_UP, through :func:`ipfin.domain.money.round_fen`.
* Rates are Decimal percent per year (``Decimal("3.85")``), at most 4 decimal places, ``>= 0``.
* The **last period absorbs the residue**: its principal is whatever is still outstanding, so the principal
  column sums to the loan exactly and the last balance is zero. Principal is clamped to ``[0, balance]`` in
  every other row, so a balance is never negative.

Due dates and month ends
------------------------
Due dates are anchored on one day of the month (the start's day, or the first due date's day when a broken
first period is given) and computed from the anchor each time, clamped to the month's length — never by
adding a month to the previous due date. A loan started on 31 January falls due on 28/29 February and again
on 31 March; one started on 29 February 2024 falls due on 28 February 2025 and on 29 March.

Day counts (计息基础)
---------------------
* ``act360`` (default, PBoC practice: daily rate = annual rate / 360): interest = balance × rate/100 ×
  actual days / 360.
* ``act365`` (ACT/365 Fixed): the same over 365 days, in leap years too.
* ``30_360``: a full period is balance × rate/100 / 12 per month (× 3 for a quarter) whatever its calendar
  length; a broken first period counts its days by 30E/360.

A broken first period (a ``first_due`` that is not one period after ``start``) accrues interest for its
actual days (30E/360 days under ``30_360``); the following due dates are one period apart from ``first_due``.

Equal installments and ACT/360
------------------------------
The installment is the annuity on the **periodic** rate (annual/12 monthly, annual/4 quarterly — the PBoC
monthly rate), computed in Decimal and rounded half up to the fen; it equals ``numpy_financial.pmt``
rounded to the fen. As Chinese banks do, each row's interest is then computed with the loan's day count
(a 31-day month at ACT/360 costs more interest than a 28-day one) and the principal part is
``installment − interest``; the last period absorbs the difference. Under ``30_360`` every full period's
interest is exactly ``balance × periodic rate``, so only rounding is absorbed. Should a row's interest
exceed the installment (very long terms with 31-day months), that row repays no principal and its total is
its interest.

Prepayment (提前还款)
--------------------
:func:`remaining_schedule` re-amortises an outstanding balance from a date: keeping the remaining term
(the installment falls, 缩减月供) or keeping the installment — the principal part per period for equal
principal — (the term shortens, 缩短期限).

Pure Python: no Django imports.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from ipfin.domain.errors import InvalidInput, _
from ipfin.domain.money import Fen, round_fen

MONTHS_PER_YEAR = 12
MAX_TERM_MONTHS = 360  # a plausibility bound (30 years), not a policy limit: products set their own maximum
# A plausibility bound for a contract rate, percent per year: the Supreme People's Court's 2015 private-lending
# rules treated rates above 36 %/yr as void. Products and policy profiles cap rates far lower.
MAX_ANNUAL_RATE_PCT = Decimal("36")
RATE_MAX_PLACES = 4  # rates are Decimal percent per year with up to 4 places (design §5)


class RepaymentMethod(enum.StrEnum):
    """Values match ``ipfin.market.choices.RepaymentMethod`` and ``ipfin schedule --method``."""

    EQUAL_INSTALLMENT = "equal-installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal-principal"  # 等额本金
    INTEREST_ONLY = "interest-only"  # 按期付息、到期还本
    BULLET = "bullet"  # 利随本清


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @property
    def months(self) -> int:
        return 1 if self is Frequency.MONTHLY else 3


class DayCount(enum.StrEnum):
    ACT_360 = "act360"
    THIRTY_360 = "30_360"
    ACT_365 = "act365"

    @property
    def basis_days(self) -> int:
        """Days of the year used for a daily rate (annual rate / basis)."""
        return 365 if self is DayCount.ACT_365 else 360


class Keep(enum.StrEnum):
    """What a prepayment keeps (提前还款后): the term (lower installment) or the installment (shorter term)."""

    TERM = "term"
    INSTALLMENT = "installment"


class InvalidSchedule(InvalidInput):
    code = "invalid_schedule"
    message_template = _("The repayment schedule parameters are not valid.")


# ---------------------------------------------------------------------------------------------------------
# Parsing and validation


def _choice(enum_cls: type[enum.StrEnum], value: Any, field: str) -> Any:
    if isinstance(value, enum_cls):
        return value
    text = str(value).strip().lower()
    if enum_cls is RepaymentMethod:
        text = text.replace("_", "-")  # the glossary identifier equal_installment is accepted too
    try:
        return enum_cls(text)
    except ValueError:
        raise InvalidSchedule(_("Unknown {field} {value!r}; expected one of {choices}."), field=field,
                              value=str(value), choices=", ".join(m.value for m in enum_cls)) from None


def parse_method(value: Any) -> RepaymentMethod:
    return _choice(RepaymentMethod, value, "repayment method")


def parse_frequency(value: Any) -> Frequency:
    return _choice(Frequency, value, "payment frequency")


def parse_day_count(value: Any) -> DayCount:
    return _choice(DayCount, value, "day count")


def parse_annual_rate(value: Decimal | str | int) -> Decimal:
    """A contract rate in percent per year: ``>= 0``, below the plausibility bound, at most 4 places."""
    if isinstance(value, float | bool):
        raise TypeError(f"annual_rate must be Decimal, str or int, not {type(value).__name__}")
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        raise InvalidSchedule(_("The annual rate {annual_rate!r} is not a number such as 3.85 (percent per year)."),
                              annual_rate=str(value))
    if rate < 0:
        raise InvalidSchedule(_("The annual rate {annual_rate} must not be negative."), annual_rate=str(value))
    exponent = rate.as_tuple().exponent
    if rate >= MAX_ANNUAL_RATE_PCT or (isinstance(exponent, int) and -exponent > RATE_MAX_PLACES):
        raise InvalidSchedule(
            _("The annual rate {annual_rate} must be below {max_rate} percent per year with at most 4 decimal "
              "places."), annual_rate=str(value), max_rate=str(MAX_ANNUAL_RATE_PCT))
    return rate


def _check_principal(principal_fen: Any, field: str = "principal_fen") -> Fen:
    if not isinstance(principal_fen, int) or isinstance(principal_fen, bool) or principal_fen <= 0:
        raise InvalidSchedule(_("The principal must be a positive whole number of fen, not {principal_fen}."),
                              principal_fen=str(principal_fen), field=field)
    return principal_fen


# ---------------------------------------------------------------------------------------------------------
# Dates and day counts


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """``months`` after ``day`` on ``anchor_day`` (default: ``day``'s day), clamped to the month's last day."""
    index = day.year * MONTHS_PER_YEAR + (day.month - 1) + months
    year, month0 = divmod(index, MONTHS_PER_YEAR)
    wanted = anchor_day if anchor_day is not None else day.day
    return date(year, month0 + 1, min(wanted, calendar.monthrange(year, month0 + 1)[1]))


def days_30e_360(start: date, end: date) -> int:
    """Days from ``start`` to ``end`` by 30E/360 (Eurobond basis): day 31 counts as day 30."""
    d1, d2 = min(start.day, 30), min(end.day, 30)
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def period_interest(balance_fen: Fen, annual_rate: Decimal, day_count: DayCount | str, *, start: date, end: date,
                    full_period_months: int | None = None) -> Fen:
    """Interest on ``balance_fen`` from ``start`` (inclusive) to ``end`` (exclusive), rounded half up once.

    ``full_period_months`` says the span is a whole regular period of that many months: under ``30_360``
    it then costs exactly ``balance × rate/100 × months/12``. ACT day counts always use the actual days.
    """
    day_count = parse_day_count(day_count)
    balance = Decimal(balance_fen)
    if day_count is DayCount.THIRTY_360:
        if full_period_months is not None:
            return round_fen(balance * annual_rate * full_period_months / (100 * MONTHS_PER_YEAR))
        days = days_30e_360(start, end)
    else:
        days = (end - start).days
    return round_fen(balance * annual_rate * days / (100 * day_count.basis_days))


def annuity_installment(principal_fen: Fen, annual_rate: Decimal, periods: int, period_months: int = 1) -> Fen:
    """等额本息 installment: ``P·i·(1+i)^n / ((1+i)^n − 1)`` with ``i = rate/100 × months/12``, half up.

    At a zero rate the installment is ``P / n`` rounded half up.
    """
    with localcontext() as ctx:
        ctx.prec = 50
        i = annual_rate * period_months / (100 * MONTHS_PER_YEAR)
        if i == 0:
            return round_fen(Decimal(principal_fen) / periods)
        growth = (1 + i) ** periods
        return round_fen(Decimal(principal_fen) * i * growth / (growth - 1))


# ---------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    period: int
    due_date: date
    principal_fen: Fen
    interest_fen: Fen
    balance_fen: Fen  # outstanding principal after this row is paid
    accrual_start: date  # interest runs from here (inclusive) to due_date (exclusive)

    @property
    def total_fen(self) -> Fen:
        return self.principal_fen + self.interest_fen

    def as_dict(self) -> dict[str, Any]:
        return {"period": self.period, "due_date": self.due_date.isoformat(), "principal_fen": self.principal_fen,
                "interest_fen": self.interest_fen, "total_fen": self.total_fen, "balance_fen": self.balance_fen}


@dataclass(frozen=True, slots=True)
class ScheduleTotals:
    principal_fen: Fen
    interest_fen: Fen
    total_fen: Fen

    def as_dict(self) -> dict[str, Fen]:
        return {"principal_fen": self.principal_fen, "interest_fen": self.interest_fen, "total_fen": self.total_fen}


@dataclass(frozen=True, slots=True)
class Schedule:
    rows: tuple[ScheduleRow, ...]
    method: RepaymentMethod
    frequency: Frequency
    day_count: DayCount
    annual_rate: Decimal
    principal_fen: Fen
    start: date
    # The fixed amount of the method: the installment (等额本息) or the principal part per period (等额本金).
    installment_fen: Fen | None

    @property
    def totals(self) -> ScheduleTotals:
        principal = sum(r.principal_fen for r in self.rows)
        interest = sum(r.interest_fen for r in self.rows)
        return ScheduleTotals(principal, interest, principal + interest)

    @property
    def maturity(self) -> date:
        return self.rows[-1].due_date

    def as_dict(self) -> dict[str, Any]:
        """Exactly ``{"rows": [...], "totals": {...}}`` (the ``ipfin schedule --json`` contract)."""
        return {"rows": [r.as_dict() for r in self.rows], "totals": self.totals.as_dict()}


# ---------------------------------------------------------------------------------------------------------
# Building


def _due_dates(start: date, periods: int, period_months: int, first_due: date | None,
               anchor_day: int | None) -> tuple[list[date], bool, int]:
    """The due dates, whether the first period is a regular one, and the anchor day."""
    regular_first = add_months(start, period_months, anchor_day)
    if first_due is None or first_due == regular_first:
        anchor = anchor_day if anchor_day is not None else start.day
        return [add_months(start, k * period_months, anchor) for k in range(1, periods + 1)], True, anchor
    latest = add_months(start, 2 * period_months, anchor_day)
    if not start < first_due < latest:
        raise InvalidSchedule(_("The first due date {first_due} must fall after {start} and before {latest}."),
                              first_due=first_due.isoformat(), start=start.isoformat(), latest=latest.isoformat())
    anchor = anchor_day if anchor_day is not None else first_due.day
    return [add_months(first_due, k * period_months, anchor) for k in range(periods)], False, anchor


def _amortise(*, principal_fen: Fen, annual_rate: Decimal, method: RepaymentMethod, day_count: DayCount,
              start: date, dues: Sequence[date], regular_first: bool, period_months: int,
              fixed_fen: Fen | None, stop_when_repaid: bool, first_period: int) -> list[ScheduleRow]:
    rows: list[ScheduleRow] = []
    balance = principal_fen
    accrual_start = start
    last_index = len(dues) - 1
    for index, due in enumerate(dues):
        regular = regular_first or index > 0
        interest = period_interest(balance, annual_rate, day_count, start=accrual_start, end=due,
                                   full_period_months=period_months if regular else None)
        if index == last_index:
            principal = balance  # the last period absorbs the residue
        elif method is RepaymentMethod.EQUAL_INSTALLMENT:
            assert fixed_fen is not None
            principal = min(max(fixed_fen - interest, 0), balance)
        elif method is RepaymentMethod.EQUAL_PRINCIPAL:
            assert fixed_fen is not None
            principal = min(fixed_fen, balance)
        else:  # interest-only (and bullet, which has a single row)
            principal = 0
        balance -= principal
        rows.append(ScheduleRow(first_period + index, due, principal, interest, balance, accrual_start))
        accrual_start = due
        if stop_when_repaid and balance == 0:
            break
    return rows


def build_schedule(*, principal_fen: Fen, annual_rate: Decimal | str, months: int,
                   method: RepaymentMethod | str, start: date, frequency: Frequency | str = Frequency.MONTHLY,
                   day_count: DayCount | str = DayCount.ACT_360, first_due: date | None = None,
                   anchor_day: int | None = None) -> Schedule:
    """The full schedule of a new loan of ``principal_fen`` disbursed on ``start`` for ``months`` months.

    ``first_due`` makes a broken first period (interest for its actual days); the remaining due dates are
    one period apart from it. ``anchor_day`` overrides the day of the month due dates fall on (clamped).
    A bullet loan (利随本清) has one row on ``start + months`` and takes no ``first_due``.
    Raises :class:`InvalidSchedule` for bad input.
    """
    principal_fen = _check_principal(principal_fen)
    rate = parse_annual_rate(annual_rate)
    method = parse_method(method)
    frequency = parse_frequency(frequency)
    day_count = parse_day_count(day_count)
    if not isinstance(months, int) or isinstance(months, bool) or months < 1:
        raise InvalidSchedule(_("The term must be a whole number of months, at least 1, not {months}."),
                              months=str(months))
    if months > MAX_TERM_MONTHS:
        raise InvalidSchedule(_("The term of {months} months is longer than the {max_months} months a schedule "
                                "allows."), months=months, max_months=MAX_TERM_MONTHS)
    if anchor_day is not None and not 1 <= anchor_day <= 31:
        raise InvalidSchedule(_("The day of the month {anchor_day} must be between 1 and 31."), anchor_day=anchor_day)

    if method is RepaymentMethod.BULLET:
        if first_due is not None:
            raise InvalidSchedule(_("A single-payment (bullet) loan has no separate first due date."))
        maturity = add_months(start, months, anchor_day)
        rows = _amortise(principal_fen=principal_fen, annual_rate=rate, method=method, day_count=day_count,
                         start=start, dues=[maturity], regular_first=True, period_months=months, fixed_fen=None,
                         stop_when_repaid=False, first_period=1)
        return Schedule(tuple(rows), method, frequency, day_count, rate, principal_fen, start, None)

    period_months = frequency.months
    if months % period_months:
        raise InvalidSchedule(_("A quarterly schedule needs a term in whole quarters; {months} months is not a "
                                "multiple of 3."), months=months)
    periods = months // period_months
    dues, regular_first, _anchor = _due_dates(start, periods, period_months, first_due, anchor_day)
    fixed = _fixed_amount(method, principal_fen, rate, periods, period_months)
    rows = _amortise(principal_fen=principal_fen, annual_rate=rate, method=method, day_count=day_count,
                     start=start, dues=dues, regular_first=regular_first, period_months=period_months,
                     fixed_fen=fixed, stop_when_repaid=False, first_period=1)
    return Schedule(tuple(rows), method, frequency, day_count, rate, principal_fen, start, fixed)


def _fixed_amount(method: RepaymentMethod, principal_fen: Fen, rate: Decimal, periods: int,
                  period_months: int) -> Fen | None:
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        return annuity_installment(principal_fen, rate, periods, period_months)
    if method is RepaymentMethod.EQUAL_PRINCIPAL:
        return round_fen(Decimal(principal_fen) / periods)
    return None


def remaining_schedule(*, balance_fen: Fen, annual_rate: Decimal | str, method: RepaymentMethod | str,
                       from_date: date, next_due: date, periods: int,
                       frequency: Frequency | str = Frequency.MONTHLY, day_count: DayCount | str = DayCount.ACT_360,
                       keep: Keep | str = Keep.TERM, installment_fen: Fen | None = None,
                       anchor_day: int | None = None, first_period: int = 1) -> Schedule:
    """Re-amortise ``balance_fen`` outstanding on ``from_date`` (after a prepayment, 提前还款).

    ``next_due`` is the next due date of the original schedule and ``periods`` the number of due dates left
    (including ``next_due``); later due dates are one period apart, on ``anchor_day`` (default: the day of
    ``next_due`` — pass the original anchor, e.g. 31, when ``next_due`` was clamped to a month end). Interest
    of the first row runs from ``from_date``: a whole period when ``from_date`` is itself a due date.

    ``keep="term"`` keeps the maturity: the installment is recomputed on the balance (lower installment).
    ``keep="installment"`` keeps ``installment_fen`` — the installment (等额本息) or the principal part per
    period (等额本金) — and the schedule ends as soon as the balance is repaid (shorter term). Interest-only
    and bullet loans can only keep their term. Rows are numbered from ``first_period``.
    """
    balance_fen = _check_principal(balance_fen, "balance_fen")
    rate = parse_annual_rate(annual_rate)
    method = parse_method(method)
    frequency = parse_frequency(frequency)
    day_count = parse_day_count(day_count)
    keep = _choice(Keep, keep, "prepayment option")
    if not isinstance(periods, int) or isinstance(periods, bool) or periods < 1:
        raise InvalidSchedule(_("At least one period must remain, not {periods}."), periods=str(periods))
    if not from_date < next_due:
        raise InvalidSchedule(_("The next due date {next_due} must fall after {from_date}."),
                              next_due=next_due.isoformat(), from_date=from_date.isoformat())
    period_months = frequency.months
    if method is RepaymentMethod.BULLET:
        if periods != 1:
            raise InvalidSchedule(_("A single-payment (bullet) loan has one period, not {periods}."),
                                  periods=periods)
        period_months = (next_due.year - from_date.year) * MONTHS_PER_YEAR + next_due.month - from_date.month
    anchor = anchor_day if anchor_day is not None else next_due.day
    dues = [add_months(next_due, k * period_months, anchor) for k in range(periods)]
    regular_first = period_months > 0 and add_months(from_date, period_months, anchor) == next_due
    if keep is Keep.TERM:
        fixed = _fixed_amount(method, balance_fen, rate, periods, period_months)
    else:
        if method not in (RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL):
            raise InvalidSchedule(_("Only equal-installment and equal-principal loans can keep their installment "
                                    "after a prepayment; keep the term instead."))
        if not isinstance(installment_fen, int) or isinstance(installment_fen, bool) or installment_fen <= 0:
            raise InvalidSchedule(_("Keeping the installment needs the current installment as a positive whole "
                                    "number of fen, not {installment_fen}."), installment_fen=str(installment_fen))
        fixed = installment_fen
    rows = _amortise(principal_fen=balance_fen, annual_rate=rate, method=method, day_count=day_count,
                     start=from_date, dues=dues, regular_first=regular_first, period_months=period_months,
                     fixed_fen=fixed, stop_when_repaid=keep is Keep.INSTALLMENT, first_period=first_period)
    return Schedule(tuple(rows), method, frequency, day_count, rate, balance_fen, from_date, fixed)
