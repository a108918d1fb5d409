"""Origination pages: an enterprise applies to a product, uploads documents and tracks its applications;
a bank works its queue (by decision deadline), reviews with the check list, approves, signs the contract,
files the pledge registration and disburses; the IP office and the regulator watch SLA compliance per bank.

Reads go through ``visible``/``get_visible``; every state change is one call of
:mod:`ipfin.origination.actions`. A typed error is shown as an alert on the page it came from (with its
HTTP status), never a 500; ``ChecksFailed`` lists the failed checks with their clauses."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipfin.accounts.choices import Role
from ipfin.accounts.models import User
from ipfin.accounts.permissions import require_role
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import get_visible, registered_models, visible
from ipfin.domain.errors import InvalidInput, IpfinError, NotFound, PermissionDenied
from ipfin.domain.money import format_amount_cn, format_percent
from ipfin.domain.sla import SlaClock, SlaState
from ipfin.market.choices import ProductStatus, RiskSharing
from ipfin.market.models import Product
from ipfin.origination import actions, dashboard, selectors
from ipfin.origination.choices import (
    APPLICATION_ALLOWED,
    ApplicationStatus,
    CheckOutcome,
)
from ipfin.origination.choices import SlaState as SlaStateChoice
from ipfin.origination.forms import (
    ApplicationForm,
    ApproveForm,
    DisburseForm,
    DocumentForm,
    ReasonForm,
    SignForm,
)
from ipfin.origination.models import Application, ApplicationCheck, ApplicationDocument, Contract
from ipfin.registry.models import Enterprise
from ipfin.web.errors import render_error

S = ApplicationStatus
PAGE_SIZE = 25
ENTERPRISE_ROLES = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)
OFFICER_ROLES = (Role.LOAN_OFFICER, Role.BRANCH_HEAD)  # handle the file: complete, review, sign, file, disburse
DECIDER_ROLES = (Role.APPROVER, Role.BRANCH_HEAD)  # decide: approve, reject
SLA_READER_ROLES = tuple(dashboard.SLA_READER_ROLES)  # the menu shows 时限监测 to the same roles
# States before the decision in which documents may still be added.
DOCUMENT_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.COMPLETE, S.UNDER_REVIEW, S.RETURNED})
SLA_BADGE = {
    SlaState.ON_TIME: "text-bg-success", SlaState.DUE_SOON: "text-bg-warning", SlaState.OVERDUE: "text-bg-danger",
    SlaState.PAUSED: "text-bg-secondary", SlaState.MET: "text-bg-success", SlaState.MISSED: "text-bg-danger",
    SlaState.CALENDAR_NOT_PUBLISHED: "text-bg-dark",
}
STATUS_BADGE = {
    S.DRAFT: "text-bg-light border", S.SUBMITTED: "text-bg-info", S.COMPLETE: "text-bg-info",
    S.UNDER_REVIEW: "text-bg-primary", S.RETURNED: "text-bg-warning", S.APPROVED: "text-bg-success",
    S.REJECTED: "text-bg-danger", S.CONTRACT_SIGNED: "text-bg-success", S.PLEDGE_REGISTERED: "text-bg-success",
    S.DISBURSED: "text-bg-dark", S.WITHDRAWN: "text-bg-secondary", S.EXPIRED: "text-bg-secondary",
}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _today() -> date:
    return business_date()


# --- presentation helpers -------------------------------------------------------------------------------


@dataclass
class ClockBadge:
    state: str
    label: str
    css: str
    due_on: date | None
    working_days_left: int | None

    @classmethod
    def of(cls, clock: SlaClock) -> ClockBadge:
        state = str(clock.state)
        return cls(state, str(dict(SlaStateChoice.choices).get(state, state)), SLA_BADGE.get(clock.state, ""),
                   clock.due_on, clock.working_days_left)


def decision_clock(application: Application, today: date) -> ClockBadge | None:
    """The decision clock (PZA-2.2.1b) as a badge; None where no clock applies (see the selector)."""
    clock = selectors.decision_clock(application, today)
    return ClockBadge.of(clock) if clock is not None else None


def latest_checks(application: Application) -> list[ApplicationCheck]:
    return selectors.latest_checks(application)


def _failures(error: IpfinError) -> list[dict[str, Any]]:
    """The failed checks a ``ChecksFailed`` carries in ``details["failures"]`` (code, clause, message)."""
    items = error.details.get("failures")
    if not isinstance(items, (list, tuple)):
        return []
    return [{"code": item.get("code", ""), "clause": item.get("clause", ""), "message": item.get("message", "")}
            for item in items if isinstance(item, dict)]


def _unwrap(exc: IpfinError) -> None:
    """NotFound is a 404 (never a hint that the record exists)."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc)) from None


