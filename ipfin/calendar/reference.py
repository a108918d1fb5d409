"""Reference data loaded by ``ipfin init``: calendar years from chinesecalendar, LPR fixings from the
project's CSV, and a validation of the policy profiles. Idempotent: a rerun writes nothing new.

* Calendar: every year chinesecalendar covers (2004–2026 in v1.11) that has no :class:`CalendarYear`
  row yet is seeded whole (set-based ``bulk_create``). Years already published — whether seeded
  earlier, loaded from a CSV file or entered in the admin — are never touched, so an administrator's
  data survives every ``ipfin init``.
* LPR: fixings of ``data/lpr_cn.csv`` (source note in its ``#`` header) missing from the table are
  inserted; fixings that came from this file and whose value the file now corrects are updated;
  fixings entered or corrected by an administrator are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ipfin.calendar.loaders import read_lpr_csv
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear, LprFixing, LprSource
from ipfin.domain.calendar import year_dates

LPR_REFERENCE_CSV = Path(__file__).resolve().parent / "data" / "lpr_cn.csv"
_BULK_BATCH = 2000

# chinesecalendar names its holidays in English; the State Council notices use these names.
HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
MAKE_UP_SUFFIX = "调休上班"  # a make-up working day (调休) carries the holiday's name plus this


def chinesecalendar_years() -> list[int]:
    """The years chinesecalendar has State Council data for."""
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.holidays})


def chinesecalendar_days(year: int) -> list[CalendarDay]:
    """Unsaved :class:`CalendarDay` rows for every day of ``year``, from chinesecalendar."""
    import chinese_calendar

    holidays: dict = chinese_calendar.holidays  # {date: English holiday name}, weekends inside included
    make_up: dict = chinese_calendar.workdays  # {date: English holiday name}: weekend days worked (调休)
    rows = []
    for day in year_dates(year):
        if day in holidays:
            rows.append(CalendarDay(date=day, is_working_day=False, name=_zh(holidays[day])))
        elif day in make_up:
            rows.append(CalendarDay(date=day, is_working_day=True, name=_zh(make_up[day]) + MAKE_UP_SUFFIX))
        else:
            rows.append(CalendarDay(date=day, is_working_day=day.weekday() < 5, name=""))
    return rows


def _zh(name: object) -> str:
    text = str(getattr(name, "value", name))
    return HOLIDAY_NAMES_ZH.get(text, text)


def seed_calendar(years: Iterable[int] | None = None) -> int:
    """Seed the unpublished years among ``years`` (default: all chinesecalendar covers); days written."""
    wanted = sorted(set(years)) if years is not None else chinesecalendar_years()
    covered = set(chinesecalendar_years())
    with transaction.atomic():
        published = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
        todo = [year for year in wanted if year in covered and year not in published]
        if not todo:
            return 0
        # Stray days of an unpublished year (not normally possible) would block the insert; drop them.
        CalendarDay.objects.filter(date__year__in=todo).delete()
        rows = [row for year in todo for row in chinesecalendar_days(year)]
        CalendarDay.objects.bulk_create(rows, batch_size=_BULK_BATCH)
        now = timezone.now()
        CalendarYear.objects.bulk_create(
            [CalendarYear(year=year, source=CalendarSource.CHINESECALENDAR, loaded_at=now,
                          notice="chinesecalendar") for year in todo]
        )
    from ipfin.calendar.services import invalidate_calendar_cache

    invalidate_calendar_cache()
    return len(rows)


def load_lpr_reference(path: Path = LPR_REFERENCE_CSV) -> tuple[int, int]:
    """Upsert the reference fixings; ``(inserted, updated)``. All rows are checked before any write."""
    fixings = read_lpr_csv(path)
    with transaction.atomic():
        existing = {row.fixing_date: row for row in LprFixing.objects.filter(fixing_date__in=[f.fixing_date for f in fixings])}
        to_insert = [
            LprFixing(fixing_date=f.fixing_date, lpr_1y_pct=f.lpr_1y_pct, lpr_5y_pct=f.lpr_5y_pct,
                      source=LprSource.REFERENCE)
            for f in fixings if f.fixing_date not in existing
        ]
        to_update = []
        for f in fixings:
            row = existing.get(f.fixing_date)
            if row is not None and row.source == LprSource.REFERENCE and (
                row.lpr_1y_pct != f.lpr_1y_pct or row.lpr_5y_pct != f.lpr_5y_pct
            ):
                row.lpr_1y_pct, row.lpr_5y_pct = f.lpr_1y_pct, f.lpr_5y_pct
                to_update.append(row)
        LprFixing.objects.bulk_create(to_insert, batch_size=_BULK_BATCH)
        LprFixing.objects.bulk_update(to_update, ["lpr_1y_pct", "lpr_5y_pct"], batch_size=_BULK_BATCH)
    return len(to_insert), len(to_update)


def _policy_profile_count() -> int | None:
    """Load (and so validate) the policy profiles; ``None`` while the policy loader does not exist yet."""
    try:
        from ipfin.policy.loader import load_profiles
    except ModuleNotFoundError as exc:
        if exc.name not in {"ipfin.policy.loader"}:
            raise
        return None
    return len(load_profiles())


def load_reference_data() -> dict[str, int]:
    """Seed the calendar, load LPR fixings and validate the policy profiles; counts of what is on record.

    Policy profiles are validated first, so a broken profile stops ``ipfin init`` before anything is written.
    """
    profiles = _policy_profile_count()
    with transaction.atomic():
        seed_calendar()
        load_lpr_reference()
    counts = {"calendar_days": CalendarDay.objects.count(), "lpr_fixings": LprFixing.objects.count()}
    if profiles is not None:
        counts["policy_profiles"] = profiles
    return counts
