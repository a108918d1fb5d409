"""Forms of the fund pages. They only parse what the user typed; every rule (who may file, verify, approve or
pay, the 60 days of BT-15, the amounts of BT-12) stays in :mod:`ipfin.fund.actions`. Rates are parsed as
Decimal from text, never float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfin.domain.errors import IpfinError
from ipfin.domain.fund.claims import ChecklistItem
from ipfin.fund.simulation import WEB_MAX_RUNS, parse_rate
from ipfin.origination.forms import BootstrapFormMixin, clean_fen, yuan_field

NOTE_MAX_LENGTH = 2000
# An example scenario for the simulation form (the issue's: 5 %/year defaults, 20 % recovered, 2 years);
# a starting point the manager overwrites, not a policy number.
EXAMPLE_SCENARIO = {"default_rate": "0.05", "recovery_rate": "0.2", "years": 2, "runs": 10_000, "seed": 1}

CHECKLIST_LABELS: dict[ChecklistItem, Any] = {
    ChecklistItem.LOAN_COVERED: _("The loan is covered by the fund (enrolled; the bank's standing allowed it)"),
    ChecklistItem.CONTRACTS_ON_FILE: _("Loan and pledge contracts are on file"),
    ChecklistItem.OVERDUE_OR_DETERIORATION: _("Overdue for the fund's minimum days (BT-15), or evidence of serious deterioration (BT-14)"),
    ChecklistItem.PRINCIPAL_LOSS_CONFIRMED: _("The principal loss agrees with the servicing figures"),
    ChecklistItem.COLLECTION_EFFORTS: _("The bank pursued the debt and the pledge"),
    ChecklistItem.NO_FRAUD: _("No fraud or collusion"),
}


class FileClaimForm(BootstrapFormMixin, forms.Form):
    """The bank files a claim on a loan (``file_claim``); evidence only matters before the 60th day (BT-14)."""

    deterioration_evidence = forms.CharField(label=_("Evidence of serious deterioration (only for a claim before the minimum days past due, BT-14)"),
                                             required=False, max_length=NOTE_MAX_LENGTH,
                                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class VerifyClaimForm(BootstrapFormMixin, forms.Form):
    """The fund manager's checklist (BT-14, BT-15, BT-18, BT-22): verifying needs every item ticked."""

    DECISIONS = [("verify", _("Verified: send to the leadership group")), ("reject", _("Reject the claim"))]

    checked = forms.MultipleChoiceField(label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple,
                                        choices=[(k.value, v) for k, v in CHECKLIST_LABELS.items()])
    able_but_unwilling = forms.BooleanField(
        label=_("The borrower is able but unwilling to repay (dishonest list, BT-18)"), required=False)
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = [CHECKLIST_LABELS[i] for i in ChecklistItem if i.value not in set(data.get("checked") or [])]
        if data.get("decision") == "verify" and missing:
            self.add_error("checked", _("Tick every item of the checklist to verify the claim."))
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for the rejection."))
        return data

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"approve": data["decision"] == "verify", "checklist": list(data.get("checked") or []),
                "able_but_unwilling": bool(data.get("able_but_unwilling")), "note": data.get("note") or ""}


