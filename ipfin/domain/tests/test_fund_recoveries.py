"""Recovery shares (BT-16): 30 % of what the bank recovers, due on the 15th working day, across a holiday."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
import pytest

from ipfin.domain.calendar import CalendarNotPublished, WorkingCalendar
from ipfin.domain.errors import InvalidInput
from ipfin.domain.fund.recoveries import (
    RecoveryShare,
    ShareState,
    new_share,
    overdue_shares,
    recovery_share_due_on,
    recovery_share_due_or_none,
    recovery_share_fen,
)
from ipfin.policy.loader import get_profile

BT = get_profile("baotou-2021")
SHARE = BT.parameter("recovery_share_ratio").value
DAYS = BT.parameter("recovery_share_due_working_days").value


def _calendar(years: list[int]) -> WorkingCalendar:
    days: dict[date, bool] = {}
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            days[day] = chinese_calendar.is_workday(day)
            day += timedelta(days=1)
    return WorkingCalendar(days, years)


CAL = _calendar([2025])


def test_the_profile_carries_the_documents_numbers() -> None:
    assert (SHARE, DAYS) == (Decimal("0.30"), 15)
    assert BT.parameter("recovery_share_due_working_days").clause == "BT-16"


def test_thirty_percent_half_up() -> None:
    assert recovery_share_fen(1_000_000_00, SHARE) == 300_000_00
    assert recovery_share_fen(5, SHARE) == 2  # 1.5 fen → 2
    assert recovery_share_fen(0, SHARE) == 0


def test_shares_stop_at_the_compensation_paid() -> None:
    # paid 1,500,000 CNY (capped); the bank recovers 8,000,000 CNY: 30 % would be 2,400,000 CNY.
    assert recovery_share_fen(800_000_000, SHARE, compensation_paid_fen=150_000_000) == 150_000_000
    assert recovery_share_fen(100_000_000, SHARE, compensation_paid_fen=150_000_000,
                              already_returned_fen=140_000_000) == 10_000_000
    assert recovery_share_fen(100, SHARE, compensation_paid_fen=10, already_returned_fen=10) == 0


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInput):
        recovery_share_fen(-1, SHARE)
    with pytest.raises(TypeError):
        recovery_share_fen(100.0, SHARE)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        recovery_share_fen(100, 0.3)  # type: ignore[arg-type]


def test_the_15th_working_day_across_national_day() -> None:
    # Recorded on 2025-09-30 (Tue). 10-01..10-08 are holidays; 10-11 (Sat) is a make-up working day.
    # 10-09, 10-10, 10-11, 10-13 … 10-24 (13th), 10-27 (14th), 10-28 (15th).
    assert recovery_share_due_on(CAL, date(2025, 9, 30), DAYS) == date(2025, 10, 28)
    assert recovery_share_due_on(CAL, date(2025, 9, 30), DAYS - 1) == date(2025, 10, 27)


def test_a_year_the_calendar_lacks_is_never_guessed() -> None:
    with pytest.raises(CalendarNotPublished):
        recovery_share_due_on(CAL, date(2025, 12, 25), DAYS)
    assert recovery_share_due_or_none(CAL, date(2025, 12, 25), DAYS) is None
    share = new_share(CAL, reference="R1", bank="b", recorded_on=date(2025, 12, 25), recovered_fen=1000,
                      recovery_share_ratio=SHARE, due_working_days=DAYS)
    assert share.state(date(2026, 3, 1)) is ShareState.CALENDAR_NOT_PUBLISHED


def test_states_and_the_overdue_list() -> None:
    a = new_share(CAL, reference="A", bank="b1", recorded_on=date(2025, 9, 30), recovered_fen=1_000_000,
                  recovery_share_ratio=SHARE, due_working_days=DAYS)
    assert (a.share_fen, a.due_on) == (300_000, date(2025, 10, 28))
    assert a.state(date(2025, 10, 28)) is ShareState.PENDING  # due today: not late yet
    assert a.state(date(2025, 10, 29)) is ShareState.OVERDUE
    b = RecoveryShare("B", "b2", date(2025, 9, 1), 500, 500, date(2025, 9, 22))  # returned in full
    c = RecoveryShare("C", "b3", date(2025, 9, 1), 500, 200, date(2025, 9, 22))  # partly returned
    listed = overdue_shares([a, b, c], date(2025, 10, 29), CAL)
    assert [o.share.reference for o in listed] == ["C", "A"]
    assert listed[1].working_days_late == 1
    assert listed[0].share.outstanding_fen == 300