def pledge_filing_url(contract: Contract) -> str:
    """The pledges app's filing page with this contract chosen (``/pledges/file/?contract=ID``); by path
    should that URL name ever be missing."""
    try:
        return f"{reverse('pledges:file')}?contract={contract.pk}"
    except NoReverseMatch:
        return f"/pledges/file/?contract={contract.pk}"


def _pledge_registration_model() -> Any:
    try:
        from ipfin.pledges.models import PledgeRegistration
    except ImportError:  # pragma: no cover - the pledges app ships its models with the origination issue
        return None
    return PledgeRegistration if PledgeRegistration in registered_models() else None


def _contract_of(application: Application) -> Contract | None:
    try:
        return application.contract
    except Contract.DoesNotExist:
        return None


def _is_applicant(user: User, application: Application) -> bool:
    return user.has_role(*ENTERPRISE_ROLES) and user.organisation_id == application.enterprise.organisation_id


def available_actions(user: User, application: Application) -> set[str]:
    """What the page offers this user in this state: the state from the transition table, the person from the
    same ``actions.can_*`` question the action asks (the action still decides for good and says why not)."""
    status = application.status
    allowed = APPLICATION_ALLOWED[status]
    offered: set[str] = set()
    if actions.can_edit(user, application) and status in actions.EDITABLE_STATES:
        offered |= {"edit", "submit"}
    if actions.can_add_document(user, application) and status in DOCUMENT_STATES:
        offered.add("upload")
    if actions.can_withdraw(user, application) and S.WITHDRAWN in allowed:
        offered.add("withdraw")
    if S.RETURNED in allowed and status != S.DRAFT and actions.can_return(user, application):
        offered.add("return")
    if status == S.COMPLETE and actions.can_review(user, application):
        offered.add("review")
    if status == S.UNDER_REVIEW and actions.can_decide(user, application):
        offered |= {"approve", "reject"}
    if actions.can_handle(user, application):
        if status == S.SUBMITTED:
            offered.add("complete")
        if S.EXPIRED in allowed:
            offered.add("expire")
        if status == S.APPROVED:
            offered.add("sign")
        if status == S.PLEDGE_REGISTERED:
            offered.add("disburse")
    if status == S.CONTRACT_SIGNED and _can_file_pledge(user, application):
        offered.add("file_pledge")
    return offered


def _can_file_pledge(user: User, application: Application) -> bool:
    """The pledges app's own question (``pledges.actions.can_file``) for the filing page it serves."""
    contract = _contract_of(application)
    if contract is None or _pledge_registration_model() is None:
        return False
    from ipfin.pledges.actions import can_file

    return can_file(user, contract)


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _rows(applications: Any, today: date) -> list[dict[str, Any]]:
    return [{"application": a, "clock": decision_clock(a, today), "amount": format_amount_cn(a.amount_fen),
             "status_css": STATUS_BADGE.get(a.status, "")} for a in applications]


# --- enterprise: apply, list, edit ----------------------------------------------------------------------


def _product_on_offer(user: User, product_id: int) -> Product:
    products = (visible(user, Product) if Product in registered_models()
                else Product.objects.all())
    try:
        return products.select_related("bank").get(pk=product_id, status=ProductStatus.ACTIVE)
    except Product.DoesNotExist:
        raise Http404(_("This product is not on offer.")) from None


