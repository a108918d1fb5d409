"""Terms of protection: patents (专利法 art. 42) and trademark renewal (商标法 art. 39–40).

Patent term counts from the filing date (申请日): invention 20 years, utility model 10 years, design
15 years for applications filed on or after 2021-06-01 (the fourth amendment of the Patent Law) and
10 years before. The last day in force is the day before the anniversary, so a patent filed on
2003-10-01 ends on 2023-09-30 (its 20th patent year runs 2022-10-01 … 2023-09-30).

A registered trademark is valid 10 years; it may be renewed in the 12 months before it expires and, if
not, in a grace period of 6 months after (宽展期).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ipfin.domain.registry.patent_number import PatentKind

DESIGN_15_YEARS_FROM = date(2021, 6, 1)
TRADEMARK_VALIDITY_YEARS = 10
TRADEMARK_RENEWAL_MONTHS_BEFORE = 12
TRADEMARK_GRACE_MONTHS = 6


def add_years(day: date, years: int) -> date:
    """Same month and day ``years`` later; 29 February becomes 28 February in a common year."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later (or earlier); clipped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def patent_term_years(kind: PatentKind | str, filing_date: date) -> int:
    kind = PatentKind(kind)
    if kind is PatentKind.INVENTION:
        return 20
    if kind is PatentKind.UTILITY_MODEL:
        return 10
    return 15 if filing_date >= DESIGN_15_YEARS_FROM else 10


def patent_term_end(kind: PatentKind | str, filing_date: date) -> date:
    """The last day the patent can be in force (art. 42): the day before the N-th anniversary of filing."""
    return add_years(filing_date, patent_term_years(kind, filing_date)) - timedelta(days=1)


@dataclass(frozen=True)
class RenewalWindow:
    opens: date  # first day a renewal may be filed (12 months before expiry)
    expires: date  # last day of validity
    grace_ends: date  # last day of the 6-month grace period (宽展期)

    def phase(self, on: date) -> str:
        """``too_early`` / ``open`` / ``grace`` / ``closed`` on ``on``."""
        if on < self.opens:
            return "too_early"
        if on <= self.expires:
            return "open"
        if on <= self.grace_ends:
            return "grace"
        return "closed"


def trademark_valid_to(valid_from: date) -> date:
    """Last day of a 10-year registration (or renewal) that starts on ``valid_from`` (art. 39)."""
    return add_years(valid_from, TRADEMARK_VALIDITY_YEARS) - timedelta(days=1)


def trademark_renewal_window(valid_to: date) -> RenewalWindow:
    """Art. 40: renew within 12 months before ``valid_to``, or within 6 months after it with a surcharge."""
    return RenewalWindow(
        opens=add_months(valid_to, -TRADEMARK_RENEWAL_MONTHS_BEFORE) + timedelta(days=1),
        expires=valid_to,
        grace_ends=add_months(valid_to, TRADEMARK_GRACE_MONTHS),
    )
