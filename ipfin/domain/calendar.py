"""Chinese working days (工作日) and make-up working days (调休), as published by the State Council.

A :class:`WorkingCalendar` is built from the calendar table (``ipfin.calendar``) for a set of *covered*
years: years for which every day is known from a State Council holiday notice. Any question about a day
of a year that is not covered raises :class:`CalendarNotPublished` — the platform never guesses a holiday
(design §5 "Working days"). Deadlines in working days (e.g. the 5-working-day green channel, PZA-2.2.1;
the 15-working-day recovery share, BT-16) are computed with :meth:`WorkingCalendar.add_working_days`.

Counting convention (used by every deadline on the platform):

* ``add_working_days(start, n)`` for ``n >= 1`` is the n-th working day *after* ``start``: day 1 is the
  first working day strictly after ``start`` whatever ``start`` itself is (a request received on a
  Saturday or on a working day both start counting on the next working day).
* ``add_working_days(start, 0)`` is ``start`` itself, unchanged (no roll to a working day). This keeps
  ``add(add(s, a), b) == add(s, a + b)`` for all ``a, b >= 0``.
* ``working_days_between(a, b)`` counts the working days ``d`` with ``a < d <= b`` (negative when
  ``b < a``), so that ``working_days_between(s, add_working_days(s, n)) == n``.

Pure Python: no Django imports.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from ipfin.domain.dates import check_supported
from ipfin.domain.errors import InvalidInput, IpfinError, _

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CalendarNotPublished(IpfinError):
    """The calendar table has no (complete) data for a year: its holiday notice is not loaded yet."""

    code = "calendar_not_published"
    # 409: the request is well-formed, but the platform's state (no notice for that year) prevents an answer.
    http_status = 409
    message_template = _(
        "The working-day calendar for {year} is not published: load that year's State Council holiday "
        "notice first."
    )


class InvalidDate(InvalidInput):
    code = "invalid_date"
    message_template = _("{field} {value!r} is not a valid date (expected YYYY-MM-DD): {reason}.")


def parse_iso_date(value: str | date, field: str = "date") -> date:
    """Parse a strict ``YYYY-MM-DD`` business date; :class:`InvalidDate` with the reason otherwise.

    Stricter than :meth:`date.fromisoformat` (which also takes ``20250101`` and week dates): exactly the
    ISO calendar-date form, so that ``2025-02-30`` or ``2025/01/01`` are rejected with a clear reason.
    """
    if isinstance(value, date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not _ISO_DATE.match(text):
        raise InvalidDate(field=field, value=value, reason="not in the form YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(text)
    except ValueError as exc:  # e.g. "day is out of range for month"
        raise InvalidDate(field=field, value=value, reason=str(exc)) from None
    return check_supported(parsed, field)


def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def year_dates(year: int) -> list[date]:
    """Every day of ``year`` in order."""
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range(days_in_year(year))]


class WorkingCalendar:
    """Working days for a set of covered years, from ``{date: is_working_day}``.

    ``years`` names the covered years; each must have all its days in ``days`` (a year with a gap is a
    data error, raised as :class:`InvalidInput`). When ``years`` is omitted, the covered years are those
    whose every day is present in ``days``; days of incomplete years are ignored.
    """

    def __init__(self, days: Mapping[date, bool], years: Iterable[int] | None = None) -> None:
        by_year: dict[int, int] = {}
        for day in days:
            by_year[day.year] = by_year.get(day.year, 0) + 1
        if years is None:
            covered = {year for year, count in by_year.items() if count == days_in_year(year)}
        else:
            covered = set(years)
            incomplete = sorted(y for y in covered if by_year.get(y, 0) != days_in_year(y))
            if incomplete:
                raise InvalidInput(reason=f"calendar data for {incomplete[0]} does not cover every day of the year")
        self._years: frozenset[int] = frozenset(covered)
        self._is_working: dict[date, bool] = {d: bool(w) for d, w in days.items() if d.year in covered}
        # Sorted working days, for O(log n) counting over long spans.
        self._working: list[date] = sorted(d for d, w in self._is_working.items() if w)

    @property
    def years(self) -> frozenset[int]:
        """The covered (published) years."""
        return self._years

    def covers(self, year: int) -> bool:
        return year in self._years

    def require_year(self, year: int) -> None:
        """Raise :class:`CalendarNotPublished` unless ``year`` is covered."""
        if year not in self._years:
            raise CalendarNotPublished(year=year)

    def _require_span(self, first: date, last: date) -> None:
        for year in range(first.year, last.year + 1):
            self.require_year(year)

    def is_working_day(self, day: date) -> bool:
        self.require_year(day.year)
        return self._is_working[day]

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``n >= 1``); ``start`` itself for ``n == 0``.

        Raises :class:`CalendarNotPublished` for the first uncovered year the count runs into.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInput(reason=f"the number of working days must be a whole number >= 0, not {n!r}")
        self.require_year(start.year)
        if n == 0:
            return start
        position = bisect_right(self._working, start) + n - 1
        if position >= len(self._working):
            self._raise_first_gap_after(start)
        result = self._working[position]
        # A gap between covered years (e.g. 2026 and 2028 loaded, 2027 not) must not be skipped over.
        self._require_span(start, result)
        return result

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end``; negative (the count of ``end < d <= start``) if
        ``end < start``."""
        if end < start:
            return -self.working_days_between(end, start)
        self._require_span(start, end)
        return bisect_right(self._working, end) - bisect_right(self._working, start)

    def working_days_in(self, first: date, last: date) -> list[date]:
        """The working days ``first <= d <= last`` in order."""
        self._require_span(first, last)
        return self._working[bisect_left(self._working, first) : bisect_right(self._working, last)]

    def _raise_first_gap_after(self, start: date) -> None:
        year = start.year
        while year in self._years:
            year += 1
        raise CalendarNotPublished(year=year)