def _applicant_enterprise(request: HttpRequest, user: User) -> Enterprise | None:
    """The enterprise applying: the user's own, or (a bank officer applying on its behalf) the one chosen."""
    if user.has_role(*ENTERPRISE_ROLES):
        return visible(user, Enterprise).filter(organisation_id=user.organisation_id).first()
    chosen = request.POST.get("enterprise") or request.GET.get("enterprise")
    if chosen and chosen.isdigit():
        return visible(user, Enterprise).filter(pk=int(chosen)).first()
    return None


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, product_id: int) -> HttpResponse:
    user = _actor(request)
    product = _product_on_offer(user, product_id)
    if not actions.can_apply(user, product):
        return render_error(request, PermissionDenied())
    enterprise = _applicant_enterprise(request, user)
    context: dict[str, Any] = {"product": product, "enterprise": enterprise,
                               "amount_range": (format_amount_cn(product.amount_min_fen),
                                                format_amount_cn(product.amount_max_fen))}
    if enterprise is None:
        if user.has_role(*ENTERPRISE_ROLES):
            return render_error(request, InvalidInput(reason=_("your enterprise has no registry record yet")))
        context["enterprises"] = visible(user, Enterprise).select_related("organisation")
        context["choose_enterprise"] = True
        return render(request, "origination/apply.html", context)
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, user=user, product=product, enterprise=enterprise)
        if form.is_valid():
            try:
                application = actions.create_application(
                    user, product_id=product.pk,
                    enterprise_id=None if user.has_role(*ENTERPRISE_ROLES) else enterprise.pk,
                    idempotency_key=form.cleaned_data.get("idempotency_key") or None,
                    today=_today(), **form.action_arguments())
            except IpfinError as exc:
                _unwrap(exc)
                context.update(error_message=localized_message(exc), error_code=exc.code,
                               failed_checks=_failures(exc))
                status = exc.http_status
            else:
                messages.success(request, _("The application %(number)s was saved as a draft. Upload the documents "
                                            "and submit it.") % {"number": application.number})
                return redirect("origination:application", pk=application.pk)
        else:
            status = 400
    else:
        form = ApplicationForm(user=user, product=product, enterprise=enterprise)
    context["form"] = form
    return render(request, "origination/apply.html", context, status=status)


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    """The user's applications: an enterprise its own, a bank those it received, an authority its region's."""
    user = _actor(request)
    queryset = visible(user, Application).select_related("product", "bank", "enterprise__organisation")
    status = request.GET.get("status") or ""
    if status in S.values:
        queryset = queryset.filter(status=status)
    page = _page(request, queryset.order_by("-created_at", "-id"))
    return render(request, "origination/application_list.html", {
        "page": page, "rows": _rows(page.object_list, _today()), "status": status, "status_choices": S.choices,
        "products": _products_on_offer(user) if user.has_role(*ENTERPRISE_ROLES) else [],
    })


def _products_on_offer(user: User) -> list[Product]:
    products = visible(user, Product) if Product in registered_models() else Product.objects.all()
    return list(products.filter(status=ProductStatus.ACTIVE).select_related("bank").order_by("bank__name", "name")[:20])


