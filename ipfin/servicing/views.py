"""Servicing pages (贷后管理): the loan book with its filters, a loan's page (contract facts, schedule, repayments
with their allocation, class history, collateral coverage, risk warnings and the bank's forms), the open
warnings of a bank or fund manager, and the NPL tolerance monitors of the regulator and the IP office
(XT-10, PZA-3.乙2) with the bank's quarterly overall NPL entry.

Reads go through :mod:`ipfin.servicing.selectors` (every read scoped to the user); every state change is one
call of :mod:`ipfin.servicing.actions`. Which buttons a page offers follows the roles the actions accept; the
actions decide for good, and a typed error they raise is shown as an alert with its HTTP status (never a 500).
Money is shown in yuan with two decimals (``format_yuan``), exact from integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import ModuleType
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import User
from ipfin.accounts.permissions import require_role
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import registered_models, visible
from ipfin.domain.errors import InvalidInput, IpfinError, NotFound, PermissionDenied
from ipfin.domain.money import format_yuan
from ipfin.market.models import Product
from ipfin.servicing import selectors
from ipfin.servicing.choices import (
    InstallmentStatus,
    RepaymentStatus,
    RiskClass,
    Severity,
    WarningKind,
    WarningStatus,
)
from ipfin.servicing.forms import BankNplForm, DowngradeForm, ReasonForm, RepaymentForm
from ipfin.servicing.models import Installment, Loan, Repayment, RiskWarning
from ipfin.web.errors import render_error

PAGE_SIZE = 25
HELP_PAGE = "regulator-npl"  # docs/help/regulator-npl.md

ENTERPRISE_ROLES = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)
POSTING_ROLES = (Role.LOAN_OFFICER, Role.BRANCH_HEAD)  # post_repayment, reverse_repayment
DOWNGRADE_ROLES = (Role.APPROVER, Role.BRANCH_HEAD)  # downgrade_loan
WARNING_HANDLER_ROLES = (*BANK_ROLES, Role.FUND_OFFICER)  # acknowledge_warning, close_warning
AUTHORITY_ROLES = (Role.CLERK, Role.LEADER, Role.SUPERVISOR)
LOAN_BOOK_ROLES = (*ENTERPRISE_ROLES, *BANK_ROLES, Role.GUARANTOR_OFFICER, Role.INSURER_OFFICER, Role.FUND_OFFICER,
                   *AUTHORITY_ROLES, Role.PLATFORM_ADMIN)
WARNING_LIST_ROLES = (*WARNING_HANDLER_ROLES, Role.PLATFORM_ADMIN)
NPL_READER_ROLES = (*AUTHORITY_ROLES, *BANK_ROLES, Role.PLATFORM_ADMIN)
NPL_ENTRY_ROLES = (Role.BRANCH_HEAD,)  # the bank's head enters its overall NPL (enter_bank_npl)

DPD_BUCKETS: list[tuple[str, Any]] = [
    ("current", gettext_lazy("Not overdue")),
    ("1-30", gettext_lazy("1–30 days")),
    ("31-90", gettext_lazy("31–90 days")),
    ("91-180", gettext_lazy("91–180 days")),
    ("181-360", gettext_lazy("181–360 days")),
    ("360+", gettext_lazy("Over 360 days")),
]
SORTS: dict[str, tuple[str, ...]] = {
    "dpd": ("days_past_due", "id"), "-dpd": ("-days_past_due", "-outstanding_principal_fen", "-id"),
    "outstanding": ("outstanding_principal_fen", "id"), "-outstanding": ("-outstanding_principal_fen", "-id"),
}
DEFAULT_SORT = "-dpd"
CLASS_BADGE = {
    RiskClass.NORMAL: "text-bg-success", RiskClass.SPECIAL_MENTION: "text-bg-warning",
    RiskClass.SUBSTANDARD: "text-bg-danger", RiskClass.DOUBTFUL: "text-bg-danger", RiskClass.LOSS: "text-bg-dark",
}
SEVERITY_BADGE = {Severity.INFO: "text-bg-info", Severity.WARNING: "text-bg-warning",
                  Severity.CRITICAL: "text-bg-danger"}
INSTALLMENT_BADGE = {
    InstallmentStatus.SCHEDULED: "text-bg-light border", InstallmentStatus.DUE: "text-bg-warning",
    InstallmentStatus.OVERDUE: "text-bg-danger", InstallmentStatus.PAID: "text-bg-success",
    InstallmentStatus.SUPERSEDED: "text-bg-secondary",
}
OPEN_WARNING_STATES = (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED)
# Status labels with a message context: the bare msgids ("Open", "Overdue") carry other meanings in apps whose
# catalogues take precedence (a fund that is open, an SLA clock that is overdue).
INSTALLMENT_STATUS_LABELS: dict[str, Any] = {
    InstallmentStatus.SCHEDULED: pgettext_lazy("installment", "Scheduled"),
    InstallmentStatus.DUE: pgettext_lazy("installment", "Due"),
    InstallmentStatus.OVERDUE: pgettext_lazy("installment", "Overdue"),
    InstallmentStatus.PAID: pgettext_lazy("installment", "Paid"),
    InstallmentStatus.SUPERSEDED: pgettext_lazy("installment", "Superseded"),
}
WARNING_STATUS_LABELS: dict[str, Any] = {
    WarningStatus.OPEN: pgettext_lazy("risk warning", "Open"),
    WarningStatus.ACKNOWLEDGED: pgettext_lazy("risk warning", "Acknowledged"),
    WarningStatus.CLOSED: pgettext_lazy("risk warning", "Closed"),
}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _today() -> date:
    return business_date()


def _actions() -> ModuleType:
    """The servicing actions, imported when a page needs one (the URLconf must load without them)."""
    from ipfin.servicing import actions

    return actions


def yuan(amount_fen: int | None) -> str:
    """Integer fen → ``1,234.56`` (yuan, two decimals, exact); ``—`` for none."""
    if amount_fen is None:
        return "—"
    return format_yuan(int(amount_fen)).replace("¥", "")


def percent(value: Decimal | None, places: int = 2) -> str:
    """A ratio held as Decimal percent → ``2.50%``; ``—`` for none."""
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places)):f}%"


def ratio_as_percent(value: Decimal | None) -> str:
    """A loan-to-value held as a fraction (0.6) → ``60.00%``."""
    return "—" if value is None else percent(Decimal(value) * 100)


def _unwrap(exc: IpfinError) -> None:
    """NotFound is a 404 (never a hint that the record exists)."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc)) from None