class SimulationForm(BootstrapFormMixin, forms.Form):
    """The dashboard's stress-simulation form (GET)."""

    default_rate = forms.CharField(label=_("Default rate per year (0–1)"), max_length=20)
    recovery_rate = forms.CharField(label=_("Recovery rate (0–1)"), max_length=20)
    years = forms.IntegerField(label=_("Years"), min_value=1, max_value=30)
    runs = forms.IntegerField(label=_("Runs"), min_value=1, max_value=WEB_MAX_RUNS)
    seed = forms.IntegerField(label=_("Seed"), min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def _rate(self, name: str) -> Decimal:
        try:
            return parse_rate(self.cleaned_data[name], name.replace("_", " "))
        except IpfinError:
            raise forms.ValidationError(_("Enter a number between 0 and 1, e.g. 0.05.")) from None

    def clean_default_rate(self) -> Decimal:
        return self._rate("default_rate")

    def clean_recovery_rate(self) -> Decimal:
        return self._rate("recovery_rate")


class ReportForm(forms.Form):
    """Which operation report to download: quarterly (with a quarter) or annual."""

    kind = forms.ChoiceField(choices=[("quarterly", _("Quarterly")), ("annual", _("Annual"))])
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.IntegerField(min_value=1, max_value=4, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "quarterly" and not data.get("quarter"):
            self.add_error("quarter", _("Choose the quarter."))
        return data


class WithdrawClaimForm(BootstrapFormMixin, forms.Form):
    """The bank withdraws its claim before approval (``withdraw_claim``, BT-15): the reason is recorded."""

    reason = forms.CharField(label=_("Reason for the withdrawal"), max_length=NOTE_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class RecordRecoveryForm(BootstrapFormMixin, forms.Form):
    """The bank records what it recovered after the payout (``record_recovery``, BT-16), in yuan → exact fen."""

    recovered_yuan = yuan_field(_("Amount recovered (yuan)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean_recovered_yuan(self) -> int | None:
        return clean_fen(self.cleaned_data.get("recovered_yuan"))

    def recovered_fen(self) -> int:
        return int(self.cleaned_data["recovered_yuan"])


class RecordDisposalForm(BootstrapFormMixin, forms.Form):
    """SC-12: the bank reports what the disposal of the pledged IP brought in (0 when nothing), in yuan."""

    proceeds_yuan = forms.DecimalField(label=_("Disposal proceeds (yuan)"), min_value=Decimal("0"), max_digits=16,
                                       decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean_proceeds_yuan(self) -> int:
        value = self.cleaned_data["proceeds_yuan"]
        return 0 if value == 0 else int(clean_fen(value) or 0)

    def proceeds_fen(self) -> int:
        return int(self.cleaned_data["proceeds_yuan"])


class SettleClaimForm(BootstrapFormMixin, forms.Form):
    """SC-12: the leadership group settles a front-loaded claim after disposal."""

    note = forms.CharField(label=_("Settlement note"), required=False, max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class BookingForm(BootstrapFormMixin, forms.Form):
    """The fund officer books a contribution (BT-3), interest (BT-11) or the manager's fee (BT-8.7) against one
    dedicated account ('' = the fund's main account)."""

    KINDS = [("contribution", _("Contribution")), ("interest", _("Interest income")),
             ("management_fee", _("Management fee"))]

    kind = forms.ChoiceField(label=_("Entry"), choices=KINDS)
    account = forms.ChoiceField(label=_("Dedicated account"), required=False)
    contributor = forms.ChoiceField(label=_("Contributor (contributions only)"), required=False)
    amount_yuan = yuan_field(_("Amount (yuan)"))
    reference = forms.CharField(label=_("Reference"), required=False, max_length=60)

    def __init__(self, *args: Any, accounts: list[tuple[str, str]] | None = None,
                 contributors: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = accounts or []
        self.fields["contributor"].choices = [("", "—")] + (contributors or [])
        self._style_widgets()

    def clean_amount_yuan(self) -> int | None:
        return clean_fen(self.cleaned_data.get("amount_yuan"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "contribution" and not data.get("contributor"):
            self.add_error("contributor", _("Name the contributor of a contribution."))
        return data

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        args: dict[str, Any] = {"amount_fen": int(data["amount_yuan"]), "reference": data.get("reference") or "",
                                "bank_id": int(data["account"]) if data.get("account") else None}
        if data["kind"] == "contribution":
            args["contributor_id"] = int(data["contributor"])
        return args


class TransferForm(BootstrapFormMixin, forms.Form):
    """BT-9: money moved between two dedicated accounts of the fund ('' = the fund's main account)."""

    # '' is a real choice (the fund's main account), so the fields are "not required" to let it through.
    from_account = forms.ChoiceField(label=_("From account"), required=False)
    to_account = forms.ChoiceField(label=_("To account"), required=False)
    amount_yuan = yuan_field(_("Amount (yuan)"))
    reference = forms.CharField(label=_("Reference"), required=False, max_length=60)

    def __init__(self, *args: Any, accounts: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_account", "to_account"):
            self.fields[name].choices = accounts or []
        self._style_widgets()

    def clean_amount_yuan(self) -> int | None:
        return clean_fen(self.cleaned_data.get("amount_yuan"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_account") is not None and data.get("from_account") == data.get("to_account"):
            self.add_error("to_account", _("Choose two different accounts."))
        return data

    def action_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data

        def bank(value: str) -> int | None:
            return int(value) if value else None

        return {"from_bank_id": bank(data["from_account"]), "to_bank_id": bank(data["to_account"]),
                "amount_fen": int(data["amount_yuan"]), "reference": data.get("reference") or ""}


class LiftSuspensionForm(BootstrapFormMixin, forms.Form):
    """The leadership group's decision lifting a bank's suspension (``lift_suspension``, BT-13b)."""

    decision = forms.CharField(label=_("Leadership group decision"), max_length=NOTE_MAX_LENGTH,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean_decision(self) -> str:
        text = (self.cleaned_data.get("decision") or "").strip()
        if not text:
            raise forms.ValidationError(_("Record the leadership group's decision."))
        return text


def parse_statement_yuan(text: str) -> int:
    """A bank-statement balance typed in yuan (at most two decimals; zero or negative allowed) → exact fen."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise forms.ValidationError(_("Enter an amount in yuan with at most two decimals.")) from None
    fen = value * 100 if value.is_finite() else None
    if fen is None or fen != fen.to_integral_value() or abs(fen) >= 10**18:
        raise forms.ValidationError(_("Enter an amount in yuan with at most two decimals."))
    return int(fen)
