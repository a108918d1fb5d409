"""Admin for the reference data (platform operator only; every change goes through an audited action).

* Calendar years: add a year from its State Council holiday notice (国务院办公厅关于…部分节假日安排的通知)
  by listing its holidays (放假) and make-up working days (调休上班); every other day is a working day
  Monday–Friday and a rest day at weekends. Saving publishes the whole year at once.
* Calendar days: read-only (change a day by editing its year's notice lists).
* LPR fixings: add a new fixing or correct one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.admin import PlatformEditableMixin, ReadOnlyAdmin
from ipfin.calendar.actions import (
    add_lpr_fixing,
    calendar_rows_from_notice,
    change_lpr_fixing,
    publish_calendar_days,
)
from ipfin.calendar.models import CalendarDay, CalendarSource, CalendarYear, LprFixing, LprSource
from ipfin.core.i18n import localized_message
from ipfin.domain.calendar import parse_iso_date
from ipfin.domain.errors import IpfinError

# "2027-10-01 国庆节" or "2027-10-01..2027-10-07 国庆节" (a range, both ends included)
_NOTICE_LINE = re.compile(r"^(?P<first>\S+?)(?:\.\.(?P<last>\S+))?(?:\s+(?P<name>.+))?$")


def parse_notice_lines(text: str, field: str) -> dict[date, str]:
    """``{date: name}`` from lines ``YYYY-MM-DD[..YYYY-MM-DD] name``; ``forms.ValidationError`` naming the line."""
    days: dict[date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _NOTICE_LINE.match(line)
        try:
            if match is None:
                raise ValueError("expected 'YYYY-MM-DD name' or 'YYYY-MM-DD..YYYY-MM-DD name'")
            first = parse_iso_date(match["first"], field)
            last = parse_iso_date(match["last"], field) if match["last"] else first
            if last < first:
                raise ValueError("the range ends before it starts")
        except IpfinError as exc:
            raise forms.ValidationError(_("Line %(line)s: %(reason)s"), params={"line": number, "reason": exc.message}) from None
        except ValueError as exc:
            raise forms.ValidationError(_("Line %(line)s: %(reason)s"), params={"line": number, "reason": str(exc)}) from None
        day = first
        while day <= last:
            days[day] = (match["name"] or "").strip()[:100]
            day += timedelta(days=1)
    return days


class CalendarYearForm(forms.ModelForm):
    holidays = forms.CharField(
        label=_("Holidays (放假)"), widget=forms.Textarea(attrs={"rows": 12}), required=False,
        help_text=_("One per line: 'YYYY-MM-DD name' or 'YYYY-MM-DD..YYYY-MM-DD name'. Weekends inside a holiday "
                    "may be listed too."),
    )
    make_up_working_days = forms.CharField(
        label=_("Make-up working days (调休上班)"), widget=forms.Textarea(attrs={"rows": 6}), required=False,
        help_text=_("Weekend days that are worked, one per line: 'YYYY-MM-DD name'."),
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "notice"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
            days = CalendarDay.objects.filter(date__year=self.instance.year).order_by("date")
            self.initial["holidays"] = "\n".join(
                f"{d.date.isoformat()} {d.name}".strip() for d in days if not d.is_working_day and d.name
            )
            self.initial["make_up_working_days"] = "\n".join(
                f"{d.date.isoformat()} {d.name}".strip() for d in days if d.is_working_day and d.date.weekday() >= 5
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year = data.get("year")
        holidays = parse_notice_lines(data.get("holidays", ""), "holiday")
        make_up = parse_notice_lines(data.get("make_up_working_days", ""), "make-up working day")
        if year:
            if not 1949 < year < 2200:
                raise forms.ValidationError(_("The year is out of range."))
            try:
                data["rows"] = calendar_rows_from_notice(year, holidays, make_up)
            except IpfinError as exc:
                raise forms.ValidationError(localized_message(exc)) from None
        return data

    def validate_unique(self) -> None:
        # Republishing a year replaces it (the action handles it); no uniqueness error on the form.
        pass


@admin.register(CalendarYear)
class CalendarYearAdmin(PlatformEditableMixin, admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "source", "notice", "loaded_at"]
    list_filter = ["source"]
    readonly_fields = ["source", "loaded_at"]

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        publish_calendar_days(request.user, form.cleaned_data["rows"], source=CalendarSource.ADMIN,  # type: ignore[arg-type]
                              notice=form.cleaned_data.get("notice", ""))
        saved = CalendarYear.objects.get(year=form.cleaned_data["year"])
        obj.pk, obj.source, obj.notice, obj.loaded_at = saved.pk, saved.source, saved.notice, saved.loaded_at

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # no related objects; the days were written by the action


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(LprFixing)
class LprFixingAdmin(PlatformEditableMixin, admin.ModelAdmin):
    list_display = ["fixing_date", "lpr_1y_pct", "lpr_5y_pct", "source"]
    list_filter = ["source"]
    date_hierarchy = "fixing_date"
    fields = ["fixing_date", "lpr_1y_pct", "lpr_5y_pct", "source"]
    readonly_fields = ["source"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["fixing_date", "source"] if obj is not None else ["source"]

    def save_model(self, request: HttpRequest, obj: LprFixing, form: Any, change: bool) -> None:
        if change:
            saved = change_lpr_fixing(request.user, obj.pk, obj.lpr_1y_pct, obj.lpr_5y_pct,  # type: ignore[arg-type]
                                      source=LprSource.ADMIN)
        else:
            saved, _created = add_lpr_fixing(request.user, obj.fixing_date, obj.lpr_1y_pct,  # type: ignore[arg-type]
                                             obj.lpr_5y_pct, source=LprSource.ADMIN)
        obj.pk, obj.source = saved.pk, saved.source
