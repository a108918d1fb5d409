"""Pledge pages: the scoped registration list with clock badges, the IP-office queue, the detail page with
its moves (register / reject / change / release), the bank's filing page, the PDF form, and the public
announcement search (no login, SC-13). Reads go through ``visible``/``get_visible``; changes through actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipfin.accounts.choices import Role
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import InvalidInput, IpfinError
from ipfin.domain.money import format_yuan, yuan_to_fen
from ipfin.origination.choices import ApplicationStatus, ContractStatus
from ipfin.origination.models import Contract
from ipfin.pledges import actions
from ipfin.pledges.choices import ChangeKind, RefusalGround, RegistrationStatus
from ipfin.pledges.models import PledgeRegistration
from ipfin.pledges.pdf import amount_in_words, application_form_pdf
from ipfin.pledges.selectors import (
    CLOCK_BADGES,
    PUBLIC_STATUSES,
    office_queue,
    public_search,
    registration_clock,
)
from ipfin.web.errors import render_error

PAGE_SIZE = 25
PUBLIC_PAGE_SIZE = 20


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@login_required
@require_GET
def registration_list(request: HttpRequest) -> HttpResponse:
    today = business_date()
    queryset = visible(request.user, PledgeRegistration)  # type: ignore[arg-type]
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if status in RegistrationStatus.values:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(filing_number__icontains=q) | queryset.filter(registration_number__icontains=q) \
            | queryset.filter(pledgor__organisation__name__contains=q)
    if request.GET.get("overdue") == "1":
        queryset = queryset.filter(status=RegistrationStatus.FILED, due_on__lt=today)
    page = Paginator(queryset.order_by("-filed_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r, registration_clock(r, today)) for r in page.object_list]
    filters = {k: v for k, v in {"status": status, "q": q, "overdue": request.GET.get("overdue", "")}.items() if v}
    return render(request, "pledges/list.html", {
        "page": page, "rows": rows, "filters": filters, "querystring": urlencode(filters),
        "status_choices": RegistrationStatus.choices, "badges": CLOCK_BADGES,
        "can_file": request.user.has_role(Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD),  # type: ignore[union-attr]
    })


@login_required
@require_GET
def office_queue_page(request: HttpRequest) -> HttpResponse:
    today = business_date()
    return render(request, "pledges/queue.html", {"rows": office_queue(request.user, today),  # type: ignore[arg-type]
                                                  "badges": CLOCK_BADGES, "today": today})


@login_required
@require_GET
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        registration = get_visible(request.user, PledgeRegistration, pk=pk)  # type: ignore[arg-type]
    except IpfinError as exc:
        return render_error(request, exc)
    today = business_date()
    timeline = [(RegistrationStatus.FILED.label, registration.filed_on)]
    if registration.decided_on:
        decided = registration.status if registration.status in (RegistrationStatus.REJECTED,
                                                                  RegistrationStatus.WITHDRAWN) \
            else RegistrationStatus.REGISTERED
        timeline.append((RegistrationStatus(decided).label, registration.decided_on))
    changes = list(registration.changes.order_by("changed_on", "id"))
    timeline += [(f"{RegistrationStatus.CHANGED.label}: {c.get_kind_display()}", c.changed_on) for c in changes]
    if registration.released_on:
        timeline.append((RegistrationStatus.RELEASED.label, registration.released_on))
    return render(request, "pledges/detail.html", {
        "registration": registration, "clock": registration_clock(registration, today), "badges": CLOCK_BADGES,
        "assets": [link.asset for link in registration.assets.select_related("asset").order_by("asset_id")],
        "changes": changes, "timeline": timeline,
        "moves": actions.allowed_moves(request.user, registration),  # type: ignore[arg-type]
        "secured_yuan": format_yuan(registration.secured_amount_fen),
        "secured_words": amount_in_words(registration.secured_amount_fen),
        "ground_choices": RefusalGround.choices, "change_kinds": ChangeKind.choices, "today": today,
    })


@login_required
@require_GET
def registration_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        registration = get_visible(request.user, PledgeRegistration, pk=pk)  # type: ignore[arg-type]
    except IpfinError as exc:
        return render_error(request, exc)
    return pdf_response(registration)


def pdf_response(registration: PledgeRegistration) -> HttpResponse:
    response = HttpResponse(application_form_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{registration.filing_number}.pdf"'
    return response


def _change_payload(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    kind = request.POST.get("kind", "")
    if kind == ChangeKind.SECURED_AMOUNT:
        try:
            return kind, {"secured_amount_fen": yuan_to_fen(request.POST.get("secured_amount_yuan", "").strip())}
        except (ArithmeticError, ValueError, IpfinError):
            raise InvalidInput(reason=_("enter the new secured amount in yuan")) from None
    if kind == ChangeKind.TERM:
        return kind, {"term_start": request.POST.get("term_start") or None, "term_end": request.POST.get("term_end")}
    if kind == ChangeKind.PARTY_NAME:
        return kind, {k: request.POST.get(k, "") for k in ("pledgor_name", "pledgee_name") if request.POST.get(k)}
    return kind, {"description": request.POST.get("description", "")} if request.POST.get("description") else {}


@login_required
@require_POST
def registration_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    user = request.user
    try:
        if move == "register":
            actions.register_pledge(user, pk, registration_number=request.POST.get("registration_number") or None)  # type: ignore[arg-type]
            messages.success(request, _("The pledge is registered and announced."))
        elif move == "reject":
            actions.reject_registration(user, pk, ground=request.POST.get("ground", ""),  # type: ignore[arg-type]
                                        note=request.POST.get("note", ""))
            messages.success(request, _("The registration was refused."))
        elif move == "change":
            kind, after = _change_payload(request)
            actions.change_registration(user, pk, kind=kind, after=after,  # type: ignore[arg-type]
                                        reason=request.POST.get("reason", ""))
            messages.success(request, _("The change is registered."))
        elif move == "release":
            actions.release_pledge(user, pk, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
            messages.success(request, _("The pledge is released."))
        else:
            raise InvalidInput(reason=_("unknown action"))
    except IpfinError as exc:
        messages.error(request, localized_message(exc))
    return HttpResponseRedirect(reverse("pledges:detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def file_page(request: HttpRequest) -> HttpResponse:
    """The bank files a registration for one of its signed contracts awaiting the pledge."""
    user = request.user
    if request.method == "POST":
        try:
            contract_id = int(request.POST.get("contract_id", ""))
        except ValueError:
            messages.error(request, _("Choose a contract."))
            return HttpResponseRedirect(reverse("pledges:file"))
        try:
            registration = actions.file_registration(user, contract_id)  # type: ignore[arg-type]
        except IpfinError as exc:
            messages.error(request, localized_message(exc))
            return HttpResponseRedirect(reverse("pledges:file") + f"?contract={contract_id}")
        messages.success(request, _("The pledge registration was filed with the IP office."))
        return HttpResponseRedirect(reverse("pledges:detail", args=[registration.pk]))
    org_id = user.organisation_id if user.has_role(*actions.BANK_ROLES) else None  # type: ignore[union-attr]
    scoped = visible(user, Contract)  # type: ignore[arg-type]
    contracts = list(scoped.select_related("application__enterprise__organisation", "application__bank")
                     .filter(Q(application__bank_id=org_id) | Q(application__bank__head_office_id=org_id),
                             status=ContractStatus.SIGNED, application__status=ApplicationStatus.CONTRACT_SIGNED)
                     .exclude(pledge_registrations__status__in=actions.OPEN_STATES)
                     .order_by("-signed_on", "-id")[:200]) if org_id else []
    return render(request, "pledges/file.html", {
        "contracts": contracts, "selected": request.GET.get("contract", ""),
    })


@require_GET
def public_pledges(request: HttpRequest) -> HttpResponse:
    """质押登记公示: anyone may search; only public fields are ever read (SC-13)."""
    filters = {k: request.GET.get(k, "").strip()[:100] for k in ("number", "pledgor", "pledgee", "status")}
    try:
        result = public_search(**filters, page=_page_number(request.GET.get("page")), page_size=PUBLIC_PAGE_SIZE)
    except IpfinError as exc:
        return render_error(request, exc)
    active = {k: v for k, v in filters.items() if v}
    return render(request, "pledges/public.html", {
        "result": result, "filters": filters, "querystring": urlencode(active),
        "status_choices": [(s, RegistrationStatus(s).label) for s in PUBLIC_STATUSES],
        "searched": bool(active),
    })
