"""Forms of the enterprise self-service pages (PZA-2.2.2: an enterprise keeps its own registry records).

The forms only parse what the user typed (dates, choices, yuan amounts → integer fen); every business
rule — who may act, dates in the past, statement periods, non-negative figures — stays in
:mod:`ipfin.registry.actions`, which the views call with ``cleaned_data``.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfin.core.i18n import localized_message
from ipfin.domain.money import InvalidAmount, yuan_to_fen
from ipfin.registry.choices import PeriodKind, QualificationKind, SizeClass
from ipfin.registry.models import Enterprise

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUARTER_CHOICES = [("", "—"), ("1", _("Q1")), ("2", _("Q2")), ("3", _("Q3")), ("4", _("Q4"))]
FIRST_STATEMENT_YEAR = 1950  # earliest plausible period for an enterprise statement


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget (``form-control`` / ``form-select`` / ``form-check-input``)."""

    fields: dict[str, forms.Field]

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # Bootstrap shows the field's feedback only next to an .is-invalid widget
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class EnterpriseFactsForm(BootstrapFormMixin, forms.Form):
    """The facts an enterprise may correct itself (``update_enterprise``); the USCC and region are the
    platform's to correct, so they are not offered here."""

    name = forms.CharField(label=_("Enterprise name"), max_length=200)
    established_on = forms.DateField(label=_("Date of establishment"), widget=DATE_WIDGET)
    is_independent_legal_person = forms.BooleanField(label=_("Independent legal person"), required=False)
    industry_code = forms.CharField(label=_("Industry (GB/T 4754)"), max_length=5, required=False,
                                    help_text=_("For example C3240."))
    size_class = forms.ChoiceField(label=_("Size class"), choices=[("", "—"), *SizeClass.choices],
                                   required=False)
    registered_address = forms.CharField(label=_("Registered address"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50, required=False)
    legal_rep_id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    @classmethod
    def initial_for(cls, enterprise: Enterprise) -> dict[str, Any]:
        """The current facts, unmasked: only users who may edit the enterprise see this form."""
        initial = {name: getattr(enterprise, name) for name in cls.base_fields if name != "name"}
        initial["name"] = enterprise.organisation.name
        return initial


class FinancialStatementForm(BootstrapFormMixin, forms.Form):
    """One period's figures, typed in yuan (元) and passed to the action in integer fen."""

    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.YEAR)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_STATEMENT_YEAR, max_value=9999)
    quarter = forms.ChoiceField(label=_("Quarter"), choices=QUARTER_CHOICES, required=False,
                                help_text=_("Only for quarterly statements."))
    revenue = forms.CharField(label=_("Revenue (yuan)"), max_length=24)
    profit = forms.CharField(label=_("Profit (yuan)"), max_length=24, help_text=_("May be negative (a loss)."))
    rd_spend = forms.CharField(label=_("R&D (yuan)"), max_length=24)
    tax = forms.CharField(label=_("Tax (yuan)"), max_length=24)

    AMOUNT_FIELDS = ("revenue", "profit", "rd_spend", "tax")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.AMOUNT_FIELDS:
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "placeholder": "0.00"})
        self._style_widgets()

    def _amount_fen(self, name: str) -> int:
        """Yuan with at most two decimals → fen, exactly (``yuan_to_fen``; no rounding of typed amounts)."""
        try:
            return yuan_to_fen(self.cleaned_data[name])
        except InvalidAmount as error:
            raise forms.ValidationError(localized_message(error), code=error.code) from None

    def clean_revenue(self) -> int:
        return self._amount_fen("revenue")

    def clean_profit(self) -> int:
        return self._amount_fen("profit")

    def clean_rd_spend(self) -> int:
        return self._amount_fen("rd_spend")

    def clean_tax(self) -> int:
        return self._amount_fen("tax")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, year, quarter = cleaned.get("period_kind"), cleaned.get("year"), cleaned.get("quarter")
        if kind == PeriodKind.QUARTER and not quarter:
            self.add_error("quarter", _("Choose the quarter of a quarterly statement."))
        elif kind and year:
            cleaned["period_end"] = period_end_of(kind, year, int(quarter) if quarter else None)
        return cleaned

    def action_arguments(self) -> dict[str, Any]:
        """Keyword arguments of :func:`ipfin.registry.actions.record_financial_statement`."""
        data = self.cleaned_data
        return {"period_kind": data["period_kind"], "period_end": data["period_end"],
                "revenue_fen": data["revenue"], "profit_fen": data["profit"],
                "rd_spend_fen": data["rd_spend"], "tax_fen": data["tax"]}


def period_end_of(period_kind: str, year: int, quarter: int | None) -> date:
    """The last day of the year, or of quarter 1–4 of the year (31 Mar, 30 Jun, 30 Sep, 31 Dec)."""
    if period_kind == PeriodKind.YEAR or quarter is None:
        return date(year, 12, 31)
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


class QualificationForm(BootstrapFormMixin, forms.Form):
    """A qualification tag (高新技术企业, 专精特新 …) with its validity; ``valid_to`` empty = open-ended."""

    kind = forms.ChoiceField(label=_("Qualification"), choices=QualificationKind.choices)
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=40, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET)
    valid_to = forms.DateField(label=_("Valid to"), widget=DATE_WIDGET, required=False,
                               help_text=_("Leave empty if the qualification has no end date."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()
