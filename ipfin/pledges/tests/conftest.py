from __future__ import annotations

from typing import Any

import pytest

from ipfin.calendar.reference import seed_calendar
from ipfin.calendar.services import invalidate_calendar_cache


@pytest.fixture
def calendar_2025_2026(db: Any) -> None:
    """2025 and 2026 working days from chinesecalendar (National Day 2025: 1–8 October off, 28 September and
    11 October worked)."""
    invalidate_calendar_cache()
    seed_calendar([2025, 2026])
    yield
    invalidate_calendar_cache()