def _invalid(form: Any) -> InvalidInput:
    problems = "; ".join(f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
                         for name, errors in form.errors.items())
    return InvalidInput(reason=problems)


def _is_lending_bank(user: User, loan: Loan) -> bool:
    """The lending bank, or its head office."""
    org = user.organisation if user.organisation_id else None
    if org is None or org.kind != OrganisationKind.BANK:
        return False
    return loan.bank_id == org.pk or loan.bank.head_office_id == org.pk


def _may_handle_warnings(user: User, loan: Loan) -> bool:
    """Bank staff of the lending bank; the officers of the fund manager of a fund-covered loan."""
    if _is_lending_bank(user, loan) and user.has_role(*BANK_ROLES):
        return True
    return (loan.fund_id is not None and user.has_role(Role.FUND_OFFICER) and loan.fund is not None
            and user.organisation_id == loan.fund.manager_id)


def available_actions(user: User, loan: Loan) -> set[str]:
    """What the loan page offers this user; the actions decide for good (and say why not)."""
    offered: set[str] = set()
    active = loan.status == "active"
    if _is_lending_bank(user, loan):
        if active and user.has_role(*POSTING_ROLES):
            offered.add("repay")
        if user.has_role(*POSTING_ROLES):
            offered.add("reverse")
        if active and user.has_role(*DOWNGRADE_ROLES):
            offered.add("downgrade")
    if _may_handle_warnings(user, loan):
        offered.add("warnings")
    return offered


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _badge(value: str, table: dict[Any, str]) -> str:
    return table.get(value, "text-bg-light border")


# --- the loan book --------------------------------------------------------------------------------------


