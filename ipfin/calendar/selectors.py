"""Visibility of the reference data: the calendar and LPR fixings are public to every signed-in user.

``visible()`` already returns nothing for anonymous or inactive users; reference data has no owner, so
every authenticated user reads all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from ipfin.calendar.models import CalendarDay, CalendarYear, LprFixing
from ipfin.core.scoping import visibility

if TYPE_CHECKING:
    from ipfin.accounts.models import User


@visibility(CalendarYear)
def calendar_years_visible_to(user: User) -> QuerySet[CalendarYear]:
    return CalendarYear.objects.all()


@visibility(CalendarDay)
def calendar_days_visible_to(user: User) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.all()


@visibility(LprFixing)
def lpr_fixings_visible_to(user: User) -> QuerySet[LprFixing]:
    return LprFixing.objects.all()
