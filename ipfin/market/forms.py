"""Forms of the bank's product and credit-plan pages: they parse what was typed (percentages, 万元 → fen,
code lists); every rule (profile caps, choices, ownership of the plan) stays in :mod:`ipfin.market.actions`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfin.market.choices import DayCount, PaymentFrequency, RepaymentMethod, RiskSharing
from ipfin.market.models import CreditPlan, Product
from ipfin.policy.loader import load_profiles
from ipfin.registry.choices import AssetKind
from ipfin.registry.forms import BootstrapFormMixin

FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 yuan = 1,000,000 fen
HUNDRED = Decimal(100)


def wan_to_fen(value: Decimal) -> int:
    return int(value * FEN_PER_WAN)


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").replace(" ", ",").split(",") if part.strip()]


class ProductForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("Product code"), max_length=40, help_text=_("Letters, digits, - or _"))
    name = forms.CharField(label=_("Product name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accepted_kinds = forms.MultipleChoiceField(label=_("Accepted IP kinds"), choices=AssetKind.choices,
                                               widget=forms.CheckboxSelectMultiple)
    combined_pledge_allowed = forms.BooleanField(label=_("Combined pledge of several assets allowed"),
                                                 required=False, initial=True)
    max_ltv_percent = forms.DecimalField(label=_("Maximum loan-to-value (%)"), max_digits=6, decimal_places=2,
                                         min_value=Decimal("0.01"), max_value=HUNDRED,
                                         help_text=_("At most the cap of the policy profiles, e.g. 60"))
    rate_min = forms.DecimalField(label=_("Lowest annual rate (%)"), max_digits=7, decimal_places=4)
    rate_max = forms.DecimalField(label=_("Highest annual rate (%)"), max_digits=7, decimal_places=4)
    min_term_months = forms.IntegerField(label=_("Shortest term (months)"), min_value=1, initial=1)
    max_term_months = forms.IntegerField(label=_("Longest term (months)"), min_value=1)
    amount_min_wan = forms.DecimalField(label=_("Smallest amount (10,000 yuan)"), max_digits=12, decimal_places=2,
                                        min_value=Decimal("0.01"))
    amount_max_wan = forms.DecimalField(label=_("Largest amount (10,000 yuan)"), max_digits=12, decimal_places=2,
                                        min_value=Decimal("0.01"))
    repayment_methods = forms.MultipleChoiceField(label=_("Repayment methods"), choices=RepaymentMethod.choices,
                                                  widget=forms.CheckboxSelectMultiple)
    payment_frequency = forms.ChoiceField(label=_("Payment frequency"), choices=PaymentFrequency.choices)
    day_count = forms.ChoiceField(label=_("Day count"), choices=DayCount.choices)
    penalty_uplift_percent = forms.DecimalField(label=_("Penalty rate uplift (%)"), max_digits=6, decimal_places=2,
                                                min_value=Decimal(0), max_value=HUNDRED, initial=Decimal(50))
    regions = forms.CharField(label=_("Regions"), help_text=_("GB/T 2260 codes separated by commas, e.g. 510400"))
    industries = forms.CharField(label=_("Industries"), required=False,
                                 help_text=_("GB/T 4754 codes or prefixes separated by commas; empty: every industry"))
    risk_sharing_options = forms.MultipleChoiceField(label=_("Risk-sharing options"), choices=RiskSharing.choices,
                                                     widget=forms.CheckboxSelectMultiple, required=False)
    policy_profiles = forms.MultipleChoiceField(label=_("Policy profiles"), required=False,
                                                widget=forms.CheckboxSelectMultiple,
                                                help_text=_("The caps of every profile in force apply"))
    credit_plan = forms.ModelChoiceField(label=_("Credit plan"), queryset=CreditPlan.objects.none(), required=False)

    def __init__(self, *args: Any, plans: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy_profiles"].choices = [(name, f"{name} · {p.title}")  # type: ignore[attr-defined]
                                                  for name, p in sorted(load_profiles().items())]
        if plans is not None:
            self.fields["credit_plan"].queryset = plans  # type: ignore[attr-defined]
        self._style_widgets()
        for name in ("accepted_kinds", "repayment_methods", "risk_sharing_options", "policy_profiles"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        plan = data.get("credit_plan")
        return {
            "code": data["code"], "name": data["name"], "description": data.get("description", ""),
            "accepted_kinds": data["accepted_kinds"], "combined_pledge_allowed": data["combined_pledge_allowed"],
            "max_loan_to_value": data["max_ltv_percent"] / HUNDRED, "rate_min": data["rate_min"],
            "rate_max": data["rate_max"], "min_term_months": data["min_term_months"],
            "max_term_months": data["max_term_months"], "amount_min_fen": wan_to_fen(data["amount_min_wan"]),
            "amount_max_fen": wan_to_fen(data["amount_max_wan"]), "repayment_methods": data["repayment_methods"],
            "payment_frequency": data["payment_frequency"], "day_count": data["day_count"],
            "penalty_rate_uplift": data["penalty_uplift_percent"] / HUNDRED, "regions": _codes(data["regions"]),
            "industries": _codes(data.get("industries") or ""),
            "risk_sharing_options": data.get("risk_sharing_options") or [],
            "policy_profiles": data.get("policy_profiles") or [], "credit_plan_id": plan.pk if plan else None,
        }

    @staticmethod
    def initial_for(product: Product) -> dict[str, Any]:
        return {
            "code": product.code, "name": product.name, "description": product.description,
            "accepted_kinds": product.accepted_kinds, "combined_pledge_allowed": product.combined_pledge_allowed,
            "max_ltv_percent": (product.max_loan_to_value * HUNDRED).normalize(), "rate_min": product.rate_min,
            "rate_max": product.rate_max, "min_term_months": product.min_term_months,
            "max_term_months": product.max_term_months,
            "amount_min_wan": Decimal(product.amount_min_fen) / FEN_PER_WAN,
            "amount_max_wan": Decimal(product.amount_max_fen) / FEN_PER_WAN,
            "repayment_methods": product.repayment_methods, "payment_frequency": product.payment_frequency,
            "day_count": product.day_count, "penalty_uplift_percent": (product.penalty_rate_uplift * HUNDRED).normalize(),
            "regions": ", ".join(product.regions), "industries": ", ".join(product.industries),
            "risk_sharing_options": product.risk_sharing_options, "policy_profiles": product.policy_profiles,
            "credit_plan": product.credit_plan_id,
        }


class CreditPlanForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount_wan = forms.DecimalField(label=_("Plan amount (10,000 yuan)"), max_digits=12, decimal_places=2,
                                    min_value=Decimal("0.01"))
    region_code = forms.CharField(label=_("Region code"), max_length=6, help_text=_("GB/T 2260, e.g. 510400"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class OfferFilterForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("IP kind"), required=False, choices=[("", _("Any")), *AssetKind.choices])
    region = forms.CharField(label=_("Region code"), required=False, max_length=6)
    amount_wan = forms.DecimalField(label=_("Amount (10,000 yuan)"), required=False, max_digits=12, decimal_places=2,
                                    min_value=Decimal("0.01"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()
