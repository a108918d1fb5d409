"""Pages of the BT-19 borrower filings (贷款企业财务资料报送):

- ``/fund/<code>/filings/`` — the fund's manager and the leadership group: for a period end (quarter selector) how
  many covered loans have the document ("received X of Y"), the loans missing it, the recent filings, and for the
  manager's officers a form to record one by loan number;
- ``/fund/filings/`` — the filings the user may see; ``/fund/filings/new/?loan=<id>`` — the bank's staff and the
  borrower's users (and the manager's officers) record one for their loan;
- ``/fund/filings/<pk>/document`` — the document, for those who may see the filing.

Reads go through :func:`ipfin.core.scoping.visible`; recording is one call of
:func:`ipfin.fund.filings.record_borrower_filing`, whose typed errors are shown as alerts with their status.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ipfin.accounts.models import User
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import visible
from ipfin.domain.errors import IpfinError, PermissionDenied
from ipfin.fund import actions, filings
from ipfin.fund.choices import FilingKind
from ipfin.fund.models import BorrowerFiling, Fund
from ipfin.origination.forms import DATE_WIDGET, BootstrapFormMixin
from ipfin.servicing.models import Loan
from ipfin.web.errors import render_error

PAGE_SIZE = 25
RECENT = 50
MISSING_SHOWN = 200  # the page lists this many missing loans; the report has them all
QUARTERS_OFFERED = 8  # the quarter selector: this many quarter ends back from today


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _today() -> date:
    return business_date()


# --- forms --------------------------------------------------------------------------------------------------


class _FilingFields(BootstrapFormMixin, forms.Form):
    """What was received: kind, period end, receipt date, the optional document and a note."""

    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=FilingKind.choices)
    period_end = forms.DateField(label=pgettext_lazy("borrower filing", "Period end"), widget=DATE_WIDGET,
                                 help_text=gettext_lazy("Quarterly statement: a quarter end; annual audit: 31 December; "
                                                        "use of loan proceeds: a month end (BT-19)."))
    received_on = forms.DateField(label=pgettext_lazy("borrower filing", "Received on"), widget=DATE_WIDGET)
    document = forms.FileField(label=gettext_lazy("Document (PDF, image or Excel; optional)"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=filings.NOTE_MAX_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class _LoanChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · {obj.enterprise.organisation.name} · {obj.bank.name}"


class FilingForm(_FilingFields):
    """The bank's or the borrower's form: one of their covered loans."""

    field_order = ["loan", "kind", "period_end", "received_on", "document", "note"]
    loan = _LoanChoice(label=gettext_lazy("Loan"), queryset=Loan.objects.none())

    def __init__(self, *args: Any, loans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loan"].queryset = loans  # type: ignore[attr-defined]
        self.order_fields(self.field_order)


class FundFilingForm(_FilingFields):
    """The fund manager's form on the fund page: the loan by its number (a fund has too many for a list)."""

    field_order = ["loan_number", "kind", "period_end", "received_on", "document", "note"]
    loan_number = forms.CharField(label=gettext_lazy("Loan number"), max_length=30)

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fund = fund
        self.order_fields(self.field_order)

    def clean_loan_number(self) -> Loan:
        loan = Loan.objects.filter(fund=self.fund, number=self.cleaned_data["loan_number"].strip()).first()
        if loan is None:
            raise forms.ValidationError(_("No loan of this fund has that number."))
        return loan


def _action_arguments(form: _FilingFields) -> dict[str, Any]:
    data = form.cleaned_data
    return {"kind": data["kind"], "period_end": data["period_end"], "received_on": data["received_on"],
            "document": data.get("document") or None, "note": data.get("note") or ""}


def _recorded(request: HttpRequest, filing: BorrowerFiling) -> None:
    messages.success(request, _("%(kind)s of loan %(loan)s for %(period_end)s recorded.")
                     % {"kind": filing.get_kind_display(), "loan": filing.loan.number,
                        "period_end": filing.period_end.isoformat()})


def _rows(queryset: Any) -> Any:
    return queryset.select_related("fund", "loan", "loan__bank", "loan__enterprise__organisation", "recorded_by")


# --- the fund's page ----------------------------------------------------------------------------------------


def _fund(user: User, code: str) -> Fund:
    fund = visible(user, Fund).select_related("manager").filter(code=code).first()
    if fund is None or not filings.may_oversee_filings(user, fund):
        raise Http404
    return fund


