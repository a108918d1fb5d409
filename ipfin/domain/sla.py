"""Service-level clocks counted in Chinese working days (PZA-2.2.1a/b, XT-14).

A clock starts on a business date and is due a number of working days later. It pauses while the work is
back with the applicant (the working days already used are kept) and resumes with what is left. A year the
working-day calendar does not have yet makes the clock's state ``calendar_not_published`` — never a guess
(design §5) and never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ipfin.domain.calendar import CalendarNotPublished, WorkingCalendar

# "Due soon" = due today or on the next working day. A display threshold, not a policy number.
DUE_SOON_WORKING_DAYS = 1


class SlaState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    CALENDAR_NOT_PUBLISHED = "calendar_not_published"


@dataclass(frozen=True)
class SlaClock:
    state: SlaState
    due_on: date | None
    working_days_left: int | None = None


def due_date(calendar: WorkingCalendar, started_on: date, allowed_working_days: int, used: int = 0) -> date:
    """The date by which the work must be done: ``allowed − used`` working days after ``started_on``.

    Raises :class:`CalendarNotPublished` when that needs a year the calendar lacks. A clock already used
    up is due on ``started_on`` itself.
    """
    return calendar.add_working_days(started_on, max(0, allowed_working_days - used))


def due_date_or_none(calendar: WorkingCalendar, started_on: date, allowed_working_days: int,
                     used: int = 0) -> date | None:
    try:
        return due_date(calendar, started_on, allowed_working_days, used)
    except CalendarNotPublished:
        return None


def working_days_used(calendar: WorkingCalendar, started_on: date, paused_on: date, already_used: int = 0) -> int:
    """Working days consumed by a clock running from ``started_on`` until it pauses on ``paused_on``."""
    return already_used + calendar.working_days_between(started_on, paused_on)


def clock_state(calendar: WorkingCalendar, *, due_on: date | None, today: date, stopped_on: date | None = None,
                paused: bool = False) -> SlaClock:
    """Where a clock stands on ``today``; ``stopped_on`` is the date the work was done (the decision, the
    registration), which makes it ``met`` or ``missed``."""
    if due_on is None:
        return SlaClock(SlaState.CALENDAR_NOT_PUBLISHED, None)
    if stopped_on is not None:
        return SlaClock(SlaState.MET if stopped_on <= due_on else SlaState.MISSED, due_on)
    if paused:
        return SlaClock(SlaState.PAUSED, due_on)
    if today > due_on:
        try:
            late = calendar.working_days_between(due_on, today)
        except CalendarNotPublished:
            return SlaClock(SlaState.CALENDAR_NOT_PUBLISHED, due_on)
        return SlaClock(SlaState.OVERDUE, due_on, -late)
    try:
        left = calendar.working_days_between(today, due_on)
    except CalendarNotPublished:
        return SlaClock(SlaState.CALENDAR_NOT_PUBLISHED, due_on)
    state = SlaState.DUE_SOON if left <= DUE_SOON_WORKING_DAYS else SlaState.ON_TIME
    return SlaClock(state, due_on, left)
