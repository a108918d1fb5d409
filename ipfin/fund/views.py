"""Pages of the fund app (风险补偿资金): the funds list, a fund's dashboard (balance, exposure, claims by state,
each bank's BT-13 ratio against the warning and suspension bands, notices, the ledger, the stress simulation
and the operation reports), and the claim workflow: the bank files from a loan with a ``claim_eligible``
warning, the fund manager verifies with the checklist, the leadership group approves, the fund manager pays;
the bank withdraws before approval (BT-15) and records recoveries after the payout, the fund manager marks each
recovery share received (BT-16); on the dashboard the leadership group lifts a suspension (BT-13b), overdue
recovery shares are listed and the dedicated accounts reconciled against typed statement balances (BT-9).

Reads go through :mod:`ipfin.fund.selectors` and :func:`ipfin.core.scoping.visible` (scoped to the user);
every state change is one call of :mod:`ipfin.fund.actions`, which checks the role; a typed error it raises
is shown as an alert with its HTTP status. Money is shown in yuan (``format_yuan``), exact from fen.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ipfin.accounts.choices import Role
from ipfin.accounts.models import Organisation, User
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import visible
from ipfin.domain.errors import IpfinError
from ipfin.domain.fund import claims as dc
from ipfin.domain.money import format_yuan
from ipfin.fund import actions, cooperation_views, reports, selectors
from ipfin.fund.choices import ClaimState, CooperationStatus
from ipfin.fund.forms import (
    CHECKLIST_LABELS,
    EXAMPLE_SCENARIO,
    BookingForm,
    FileClaimForm,
    LiftSuspensionForm,
    RecordDisposalForm,
    RecordRecoveryForm,
    ReportForm,
    SettleClaimForm,
    SimulationForm,
    TransferForm,
    VerifyClaimForm,
    WithdrawClaimForm,
    parse_statement_yuan,
)
from ipfin.fund.ledger import MAIN_ACCOUNT
from ipfin.fund.models import Claim, Cooperation, Fund, RecoveryShare
from ipfin.servicing.models import Loan, RiskWarning
from ipfin.web.errors import render_error

PAGE_SIZE = 25
BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)


def _today() -> date:
    return business_date()


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
    return render(request, "fund/funds.html", {"rows": rows, "may_open_funds": cooperation_views.may_open_funds(user)})


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


STATEMENT_PREFIX = "statement-"  # GET parameter per dedicated account: statement-<party>=<yuan>


def _reconciliation_rows(request: HttpRequest, fund: Fund, today: date) -> tuple[list[dict[str, Any]], list[str]]:
    """Per dedicated account (BT-9): the book balance on ``today`` against the statement balance the user typed
    (``?statement-<party>=<yuan>``, optional: a missing statement reads as the book balance)."""
    statements: dict[str, int] = {}
    errors: list[str] = []
    for key, text in request.GET.items():
        if key.startswith(STATEMENT_PREFIX) and text.strip():
            try:
                statements[key[len(STATEMENT_PREFIX):]] = parse_statement_yuan(text)
            except forms.ValidationError as exc:
                errors.append(f"{text}: {' '.join(exc.messages)}")
    names = {str(pk): name for pk, name in Organisation.objects.filter(
        pk__in=[int(p) for p in statements if p.isdigit()] + list(
            Cooperation.objects.filter(fund=fund).values_list("institution_id", flat=True))).values_list("pk", "name")}
    rows = []
    for rec in selectors.reconciliation(fund, as_of=today, statements=statements):
        label = _("Fund's own dedicated account") if rec.bank == MAIN_ACCOUNT else names.get(rec.bank, rec.bank)
        rows.append({"party": rec.bank, "label": label, "expected": format_yuan(rec.expected_fen),
                     "statement": format_yuan(rec.statement_fen), "difference": format_yuan(rec.difference_fen),
                     "typed": request.GET.get(STATEMENT_PREFIX + rec.bank, ""), "reconciled": rec.reconciled,
                     "given": rec.bank in statements})
    return rows, errors


def _overdue_rows(fund: Fund, today: date) -> list[dict[str, Any]]:
    return [{"share": s, "claim": s.claim, "bank": s.claim.bank.name, "amount": format_yuan(s.share_fen),
             "due_on": s.due_on, "days": (today - s.due_on).days if s.due_on else None}
            for s in selectors.overdue_recovery_shares(fund, today)]


@login_required
@require_GET
def fund_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    return _dashboard_page(request, _fund_for_dashboard(user, code))


def _account_choices(fund: Fund) -> list[tuple[str, str]]:
    """The fund's dedicated accounts (BT-9): its own, and one at each cooperating bank."""
    banks = (Cooperation.objects.filter(fund=fund, institution__kind="bank").select_related("institution")
             .order_by("institution__name"))
    return [("", _("Fund's own dedicated account"))] + [(str(c.institution_id), c.institution.name) for c in banks]