def _period(request: HttpRequest) -> tuple[str, date, IpfinError | None]:
    """The kind and period end asked for (``?kind=&period_end=``), default the latest quarter end."""
    kind = request.GET.get("kind") or FilingKind.QUARTERLY_STATEMENT
    text = request.GET.get("period_end") or ""
    default = filings.latest_period_end(kind if kind in FilingKind.values else FilingKind.QUARTERLY_STATEMENT,
                                        _today())
    try:
        period_end = date.fromisoformat(text) if text else default
    except ValueError:
        return FilingKind.QUARTERLY_STATEMENT, default, filings.FilingPeriodInvalid(
            period_end=text, kind=FilingKind.QUARTERLY_STATEMENT.label,
            rule=filings.PERIOD_RULES[FilingKind.QUARTERLY_STATEMENT])
    if kind not in FilingKind.values:
        return FilingKind.QUARTERLY_STATEMENT, period_end, filings.FilingKindInvalid(kind=kind)
    return kind, period_end, None


@login_required
@require_http_methods(["GET", "POST"])
def fund_filings(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    fund = _fund(user, code)
    may_record = actions.is_fund_officer(user, fund)
    form = FundFilingForm(request.POST or None, request.FILES or None, fund=fund,
                          initial={"period_end": filings.quarter_end_on_or_before(_today()), "received_on": _today()})
    error: IpfinError | None = None
    status = 200
    if request.method == "POST":
        if not may_record:
            return render_error(request, PermissionDenied())
        if form.is_valid():
            loan = form.cleaned_data["loan_number"]
            try:
                filing = filings.record_borrower_filing(user, loan.pk, **_action_arguments(form))
            except IpfinError as exc:
                error = exc
            else:
                _recorded(request, filing)
                return redirect("fund:fund_filings", code=fund.code)
        status = error.http_status if error else 400
    kind, period_end, period_error = _period(request)
    coverage = None
    if period_error is None:
        try:
            coverage = filings.filing_coverage(fund, period_end, kind)
        except IpfinError as exc:
            period_error = exc
    if period_error is not None and error is None:
        error, status = period_error, period_error.http_status
    quarter = filings.quarter_end_on_or_before(_today())
    quarters = [quarter]
    while len(quarters) < QUARTERS_OFFERED:
        quarters.append(filings.quarter_end_on_or_before(quarters[-1].replace(day=1)))
    recent = _rows(visible(user, BorrowerFiling).filter(fund=fund)).order_by("-created_at", "-id")[:RECENT]
    return render(request, "fund/filings.html", {
        "fund": fund, "kind": kind, "kinds": FilingKind.choices, "period_end": period_end, "quarters": quarters,
        "coverage": coverage, "missing": coverage.missing[:MISSING_SHOWN] if coverage else [],
        "more_missing": max(0, len(coverage.missing) - MISSING_SHOWN) if coverage else 0,
        "recent": recent, "form": form if may_record else None,
        "error_message": localized_message(error) if error else None,
    }, status=status)


# --- everyone's list and form -------------------------------------------------------------------------------


@login_required
@require_GET
def filing_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(_rows(visible(user, BorrowerFiling)).order_by("-period_end", "-received_on", "-id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "fund/filings_list.html", {
        "page": page, "may_record": filings.loans_open_to_filing(user).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def new_filing(request: HttpRequest) -> HttpResponse:
    """The bank's staff and the borrower's users (and the manager's officers) record a filing for their loan."""
    user = _user(request)
    loans = (filings.loans_open_to_filing(user).select_related("enterprise__organisation", "bank")
             .order_by("-disbursed_on", "-id"))
    if not loans.exists():
        return render_error(request, PermissionDenied())
    initial: dict[str, Any] = {"period_end": filings.quarter_end_on_or_before(_today()), "received_on": _today()}
    asked = request.GET.get("loan") or ""
    if asked.isdigit() and loans.filter(pk=int(asked)).exists():
        initial["loan"] = int(asked)
    form = FilingForm(request.POST or None, request.FILES or None, loans=loans, initial=initial)
    error: IpfinError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            filing = filings.record_borrower_filing(user, form.cleaned_data["loan"].pk, **_action_arguments(form))
        except IpfinError as exc:
            error = exc
        else:
            _recorded(request, filing)
            return redirect("fund:filings")
    status = error.http_status if error else (400 if request.method == "POST" else 200)
    return render(request, "fund/filings_new.html", {
        "form": form, "error_message": localized_message(error) if error else None}, status=status)


@login_required
@require_GET
def filing_document(request: HttpRequest, pk: int) -> FileResponse:
    filing = visible(_user(request), BorrowerFiling).filter(pk=pk).first()
    if filing is None or not filing.document:
        raise Http404
    return FileResponse(filing.document.open("rb"), as_attachment=True,
                        filename=filing.original_name or f"filing-{filing.pk}")
