"""Forms of the origination pages. They only parse what the user typed (yuan → integer fen, dates, choices);
every business rule — eligibility, caps, who may act, which state allows what — stays in
:mod:`ipfin.origination.actions`, which the views call with the parsed values."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.choices import OrganisationKind
from ipfin.accounts.models import Organisation, User
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import registered_models, visible
from ipfin.domain.money import InvalidAmount, format_amount_cn, yuan_to_fen
from ipfin.fund.choices import FundStatus
from ipfin.fund.models import Fund
from ipfin.market.choices import LoanPurpose, RepaymentMethod
from ipfin.market.models import Product
from ipfin.origination.choices import DocumentKind
from ipfin.registry.models import Enterprise, IpAsset
from ipfin.valuation.models import Valuation

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RATE_PLACES = 4  # rates are Decimal percent per year with up to 4 places (design §5)


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, and ``is-invalid`` on the widgets of fields with errors."""

    fields: dict[str, forms.Field]

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def yuan_field(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, min_value=Decimal("0.01"), max_digits=16,
                              decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"}))


def clean_fen(value: Decimal | None) -> int | None:
    """Yuan as typed → integer fen (exact: the field already allows at most two decimals)."""
    if value is None:
        return None
    try:
        return yuan_to_fen(value)
    except InvalidAmount as exc:
        raise forms.ValidationError(localized_message(exc)) from None


def _funds(user: User) -> QuerySet[Fund]:
    """Open compensation funds: the fund list is reference data, read through ``visible`` once the fund app
    registers a visibility function for it."""
    if Fund in registered_models():
        return visible(user, Fund).filter(status=FundStatus.OPEN).order_by("code")
    return Fund.objects.filter(status=FundStatus.OPEN).order_by("code")


def applicant_assets(user: User, enterprise: Enterprise, product: Product) -> QuerySet[IpAsset]:
    """The enterprise's own IP assets that the user may see, of the kinds the product accepts."""
    queryset = visible(user, IpAsset).filter(owners__enterprise=enterprise)
    if product.accepted_kinds:
        queryset = queryset.filter(kind__in=product.accepted_kinds)
    return queryset.distinct().order_by("kind", "number")


def current_values(user: User, assets: list[IpAsset]) -> dict[int, Valuation]:
    """The latest valuation of each asset that the user may see (asset id → valuation)."""
    latest: dict[int, Valuation] = {}
    rows = visible(user, Valuation).filter(asset__in=assets).order_by("asset_id", "-as_of", "-id")
    for valuation in rows:
        latest.setdefault(valuation.asset_id, valuation)
    return latest


class ApplicationForm(BootstrapFormMixin, forms.Form):
    """Apply to one product (``create_application``) or edit a draft/returned application."""

    amount_yuan = yuan_field(_("Amount (yuan)"))
    term_months = forms.IntegerField(label=_("Term (months)"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=LoanPurpose.choices)
    purpose_detail = forms.CharField(label=_("Purpose in detail"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    repayment_method = forms.ChoiceField(label=_("Repayment method"))
    proposed_rate = forms.DecimalField(label=_("Proposed annual rate (%)"), required=False, min_value=Decimal(0),
                                       max_digits=7, decimal_places=RATE_PLACES)
    asset_ids = forms.TypedMultipleChoiceField(label=_("IP assets to pledge"), coerce=int,
                                               widget=forms.CheckboxSelectMultiple)
    fund_id = forms.TypedChoiceField(label=_("Fund coverage"), required=False, coerce=int, empty_value=None)
    guarantor_id = forms.TypedChoiceField(label=_("Guarantor"), required=False, coerce=int, empty_value=None)
    insurer_id = forms.TypedChoiceField(label=_("Insurer"), required=False, coerce=int, empty_value=None)
    co_owner_consent = forms.BooleanField(label=_("All co-owners of the pledged IP have consented"), required=False)
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, product: Product, enterprise: Enterprise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.product = product
        term = self.fields["term_months"]
        assert isinstance(term, forms.IntegerField)
        # The product's own term limits (SC-6 caps the product; the checks re-verify against the profile).
        term.min_value, term.max_value = product.min_term_months, product.max_term_months
        term.validators += [MinValueValidator(product.min_term_months), MaxValueValidator(product.max_term_months)]
        term.widget.attrs.update({"min": product.min_term_months, "max": product.max_term_months})
        methods = product.repayment_methods or list(RepaymentMethod.values)
        labels = dict(RepaymentMethod.choices)
        self.fields["repayment_method"].choices = [(m, labels.get(m, m)) for m in methods]  # type: ignore[attr-defined]
        assets = list(applicant_assets(user, enterprise, product))
        values = current_values(user, assets)
        self.asset_rows = []
        choices = []
        value_word, pledged_word = str(_("current value")), str(_("Pledged"))
        for asset in assets:
            valuation = values.get(asset.pk)
            label = f"{asset.get_kind_display()} {asset.number} {asset.title}"
            if valuation is not None:
                label += f" · {value_word} {format_amount_cn(valuation.value_fen)} ({valuation.as_of:%Y-%m-%d})"
            if asset.pledged:
                label += f" · {pledged_word}"
            choices.append((asset.pk, label))
            self.asset_rows.append({"asset": asset, "valuation": valuation})
        self.fields["asset_ids"].choices = choices  # type: ignore[attr-defined]
        blank = [("", "—")]
        self.fields["fund_id"].choices = blank + [(f.pk, f.name) for f in _funds(user)]  # type: ignore[attr-defined]
        directory = visible(user, Organisation).filter(is_active=True)
        self.fields["guarantor_id"].choices = blank + [  # type: ignore[attr-defined]
            (o.pk, o.name) for o in directory.filter(kind=OrganisationKind.GUARANTOR).order_by("name")]
        self.fields["insurer_id"].choices = blank + [  # type: ignore[attr-defined]
            (o.pk, o.name) for o in directory.filter(kind=OrganisationKind.INSURER).order_by("name")]
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = uuid.uuid4().hex
        self._style_widgets()

    def action_arguments(self) -> dict[str, Any]:
        """``cleaned_data`` as the keyword arguments of ``create_application`` / ``update_application``."""
        data = dict(self.cleaned_data)
        data["amount_fen"] = clean_fen(data.pop("amount_yuan"))
        data.pop("idempotency_key", None)
        return data

    @staticmethod
    def initial_for(application: Any) -> dict[str, Any]:
        from ipfin.domain.money import fen_to_yuan

        return {
            "amount_yuan": fen_to_yuan(application.amount_fen), "term_months": application.term_months,
            "purpose": application.purpose, "purpose_detail": application.purpose_detail,
            "repayment_method": application.repayment_method, "proposed_rate": application.proposed_rate,
            "asset_ids": list(application.assets.values_list("asset_id", flat=True)),
            "fund_id": application.fund_id, "guarantor_id": application.guarantor_id,
            "insurer_id": application.insurer_id, "co_owner_consent": application.co_owner_consent,
        }


class DocumentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self._style_widgets()


class ApproveForm(BootstrapFormMixin, forms.Form):
    annual_rate = forms.DecimalField(label=_("Annual rate (%)"), min_value=Decimal(0), max_digits=7,
                                     decimal_places=RATE_PLACES)
    amount_yuan = yuan_field(_("Approved amount (yuan)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    drop_fund_coverage = forms.BooleanField(label=_("Approve without fund coverage"), required=False)
    # Risk shares of a named guarantor / insurer (PZP-3.4.2), entered as percentages of the loss; the action
    # takes them as ratios (``guarantor_share`` / ``insurer_share``). Shown only when the application names one.
    guarantor_share_percent = forms.DecimalField(label=_("Guarantor's share of the risk (%)"), required=False,
                                                 min_value=Decimal(0), max_value=Decimal(100), max_digits=6,
                                                 decimal_places=2)
    insurer_share_percent = forms.DecimalField(label=_("Insurer's share of the risk (%)"), required=False,
                                               min_value=Decimal(0), max_value=Decimal(100), max_digits=6,
                                               decimal_places=2)

    def __init__(self, *args: Any, application: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if application is None or not application.guarantor_id:
            del self.fields["guarantor_share_percent"]
        if application is None or not application.insurer_id:
            del self.fields["insurer_share_percent"]
        self._style_widgets()

    def action_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["amount_fen"] = clean_fen(data.pop("amount_yuan"))
        for party in ("guarantor", "insurer"):
            percent = data.pop(f"{party}_share_percent", None)
            if percent is not None:
                data[f"{party}_share"] = percent / Decimal(100)
        return data


def not_in_future(value: date | None) -> None:
    """A date the business supplies (signing, start, disbursement) is never after the server's business date."""
    if value is not None and value > business_date():
        raise forms.ValidationError(_("The date cannot be in the future."))


class SignForm(BootstrapFormMixin, forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE_WIDGET, validators=[not_in_future])
    start_on = forms.DateField(label=_("Start date"), widget=DATE_WIDGET, validators=[not_in_future])

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if today is not None:
            self.initial.setdefault("signed_on", today)
            self.initial.setdefault("start_on", today)
        self._style_widgets()


class DisburseForm(BootstrapFormMixin, forms.Form):
    disbursed_on = forms.DateField(label=_("Disbursed on"), widget=DATE_WIDGET, validators=[not_in_future])

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if today is not None:
            self.initial.setdefault("disbursed_on", today)
        self._style_widgets()
