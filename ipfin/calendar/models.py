"""Shared reference data: the working-day calendar (工作日/调休) and LPR fixings (贷款市场报价利率).

A year of the calendar counts as published only when it has a :class:`CalendarYear` row; that row is
written in the same transaction as all of the year's :class:`CalendarDay` rows, so a published year is
always complete. Rows are changed only through :mod:`ipfin.calendar.actions` (audited) or the idempotent
reference-data seed (:mod:`ipfin.calendar.reference`).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarSource(models.TextChoices):
    CHINESECALENDAR = "chinesecalendar", _("chinesecalendar package")
    CSV_FILE = "csv", _("CSV file")
    ADMIN = "admin", _("Entered by an administrator")


class LprSource(models.TextChoices):
    REFERENCE = "reference", _("Reference data file")
    ADMIN = "admin", _("Entered by an administrator")
    COMMAND_LINE = "cli", _("Command line")


class CalendarYear(models.Model):
    """A year whose every day is known from its State Council holiday notice (国务院办公厅放假通知)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=20, choices=CalendarSource.choices)
    notice = models.CharField(_("State Council notice"), max_length=200, blank=True,
                              help_text=_("e.g. 国办发明电〔2025〕7号"))
    # Bumped whenever a day of the year changes: the per-process calendar cache compares it.
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day: working day (工作日) or not; ``name`` names the holiday or make-up working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'working' if self.is_working_day else 'off'} {self.name}".strip()


class LprFixing(models.Model):
    """A monthly LPR fixing, percent per year (3.4500 means 3.45 %/yr)."""

    fixing_date = models.DateField(_("fixing date"), unique=True)
    lpr_1y_pct = models.DecimalField(
        _("1-year LPR (%/yr)"), max_digits=6, decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("19.9999"))],
    )
    lpr_5y_pct = models.DecimalField(
        _("5-year LPR (%/yr)"), max_digits=6, decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("19.9999"))],
    )
    source = models.CharField(_("source"), max_length=20, choices=LprSource.choices, default=LprSource.ADMIN)

    class Meta:
        ordering = ["-fixing_date"]
        verbose_name = _("LPR fixing")
        verbose_name_plural = _("LPR fixings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lpr_1y_pct__gt=0, lpr_1y_pct__lt=20, lpr_5y_pct__gt=0, lpr_5y_pct__lt=20),
                name="lpr_fixing_rates_plausible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fixing_date.isoformat()} 1Y {self.lpr_1y_pct}% 5Y {self.lpr_5y_pct}%"