def _application(user: User, pk: int) -> Application:
    try:
        return get_visible(user, Application, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    application = _application(user, pk)
    if "edit" not in available_actions(user, application):
        return _detail(request, application, error=PermissionDenied())
    context: dict[str, Any] = {"product": application.product, "enterprise": application.enterprise,
                               "application": application,
                               "amount_range": (format_amount_cn(application.product.amount_min_fen),
                                                format_amount_cn(application.product.amount_max_fen))}
    status = 200
    kwargs = {"user": user, "product": application.product, "enterprise": application.enterprise}
    if request.method == "POST":
        form = ApplicationForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                actions.update_application(user, application.pk, **form.action_arguments())
            except IpfinError as exc:
                _unwrap(exc)
                context.update(error_message=localized_message(exc), error_code=exc.code,
                               failed_checks=_failures(exc))
                status = exc.http_status
            else:
                messages.success(request, _("The application was saved."))
                return redirect("origination:application", pk=application.pk)
        else:
            status = 400
    else:
        form = ApplicationForm(initial=ApplicationForm.initial_for(application), **kwargs)
    context["form"] = form
    return render(request, "origination/apply.html", context, status=status)


# --- the application page (enterprise and bank) ---------------------------------------------------------


def _detail(request: HttpRequest, application: Application, *, error: IpfinError | None = None,
            forms: dict[str, Any] | None = None, status: int | None = None) -> HttpResponse:
    user = _actor(request)
    today = _today()
    offered = available_actions(user, application)
    contract = _contract_of(application)
    checks = latest_checks(application)
    registrations: list[Any] = []
    model = _pledge_registration_model()
    if model is not None and contract is not None:
        registrations = list(visible(user, model).filter(contract=contract).order_by("-filed_on", "-id"))
    context: dict[str, Any] = {
        "application": application,
        "status_css": STATUS_BADGE.get(application.status, ""),
        "clock": decision_clock(application, today),
        "amount": format_amount_cn(application.amount_fen),
        "approved_amount": (format_amount_cn(application.approved_amount_fen)
                            if application.approved_amount_fen is not None else ""),
        "assets": [{"link": link, "value": format_amount_cn(link.value_fen) if link.value_fen is not None else ""}
                   for link in application.assets.select_related("asset").order_by("asset__number")],
        "checks": checks,
        "failed_count": sum(1 for c in checks if c.outcome == CheckOutcome.FAILED),
        "documents": application.documents.select_related("uploaded_by").order_by("uploaded_at", "id"),
        "offered": offered,
        "contract": contract,
        "registrations": registrations,
        "pledge_url": pledge_filing_url(contract) if contract is not None and "file_pledge" in offered else "",
        "document_form": DocumentForm(),
        "reason_form": ReasonForm(),
        "withdraw_form": ReasonForm(required=False, prefix="withdraw"),
        "approve_form": ApproveForm(initial={"annual_rate": application.proposed_rate}, application=application),
        "sign_form": SignForm(today=today),
        "disburse_form": DisburseForm(today=today),
        "is_applicant": _is_applicant(user, application),
    }
    context.update(forms or {})
    if error is not None:
        context.update(error_message=localized_message(error), error_code=error.code, failed_checks=_failures(error))
    return render(request, "origination/application_detail.html", context,
                  status=status or (error.http_status if error is not None else 200))


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _application(_actor(request), pk))