@dataclass
class BookFilters:
    risk_class: str = ""
    dpd_bucket: str = ""
    product_id: int | None = None
    warning: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_request(cls, request: HttpRequest) -> BookFilters:
        """Unknown values are ignored (a stale bookmark shows the whole book, not an error)."""
        get = request.GET
        risk_class = get.get("class", "")
        dpd_bucket = get.get("dpd", "")
        product = get.get("product", "")
        warning = get.get("warning", "")
        sort = get.get("sort", DEFAULT_SORT)
        return cls(
            risk_class=risk_class if risk_class in RiskClass.values else "",
            dpd_bucket=dpd_bucket if dpd_bucket in dict(DPD_BUCKETS) else "",
            product_id=int(product) if product.isdigit() else None,
            warning=warning if warning == "any" or warning in WarningKind.values else "",
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def query(self, **overrides: Any) -> str:
        """The query string of these filters with ``overrides`` (for sort links and pagination)."""
        params = {"class": self.risk_class, "dpd": self.dpd_bucket,
                  "product": "" if self.product_id is None else str(self.product_id), "warning": self.warning,
                  "sort": self.sort}
        params.update({key: str(value) for key, value in overrides.items()})
        return urlencode({key: value for key, value in params.items() if value})


def _book_products(user: User) -> list[Product]:
    """The products of the loans this user may see (the product filter's choices)."""
    product_ids = selectors.loans_visible_to(user).values("product_id")
    return list(Product.objects.filter(pk__in=product_ids).select_related("bank").order_by("bank__name", "name"))


def _loan_row(loan: Loan) -> dict[str, Any]:
    return {"loan": loan, "principal": yuan(loan.principal_fen), "outstanding": yuan(loan.outstanding_principal_fen),
            "overdue": yuan(loan.overdue_principal_fen + loan.overdue_interest_fen + loan.penalty_fen),
            "class_css": _badge(loan.risk_class, CLASS_BADGE),
            "open_warnings": getattr(loan, "open_warnings", None)}


@login_required
@require_GET
def loan_book(request: HttpRequest) -> HttpResponse:
    """The loans the user may see (a bank its own, a fund manager the covered ones, an authority its region's,
    an enterprise its own), filtered, sorted by days past due or outstanding, with a totals row."""
    user = _actor(request)
    try:
        require_role(user, *LOAN_BOOK_ROLES)
    except PermissionDenied as exc:
        return render_error(request, exc)
    filters = BookFilters.from_request(request)
    queryset: QuerySet[Loan] = selectors.loan_book(
        user, risk_class=filters.risk_class or None, dpd_bucket=filters.dpd_bucket or None,
        product_id=filters.product_id, warning=filters.warning or None)
    totals = queryset.order_by().aggregate(count=Count("id"), outstanding=Sum("outstanding_principal_fen"),
                                           overdue=Sum("overdue_principal_fen"))
    queryset = queryset.select_related("enterprise__organisation", "bank", "product").order_by(
        *SORTS[filters.sort])
    page = _page(request, queryset)
    warning_counts = dict(
        RiskWarning.objects.filter(loan__in=[loan.pk for loan in page.object_list], status__in=OPEN_WARNING_STATES)
        .values_list("loan_id").annotate(n=Count("id")).values_list("loan_id", "n"))
    rows = []
    for loan in page.object_list:
        row = _loan_row(loan)
        row["open_warnings"] = warning_counts.get(loan.pk, 0)
        rows.append(row)
    return render(request, "servicing/loan_book.html", {
        "page": page, "rows": rows, "filters": filters,
        "totals": {"count": totals["count"] or 0, "outstanding": yuan(totals["outstanding"] or 0),
                   "overdue": yuan(totals["overdue"] or 0)},
        "class_choices": RiskClass.choices, "dpd_choices": DPD_BUCKETS,
        "warning_choices": WarningKind.choices, "products": _book_products(user),
        "sort_links": {"dpd": filters.query(sort="dpd" if filters.sort == "-dpd" else "-dpd"),
                       "outstanding": filters.query(
                           sort="outstanding" if filters.sort == "-outstanding" else "-outstanding")},
        "page_query": filters.query(),
    })


# --- the loan page --------------------------------------------------------------------------------------


def _loan(user: User, loan_id: int) -> Loan:
    try:
        return cast(Loan, selectors.loan_detail(user, loan_id))
    except NotFound:
        raise Http404 from None


def _installment_row(installment: Installment) -> dict[str, Any]:
    return {
        "installment": installment,
        "principal": yuan(installment.principal_fen), "interest": yuan(installment.interest_fen),
        "total": yuan(installment.principal_fen + installment.interest_fen),
        "principal_paid": yuan(installment.principal_paid_fen), "interest_paid": yuan(installment.interest_paid_fen),
        "penalty_paid": yuan(installment.penalty_paid_fen), "balance_after": yuan(installment.balance_after_fen),
        "status_css": _badge(installment.status, INSTALLMENT_BADGE),
        "status_label": INSTALLMENT_STATUS_LABELS.get(installment.status, installment.status),
    }


def _repayment_row(repayment: Repayment, latest_posted_id: int | None) -> dict[str, Any]:
    split = [
        (_("Penalty interest"), repayment.penalty_fen), (_("Overdue interest"), repayment.overdue_interest_fen),
        (_("Overdue principal"), repayment.overdue_principal_fen),
        (_("Current interest"), repayment.current_interest_fen),
        (_("Current principal"), repayment.current_principal_fen),
        (_("Prepaid principal"), repayment.prepaid_principal_fen),
    ]
    return {
        "repayment": repayment, "amount": yuan(repayment.amount_fen),
        "split": [(label, yuan(fen)) for label, fen in split],
        "allocations": [{"allocation": a, "penalty": yuan(a.penalty_fen), "interest": yuan(a.interest_fen),
                         "principal": yuan(a.principal_fen)}
                        for a in repayment.allocations.select_related("installment").order_by("installment__due_on",
                                                                                                "installment_id")],
        "reversed": repayment.status == RepaymentStatus.REVERSED,
        "reversible": repayment.pk == latest_posted_id,
    }


def _warning_row(warning: RiskWarning) -> dict[str, Any]:
    detail = warning.detail if isinstance(warning.detail, dict) else {}
    shortfall = detail.get("shortfall_fen")
    return {"warning": warning, "severity_css": _badge(warning.severity, SEVERITY_BADGE),
            "shortfall": yuan(shortfall) if isinstance(shortfall, int) else "",
            "detail": {key: value for key, value in detail.items() if key != "shortfall_fen"},
            "open": warning.status in OPEN_WARNING_STATES,
            "status_label": WARNING_STATUS_LABELS.get(warning.status, warning.status)}


def _coverage(loan: Loan) -> dict[str, Any]:
    """Collateral value, current LTV against the maximum, the shortfall in yuan (PZP-3.4.2, SC-2)."""
    breach = loan.loan_to_value is not None and loan.loan_to_value > loan.max_loan_to_value
    return {"value": yuan(loan.collateral_value_fen), "valued_on": loan.collateral_valued_on,
            "ltv": ratio_as_percent(loan.loan_to_value), "max_ltv": ratio_as_percent(loan.max_loan_to_value),
            "shortfall": yuan(loan.coverage_shortfall_fen), "breach": breach or loan.coverage_shortfall_fen > 0}


def _detail(request: HttpRequest, loan: Loan, *, error: IpfinError | None = None,
            forms: dict[str, Any] | None = None, status: int | None = None) -> HttpResponse:
    user = _actor(request)
    today = _today()
    offered = available_actions(user, loan)
    schedule = list(selectors.current_schedule(loan))
    current_ids = {installment.pk for installment in schedule}
    superseded = [i for i in selectors.all_installments(loan) if i.pk not in current_ids]
    repayments = list(selectors.repayments_of(loan))
    # Only the latest posted repayment may be reversed (the action says so otherwise).
    latest_posted = max((r for r in repayments if r.status == RepaymentStatus.POSTED), key=lambda r: r.pk,
                        default=None)
    warnings = sorted(selectors.warnings_of(loan).select_related("acknowledged_by", "closed_by"),
                      key=lambda w: (w.status not in OPEN_WARNING_STATES, -w.raised_on.toordinal(), -w.pk))
    context: dict[str, Any] = {
        "loan": loan,
        "class_css": _badge(loan.risk_class, CLASS_BADGE),
        "principal": yuan(loan.principal_fen), "outstanding": yuan(loan.outstanding_principal_fen),
        "overdue_principal": yuan(loan.overdue_principal_fen), "overdue_interest": yuan(loan.overdue_interest_fen),
        "penalty": yuan(loan.penalty_fen), "penalty_uplift": ratio_as_percent(loan.penalty_rate_uplift),
        "schedule": [_installment_row(i) for i in schedule],
        "schedule_totals": {"principal": yuan(sum(i.principal_fen for i in schedule)),
                            "interest": yuan(sum(i.interest_fen for i in schedule))},
        "superseded": [_installment_row(i) for i in superseded],
        "repayments": [_repayment_row(r, latest_posted.pk if latest_posted else None) for r in repayments],
        "class_changes": selectors.class_history(loan),
        "coverage": _coverage(loan),
        "warnings": [_warning_row(w) for w in warnings],
        "offered": offered,
        "today": today,
        "repayment_form": RepaymentForm(today=today),
        "reverse_form": ReasonForm(prefix="reverse"),
        "downgrade_form": DowngradeForm(prefix="downgrade"),
        "close_form": ReasonForm(prefix="close"),
        "pledge": _pledge_of(user, loan),
        "payoff": _payoff_today(user, loan, today) if "repay" in offered else None,
    }
    context.update(forms or {})
    if error is not None:
        context.update(error_message=localized_message(error), error_code=error.code)
    return render(request, "servicing/loan_detail.html", context,
                  status=status or (error.http_status if error is not None else 200))


def _payoff_today(user: User, loan: Loan, today: date) -> dict[str, str] | None:
    """What paying the loan off today would take (提前结清 quote from the actions; nothing written)."""
    try:
        quote = _actions().payoff_quote(user, loan.pk, on=today)
    except IpfinError:
        return None
    return {"on": today.isoformat(), "total": yuan(quote.total_fen),
            "total_plain": f"{Decimal(quote.total_fen) / 100:.2f}",
            "due": yuan(quote.penalty_fen + quote.overdue_interest_fen + quote.overdue_principal_fen
                        + quote.current_interest_fen + quote.current_principal_fen)}


def _pledge_of(user: User, loan: Loan) -> Any:
    """The pledge registration of the loan's contract that the user may see (for a link), if any."""
    from ipfin.pledges.models import PledgeRegistration

    if PledgeRegistration not in registered_models():
        return None
    return visible(user, PledgeRegistration).filter(contract_id=loan.contract_id).order_by("-id").first()


@login_required
@require_GET
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _loan(_actor(request), pk))


