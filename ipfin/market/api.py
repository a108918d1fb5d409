"""API of the market app, mounted at `/api/v1/market/`: products (金融产品) and credit plans (专项信贷计划)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.idempotency import run_idempotent
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import InvalidInput
from ipfin.domain.regions import validate_region_code
from ipfin.market import actions
from ipfin.market.models import CreditPlan, Product
from ipfin.market.selectors import filter_offers, with_utilisation

router = Router(tags=["market"])
IDEMPOTENCY_HEADER = "Idempotency-Key"


class ProductOut(Schema):
    id: int
    bank_id: int
    bank_name: str
    code: str
    name: str
    description: str
    status: str
    accepted_kinds: list[str]
    combined_pledge_allowed: bool
    max_loan_to_value: Decimal
    rate_min: Decimal
    rate_max: Decimal
    min_term_months: int
    max_term_months: int
    amount_min_fen: int
    amount_max_fen: int
    repayment_methods: list[str]
    payment_frequency: str
    day_count: str
    penalty_rate_uplift: Decimal
    regions: list[str]
    industries: list[str]
    risk_sharing_options: list[str]
    policy_profiles: list[str]
    credit_plan_id: int | None
    updated_at: datetime

    @staticmethod
    def resolve_bank_name(obj: Product) -> str:
        return obj.bank.name


class ProductIn(Schema):
    code: str
    name: str
    description: str = ""
    accepted_kinds: list[str]
    combined_pledge_allowed: bool = True
    max_loan_to_value: Decimal
    rate_min: Decimal
    rate_max: Decimal
    min_term_months: int = 1
    max_term_months: int
    amount_min_fen: int
    amount_max_fen: int
    repayment_methods: list[str]
    payment_frequency: str = "monthly"
    day_count: str = "act360"
    penalty_rate_uplift: Decimal = Decimal("0.50")
    regions: list[str]
    industries: list[str] = []
    risk_sharing_options: list[str] = []
    policy_profiles: list[str] = []
    credit_plan_id: int | None = None
    bank_id: int | None = None


class ProductPatch(Schema):
    code: str | None = None
    name: str | None = None
    description: str | None = None
    accepted_kinds: list[str] | None = None
    combined_pledge_allowed: bool | None = None
    max_loan_to_value: Decimal | None = None
    rate_min: Decimal | None = None
    rate_max: Decimal | None = None
    min_term_months: int | None = None
    max_term_months: int | None = None
    amount_min_fen: int | None = None
    amount_max_fen: int | None = None
    repayment_methods: list[str] | None = None
    payment_frequency: str | None = None
    day_count: str | None = None
    penalty_rate_uplift: Decimal | None = None
    regions: list[str] | None = None
    industries: list[str] | None = None
    risk_sharing_options: list[str] | None = None
    policy_profiles: list[str] | None = None
    credit_plan_id: int | None = None


class CreditPlanOut(Schema):
    id: int
    bank_id: int
    bank_name: str
    year: int
    amount_fen: int
    region_code: str
    utilised_fen: int
    remaining_fen: int

    @staticmethod
    def resolve_bank_name(obj: CreditPlan) -> str:
        return obj.bank.name


class CreditPlanIn(Schema):
    year: int
    amount_fen: int
    region_code: str
    bank_id: int | None = None


class CreditPlanPatch(Schema):
    amount_fen: int | None = None
    region_code: str | None = None


def _bank(request: HttpRequest, bank_id: int | None) -> Any:
    if bank_id is None:
        return None
    from ipfin.accounts.models import Organisation

    return get_visible(request.user, Organisation, pk=bank_id)  # type: ignore[arg-type]


@router.get("/products", response={200: list[ProductOut], **ERROR_RESPONSES},
            summary="Products I may see: every product on offer, and my bank's drafts and withdrawn ones")
def list_products(request: HttpRequest, status: str | None = None, kind: str | None = None,
                  region: str | None = None, amount_fen: int | None = None, bank_id: int | None = None) -> Any:
    rows = visible(request.user, Product)  # type: ignore[arg-type]
    if status:
        rows = rows.filter(status=status)
    if bank_id is not None:
        rows = rows.filter(bank_id=bank_id)
    if region:
        validate_region_code(region)
    if amount_fen is not None and amount_fen <= 0:
        raise InvalidInput(reason="amount_fen must be positive")
    return filter_offers(rows, kind=kind, region=region, amount_fen=amount_fen)


@router.get("/products/{product_id}", response={200: ProductOut, **ERROR_RESPONSES})
def product_detail(request: HttpRequest, product_id: int) -> Any:
    return get_visible(request.user, Product, pk=product_id)  # type: ignore[arg-type]


@router.post("/products", response={201: ProductOut, **ERROR_RESPONSES},
             summary="Create a product in draft (bank loan officer or branch head; header Idempotency-Key)")
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    data = payload.dict()
    bank = _bank(request, data.pop("bank_id"))
    product, _created = run_idempotent(
        request.user, "market.product.create", request.headers.get(IDEMPOTENCY_HEADER),  # type: ignore[arg-type]
        payload.dict(), Product, lambda: actions.create_product(request.user, bank=bank, **data))  # type: ignore[arg-type]
    return Status(201, product)


@router.patch("/products/{product_id}", response={200: ProductOut, **ERROR_RESPONSES})
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch) -> Any:
    return actions.update_product(request.user, product_id, **payload.dict(exclude_unset=True))  # type: ignore[arg-type]


@router.post("/products/{product_id}/activate", response={200: ProductOut, **ERROR_RESPONSES},
             summary="Put a product on offer")
def activate_product(request: HttpRequest, product_id: int) -> Any:
    return actions.activate_product(request.user, product_id)  # type: ignore[arg-type]


@router.post("/products/{product_id}/withdraw", response={200: ProductOut, **ERROR_RESPONSES},
             summary="Take a product off offer")
def withdraw_product(request: HttpRequest, product_id: int) -> Any:
    return actions.withdraw_product(request.user, product_id)  # type: ignore[arg-type]


@router.get("/credit-plans", response={200: list[CreditPlanOut], **ERROR_RESPONSES},
            summary="Credit plans with their utilisation (PZA-3.乙1)")
def list_credit_plans(request: HttpRequest, year: int | None = None) -> Any:
    rows = visible(request.user, CreditPlan).select_related("bank")  # type: ignore[arg-type]
    if year is not None:
        rows = rows.filter(year=year)
    return with_utilisation(rows)


@router.get("/credit-plans/{plan_id}", response={200: CreditPlanOut, **ERROR_RESPONSES})
def credit_plan_detail(request: HttpRequest, plan_id: int) -> Any:
    return _plan(request, plan_id)


def _plan(request: HttpRequest, plan_id: int) -> CreditPlan:
    get_visible(request.user, CreditPlan, pk=plan_id)  # type: ignore[arg-type]
    return with_utilisation(CreditPlan.objects.select_related("bank")).get(pk=plan_id)


@router.post("/credit-plans", response={201: CreditPlanOut, **ERROR_RESPONSES},
             summary="Create the bank's credit plan for a year (header Idempotency-Key)")
def create_credit_plan(request: HttpRequest, payload: CreditPlanIn) -> Any:
    data = payload.dict()
    bank = _bank(request, data.pop("bank_id"))
    plan, _created = run_idempotent(
        request.user, "market.credit_plan.create", request.headers.get(IDEMPOTENCY_HEADER),  # type: ignore[arg-type]
        payload.dict(), CreditPlan, lambda: actions.create_credit_plan(request.user, bank=bank, **data))  # type: ignore[arg-type]
    return Status(201, _plan(request, plan.pk))


@router.patch("/credit-plans/{plan_id}", response={200: CreditPlanOut, **ERROR_RESPONSES})
def update_credit_plan(request: HttpRequest, plan_id: int, payload: CreditPlanPatch) -> Any:
    plan = actions.update_credit_plan(request.user, plan_id, **payload.dict(exclude_unset=True))  # type: ignore[arg-type]
    return _plan(request, plan.pk)
