"""Pages of the fund app (风险补偿资金): the funds list, a fund's dashboard (balance, exposure, claims by state,
each bank's BT-13 ratio against the warning and suspension bands, notices, the ledger, the stress simulation
and the operation reports), and the claim workflow: the bank files from a loan with a ``claim_eligible``
warning, the fund manager verifies with the checklist, the leadership group approves, the fund manager pays.

Reads go through :mod:`ipfin.fund.selectors` and :func:`ipfin.core.scoping.visible` (scoped to the user);
every state change is one call of :mod:`ipfin.fund.actions`, which checks the role; a typed error it raises
is shown as an alert with its HTTP status. Money is shown in yuan (``format_yuan``), exact from fen.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ipfin.accounts.choices import Role
from ipfin.accounts.models import User
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import visible
from ipfin.domain.errors import IpfinError
from ipfin.domain.money import format_yuan
from ipfin.fund import actions, reports, selectors
from ipfin.fund.choices import ClaimState, CooperationStatus
from ipfin.fund.forms import EXAMPLE_SCENARIO, FileClaimForm, ReportForm, SimulationForm, VerifyClaimForm
from ipfin.fund.models import Claim, Cooperation, Fund
from ipfin.servicing.models import Loan, RiskWarning
from ipfin.web.errors import render_error

PAGE_SIZE = 25
BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)


def _today() -> date:
    return timezone.localdate()


def _as_of(request: HttpRequest) -> date:
    """The business date a read page shows (``?on=YYYY-MM-DD``, default today); actions always use today."""
    text = request.GET.get("on") or ""
    try:
        return date.fromisoformat(text) if text else _today()
    except ValueError:
        return _today()


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_GET
def fund_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    funds = list(visible(user, Fund).select_related("manager"))
    by_fund: dict[int, list[Cooperation]] = {}
    for cooperation in (visible(user, Cooperation).select_related("institution").order_by("institution__name")):
        by_fund.setdefault(cooperation.fund_id, []).append(cooperation)
    rows = [{"fund": fund, "cooperations": by_fund.get(fund.pk, []), "dashboard": selectors.may_read_ledger(user, fund)}
            for fund in funds]
    return render(request, "fund/funds.html", {"rows": rows})


# --- dashboard ----------------------------------------------------------------------------------------------


def _fund_for_dashboard(user: User, code: str) -> Fund:
    fund = visible(user, Fund).select_related("manager").filter(code=code).first()
    if fund is None or not selectors.may_read_ledger(user, fund):
        raise Http404
    return fund


def _percent(ratio: Any) -> str:
    return f"{Decimal(str(ratio)) * 100:.2f}%"


def _bank_rows(status: Any, warning: Decimal | None, suspension: Decimal | None) -> list[dict[str, Any]]:
    rows = []
    for b in status.banks:
        ratio = Decimal(str(b.ratio))
        band = ("suspension" if suspension is not None and ratio >= suspension else
                "warning" if warning is not None and ratio >= warning else "below")
        rows.append({"bank": getattr(b.bank, "name", b.bank), "issued": format_yuan(b.issued_fen),
                     "paid": format_yuan(b.paid_fen), "ratio": _percent(ratio), "status": str(b.status),
                     "status_label": CooperationStatus(b.status).label if b.status in CooperationStatus.values
                     else str(b.status),
                     "band": band,
                     # bar width against the suspension ratio (100 % = suspension)
                     "bar": min(100, int(ratio / suspension * 100)) if suspension else 0})
    return rows


def _ledger_rows(lines: Any) -> list[dict[str, Any]]:
    rows = []
    for line in lines:
        entry = line.entry
        rows.append({"number": entry.number, "date": entry.entry_date, "kind": entry.kind,
                     "kind_label": entry.get_kind_display(), "reference": entry.reference,
                     "account": line.account + (f" · {line.counterparty.name}" if line.counterparty else ""),
                     "debit": format_yuan(line.debit_fen) if line.debit_fen else "",
                     "credit": format_yuan(line.credit_fen) if line.credit_fen else ""})
    return rows


@login_required
@require_GET
def fund_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    from ipfin.fund.simulation import chart_data, run_simulation
    from ipfin.policy.policyset import policy_set

    user = _user(request)
    fund = _fund_for_dashboard(user, code)
    today = _as_of(request)
    status = selectors.fund_status(fund, today)
    pset = policy_set([fund.profile_name], today)
    warning, suspension = pset.find("warning_ratio"), pset.find("suspension_ratio")
    ledger_page = Paginator(selectors.ledger_lines(fund), PAGE_SIZE).get_page(request.GET.get("page"))
    notices = selectors.notices_visible_to(user).filter(fund=fund).select_related("bank")[:50]

    simulation: dict[str, Any] | None = None
    error: Any = None
    asked = "default_rate" in request.GET
    form = SimulationForm(request.GET if asked else None, initial=EXAMPLE_SCENARIO)
    if asked and form.is_valid():
        try:
            result, _inputs = run_simulation(fund, on=today, **form.cleaned_data)
        except IpfinError as exc:
            error = exc
        else:
            simulation = {"result": result, "chart": chart_data(result),
                          "exhaustion": _percent(result.probability_of_exhaustion),
                          "payouts": {k: format_yuan(getattr(result.payouts, f"{k}_fen"))
                                      for k in ("mean", "p50", "p95", "p99", "max")},
                          "net": {k: format_yuan(getattr(result.net_payouts, f"{k}_fen"))
                                  for k in ("mean", "p50", "p95", "p99", "max")},
                          "banks": [{"bank": b.bank, "expected": format_yuan(b.expected_payout_fen),
                                     "warning": b.warning, "suspension": b.suspension,
                                     "warning_p": _percent(b.warning.probability),
                                     "suspension_p": _percent(b.suspension.probability)} for b in result.banks]}
    quarter = (today.month - 1) // 3 + 1
    context = {
        "fund": fund, "today": today, "status": status,
        "balance": format_yuan(status.balance_fen), "exposure": format_yuan(status.exposure_fen),
        "covered_amount": format_yuan(status.covered_amount_fen),
        "claims_by_state": [(ClaimState(k).label if k in ClaimState.values else k, v)
                            for k, v in dict(status.claims_by_state).items()],
        "banks": _bank_rows(status, warning.decimal if warning else None, suspension.decimal if suspension else None),
        "warning": warning, "suspension": suspension,
        "warning_percent": _percent(warning.decimal) if warning else None,
        "suspension_percent": _percent(suspension.decimal) if suspension else None,
        "notices": notices, "ledger_page": ledger_page, "ledger_rows": _ledger_rows(ledger_page.object_list), "form": form, "simulation": simulation,
        "error_message": localized_message(error) if error else None,
        "on_param": request.GET.get("on", ""), "report_year": today.year, "report_quarter": quarter,
    }
    return render(request, "fund/dashboard.html", context, status=error.http_status if error else 200)


@login_required
@require_GET
def fund_report(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    user = _user(request)
    fund = _fund_for_dashboard(user, code)
    form = ReportForm(request.GET)
    if not form.is_valid():
        return render_error(request, reports.ReportPeriodInvalid(reason=form.errors.as_text()))
    data = form.cleaned_data
    try:
        start, end = reports.report_period(data["kind"], data["year"], data.get("quarter"))
        report = reports.build_report(fund, kind=data["kind"], start=start, end=end)
    except IpfinError as exc:
        return render_error(request, exc)
    if fmt == "xlsx":
        body, content_type = reports.report_xlsx(report), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = reports.report_pdf(report), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename_stem}.{fmt}"'
    return response


# --- claims -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    """Claims I may see, and for a bank the loans with an open ``claim_eligible`` warning (BT-15)."""
    user = _user(request)
    claims = selectors.claims_visible_to(user).select_related("fund", "loan", "bank").order_by("-filed_on", "-id")
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    eligible: Any = []
    if user.has_role(*BANK_ROLES):
        eligible = (visible(user, RiskWarning).filter(kind="claim_eligible").exclude(status="closed")
                    .select_related("loan", "loan__bank", "loan__fund").order_by("-raised_on")[:100])
    return render(request, "fund/claims.html", {"page": page, "eligible": eligible})


def _loan(user: User, loan_id: int) -> Loan:
    loan = visible(user, Loan).select_related("bank", "fund", "enterprise__organisation").filter(pk=loan_id).first()
    if loan is None:
        raise Http404
    return loan


@login_required
def file_claim(request: HttpRequest, loan_id: int) -> HttpResponse:
    user = _user(request)
    loan = _loan(user, loan_id)
    warning = (RiskWarning.objects.filter(loan=loan, kind="claim_eligible").exclude(status="closed")
               .order_by("-raised_on").first())
    form = FileClaimForm(request.POST if request.method == "POST" else None)
    error: Any = None
    if request.method == "POST" and form.is_valid():
        try:
            claim = actions.file_claim(user, loan.pk, on=_today(),
                                       deterioration_evidence=form.cleaned_data["deterioration_evidence"])
        except IpfinError as exc:
            error = exc
        else:
            messages.success(request, _("Claim %(number)s was filed for %(amount)s.")
                             % {"number": claim.number, "amount": format_yuan(claim.amount_fen)})
            return redirect("fund:claim", pk=claim.pk)
    status = error.http_status if error else (400 if request.method == "POST" else 200)
    return render(request, "fund/file_claim.html", {
        "loan": loan, "warning": warning, "form": form, "error_message": localized_message(error) if error else None,
        "outstanding": format_yuan(loan.outstanding_principal_fen)}, status=status)


def _claim(user: User, pk: int) -> Claim:
    claim = (selectors.claims_visible_to(user).select_related("fund", "loan", "bank", "loan__enterprise__organisation")
             .filter(pk=pk).first())
    if claim is None:
        raise Http404
    return claim


def _claim_page(request: HttpRequest, claim: Claim, *, error: Any = None, verify_form: VerifyClaimForm | None = None,
                status: int = 200) -> HttpResponse:
    user = _user(request)
    is_manager_officer = user.has_role(Role.FUND_OFFICER) and user.organisation_id == claim.fund.manager_id
    context = {
        "claim": claim, "error_message": localized_message(error) if error else None, "amount": format_yuan(claim.amount_fen),
        "loss": format_yuan(claim.principal_loss_fen), "portion": format_yuan(claim.ip_pledge_portion_fen),
        "cap": format_yuan(claim.cap_fen) if claim.cap_fen is not None else None,
        "ratio": _percent(claim.ratio),
        "verify_form": verify_form or VerifyClaimForm(),
        "can_verify": claim.state == ClaimState.FILED and is_manager_officer,
        "can_approve": claim.state == ClaimState.VERIFIED and user.has_role(Role.LEADER),
        "can_pay": claim.state == ClaimState.APPROVED and is_manager_officer,
    }
    return render(request, "fund/claim.html", context, status=error.http_status if error else status)


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _claim_page(request, _claim(_user(request), pk))


@login_required
@require_POST
def verify_claim(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    claim = _claim(user, pk)
    form = VerifyClaimForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, verify_form=form, status=400)
    try:
        claim = actions.verify_claim(user, claim.pk, on=_today(), **form.action_arguments())
    except IpfinError as exc:
        return _claim_page(request, _claim(user, pk), error=exc, verify_form=form)
    messages.success(request, _("Claim %(number)s: %(state)s.") % {"number": claim.number,
                                                                   "state": claim.get_state_display()})
    return redirect("fund:claim", pk=claim.pk)


def _step(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    user = _user(request)
    claim = _claim(user, pk)
    try:
        claim = action(user, claim.pk, on=_today())
    except IpfinError as exc:
        return _claim_page(request, _claim(user, pk), error=exc)
    messages.success(request, done % {"number": claim.number, "amount": format_yuan(claim.amount_fen)})
    return redirect(reverse("fund:claim", args=[claim.pk]))


@login_required
@require_POST
def approve_claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.approve_claim, _("Claim %(number)s was approved: %(amount)s payable."))


@login_required
@require_POST
def pay_claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.pay_claim, _("Claim %(number)s was paid: %(amount)s."))