@login_required
@require_POST
def post_repayment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    loan = _loan(user, pk)
    form = RepaymentForm(request.POST)
    if not form.is_valid():
        return _detail(request, loan, error=_invalid(form), forms={"repayment_form": form}, status=400)
    try:
        repayment = _actions().post_repayment(user, loan.pk, **form.action_arguments())
    except IpfinError as exc:
        _unwrap(exc)
        loan.refresh_from_db()
        return _detail(request, loan, error=exc, forms={"repayment_form": form})
    messages.success(request, _("Repayment %(number)s of %(amount)s yuan was posted.")
                     % {"number": repayment.number, "amount": yuan(repayment.amount_fen)})
    return redirect(f"{reverse('servicing:loan', args=[loan.pk])}#repayment-{repayment.pk}")


@login_required
@require_POST
def reverse_repayment(request: HttpRequest, pk: int, repayment_id: int) -> HttpResponse:
    user = _actor(request)
    loan = _loan(user, pk)
    if not Repayment.objects.filter(pk=repayment_id, loan=loan).exists():
        raise Http404
    form = ReasonForm(request.POST, prefix="reverse")
    if not form.is_valid():
        return _detail(request, loan, error=_invalid(form), forms={"reverse_form": form}, status=400)
    try:
        repayment = _actions().reverse_repayment(user, repayment_id, reason=form.cleaned_data["reason"])
    except IpfinError as exc:
        _unwrap(exc)
        loan.refresh_from_db()
        return _detail(request, loan, error=exc, forms={"reverse_form": form})
    messages.success(request, _("Repayment %(number)s was reversed.") % {"number": repayment.number})
    return redirect(f"{reverse('servicing:loan', args=[loan.pk])}#repayment-{repayment.pk}")


