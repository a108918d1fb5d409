"""Reading the reference data as domain objects: the working calendar and the LPR in force.

:func:`working_calendar` builds one :class:`~ipfin.domain.calendar.WorkingCalendar` from the table and
keeps it for the process. Each call costs one small aggregate query (the number of published years and
the latest ``loaded_at``): when another process publishes a year or corrects a day, the stamp changes
and the calendar is rebuilt. Batch code should call it once per run and reuse the calendar.

Reference data is not scoped (every authenticated user may read it; see ``selectors``), so these
services read the tables directly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Count, Max

from ipfin.calendar.models import CalendarDay, CalendarYear
from ipfin.calendar.models import LprFixing as LprFixingRow
from ipfin.domain.calendar import WorkingCalendar
from ipfin.domain.rates import LprFixing, LprNotAvailable

_Revision = tuple[int, datetime | None]
_cache: tuple[_Revision, WorkingCalendar] | None = None
_lock = threading.Lock()


def invalidate_calendar_cache() -> None:
    """Forget the cached calendar (called when days are published)."""
    global _cache
    with _lock:
        _cache = None


def _revision() -> _Revision:
    stamp = CalendarYear.objects.aggregate(years=Count("id"), latest=Max("loaded_at"))
    return stamp["years"], stamp["latest"]


def _build() -> WorkingCalendar:
    years = list(CalendarYear.objects.values_list("year", flat=True))
    days = dict(CalendarDay.objects.filter(date__year__in=years).values_list("date", "is_working_day"))
    return WorkingCalendar(days, years=years)


def working_calendar(years: Iterable[int] | None = None) -> WorkingCalendar:
    """The working calendar of every published year.

    ``years``: the years the caller is about to need; :class:`CalendarNotPublished` is raised now for
    the first one that is not published, so that a batch fails before it starts rather than half-way.
    """
    global _cache
    revision = _revision()
    with _lock:
        cached = _cache
    if cached is None or cached[0] != revision:
        calendar = _build()
        with _lock:
            _cache = (revision, calendar)
    else:
        calendar = cached[1]
    for year in sorted(set(years or ())):
        calendar.require_year(year)
    return calendar


def _as_domain(row: LprFixingRow) -> LprFixing:
    return LprFixing(row.fixing_date, row.lpr_1y_pct, row.lpr_5y_pct)


def lpr_on(on_date: date) -> LprFixing:
    """The LPR fixing in force on ``on_date`` (the latest on or before it); :class:`LprNotAvailable`
    if ``on_date`` is before the first fixing on record."""
    row = LprFixingRow.objects.filter(fixing_date__lte=on_date).order_by("-fixing_date").first()
    if row is None:
        first = LprFixingRow.objects.order_by("fixing_date").values_list("fixing_date", flat=True).first()
        raise LprNotAvailable(date=on_date.isoformat(), first_fixing=first.isoformat() if first else "none")
    return _as_domain(row)


def lpr_fixings() -> list[LprFixing]:
    """Every fixing on record, oldest first (for callers that look up many dates)."""
    return [_as_domain(row) for row in LprFixingRow.objects.order_by("fixing_date")]
