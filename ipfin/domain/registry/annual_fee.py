"""专利年费 (patent annual fees): due dates, the grace period (宽限期 / 滞纳期) and the late surcharge (滞纳金).

Patent years count from the filing date (专利审查指南 5-9-2.2.1.1): filed 1999-06-01, year 1 is
1999-06-01 … 2000-05-31. The fee of the year in which the patent is granted is paid with the grant
formalities; the fee of every later year is due on the anniversary of the filing date that starts that
year. It may still be paid within 6 months after the due date, with a surcharge of 5 % of that year's
full fee for each month of delay beyond the first (专利法实施细则; CNIPA: up to one whole month late
nothing, one to two months 5 %, …, five to six months 25 %). Unpaid after that, the patent lapses.

The schedule (fee per year, the 5 %, the months) is data (``ipfin/registry/data/annual_fees.toml``),
passed in as a :class:`FeeSchedule`. Amounts are integer fen; the surcharge is rounded half up
(:func:`ipfin.domain.money.apply_ratio`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ipfin.domain.errors import InvalidInput, _
from ipfin.domain.money import FEN_PER_YUAN, Fen, apply_ratio
from ipfin.domain.registry.patent_number import PatentKind
from ipfin.domain.registry.terms import add_months, add_years, patent_term_years


class NoFeeForYear(InvalidInput):
    code = "no_annual_fee_for_year"
    message_template = _("The fee schedule has no annual fee for year {year} of a {kind} patent.")


@dataclass(frozen=True)
class FeeSchedule:
    fees_fen: dict[str, dict[int, Fen]]  # kind → patent year → fee
    grace_months: int
    rate_per_month: Decimal
    free_months: int

    def fee(self, kind: PatentKind | str, year: int) -> Fen:
        try:
            return self.fees_fen[str(PatentKind(kind))][year]
        except KeyError:
            raise NoFeeForYear(year=year, kind=str(kind)) from None


def load_fee_schedule(path: Path) -> FeeSchedule:
    """Read a schedule TOML (see ``ipfin/registry/data/annual_fees.toml``)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    fees: dict[str, dict[int, Fen]] = {}
    for kind, bands in data["fees"].items():
        per_year: dict[int, Fen] = {}
        for band in bands:
            first, last = band["years"]
            for year in range(first, last + 1):
                per_year[year] = int(Decimal(str(band["yuan"])) * FEN_PER_YUAN)
        fees[str(PatentKind(kind))] = per_year
    late = data["late_surcharge"]
    return FeeSchedule(fees_fen=fees, grace_months=int(late["grace_months"]),
                       rate_per_month=Decimal(str(late["rate_per_month"])), free_months=int(late["free_months"]))


def patent_year(filing_date: date, on: date) -> int:
    """The patent year (1-based) that contains ``on``."""
    if on < filing_date:
        raise InvalidInput(reason="date before the filing date")
    years = on.year - filing_date.year
    if add_years(filing_date, years) > on:
        years -= 1
    return years + 1


def due_date(filing_date: date, year: int) -> date:
    """The day the fee of patent year ``year`` falls due: the anniversary of filing that starts that year."""
    return add_years(filing_date, year - 1)


def due_years(kind: PatentKind | str, filing_date: date, grant_date: date) -> list[tuple[int, date]]:
    """(year, due date) of every fee after the grant year, to the end of the term."""
    last_year = patent_term_years(kind, filing_date)
    first = patent_year(filing_date, grant_date) + 1
    return [(year, due_date(filing_date, year)) for year in range(first, last_year + 1)]


def grace_end(due: date, schedule: FeeSchedule) -> date:
    """Last day on which the fee due on ``due`` may still be paid (with surcharge)."""
    return add_months(due, schedule.grace_months)


def months_late(due: date, paid_on: date) -> int:
    """Months of delay started: 0 on or before ``due``; 1 up to one whole month after it; 2 up to two …"""
    if paid_on <= due:
        return 0
    months = 1
    while paid_on > add_months(due, months):
        months += 1
    return months


def late_surcharge(schedule: FeeSchedule, fee_fen: Fen, due: date, paid_on: date) -> Fen:
    """滞纳金 for paying the fee due on ``due`` on ``paid_on`` (within the grace period)."""
    if paid_on > grace_end(due, schedule):
        raise InvalidInput(reason="the grace period is over; the patent has lapsed")
    charged_months = max(0, months_late(due, paid_on) - schedule.free_months)
    return apply_ratio(fee_fen, schedule.rate_per_month * charged_months)


@dataclass(frozen=True)
class FeePosition:
    """Where a granted patent stands with its annual fees on a given day."""

    state: str  # "paid" (nothing due yet) / "due" (on the due date) / "grace" (late, surcharge) / "lapsed" / "term_over"
    year: int | None  # the patent year whose fee is next (or overdue)
    due: date | None
    fee_fen: Fen
    surcharge_fen: Fen
    grace_ends: date | None


def fee_position(schedule: FeeSchedule, kind: PatentKind | str, filing_date: date, grant_date: date,
                 paid_through: date | None, on: date) -> FeePosition:
    """The next (or overdue) fee of a granted patent on ``on``.

    ``paid_through`` is the last day of the last patent year paid for (None: only the grant year).
    """
    last_year = patent_term_years(kind, filing_date)
    if paid_through is None:
        next_year = patent_year(filing_date, grant_date) + 1
    else:
        next_year = patent_year(filing_date, paid_through + timedelta(days=1))
    if next_year > last_year:
        return FeePosition("term_over", None, None, 0, 0, None)
    due = due_date(filing_date, next_year)
    fee = schedule.fee(kind, next_year)
    grace = grace_end(due, schedule)
    if on < due:
        return FeePosition("paid", next_year, due, fee, 0, grace)
    if on == due:
        return FeePosition("due", next_year, due, fee, 0, grace)
    if on <= grace:
        return FeePosition("grace", next_year, due, fee, late_surcharge(schedule, fee, due, on), grace)
    return FeePosition("lapsed", next_year, due, fee, 0, grace)
