"""Role matrix of the reference data: every signed-in role reads the calendar and the LPR fixings; only
the platform administrator changes fixings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ipfin.accounts.models import User
from ipfin.calendar.actions import add_lpr_fixing, change_lpr_fixing
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear, LprFixing
from ipfin.core.testing.role_matrix import RoleMatrixCase
from ipfin.core.testing.world import VIEWERS, World

# Reference data has no owning organisation: one record, "reference", that everyone reads.
EVERYONE: dict[str, set[str]] = {viewer: {"reference"} for viewer in VIEWERS}
PLATFORM_ONLY: dict[str, set[str]] = {viewer: set() for viewer in VIEWERS} | {"platform.admin": {"reference"}}


class TestCalendarYearMatrix(RoleMatrixCase):
    model = CalendarYear
    owners = ["reference"]
    expected_readers = EVERYONE

    def make(self, world: World, owner_key: str) -> Any:
        from django.utils import timezone

        return CalendarYear.objects.create(year=2099, source=CalendarSource.CSV_FILE, loaded_at=timezone.now())


class TestCalendarDayMatrix(RoleMatrixCase):
    model = CalendarDay
    owners = ["reference"]
    expected_readers = EVERYONE

    def make(self, world: World, owner_key: str) -> Any:
        return CalendarDay.objects.create(date=date(2099, 1, 1), is_working_day=False, name="元旦")


class TestLprFixingMatrix(RoleMatrixCase):
    model = LprFixing
    owners = ["reference"]
    expected_readers = EVERYONE
    expected_changers = PLATFORM_ONLY
    _day = date(2090, 1, 1)

    def make(self, world: World, owner_key: str) -> Any:
        TestLprFixingMatrix._day += timedelta(days=1)
        fixing, _created = add_lpr_fixing(None, self._day, "3.1", "3.6")
        return fixing

    def change(self, user: User, obj: Any) -> Any:
        return change_lpr_fixing(user, obj.pk, "3.05", "3.55")