def _contributor_choices(fund: Fund) -> list[tuple[str, str]]:
    """Who may contribute (出资人, BT-3): the IP offices of the fund's region and the fund's manager."""
    orgs = Organisation.objects.filter(kind="ip_office", region_code__startswith=fund.region_code.rstrip("0")) | \
        Organisation.objects.filter(pk=fund.manager_id)
    return [(str(o.pk), o.name) for o in orgs.order_by("name")]


def _booking_form(fund: Fund, data: Any = None) -> BookingForm:
    return BookingForm(data, accounts=_account_choices(fund), contributors=_contributor_choices(fund))


BOOKINGS = {"contribution": actions.record_contribution, "interest": actions.record_interest,
            "management_fee": actions.post_management_fee}


def _dashboard_page(request: HttpRequest, fund: Fund, *, action_error: Any = None,
                    lift_forms: dict[int, LiftSuspensionForm] | None = None, transfer_form: TransferForm | None = None,
                    booking_form: BookingForm | None = None, http_status: int = 200) -> HttpResponse:
    from ipfin.fund.simulation import chart_data, run_simulation
    from ipfin.policy.policyset import policy_set

    user = _user(request)
    today = _as_of(request) if request.method == "GET" else _today()
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
    suspended: list[dict[str, Any]] = []
    if user.has_role(Role.LEADER):
        for cooperation in (visible(user, Cooperation).filter(fund=fund, status=CooperationStatus.SUSPENDED)
                            .select_related("institution").order_by("institution__name")):
            form = (lift_forms or {}).get(cooperation.pk) or LiftSuspensionForm(prefix=f"lift-{cooperation.pk}")
            suspended.append({"cooperation": cooperation, "form": form})
    reconciliation, statement_errors = _reconciliation_rows(request, fund, today)
    if error is None and action_error is not None:
        error = action_error
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
        "suspended": suspended, "overdue": _overdue_rows(fund, today), "reconciliation": reconciliation,
        "statement_errors": statement_errors, "statement_prefix": STATEMENT_PREFIX,
        "transfer_form": (transfer_form or TransferForm(accounts=_account_choices(fund))
                          if actions.is_fund_officer(user, fund) and fund.status == "open" else None),
        "booking_form": (booking_form or _booking_form(fund)
                         if actions.is_fund_officer(user, fund) and fund.status == "open" else None),
    }
    return render(request, "fund/dashboard.html", context, status=error.http_status if error else http_status)


@login_required
@require_POST
def lift_suspension(request: HttpRequest, pk: int) -> HttpResponse:
    """The leadership group lifts a bank's suspension with its recorded decision (BT-13b)."""
    user = _user(request)
    cooperation = visible(user, Cooperation).select_related("fund", "institution").filter(pk=pk).first()
    if cooperation is None:
        raise Http404
    fund = cooperation.fund
    form = LiftSuspensionForm(request.POST, prefix=f"lift-{pk}")
    if not form.is_valid():
        if not selectors.may_read_ledger(user, fund):
            raise Http404
        return _dashboard_page(request, fund, lift_forms={pk: form}, http_status=400)
    try:
        actions.lift_suspension(user, pk, on=_today(), decision=form.cleaned_data["decision"])
    except IpfinError as exc:
        if not selectors.may_read_ledger(user, fund):
            return render_error(request, exc)
        return _dashboard_page(request, fund, action_error=exc, lift_forms={pk: form})
    messages.success(request, _("The suspension of %(bank)s was lifted.") % {"bank": cooperation.institution.name})
    return redirect("fund:dashboard", code=fund.code)


