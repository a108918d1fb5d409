"""Working-day SLA clocks (PZA-2.2.1a/b, XT-14) over the 2025 National Day / Mid-Autumn break."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from ipfin.domain.calendar import CalendarNotPublished, WorkingCalendar
from ipfin.domain.sla import SlaState, clock_state, due_date, due_date_or_none, working_days_used


def _calendar(years: list[int]) -> WorkingCalendar:
    days: dict[date, bool] = {}
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            days[day] = chinese_calendar.is_workday(day)
            day += timedelta(days=1)
    return WorkingCalendar(days, years)


CAL = _calendar([2025])


def test_five_working_days_from_the_last_day_before_national_day() -> None:
    # 2025-09-30 (Tue); 10-01..10-08 are off; 10-09 Thu, 10-10 Fri, 10-11 Sat (make-up day), 10-13 Mon, 10-14 Tue.
    assert due_date(CAL, date(2025, 9, 30), 5) == date(2025, 10, 14)


def test_a_clock_started_on_the_make_up_saturday_before_the_break() -> None:
    # 2025-09-28 (Sun) is a make-up working day: 09-29, 09-30, 10-09, 10-10, 10-11.
    assert due_date(CAL, date(2025, 9, 28), 5) == date(2025, 10, 11)


def test_pause_keeps_the_days_used_and_resumes_with_the_rest() -> None:
    started = date(2025, 9, 26)  # Fri
    used = working_days_used(CAL, started, date(2025, 9, 30))  # 09-28 (make-up), 09-29, 09-30
    assert used == 3
    # returned to the applicant, resubmitted on 10-09: two working days left → 10-10, 10-11 (make-up Saturday)
    assert due_date(CAL, date(2025, 10, 9), 5, used) == date(2025, 10, 11)


def test_a_used_up_clock_is_due_on_the_resume_date() -> None:
    assert due_date(CAL, date(2025, 10, 9), 5, used=7) == date(2025, 10, 9)


@pytest.mark.parametrize(
    ("today", "state", "left"),
    [
        (date(2025, 9, 30), SlaState.ON_TIME, 5),
        (date(2025, 10, 10), SlaState.ON_TIME, 3),  # 10-11 (make-up Saturday), 10-13, 10-14
        (date(2025, 10, 11), SlaState.ON_TIME, 2),
        (date(2025, 10, 13), SlaState.DUE_SOON, 1),
        (date(2025, 10, 14), SlaState.DUE_SOON, 0),  # due today
        (date(2025, 10, 15), SlaState.OVERDUE, -1),
    ],
)
def test_states_along_the_clock(today: date, state: SlaState, left: int) -> None:
    clock = clock_state(CAL, due_on=date(2025, 10, 14), today=today)
    assert (clock.state, clock.working_days_left) == (state, left)


def test_stopped_clocks_are_met_or_missed() -> None:
    due = date(2025, 10, 14)
    assert clock_state(CAL, due_on=due, today=date(2025, 12, 1), stopped_on=due).state is SlaState.MET
    assert clock_state(CAL, due_on=due, today=date(2025, 12, 1),
                       stopped_on=date(2025, 10, 15)).state is SlaState.MISSED


def test_paused_clock() -> None:
    assert clock_state(CAL, due_on=date(2025, 10, 14), today=date(2025, 10, 20), paused=True).state is SlaState.PAUSED


def test_a_deadline_in_an_unpublished_year_is_an_explicit_state() -> None:
    with pytest.raises(CalendarNotPublished):
        due_date(CAL, date(2025, 12, 30), 5)
    assert due_date_or_none(CAL, date(2025, 12, 30), 5) is None
    assert clock_state(CAL, due_on=None, today=date(2025, 12, 30)).state is SlaState.CALENDAR_NOT_PUBLISHED
    # known due date, but "today" is beyond the published calendar
    late = clock_state(CAL, due_on=date(2025, 12, 31), today=date(2026, 1, 5))
    assert late.state is SlaState.CALENDAR_NOT_PUBLISHED
