"""Admin: a platform administrator publishes a year from its State Council notice and adds/corrects LPR
fixings; every change is audited; other roles are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from ipfin.accounts.models import AuditEvent
from ipfin.calendar.actions import add_lpr_fixing, calendar_rows_from_notice, publish_calendar_days
from ipfin.calendar.admin import parse_notice_lines
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear, LprFixing, LprSource
from ipfin.calendar.services import working_calendar
from ipfin.core.testing.world import World
from ipfin.domain.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

NOTICE_2027_HOLIDAYS = "2027-01-01 元旦\n2027-02-06..2027-02-13 春节\n2027-10-01..2027-10-07 国庆节\n"
NOTICE_2027_MAKE_UP = "2027-02-20 春节\n2027-09-26 国庆节\n2027-10-09 国庆节\n"


@pytest.fixture
def admin_client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["platform.admin"])
    return client


def test_admin_publishes_a_year_from_a_notice(admin_client: Client) -> None:
    response = admin_client.post("/admin/ipfin_calendar/calendaryear/add/", {
        "year": "2027", "notice": "国办发明电〔2026〕1号（测试）",
        "holidays": NOTICE_2027_HOLIDAYS, "make_up_working_days": NOTICE_2027_MAKE_UP,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.notice) == (CalendarSource.ADMIN, "国办发明电〔2026〕1号（测试）")
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    calendar = working_calendar()
    assert calendar.is_working_day(date(2027, 2, 8)) is False  # Monday inside Spring Festival
    assert calendar.is_working_day(date(2027, 2, 20)) is True  # Saturday make-up day
    assert calendar.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 8)
    assert AuditEvent.objects.filter(action="calendar.publish_year", object_id=str(year.pk)).count() == 1
    # The change form shows the notice lists back.
    page = admin_client.get(f"/admin/ipfin_calendar/calendaryear/{year.pk}/change/").content.decode()
    assert "2027-02-20 春节" in page and "2027-10-07 国庆节" in page


def test_admin_form_rejects_bad_lines_and_writes_nothing(admin_client: Client) -> None:
    response = admin_client.post("/admin/ipfin_calendar/calendaryear/add/", {
        "year": "2027", "notice": "", "holidays": "2027-01-01 元旦\n2027-02-30 春节", "make_up_working_days": "",
    })
    assert response.status_code == 200
    assert "Line 2" in response.content.decode() or "第 2" in response.content.decode()
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_admin_adds_and_corrects_a_fixing(admin_client: Client) -> None:
    response = admin_client.post("/admin/ipfin_calendar/lprfixing/add/",
                                 {"fixing_date": "2026-09-21", "lpr_1y_pct": "2.95", "lpr_5y_pct": "3.45"})
    assert response.status_code == 302
    fixing = LprFixing.objects.get(fixing_date=date(2026, 9, 21))
    assert fixing.source == LprSource.ADMIN
    response = admin_client.post(f"/admin/ipfin_calendar/lprfixing/{fixing.pk}/change/",
                                 {"lpr_1y_pct": "2.9", "lpr_5y_pct": "3.4"})
    assert response.status_code == 302
    fixing.refresh_from_db()
    assert (fixing.lpr_1y_pct, fixing.lpr_5y_pct) == (Decimal("2.9"), Decimal("3.4"))
    assert list(AuditEvent.objects.filter(object_type="ipfin_calendar.LprFixing", object_id=str(fixing.pk)).values_list("action", flat=True)
                .order_by("id")) == ["lpr.add", "lpr.change"]


def test_admin_refuses_an_implausible_fixing(admin_client: Client) -> None:
    response = admin_client.post("/admin/ipfin_calendar/lprfixing/add/",
                                 {"fixing_date": "2026-09-21", "lpr_1y_pct": "25", "lpr_5y_pct": "3.45"})
    assert response.status_code == 200
    assert not LprFixing.objects.exists()


def test_other_roles_cannot_open_the_admin_or_change_reference_data(world: World) -> None:
    client = Client()
    client.force_login(world.users["bank_a.approver"])
    assert client.get("/admin/ipfin_calendar/calendaryear/add/").status_code == 302  # to the login page
    with pytest.raises(PermissionDenied):
        add_lpr_fixing(world.users["bank_a.approver"], date(2026, 9, 21), "2.95", "3.45")
    with pytest.raises(PermissionDenied):
        publish_calendar_days(world.users["ipo_bt.leader"], calendar_rows_from_notice(2027, {}, {}),
                              source=CalendarSource.ADMIN)
    assert not LprFixing.objects.exists() and not CalendarDay.objects.exists()


def test_notice_rows() -> None:
    holidays = parse_notice_lines(NOTICE_2027_HOLIDAYS, "holiday")
    assert holidays[date(2027, 2, 13)] == "春节" and len(holidays) == 1 + 8 + 7
    rows = calendar_rows_from_notice(2027, holidays, parse_notice_lines(NOTICE_2027_MAKE_UP, "make-up"))
    assert len(rows) == 365
    # 2027 has 104 weekend days; 11 holidays fall on weekdays (01-01, 02-08..12, 10-01, 10-04..07); 3 make-ups.
    assert sum(r.is_working_day for r in rows) == 365 - 104 - 11 + 3
    with pytest.raises(InvalidInput):
        calendar_rows_from_notice(2027, {date(2028, 1, 1): "元旦"}, {})
    with pytest.raises(InvalidInput):
        calendar_rows_from_notice(2027, {date(2027, 2, 20): "春节"}, {date(2027, 2, 20): "春节"})
