"""Changes to the calendar and the LPR fixings — each atomic, checked and audited.

Publishing calendar days is all-or-nothing and whole-year: every year touched must be complete (all of
its days given), otherwise nothing is written. Republishing identical data changes nothing (no write, no
audit event), so loads are idempotent. A year already in the table (from chinesecalendar or an earlier
load) is replaced by the new data: a later State Council notice or a correction wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from ipfin.accounts.audit import record_event, snapshot
from ipfin.accounts.choices import Role
from ipfin.accounts.permissions import require_role
from ipfin.calendar.loaders import CalendarRow
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear, LprFixing, LprSource
from ipfin.domain.calendar import days_in_year, year_dates
from ipfin.domain.errors import Conflict, InvalidInput, _
from ipfin.domain.rates import format_pct, parse_rate_pct

if TYPE_CHECKING:
    from ipfin.accounts.models import User

LPR_FIELDS = ["fixing_date", "lpr_1y_pct", "lpr_5y_pct", "source"]
_BULK_BATCH = 2000  # rows per INSERT (SQLite's variable limit is 32766; 3 columns per row)


class IncompleteCalendarYear(InvalidInput):
    code = "incomplete_calendar_year"
    message_template = _(
        "The calendar for {year} is incomplete: {missing} of its {total} days are missing (first missing: "
        "{first_missing}). A year is loaded whole or not at all."
    )


@dataclass
class PublishReport:
    years: list[int] = field(default_factory=list)
    days: int = 0
    changed_days: int = 0
    new_years: list[int] = field(default_factory=list)
    replaced_years: list[int] = field(default_factory=list)
    unchanged_years: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"years": self.years, "days": self.days, "changed_days": self.changed_days,
                "new_years": self.new_years, "replaced_years": self.replaced_years,
                "unchanged_years": self.unchanged_years}


def publish_calendar_days(
    actor: User | None, rows: Iterable[CalendarRow], *, source: str, notice: str = ""
) -> PublishReport:
    """Publish whole years of calendar days (from a CSV file or the admin); see the module docstring.

    ``actor`` is the platform administrator (``None`` for the command line run by the operator).
    """
    _require_platform_admin(actor)
    if source not in CalendarSource.values:
        raise InvalidInput(reason=f"unknown calendar source {source!r}")
    by_year: dict[int, dict[date, CalendarRow]] = defaultdict(dict)
    for row in rows:
        by_year[row.date.year][row.date] = row
    if not by_year:
        raise InvalidInput(reason="no calendar days to load")
    for year in sorted(by_year):
        given = by_year[year]
        if len(given) != days_in_year(year):
            missing = [d for d in year_dates(year) if d not in given]
            raise IncompleteCalendarYear(year=year, missing=len(missing), total=days_in_year(year),
                                         first_missing=missing[0].isoformat())
    report = PublishReport(years=sorted(by_year), days=sum(len(v) for v in by_year.values()))
    now = timezone.now()
    try:
        _publish(actor, by_year, report, source=source, notice=notice, now=now)
    except IntegrityError:  # a concurrent load inserted the same new year first
        raise Conflict() from None
    _invalidate_calendar_cache()
    return report


def _publish(actor: User | None, by_year: dict[int, dict[date, CalendarRow]], report: PublishReport, *,
             source: str, notice: str, now: datetime) -> None:
    with transaction.atomic():
        # Lock the years being replaced so that two concurrent loads of one year serialise.
        existing_years = {y.year: y for y in CalendarYear.objects.select_for_update().filter(year__in=report.years)}
        existing_days = {
            day: (working, name)
            for day, working, name in CalendarDay.objects.filter(date__year__in=report.years)
            .values_list("date", "is_working_day", "name")
        }
        for year in report.years:
            given = by_year[year]
            changed = sum(1 for d, r in given.items() if existing_days.get(d) != (r.is_working_day, r.name))
            previous = existing_years.get(year)
            if previous is not None and changed == 0 and previous.source == source and previous.notice == notice:
                report.unchanged_years.append(year)
                continue
            report.changed_days += changed
            before = snapshot(previous, ["year", "source", "notice"]) if previous else None
            CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create(
                [CalendarDay(date=r.date, is_working_day=r.is_working_day, name=r.name) for r in given.values()],
                batch_size=_BULK_BATCH,
            )
            if previous is None:
                calendar_year = CalendarYear.objects.create(year=year, source=source, notice=notice, loaded_at=now)
                report.new_years.append(year)
            else:
                calendar_year = previous
                calendar_year.source, calendar_year.notice, calendar_year.loaded_at = source, notice, now
                calendar_year.save(update_fields=["source", "notice", "loaded_at"])
                report.replaced_years.append(year)
            after = snapshot(calendar_year, ["year", "source", "notice"]) | {
                "working_days": sum(1 for r in given.values() if r.is_working_day),
                "changed_days": changed,
            }
            record_event(actor=actor, action="calendar.publish_year", obj=calendar_year, before=before, after=after)
        transaction.on_commit(_invalidate_calendar_cache)


def calendar_rows_from_notice(
    year: int, holidays: Mapping[date, str], make_up_working_days: Mapping[date, str]
) -> list[CalendarRow]:
    """All days of ``year`` from a State Council notice: Monday–Friday work and weekends are off, except
    the notice's holidays (放假, off) and make-up working days (调休上班, worked)."""
    for day in [*holidays, *make_up_working_days]:
        if day.year != year:
            raise InvalidInput(reason=f"{day.isoformat()} is not in {year}")
    both = sorted(set(holidays) & set(make_up_working_days))
    if both:
        raise InvalidInput(reason=f"{both[0].isoformat()} is listed both as a holiday and as a make-up working day")
    rows = []
    for day in year_dates(year):
        if day in holidays:
            rows.append(CalendarRow(day, False, holidays[day]))
        elif day in make_up_working_days:
            rows.append(CalendarRow(day, True, make_up_working_days[day]))
        else:
            rows.append(CalendarRow(day, day.weekday() < 5, ""))
    return rows