@login_required
@require_POST
def book_entry(request: HttpRequest, code: str) -> HttpResponse:
    """The fund officer books a contribution (BT-3), interest (BT-11) or the manager's fee (BT-8.7)."""
    user = _user(request)
    fund = _fund_for_dashboard(user, code)
    form = _booking_form(fund, request.POST)
    if not form.is_valid():
        return _dashboard_page(request, fund, booking_form=form, http_status=400)
    try:
        entry = BOOKINGS[form.cleaned_data["kind"]](user, fund.pk, on=_today(), **form.action_arguments())
    except IpfinError as exc:
        return _dashboard_page(request, fund, action_error=exc, booking_form=form)
    messages.success(request, _("Booked as journal entry %(number)s.") % {"number": entry.number})
    return redirect("fund:dashboard", code=fund.code)


@login_required
@require_POST
def transfer(request: HttpRequest, code: str) -> HttpResponse:
    """BT-9: the fund officer moves money between two dedicated accounts of the fund."""
    user = _user(request)
    fund = _fund_for_dashboard(user, code)
    form = TransferForm(request.POST, accounts=_account_choices(fund))
    if not form.is_valid():
        return _dashboard_page(request, fund, transfer_form=form, http_status=400)
    try:
        entry = actions.transfer_between_accounts(user, fund.pk, on=_today(), **form.action_arguments())
    except IpfinError as exc:
        return _dashboard_page(request, fund, action_error=exc, transfer_form=form)
    messages.success(request, _("Transfer booked as journal entry %(number)s.") % {"number": entry.number})
    return redirect("fund:dashboard", code=fund.code)


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
                withdraw_form: WithdrawClaimForm | None = None, recovery_form: RecordRecoveryForm | None = None,
                disposal_form: RecordDisposalForm | None = None, settle_form: SettleClaimForm | None = None,
                status: int = 200) -> HttpResponse:
    user = _user(request)
    is_manager_officer = user.has_role(Role.FUND_OFFICER) and user.organisation_id == claim.fund.manager_id
    is_bank = user.has_role(*BANK_ROLES) and user.organisation_id is not None and \
        user.organisation_id in (claim.bank_id, claim.bank.head_office_id)
    today = _today()
    recoveries = [{"share": r, "recovered": format_yuan(r.recovered_fen), "amount": format_yuan(r.share_fen),
                   "overdue": r.received_on is None and r.due_on is not None and r.due_on < today,
                   "can_receive": is_manager_officer and r.received_on is None}
                  for r in claim.recoveries.order_by("recorded_on", "pk")]
    context = {
        "claim": claim, "error_message": localized_message(error) if error else None, "amount": format_yuan(claim.amount_fen),
        "loss": format_yuan(claim.principal_loss_fen), "portion": format_yuan(claim.ip_pledge_portion_fen),
        "cap": format_yuan(claim.cap_fen) if claim.cap_fen is not None else None,
        "ratio": _percent(claim.ratio),
        "verify_form": verify_form or VerifyClaimForm(),
        "can_verify": claim.state == ClaimState.FILED and is_manager_officer,
        "can_approve": claim.state == ClaimState.VERIFIED and user.has_role(Role.LEADER),
        "can_pay": claim.state == ClaimState.APPROVED and is_manager_officer,
        "can_withdraw": is_bank and ClaimState.WITHDRAWN in dc.ALLOWED.get(dc.ClaimState(claim.state), frozenset()),
        "withdraw_form": withdraw_form or WithdrawClaimForm(),
        # SC-12: a front-loaded claim's disposal is settled first; recoveries are shared after that.
        "can_record_recovery": is_bank and (claim.state == ClaimState.SETTLED
                                            or (claim.state == ClaimState.PAID and not claim.front_loaded)),
        "recovery_form": recovery_form or RecordRecoveryForm(),
        "recoveries": recoveries,
        "checklist": [CHECKLIST_LABELS[item] for item in dc.ChecklistItem if item.value in (claim.checklist or [])],
        "advance_ratio": _percent(claim.advance_ratio) if claim.advance_ratio is not None else None,
        "disposal": format_yuan(claim.disposal_proceeds_fen) if claim.disposal_proceeds_fen is not None else None,
        "final_amount": format_yuan(claim.final_amount_fen) if claim.final_amount_fen is not None else None,
        "true_up": format_yuan(abs(claim.true_up_fen)) if claim.true_up_fen is not None else None,
        "can_record_disposal": is_bank and claim.front_loaded and claim.state == ClaimState.PAID,
        "disposal_form": disposal_form or RecordDisposalForm(),
        "can_settle": (claim.front_loaded and claim.state == ClaimState.PAID and claim.disposal_proceeds_fen is not None
                       and user.has_role(Role.LEADER)),
        "settle_form": settle_form or SettleClaimForm(),
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


@login_required
@require_POST
def withdraw_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank withdraws its claim before approval, with its reason (BT-15)."""
    user = _user(request)
    claim = _claim(user, pk)
    form = WithdrawClaimForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, withdraw_form=form, status=400)
    try:
        claim = actions.withdraw_claim(user, claim.pk, reason=form.cleaned_data["reason"], on=_today())
    except IpfinError as exc:
        return _claim_page(request, _claim(user, pk), error=exc, withdraw_form=form)
    messages.success(request, _("Claim %(number)s was withdrawn.") % {"number": claim.number})
    return redirect("fund:claim", pk=claim.pk)


@login_required
@require_POST
def record_recovery(request: HttpRequest, pk: int) -> HttpResponse:
    """After the payout the bank records what it recovered; the fund's share becomes due (BT-16)."""
    user = _user(request)
    claim = _claim(user, pk)
    form = RecordRecoveryForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, recovery_form=form, status=400)
    try:
        share = actions.record_recovery(user, claim.pk, recovered_fen=form.recovered_fen(), on=_today())
    except IpfinError as exc:
        return _claim_page(request, _claim(user, pk), error=exc, recovery_form=form)
    messages.success(request, _("Recovery of %(recovered)s recorded: %(share)s due to the fund.")
                     % {"recovered": format_yuan(share.recovered_fen), "share": format_yuan(share.share_fen)})
    return redirect("fund:claim", pk=claim.pk)


