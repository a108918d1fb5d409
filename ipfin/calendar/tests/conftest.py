"""Fixtures of the calendar app: seeded calendar years, reference LPR fixings, CSV file writers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ipfin.calendar.reference import load_lpr_reference, seed_calendar
from ipfin.calendar.services import invalidate_calendar_cache
from ipfin.domain.calendar import year_dates


@pytest.fixture
def calendar_2025_2026(db: Any) -> None:
    """2025 and 2026 seeded from chinesecalendar (a fraction of the full seed, for speed)."""
    invalidate_calendar_cache()
    seed_calendar([2025, 2026])


@pytest.fixture
def lpr_fixings(db: Any) -> None:
    load_lpr_reference()


def notice_year_rows(year: int, holidays: Iterable[date] = (), make_up: Iterable[date] = (),
                     name: str = "节日") -> list[tuple[str, str, str]]:
    """``(date, is_working_day, name)`` rows of a whole year from a notice's holidays and make-up days."""
    off, worked = set(holidays), set(make_up)
    rows = []
    for day in year_dates(year):
        if day in off:
            rows.append((day.isoformat(), "false", name))
        elif day in worked:
            rows.append((day.isoformat(), "true", name + "调休上班"))
        else:
            rows.append((day.isoformat(), "true" if day.weekday() < 5 else "false", ""))
    return rows


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: Iterable[Iterable[str]], header: str = "date,is_working_day,name", name: str = "days.csv",
              preamble: str = "") -> Path:
        path = tmp_path / name
        lines = [preamble.rstrip("\n")] if preamble else []
        lines.append(header)
        lines += [",".join(row) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write