@login_required
@require_POST
def upload_document(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    application = _application(user, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, application, forms={"document_form": form}, status=400)
    try:
        actions.add_document(user, application.pk, kind=form.cleaned_data["kind"],
                                uploaded_file=form.cleaned_data["file"])
    except IpfinError as exc:
        _unwrap(exc)
        return _detail(request, application, error=exc, forms={"document_form": form})
    messages.success(request, _("The document was uploaded."))
    return redirect("origination:application", pk=application.pk)


@login_required
@require_GET
def download_document(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    application = _application(_actor(request), pk)
    try:
        document = application.documents.get(pk=document_id)
    except ApplicationDocument.DoesNotExist:
        raise Http404 from None
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)


def _invalid(form: Any) -> InvalidInput:
    problems = "; ".join(f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
                         for name, errors in form.errors.items())
    return InvalidInput(reason=problems)


def _perform(request: HttpRequest, user: User, application: Application, action: str) -> str:
    """Call the one action function for ``action``; returns the success message. Raises IpfinError."""
    today = _today()
    pk = application.pk
    post = request.POST
    if action == "submit":
        actions.submit_application(user, pk, today=today)
        return _("The application was submitted to the bank.")
    if action == "withdraw":
        actions.withdraw_application(user, pk, reason=post.get("withdraw-reason", "").strip(), today=today)
        return _("The application was withdrawn.")
    if action == "complete":
        actions.mark_complete(user, pk, today=today)
        return _("The application is complete; the decision clock has started.")
    if action in ("return", "reject"):
        form = ReasonForm(post)
        if not form.is_valid():
            raise _invalid(form)
        if action == "return":
            actions.return_application(user, pk, reason=form.cleaned_data["reason"], today=today)
            return _("The application was returned to the applicant.")
        actions.reject_application(user, pk, reason=form.cleaned_data["reason"], today=today)
        return _("The application was rejected.")
    if action == "review":
        actions.start_review(user, pk, today=today)
        return _("The review has started.")
    if action == "approve":
        form = ApproveForm(post, application=application)
        if not form.is_valid():
            raise _invalid(form)
        actions.approve_application(user, pk, today=today, **form.action_arguments())
        return _("The application was approved; the draft contract is ready to sign.")
    if action == "expire":
        actions.expire_application(user, pk, today=today)
        return _("The application has expired.")
    if action == "sign":
        form = SignForm(post)
        if not form.is_valid():
            raise _invalid(form)
        actions.sign_contract(user, pk, signed_on=form.cleaned_data["signed_on"],
                              start_on=form.cleaned_data["start_on"])
        return _("The contract was signed. File the pledge registration next.")
    if action == "disburse":
        form = DisburseForm(post)
        if not form.is_valid():
            raise _invalid(form)
        actions.disburse(user, pk, disbursed_on=form.cleaned_data["disbursed_on"])
        return _("The loan was disbursed.")
    raise Http404


ACTIONS = frozenset({"submit", "withdraw", "complete", "return", "review", "approve", "reject", "expire", "sign",
                     "disburse"})


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    user = _actor(request)
    application = _application(user, pk)
    try:
        message = _perform(request, user, application, action)
    except IpfinError as exc:
        _unwrap(exc)
        application.refresh_from_db()
        return _detail(request, application, error=exc)
    messages.success(request, message)
    return redirect("origination:application", pk=application.pk)


# --- bank: the queue ------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    try:
        require_role(user, *BANK_ROLES, Role.PLATFORM_ADMIN)
    except PermissionDenied as exc:
        return render_error(request, exc)
    today = _today()
    rows = _rows(selectors.queue_for(user, today), today)
    return render(request, "origination/queue.html", {
        "rows": rows, "today": today,
        "overdue": sum(1 for r in rows if r["clock"] and r["clock"].state == SlaState.OVERDUE),
    })


# --- IP office / regulator: SLA compliance per bank -----------------------------------------------------


@dataclass
class SlaRow:
    """One bank's clocks in the period: due in it, met, missed, still open and overdue, paused, open."""

    name: str
    due: int = 0
    met: int = 0
    missed: int = 0
    open_overdue: int = 0
    open: int = 0
    paused: int = 0
    no_calendar: int = 0  # running clocks without a due date: the calendar of their year is not published
    overdue_items: list[Any] = field(default_factory=list)

    @property
    def settled(self) -> int:
        return self.met + self.missed + self.open_overdue

    @property
    def compliance(self) -> int | None:
        """Met ÷ (met + missed + open overdue), in whole percent; None while nothing is settled."""
        if not self.settled:
            return None
        return round(100 * self.met / self.settled)


def _period(request: HttpRequest, today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    last = today.replace(day=month_calendar.monthrange(today.year, today.month)[1])
    try:
        if request.GET.get("from"):
            first = date.fromisoformat(request.GET["from"])
        if request.GET.get("to"):
            last = date.fromisoformat(request.GET["to"])
    except ValueError:
        raise InvalidInput(reason=_("enter the period as YYYY-MM-DD")) from None
    if last < first:
        raise InvalidInput(reason=_("the period ends before it starts"))
    return first, last


def decision_compliance(user: User, first: date, last: date, today: date) -> list[SlaRow]:
    """Per bank: applications whose decision was due in the period (PZA-2.2.1b), counted by the selector,
    with the open overdue ones listed."""
    rows = {entry["bank_id"]: SlaRow(entry["bank"], due=entry["due"], met=entry["met"], missed=entry["missed"],
                                     open_overdue=entry["open_overdue"], open=entry["open"], paused=entry["paused"],
                                     no_calendar=entry["no_calendar"])
            for entry in selectors.sla_compliance(user, first, last, today)}
    overdue = (visible(user, Application).filter(decision_due_on__range=(first, last), decision_due_on__lt=today,
                                                 decided_on__isnull=True)
               .exclude(status__in=[S.RETURNED, S.WITHDRAWN, S.EXPIRED]).order_by("decision_due_on", "pk"))
    for application in overdue:
        if application.bank_id in rows:
            rows[application.bank_id].overdue_items.append(application)
    return sorted(rows.values(), key=lambda r: r.name)


def registration_compliance(user: User, first: date, last: date, today: date) -> list[SlaRow] | None:
    """Per pledgee bank: pledge registrations due in the period (PZA-2.2.1a, XT-14); None while the pledges
    app has no visibility function for them yet."""
    model = _pledge_registration_model()
    if model is None:
        return None
    rows: dict[int, SlaRow] = {}
    registrations = (visible(user, model).filter(due_on__range=(first, last)).exclude(status="withdrawn")
                     .select_related("pledgee").order_by("due_on", "pk"))
    for registration in registrations:
        row = rows.setdefault(registration.pledgee_id, SlaRow(registration.pledgee.name))
        row.due += 1
        done_on = registration.registered_on or registration.decided_on
        if done_on is not None:
            if done_on <= registration.due_on:
                row.met += 1
            else:
                row.missed += 1
        elif registration.due_on < today:
            row.open_overdue += 1
            row.overdue_items.append(registration)
        else:
            row.open += 1
    waiting = (visible(user, model).filter(status="filed", due_on__isnull=True, sla_working_days__isnull=False,
                                           filed_on__lte=last).select_related("pledgee"))
    for registration in waiting:  # a time limit applies, but the calendar of its year is not published
        rows.setdefault(registration.pledgee_id, SlaRow(registration.pledgee.name)).no_calendar += 1
    return sorted(rows.values(), key=lambda r: r.name)


@login_required
@require_GET
def sla_overview(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    today = _today()
    try:
        require_role(user, *SLA_READER_ROLES)
        first, last = _period(request, today)
    except IpfinError as exc:
        return render_error(request, exc)
    decisions = decision_compliance(user, first, last, today)
    registrations = registration_compliance(user, first, last, today)
    chart = {
        "title": _("Decisions on time (%)"), "series_name": _("Compliance (%)"),
        "labels": [r.name for r in decisions if r.compliance is not None],
        "values": [r.compliance for r in decisions if r.compliance is not None],
    }
    return render(request, "origination/sla.html", {
        "first": first, "last": last, "today": today, "decisions": decisions, "registrations": registrations,
        "chart": chart if chart["labels"] else None,
    })


def _share(value: Any) -> str:
    """A risk share stored as a decimal string ("0.40") shown as a percentage ("40.00%")."""
    try:
        return format_percent(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


# --- the contract (read only) ---------------------------------------------------------------------------


@login_required
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    try:
        contract = get_visible(user, Contract, pk=pk)
    except NotFound:
        raise Http404 from None
    application = contract.application
    parties = {"bank": _("Bank"), **{key: str(label) for key, label in RiskSharing.choices}}
    shares = [{"party": parties.get(party, party), "share": _share(value)}
              for party, value in (contract.risk_shares or {}).items()]
    collateral = [{"link": link, "value": format_amount_cn(link.value_fen) if link.value_fen is not None else ""}
                  for link in application.assets.select_related("asset").order_by("asset__number")]
    return render(request, "origination/contract.html", {
        "contract": contract, "application": application, "principal": format_amount_cn(contract.principal_fen),
        "collateral_value": format_amount_cn(contract.collateral_value_fen), "collateral": collateral,
        "shares": shares,
    })