def add_lpr_fixing(
    actor: User | None, fixing_date: date, lpr_1y_pct: str | Decimal, lpr_5y_pct: str | Decimal,
    *, source: str = LprSource.COMMAND_LINE,
) -> tuple[LprFixing, bool]:
    """Record a new fixing; ``(fixing, created)``. Adding the same fixing again is a no-op; a different
    fixing for a date already on record is a :class:`Conflict` (corrections go through
    :func:`change_lpr_fixing`). Platform administrators only (``actor=None``: the operator's CLI)."""
    _require_platform_admin(actor)
    one_year = parse_rate_pct(lpr_1y_pct, field="1-year LPR")
    five_year = parse_rate_pct(lpr_5y_pct, field="5-year LPR")
    with transaction.atomic():
        existing = LprFixing.objects.select_for_update().filter(fixing_date=fixing_date).first()
        if existing is not None:
            if existing.lpr_1y_pct == one_year and existing.lpr_5y_pct == five_year:
                return existing, False
            raise Conflict(
                _("A fixing of {date} is already on record (1Y {lpr_1y}%, 5Y {lpr_5y}%); correct it in the admin."),
                date=fixing_date.isoformat(), lpr_1y=format_pct(existing.lpr_1y_pct),
                lpr_5y=format_pct(existing.lpr_5y_pct),
            )
        fixing = LprFixing.objects.create(fixing_date=fixing_date, lpr_1y_pct=one_year, lpr_5y_pct=five_year,
                                          source=source)
        record_event(actor=actor, action="lpr.add", obj=fixing, after=snapshot(fixing, LPR_FIELDS))
    return fixing, True


def change_lpr_fixing(
    actor: User | None, fixing_id: int, lpr_1y_pct: str | Decimal, lpr_5y_pct: str | Decimal,
    *, source: str = LprSource.ADMIN,
) -> LprFixing:
    """Correct the rates of a fixing on record (e.g. after checking the official publication)."""
    from ipfin.core.actions import lock

    _require_platform_admin(actor)
    one_year = parse_rate_pct(lpr_1y_pct, field="1-year LPR")
    five_year = parse_rate_pct(lpr_5y_pct, field="5-year LPR")
    with transaction.atomic():
        fixing = lock(LprFixing, fixing_id)
        before = snapshot(fixing, LPR_FIELDS)
        fixing.lpr_1y_pct, fixing.lpr_5y_pct, fixing.source = one_year, five_year, source
        fixing.save(update_fields=["lpr_1y_pct", "lpr_5y_pct", "source"])
        record_event(actor=actor, action="lpr.change", obj=fixing, before=before, after=snapshot(fixing, LPR_FIELDS))
    return fixing


def _require_platform_admin(actor: User | None) -> None:
    if actor is not None:
        require_role(actor, Role.PLATFORM_ADMIN)


def _invalidate_calendar_cache() -> None:
    from ipfin.calendar.services import invalidate_calendar_cache

    invalidate_calendar_cache()
