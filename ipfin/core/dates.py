"""The platform's business date (业务日期): the one function every action, page and command asks (design §5).

Today in Asia/Shanghai unless ``IPFIN_BUSINESS_DATE`` fixes it (a demo of a past day, a test). Value dates are
checked against it with :func:`ipfin.domain.dates.check_value_date` through :func:`check_value_date` here.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from ipfin.domain import dates as domain_dates


def business_date() -> date:
    """The platform's business date: ``settings.IPFIN_BUSINESS_DATE`` when set, else today in Asia/Shanghai."""
    fixed = getattr(settings, "IPFIN_BUSINESS_DATE", None)
    return fixed if fixed is not None else timezone.localdate()


def check_value_date(value: date, *, not_before: date | None = None, why: str = "",
                     field: str = "value date") -> date:
    """A money record's value date against the platform's business date (see the domain rule)."""
    return domain_dates.check_value_date(value, business_date=business_date(), not_before=not_before, why=why,
                                         field=field)
