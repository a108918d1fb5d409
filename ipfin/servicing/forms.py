"""Forms of the servicing pages. They only parse what the user typed (yuan → integer fen exactly, dates,
choices, a required reason); every business rule — who may post, what is due, which class is allowed, which
repayment may be reversed — stays in :mod:`ipfin.servicing.actions`, which the views call with the parsed
values."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ipfin.origination.forms import DATE_WIDGET, BootstrapFormMixin, clean_fen, yuan_field
from ipfin.servicing.choices import PrepaymentOption, RepaymentKind, RiskClass

REASON_MAX_LENGTH = 2000
RATE_PLACES = 4  # rates and ratios are Decimal percent with up to 4 places (design §5)


class RepaymentForm(BootstrapFormMixin, forms.Form):
    """Post a repayment (``post_repayment``): regular, prepayment with its option, or early pay-off."""

    amount_yuan = yuan_field(pgettext_lazy("repayment", "Amount (yuan)"))
    received_on = forms.DateField(label=_("Value date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(label=_("Kind"), choices=RepaymentKind.choices, initial=RepaymentKind.REGULAR)
    prepayment_option = forms.ChoiceField(label=_("Prepayment option"), required=False,
                                          choices=[("", _("— (prepayment only)")), *PrepaymentOption.choices])
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_on", today)
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        self._style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        option = data.get("prepayment_option") or ""
        if kind == RepaymentKind.PREPAYMENT and not option:
            self.add_error("prepayment_option", _("Choose how the prepayment changes the schedule."))
        if kind != RepaymentKind.PREPAYMENT:
            data["prepayment_option"] = ""  # the option only means something for a prepayment
        return data

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"amount_fen": clean_fen(data["amount_yuan"]), "received_on": data["received_on"],
                "kind": data["kind"], "prepayment_option": data.get("prepayment_option") or "",
                "idempotency_key": data.get("idempotency_key") or None}


class ReasonForm(BootstrapFormMixin, forms.Form):
    """A reason, required (reversal of a repayment, closing a warning)."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, strip=True,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class DowngradeForm(BootstrapFormMixin, forms.Form):
    """A manual downgrade (``downgrade_loan``) to a class worse than normal, with the reason."""

    risk_class = forms.ChoiceField(label=_("New class"),
                                   choices=[(v, label) for v, label in RiskClass.choices if v != RiskClass.NORMAL])
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, strip=True,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class BankNplForm(BootstrapFormMixin, forms.Form):
    """A bank's overall NPL ratio (不良贷款率, percent) at a quarter end (``enter_bank_npl``); whether the date
    is a quarter end is the action's check."""

    quarter_end = forms.DateField(label=_("Quarter end"), widget=DATE_WIDGET)
    overall_npl_ratio = forms.DecimalField(label=_("Overall NPL ratio (%)"), min_value=Decimal(0),
                                           max_value=Decimal(100), max_digits=7, decimal_places=RATE_PLACES,
                                           widget=forms.NumberInput(attrs={"step": "0.0001"}))

    def __init__(self, *args: Any, quarter_end: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and quarter_end is not None:
            self.initial.setdefault("quarter_end", quarter_end)
        self._style_widgets()