@login_required
@require_POST
def downgrade(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    loan = _loan(user, pk)
    form = DowngradeForm(request.POST, prefix="downgrade")
    if not form.is_valid():
        return _detail(request, loan, error=_invalid(form), forms={"downgrade_form": form}, status=400)
    try:
        loan = _actions().downgrade_loan(user, loan.pk, risk_class=form.cleaned_data["risk_class"],
                                         reason=form.cleaned_data["reason"])
    except IpfinError as exc:
        _unwrap(exc)
        loan.refresh_from_db()
        return _detail(request, loan, error=exc, forms={"downgrade_form": form})
    messages.success(request, _("The loan is now classified %(risk_class)s.")
                     % {"risk_class": loan.get_risk_class_display()})
    return redirect("servicing:loan", pk=loan.pk)


# --- risk warnings --------------------------------------------------------------------------------------


def _warning(user: User, warning_id: int) -> RiskWarning:
    warning = selectors.warnings_visible_to(user).filter(pk=warning_id).select_related("loan__bank").first()
    if warning is None:
        raise Http404
    return cast(RiskWarning, warning)


def _back(request: HttpRequest, warning: RiskWarning) -> str:
    """Where a warning action returns: the page it was taken on (a local URL only), else the loan's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("servicing:loan", args=[warning.loan_id])


def _warning_failed(request: HttpRequest, warning: RiskWarning, exc: IpfinError) -> HttpResponse:
    _unwrap(exc)
    if request.POST.get("next", "").startswith(reverse("servicing:warnings")):
        return _warnings_page(request, error=exc)
    loan = _loan(_actor(request), warning.loan_id)
    return _detail(request, loan, error=exc)


@login_required
@require_POST
def acknowledge_warning(request: HttpRequest, warning_id: int) -> HttpResponse:
    user = _actor(request)
    warning = _warning(user, warning_id)
    try:
        _actions().acknowledge_warning(user, warning.pk)
    except IpfinError as exc:
        return _warning_failed(request, warning, exc)
    messages.success(request, _("The warning was acknowledged."))
    return redirect(_back(request, warning))


@login_required
@require_POST
def close_warning(request: HttpRequest, warning_id: int) -> HttpResponse:
    user = _actor(request)
    warning = _warning(user, warning_id)
    form = ReasonForm(request.POST, prefix="close")
    try:
        if not form.is_valid():
            raise _invalid(form)
        _actions().close_warning(user, warning.pk, reason=form.cleaned_data["reason"])
    except IpfinError as exc:
        return _warning_failed(request, warning, exc)
    messages.success(request, _("The warning was closed."))
    return redirect(_back(request, warning))


def _warnings_page(request: HttpRequest, *, error: IpfinError | None = None) -> HttpResponse:
    user = _actor(request)
    queryset = (selectors.warnings_visible_to(user).filter(status__in=OPEN_WARNING_STATES)
                .select_related("loan__enterprise__organisation", "loan__bank", "loan__fund", "asset",
                                "acknowledged_by"))
    kind = request.GET.get("kind", "")
    if kind in WarningKind.values:
        queryset = queryset.filter(kind=kind)
    severity = request.GET.get("severity", "")
    if severity in Severity.values:
        queryset = queryset.filter(severity=severity)
    page = _page(request, queryset.order_by("-raised_on", "-id"))
    context: dict[str, Any] = {
        "page": page, "rows": [_warning_row(w) for w in page.object_list], "kind": kind, "severity": severity,
        "kind_choices": WarningKind.choices, "severity_choices": Severity.choices,
        "may_handle": {w.pk for w in page.object_list if _may_handle_warnings(user, w.loan)},
        "close_form": ReasonForm(prefix="close"), "here": request.get_full_path(),
        "page_query": urlencode({key: value for key, value in {"kind": kind, "severity": severity}.items() if value}),
    }
    if error is not None:
        context.update(error_message=localized_message(error), error_code=error.code)
    return render(request, "servicing/warnings.html", context,
                  status=error.http_status if error is not None else 200)


@login_required
@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    """Open and acknowledged risk warnings of the user's bank, or of the loans a fund manager covers."""
    try:
        require_role(_actor(request), *WARNING_LIST_ROLES)
    except PermissionDenied as exc:
        return render_error(request, exc)
    return _warnings_page(request)


# --- NPL tolerance monitors (regulator, IP office; a bank sees itself and enters its overall NPL) -----------


def last_quarter_end(today: date) -> date:
    """The last calendar quarter end on or before ``today`` (31 Mar, 30 Jun, 30 Sep, 31 Dec)."""
    ends = [date(today.year, 3, 31), date(today.year, 6, 30), date(today.year, 9, 30), date(today.year, 12, 31)]
    past = [end for end in ends if end <= today]
    return past[-1] if past else date(today.year - 1, 12, 31)


def _monitor_state(breach: bool | None) -> str:
    """``breach`` / ``within`` / ``no_data`` (a figure the monitor needs is missing: no overall NPL entered for
    the quarter, no IP loans outstanding, no profile in force setting the tolerance)."""
    if breach is None:
        return "no_data"
    return "breach" if breach else "within"


def _npl_row(row: Any) -> dict[str, Any]:
    spread = row.spread_pp
    return {
        "row": row, "bank": row.bank,
        "outstanding": yuan(row.outstanding_fen), "npl_outstanding": yuan(row.npl_outstanding_fen),
        "ip_npl_ratio": percent(row.ip_npl_ratio), "overall_npl_ratio": percent(row.overall_npl_ratio),
        "spread_pp": "—" if spread is None else f"{spread.quantize(Decimal('0.01')):+f}",
        "xt10": _monitor_state(row.xt10_breach), "pza": _monitor_state(row.pza_breach),
        "xt10_limit": None if row.xt10_limit is None else f"{row.xt10_limit.normalize():f}",
        "pza_limit": None if row.pza_limit is None else f"{row.pza_limit.normalize():f}",
    }


def _may_enter_npl(user: User) -> bool:
    """The head of a bank's head office (the figure is the bank's, not a branch's)."""
    org = user.organisation if user.organisation_id else None
    return (org is not None and org.kind == OrganisationKind.BANK and org.head_office_id is None
            and user.has_role(*NPL_ENTRY_ROLES))


def _help_html(request: HttpRequest) -> Any:
    """The page's help (docs/help/regulator-npl.md), rendered safely by the shell's help renderer."""
    from django.conf import settings

    from ipfin.web.help import help_dir, render_help

    if not (help_dir() / f"{HELP_PAGE}.md").exists():
        return ""
    return render_help(HELP_PAGE, get_language() or settings.LANGUAGE_CODE, _("NPL tolerance monitoring"))


def _help_url() -> str | None:
    """The help menu's page for the monitors, once the shell lists it (ipfin.web.roles.HELP_PAGES)."""
    from ipfin.web.roles import HELP_PAGES

    return reverse("web:help_page", args=[HELP_PAGE]) if HELP_PAGE in HELP_PAGES else None


def _npl_page(request: HttpRequest, *, form: BankNplForm | None = None, error: IpfinError | None = None,
              status: int | None = None) -> HttpResponse:
    user = _actor(request)
    today = _today()
    on = today
    if request.GET.get("on"):
        try:
            on = date.fromisoformat(request.GET["on"])
        except ValueError:
            return render_error(request, InvalidInput(reason=_("enter the date as YYYY-MM-DD")))
    rows = [_npl_row(row) for row in selectors.npl_overview(user, on)]
    may_enter = _may_enter_npl(user)
    context: dict[str, Any] = {
        "rows": rows, "on": on, "today": today,
        "breaches": sum(1 for row in rows if "breach" in (row["xt10"], row["pza"])),
        "may_enter": may_enter,
        "npl_form": (form or BankNplForm(quarter_end=last_quarter_end(on))) if may_enter else None,
        "help_html": _help_html(request), "help_url": _help_url(),
    }
    if error is not None:
        context.update(error_message=localized_message(error), error_code=error.code)
    return render(request, "servicing/npl.html", context,
                  status=status or (error.http_status if error is not None else 200))


@login_required
@require_http_methods(["GET", "POST"])
def npl_overview(request: HttpRequest) -> HttpResponse:
    """Per bank: the NPL ratio of its IP pledge loans beside its overall NPL, against XT-10 (overall + spread)
    and PZA-3.乙2 (a ratio); a bank's head enters the overall NPL of a quarter here."""
    user = _actor(request)
    try:
        require_role(user, *NPL_READER_ROLES)
    except PermissionDenied as exc:
        return render_error(request, exc)
    if request.method == "GET":
        return _npl_page(request)
    if not _may_enter_npl(user):
        return _npl_page(request, error=PermissionDenied())
    form = BankNplForm(request.POST)
    if not form.is_valid():
        return _npl_page(request, form=form, error=_invalid(form), status=400)
    try:
        report = _actions().enter_bank_npl(user, quarter_end=form.cleaned_data["quarter_end"],
                                           overall_npl_ratio=form.cleaned_data["overall_npl_ratio"])
    except IpfinError as exc:
        _unwrap(exc)
        return _npl_page(request, form=form, error=exc)
    messages.success(request, _("The overall NPL ratio of %(quarter)s was saved.")
                     % {"quarter": report.quarter_end.isoformat()})
    return redirect(f"{reverse('servicing:npl')}?{urlencode({'on': report.quarter_end.isoformat()})}")
