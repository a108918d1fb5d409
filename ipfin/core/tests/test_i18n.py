from __future__ import annotations

from django.utils import translation

from ipfin.core.i18n import error_payload, localized_message
from ipfin.domain.calendar import CalendarNotPublished
from ipfin.domain.errors import NotFound


def test_domain_errors_are_translated_at_the_edge() -> None:
    error = CalendarNotPublished(year=2027)
    with translation.override("zh-hans"):
        assert localized_message(error) == "2027 年的工作日历尚未发布：请先导入该年度国务院节假日安排通知。"
    with translation.override("en"):
        assert localized_message(error).startswith("The working-day calendar for 2027 is not published")


def test_error_payload_has_the_one_shape() -> None:
    with translation.override("zh-hans"):
        payload = error_payload(NotFound())
    assert payload == {"code": "not_found", "message": "未找到。", "details": {}}
