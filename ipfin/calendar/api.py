"""``/api/v1/calendar/…``: working days and LPR fixings for any authenticated user (reference data).

Dates are query strings in ``YYYY-MM-DD``; a malformed date is ``400 invalid_date``, a year without
calendar data ``409 calendar_not_published``, a date before the first LPR fixing ``404
lpr_not_available``. Rates are strings in percent per year (``"3.45"``) so that no client reads them as
floats.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.calendar.models import CalendarDay
from ipfin.calendar.services import lpr_on, working_calendar
from ipfin.core.scoping import visible
from ipfin.domain.calendar import parse_iso_date
from ipfin.domain.errors import InvalidInput
from ipfin.domain.rates import applicable_tenor, format_pct

router = Router(tags=["calendar"])


class WorkingDayOut(Schema):
    date: str
    is_working_day: bool
    name: str


class AddWorkingDaysOut(Schema):
    date: str
    n: int
    result: str


class LprOut(Schema):
    date: str
    fixing_date: str
    lpr_1y_pct: str
    lpr_5y_pct: str
    tenor_months: int | None = None
    tenor: str | None = None
    applicable_pct: str | None = None


@router.get("/working-day", response={200: WorkingDayOut, **ERROR_RESPONSES},
            summary="Whether a date is a working day (工作日)")
def working_day(request: HttpRequest, date: str) -> Any:
    day = parse_iso_date(date)
    working = working_calendar().is_working_day(day)
    days = visible(request.user, CalendarDay)  # type: ignore[arg-type]  # the API authenticated the user
    name = days.filter(date=day).values_list("name", flat=True).first() or ""
    return {"date": day.isoformat(), "is_working_day": working, "name": name}


@router.get("/add-working-days", response={200: AddWorkingDaysOut, **ERROR_RESPONSES},
            summary="The n-th working day after a date (day 1 = the first working day after it; n=0 → the date)")
def add_working_days(request: HttpRequest, date: str, n: int) -> Any:
    day = parse_iso_date(date)
    if n < 0:
        raise InvalidInput(reason=f"n must be at least 0, not {n}")
    result = working_calendar().add_working_days(day, n)
    return {"date": day.isoformat(), "n": n, "result": result.isoformat()}


@router.get("/lpr", response={200: LprOut, **ERROR_RESPONSES},
            summary="The LPR fixing in force on a date; with tenor_months, the applicable one")
def lpr(request: HttpRequest, date: str, tenor_months: int | None = None) -> Any:
    day = parse_iso_date(date)
    tenor = applicable_tenor(tenor_months) if tenor_months is not None else None
    fixing = lpr_on(day)
    payload: dict[str, Any] = {
        "date": day.isoformat(),
        "fixing_date": fixing.fixing_date.isoformat(),
        "lpr_1y_pct": format_pct(fixing.lpr_1y_pct),
        "lpr_5y_pct": format_pct(fixing.lpr_5y_pct),
    }
    if tenor is not None:
        payload |= {"tenor_months": tenor_months, "tenor": tenor.value, "applicable_pct": format_pct(fixing.rate(tenor))}
    return payload