@login_required
@require_POST
def record_disposal(request: HttpRequest, pk: int) -> HttpResponse:
    """SC-12: the bank reports the disposal proceeds of a front-loaded claim."""
    user = _user(request)
    claim = _claim(user, pk)
    form = RecordDisposalForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, disposal_form=form, status=400)
    try:
        claim = actions.record_disposal(user, claim.pk, disposal_proceeds_fen=form.proceeds_fen(), on=_today())
    except IpfinError as exc:
        return _claim_page(request, _claim(user, pk), error=exc, disposal_form=form)
    messages.success(request, _("Disposal proceeds of %(amount)s reported.")
                     % {"amount": format_yuan(claim.disposal_proceeds_fen or 0)})
    return redirect("fund:claim", pk=claim.pk)


@login_required
@require_POST
def settle_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """SC-12: the leadership group settles a front-loaded claim after disposal (true-up either way)."""
    user = _user(request)
    claim = _claim(user, pk)
    form = SettleClaimForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, settle_form=form, status=400)
    try:
        claim = actions.settle_claim(user, claim.pk, on=_today(), note=form.cleaned_data.get("note") or "")
    except IpfinError as exc:
        return _claim_page(request, _claim(user, pk), error=exc, settle_form=form)
    messages.success(request, _("Claim %(number)s settled: final compensation %(amount)s.")
                     % {"number": claim.number, "amount": format_yuan(claim.final_amount_fen or 0)})
    return redirect("fund:claim", pk=claim.pk)


@login_required
@require_POST
def receive_recovery_share(request: HttpRequest, pk: int) -> HttpResponse:
    """The fund officer records that the bank returned a recovery share into the dedicated account (BT-16)."""
    user = _user(request)
    share = visible(user, RecoveryShare).filter(pk=pk).values_list("claim_id", flat=True).first()
    if share is None:
        raise Http404
    try:
        row = actions.receive_recovery_share(user, pk, on=_today())
    except IpfinError as exc:
        return _claim_page(request, _claim(user, share), error=exc)
    messages.success(request, _("Recovery share of %(amount)s received.") % {"amount": format_yuan(row.share_fen)})
    return redirect("fund:claim", pk=share)
