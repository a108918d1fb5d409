"""Market pages: products on offer for enterprises (with an "apply" link), the bank's products (list, create,
edit, put on offer, withdraw) and credit plans with their utilisation. Reads go through ``visible``; changes
through :mod:`ipfin.market.actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipfin.accounts.choices import OrganisationKind
from ipfin.accounts.models import User
from ipfin.accounts.permissions import org_scope
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import InvalidInput, IpfinError, PermissionDenied
from ipfin.domain.money import format_amount_cn
from ipfin.domain.regions import region_name
from ipfin.market import actions
from ipfin.market.choices import ProductStatus, RepaymentMethod, RiskSharing
from ipfin.market.forms import CreditPlanForm, OfferFilterForm, ProductForm, wan_to_fen
from ipfin.market.models import CreditPlan, Product
from ipfin.market.selectors import filter_offers, utilisation_share, with_utilisation
from ipfin.registry.choices import AssetKind
from ipfin.web.errors import render_error, shows_ipfin_errors


def _labels(values: list[str] | None, choices: Any) -> list[str]:
    """Stored codes shown as their translated labels (an unknown code as itself)."""
    names = dict(choices)
    return [str(names.get(v, v)) for v in values or []]


def product_labels(product: Product) -> dict[str, list[str]]:
    """The product's list fields as the user reads them: IP kinds, repayment methods, risk sharers by label and
    regions by name (``region_name``), never as raw codes."""
    return {"accepted_kinds": _labels(product.accepted_kinds, AssetKind.choices),
            "repayment_methods": _labels(product.repayment_methods, RepaymentMethod.choices),
            "risk_sharing_options": _labels(product.risk_sharing_options, RiskSharing.choices),
            "regions": [region_name(code) for code in product.regions or []]}


def can_manage(user: User) -> bool:
    org = user.organisation if user.organisation_id else None
    return org is not None and org.kind == OrganisationKind.BANK and user.has_role(*actions.MANAGER_ROLES)


def _plans_for_form(user: User) -> Any:
    return visible(user, CreditPlan).filter(org_scope(user, "bank")).select_related("bank")


@login_required
@require_GET
def offers(request: HttpRequest) -> HttpResponse:
    """Products on offer, filtered by IP kind, region and amount (enterprises shop here)."""
    form = OfferFilterForm(request.GET or None)
    rows = visible(request.user, Product).filter(status=ProductStatus.ACTIVE)  # type: ignore[arg-type]
    products: list[Product] = []
    if form.is_bound and not form.is_valid():
        products = filter_offers(rows)
    else:
        data = form.cleaned_data if form.is_bound else {}
        region = data.get("region") or None
        try:
            products = filter_offers(rows, kind=data.get("kind") or None, region=region,
                                     amount_fen=wan_to_fen(data["amount_wan"]) if data.get("amount_wan") else None)
        except IpfinError as exc:
            form.add_error("region", localized_message(exc))
            products = filter_offers(rows)
    for product in products:
        product.region_names = [region_name(code) for code in product.regions or []]  # type: ignore[attr-defined]
    return render(request, "market/offers.html", {"form": form, "products": products})


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    """The products a bank (head office: with its branches') manages, and for a branch also its head office's
    products it sells (``create_application`` lets a branch lend on them); authorities and the platform see
    all."""
    user: User = request.user  # type: ignore[assignment]
    scope = org_scope(user, "bank")
    org = user.organisation if user.organisation_id else None
    if org is not None and org.kind == OrganisationKind.BANK and org.head_office_id:
        scope |= Q(bank_id=org.head_office_id)
    rows = visible(user, Product).filter(scope).select_related("bank", "credit_plan")
    return render(request, "market/products.html", {"products": rows, "can_manage": can_manage(user)})


@login_required
@require_GET
@shows_ipfin_errors
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    product = get_visible(user, Product, pk=product_id)
    return render(request, "market/product_detail.html", {
        "product": product, "can_manage": can_manage(user) and visible(user, Product).filter(
            org_scope(user, "bank"), pk=product.pk).exists(),
        "amount_min": format_amount_cn(product.amount_min_fen), "amount_max": format_amount_cn(product.amount_max_fen),
        "ltv_percent": product.max_loan_to_value * 100, "labels": product_labels(product),
    })


@login_required
@require_http_methods(["GET", "POST"])
def product_form(request: HttpRequest, product_id: int | None = None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    product = None
    try:
        if not can_manage(user):
            raise PermissionDenied()
        if product_id is not None:
            product = get_visible(user, Product, pk=product_id)
    except IpfinError as exc:
        return render_error(request, exc)
    plans = _plans_for_form(user)
    status = 200
    if request.method == "POST":
        form = ProductForm(request.POST, plans=plans)
        if form.is_valid():
            try:
                if product is None:
                    product = actions.create_product(user, **form.action_fields())
                    messages.success(request, _("The product was saved as a draft."))
                else:
                    product = actions.update_product(user, product.pk, **form.action_fields())
                    messages.success(request, _("The product was saved."))
                return redirect("market:product", product_id=product.pk)
            except IpfinError as exc:
                form.add_error(None, localized_message(exc))
                status = exc.http_status
        else:
            status = 400
    else:
        form = ProductForm(initial=ProductForm.initial_for(product) if product else None, plans=plans)
    return render(request, "market/product_form.html", {"form": form, "product": product}, status=status)


@login_required
@require_POST
def product_action(request: HttpRequest, product_id: int, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        if action == "activate":
            actions.activate_product(user, product_id)
            messages.success(request, _("The product is on offer."))
        elif action == "withdraw":
            actions.withdraw_product(user, product_id)
            messages.success(request, _("The product was withdrawn."))
        else:
            raise InvalidInput(reason=_("unknown action"))
    except IpfinError as exc:
        messages.error(request, localized_message(exc))
    return redirect("market:product", product_id=product_id)


@login_required
@require_http_methods(["GET", "POST"])
def credit_plans(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    manage = can_manage(user)
    form = CreditPlanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not manage:
            return render_error(request, PermissionDenied())
        if form.is_valid():
            try:
                actions.create_credit_plan(user, year=form.cleaned_data["year"],
                                           amount_fen=wan_to_fen(form.cleaned_data["amount_wan"]),
                                           region_code=form.cleaned_data["region_code"])
                messages.success(request, _("The credit plan was saved."))
                return redirect("market:plans")
            except IpfinError as exc:
                form.add_error(None, localized_message(exc))
                status = exc.http_status
        else:
            status = 400
    rows = []
    for plan in with_utilisation(visible(user, CreditPlan).select_related("bank")):
        rows.append({"plan": plan, "amount": format_amount_cn(plan.amount_fen),
                     "utilised": format_amount_cn(plan.utilised_fen),  # type: ignore[attr-defined]
                     "share": utilisation_share(plan, plan.utilised_fen)})  # type: ignore[attr-defined]
    return render(request, "market/plans.html", {"rows": rows, "form": form, "can_manage": manage}, status=status)
