"""Loan Prime Rate (贷款市场报价利率, LPR) fixings and the rate caps the policies express against it.

Conventions (design §5): rates are ``Decimal`` percent per year with at most 4 decimal places
(``Decimal("3.45")`` means 3.45 %/yr); spreads are integer basis points (基点, 1 bp = 0.01 percentage
point). Never float.

* The fixing in force on a date is the latest fixing on or before it (:func:`lpr_in_force`).
* The tenor a loan references is the 1-year LPR for terms up to 60 months and the 5-year LPR above
  (:func:`applicable_tenor`).
* Policy rate caps come in two forms: "LPR + N bp" (:func:`cap_lpr_plus_spread`) and
  "LPR × k" (:func:`cap_lpr_times`). The numbers N and k come from the policy profile, never from code.

Pure Python: no Django imports.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ipfin.domain.errors import InvalidInput, IpfinError, _

RATE_PLACES = Decimal("0.0001")  # rates are kept to 4 decimal places (percent per year)
MAX_RATE_PCT = Decimal("20")  # a plausibility bound for an LPR fixing (exclusive), percent per year
FIVE_YEAR_TENOR_ABOVE_MONTHS = 60  # terms above 5 years reference the 5-year LPR (design §5)

_RATE_TEXT = re.compile(r"^\d+(\.\d+)?$")


class LprNotAvailable(IpfinError):
    """No LPR fixing was in force on the date (it is before the first fixing the platform has)."""

    code = "lpr_not_available"
    http_status = 404
    message_template = _("No LPR fixing is in force on {date}: the first fixing on record is of {first_fixing}.")


class InvalidRate(InvalidInput):
    code = "invalid_rate"
    message_template = _("{field} {value!r} is not a valid rate: {reason}.")


class Tenor(enum.StrEnum):
    ONE_YEAR = "1y"
    FIVE_YEAR = "5y"


@dataclass(frozen=True, slots=True)
class LprFixing:
    """One monthly fixing: the 1-year and 5-year LPR, percent per year."""

    fixing_date: date
    lpr_1y_pct: Decimal
    lpr_5y_pct: Decimal

    def rate(self, tenor: Tenor) -> Decimal:
        return self.lpr_1y_pct if tenor is Tenor.ONE_YEAR else self.lpr_5y_pct

    def rate_for_term(self, term_months: int) -> Decimal:
        """The LPR a loan of ``term_months`` references under this fixing."""
        return self.rate(applicable_tenor(term_months))


def lpr_in_force(fixings: Iterable[LprFixing], on_date: date) -> LprFixing:
    """The latest fixing on or before ``on_date``; :class:`LprNotAvailable` if ``on_date`` precedes them all."""
    in_force: LprFixing | None = None
    first: LprFixing | None = None
    for fixing in fixings:
        if first is None or fixing.fixing_date < first.fixing_date:
            first = fixing
        if fixing.fixing_date <= on_date and (in_force is None or fixing.fixing_date > in_force.fixing_date):
            in_force = fixing
    if in_force is None:
        raise LprNotAvailable(date=on_date.isoformat(), first_fixing=first.fixing_date.isoformat() if first else "none")
    return in_force


def applicable_tenor(term_months: int) -> Tenor:
    """1-year LPR for a loan term up to 60 months (5 years), 5-year LPR above (design §5)."""
    if isinstance(term_months, bool) or not isinstance(term_months, int) or term_months < 1:
        raise InvalidInput(reason=f"a loan term must be a whole number of months >= 1, not {term_months!r}")
    return Tenor.FIVE_YEAR if term_months > FIVE_YEAR_TENOR_ABOVE_MONTHS else Tenor.ONE_YEAR


def _require_decimal(value: Decimal | int, what: str) -> Decimal:
    # int is exact and allowed; float is not (binary fractions make 0.1 bp errors).
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise InvalidInput(reason=f"{what} must be a Decimal, not {type(value).__name__}")
    return Decimal(value)


def quantize_rate(rate_pct: Decimal) -> Decimal:
    """Round a rate to 4 decimal places, half up (四舍五入)."""
    return _require_decimal(rate_pct, "a rate").quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def cap_lpr_plus_spread(lpr_pct: Decimal, spread_bp: int) -> Decimal:
    """Cap of the form "LPR + N basis points" (e.g. 不超过LPR+50BP): ``lpr_pct + spread_bp / 100``.

    ``spread_bp`` is an integer number of basis points and may be negative ("LPR − 20 bp").
    """
    lpr = _require_decimal(lpr_pct, "the LPR")
    if isinstance(spread_bp, bool) or not isinstance(spread_bp, int):
        raise InvalidInput(reason=f"a spread must be a whole number of basis points, not {spread_bp!r}")
    return quantize_rate(lpr + Decimal(spread_bp) / 100)


def cap_lpr_times(lpr_pct: Decimal, multiplier: Decimal | int) -> Decimal:
    """Cap of the form "LPR × k" (e.g. 不超过LPR的1.5倍): ``lpr_pct * multiplier``, to 4 places half up."""
    lpr = _require_decimal(lpr_pct, "the LPR")
    factor = _require_decimal(multiplier, "a multiplier")
    if factor <= 0:
        raise InvalidInput(reason=f"a rate multiplier must be positive, not {factor}")
    return quantize_rate(lpr * factor)


def parse_rate_pct(value: str | Decimal, field: str = "rate") -> Decimal:
    """Parse a fixing such as ``"3.45"``: positive, below 20 %/yr, at most 4 decimal places."""
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise InvalidRate(field=field, value=value, reason="expected a decimal number such as 3.45")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not _RATE_TEXT.match(text.lstrip("+-")):
        raise InvalidRate(field=field, value=str(value), reason="expected a decimal number such as 3.45")
    exponent = rate.as_tuple().exponent  # an int for a finite Decimal
    if isinstance(exponent, int) and -exponent > 4:
        raise InvalidRate(field=field, value=str(value), reason="at most 4 decimal places")
    if rate <= 0:
        raise InvalidRate(field=field, value=str(value), reason="must be positive")
    if rate >= MAX_RATE_PCT:
        raise InvalidRate(field=field, value=str(value), reason=f"must be below {MAX_RATE_PCT} percent per year")
    return rate


def format_pct(rate_pct: Decimal) -> str:
    """``3.5`` → ``"3.50"``, ``3.175`` → ``"3.175"``: at least 2, at most 4 decimal places."""
    rate = quantize_rate(rate_pct).normalize()
    exponent = rate.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{rate:.{min(places, 4)}f}"
