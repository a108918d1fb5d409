"""Reference data: chinesecalendar seed, LPR CSV upsert, idempotent ``load_reference_data``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from ipfin.calendar.actions import change_lpr_fixing, publish_calendar_days
from ipfin.calendar.loaders import BadCsvRow, read_calendar_csv
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear, LprFixing, LprSource
from ipfin.calendar.reference import (
    LPR_REFERENCE_CSV,
    chinesecalendar_years,
    load_lpr_reference,
    load_reference_data,
    seed_calendar,
)
from ipfin.calendar.services import lpr_on, working_calendar
from ipfin.calendar.tests.conftest import notice_year_rows
from ipfin.domain.calendar import CalendarNotPublished

pytestmark = pytest.mark.django_db


def test_chinesecalendar_covers_2004_to_2026() -> None:
    years = chinesecalendar_years()
    assert years[0] == 2004 and years[-1] >= 2026
    assert years == list(range(years[0], years[-1] + 1))


def test_seed_writes_whole_years_with_names(calendar_2025_2026: None) -> None:
    assert CalendarDay.objects.filter(date__year=2025).count() == 365
    assert CalendarDay.objects.get(date=date(2025, 10, 6)).name == "中秋节"
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).name == "国庆节"
    make_up = CalendarDay.objects.get(date=date(2025, 9, 28))
    assert make_up.is_working_day and make_up.name == "国庆节调休上班"
    assert CalendarDay.objects.get(date=date(2026, 2, 28)).name == "春节调休上班"
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {CalendarSource.CHINESECALENDAR}


def test_seed_matches_chinesecalendar_every_day(calendar_2025_2026: None) -> None:
    stored = dict(CalendarDay.objects.values_list("date", "is_working_day"))
    assert all(chinese_calendar.is_workday(day) == working for day, working in stored.items())


def test_seed_is_idempotent(calendar_2025_2026: None) -> None:
    ids = set(CalendarDay.objects.values_list("id", flat=True))
    assert seed_calendar([2025, 2026]) == 0
    assert set(CalendarDay.objects.values_list("id", flat=True)) == ids


def test_seed_never_overwrites_a_year_loaded_from_csv(db: Any, tmp_path: Path) -> None:
    # An administrator published 2025 differently (an extra holiday on 2025-06-03).
    path = tmp_path / "y2025.csv"
    rows = notice_year_rows(2025, holidays=[date(2025, 6, 3)], name="特别假日")
    path.write_text("date,is_working_day,name\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    publish_calendar_days(None, read_calendar_csv(path), source=CalendarSource.CSV_FILE)
    seed_calendar([2025, 2026])
    assert CalendarYear.objects.get(year=2025).source == CalendarSource.CSV_FILE
    assert CalendarDay.objects.get(date=date(2025, 6, 3)).is_working_day is False
    assert CalendarYear.objects.get(year=2026).source == CalendarSource.CHINESECALENDAR


def test_load_reference_data_is_idempotent_and_counts(db: Any) -> None:
    first = load_reference_data()
    days = sum(365 + (y % 4 == 0) for y in chinesecalendar_years())
    assert first["calendar_days"] == days
    assert first["lpr_fixings"] == LprFixing.objects.count() > 80
    assert first.get("policy_profiles", 5) >= 1
    second = load_reference_data()
    assert second == first
    assert CalendarYear.objects.count() == len(chinesecalendar_years())


def test_lpr_reference_keeps_its_source_note() -> None:
    text = LPR_REFERENCE_CSV.read_text(encoding="utf-8")
    assert text.startswith("# Loan Prime Rate")
    assert "Jesselili/cn-housing-prices" in text


def test_lpr_upsert_updates_reference_rows_but_not_admin_corrections(db: Any, tmp_path: Path) -> None:
    assert load_lpr_reference() == (LprFixing.objects.count(), 0)
    assert load_lpr_reference() == (0, 0)
    # A corrected reference file updates rows that came from it …
    row = LprFixing.objects.get(fixing_date=date(2019, 8, 20))
    LprFixing.objects.filter(pk=row.pk).update(lpr_1y_pct=Decimal("9.99"))
    assert load_lpr_reference() == (0, 1)
    assert LprFixing.objects.get(pk=row.pk).lpr_1y_pct == Decimal("4.25")
    # … but an administrator's correction stands.
    change_lpr_fixing(None, row.pk, "4.26", "4.85")
    assert load_lpr_reference() == (0, 0)
    fixed = LprFixing.objects.get(pk=row.pk)
    assert (fixed.lpr_1y_pct, fixed.source) == (Decimal("4.26"), LprSource.ADMIN)


def test_bad_lpr_file_writes_nothing(db: Any, write_csv: Callable[..., Path]) -> None:
    path = write_csv([("2025-01-20", "3.1", "3.6"), ("2025-02-30", "3.1", "3.6")],
                     header="fixing_date,lpr_1y_pct,lpr_5y_pct")
    with pytest.raises(BadCsvRow) as caught:
        load_lpr_reference(path)
    assert "line 3" in caught.value.message and "2025-02-30" in caught.value.message
    assert LprFixing.objects.count() == 0


def test_services_read_the_table(calendar_2025_2026: None, lpr_fixings: None) -> None:
    calendar = working_calendar([2025])
    assert calendar.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    with pytest.raises(CalendarNotPublished):
        working_calendar([2025, 2027])
    fixing = lpr_on(date(2025, 6, 1))
    assert (fixing.fixing_date, fixing.lpr_1y_pct, fixing.lpr_5y_pct) == (date(2025, 5, 20), Decimal("3"), Decimal("3.5"))


def test_calendar_cache_sees_a_newly_published_year(calendar_2025_2026: None, tmp_path: Path) -> None:
    assert not working_calendar().covers(2027)
    path = tmp_path / "y2027.csv"
    path.write_text("date,is_working_day,name\n" + "\n".join(",".join(r) for r in notice_year_rows(2027)) + "\n",
                    encoding="utf-8")
    publish_calendar_days(None, read_calendar_csv(path), source=CalendarSource.CSV_FILE)
    assert working_calendar().covers(2027)
    # A change made behind the cache's back (another process) is seen through the loaded_at stamp.
    CalendarYear.objects.filter(year=2027).delete()
    assert not working_calendar().covers(2027)
