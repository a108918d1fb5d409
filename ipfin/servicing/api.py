"""``/api/v1/servicing/``: the loan book (贷款台账), loan detail with schedule, repayments, class history, coverage
and warnings; one POST per action (repayment, reversal, manual downgrade, warning acknowledge/close, the bank's
quarterly NPL ratio) and the NPL overview with the XT-10 / PZA-3.乙2 monitors. Posting a repayment takes the header
``Idempotency-Key``: a repeated request returns the repayment the first one posted. Amounts are integer fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.dates import business_date
from ipfin.servicing import actions, selectors
from ipfin.servicing.models import Loan

router = Router(tags=["servicing"])
IDEMPOTENCY_HEADER = "Idempotency-Key"


class LoanOut(Schema):
    id: int
    number: str
    status: str
    enterprise_id: int
    enterprise_name: str
    bank_id: int
    bank_name: str
    product_id: int
    fund_id: int | None
    principal_fen: int
    outstanding_principal_fen: int
    annual_rate: Decimal
    term_months: int
    repayment_method: str
    payment_frequency: str
    day_count: str
    penalty_rate_uplift: Decimal
    disbursed_on: date
    maturity_on: date
    schedule_version: int
    oldest_unpaid_due_on: date | None
    days_past_due: int
    dpd_bucket: str
    overdue_principal_fen: int
    overdue_interest_fen: int
    penalty_fen: int
    penalty_accrued_through: date | None
    risk_class: str
    risk_class_since: date | None
    manual_risk_class: str
    last_cob_on: date | None
    paid_off_on: date | None

    @staticmethod
    def resolve_enterprise_name(obj: Loan) -> str:
        return obj.enterprise.organisation.name

    @staticmethod
    def resolve_bank_name(obj: Loan) -> str:
        return obj.bank.name

    @staticmethod
    def resolve_dpd_bucket(obj: Loan) -> str:
        return selectors.dpd_bucket_of(obj.days_past_due)


class InstallmentOut(Schema):
    id: int
    schedule_version: int
    period: int
    accrual_start: date
    due_on: date
    principal_fen: int
    interest_fen: int
    principal_paid_fen: int
    interest_paid_fen: int
    penalty_paid_fen: int
    balance_after_fen: int
    status: str
    paid_on: date | None


class AllocationOut(Schema):
    installment_id: int
    penalty_fen: int
    interest_fen: int
    principal_fen: int


class RepaymentOut(Schema):
    id: int
    loan_id: int
    number: str
    kind: str
    prepayment_option: str
    received_on: date
    amount_fen: int
    penalty_fen: int
    overdue_interest_fen: int
    overdue_principal_fen: int
    current_interest_fen: int
    current_principal_fen: int
    prepaid_principal_fen: int
    status: str
    reversal_reason: str
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj: Any) -> list[Any]:
        return list(obj.allocations.all())


class ClassChangeOut(Schema):
    business_date: date
    from_class: str
    to_class: str
    source: str
    days_past_due: int
    rules_version: str
    article: str
    reason: str


class WarningOut(Schema):
    id: int
    loan_id: int
    loan_number: str
    asset_id: int | None
    kind: str
    severity: str
    raised_on: date
    clause: str
    detail: dict[str, Any]
    status: str
    acknowledged_at: Any = None
    closed_on: date | None
    close_reason: str

    @staticmethod
    def resolve_loan_number(obj: Any) -> str:
        return obj.loan.number


class CoverageOut(Schema):
    collateral_value_fen: int | None
    collateral_valued_on: date | None
    loan_to_value: Decimal | None
    max_loan_to_value: Decimal
    shortfall_fen: int
    breach: bool


class LoanDetailOut(LoanOut):
    schedule: list[InstallmentOut]
    repayments: list[RepaymentOut]
    class_history: list[ClassChangeOut]
    warnings: list[WarningOut]
    coverage: CoverageOut

    @staticmethod
    def resolve_schedule(obj: Loan) -> list[Any]:
        return selectors.current_schedule(obj)

    @staticmethod
    def resolve_repayments(obj: Loan) -> list[Any]:
        return list(selectors.repayments_of(obj))

    @staticmethod
    def resolve_class_history(obj: Loan) -> list[Any]:
        return list(selectors.class_history(obj))

    @staticmethod
    def resolve_warnings(obj: Loan) -> list[Any]:
        return list(selectors.warnings_of(obj).select_related("loan"))

    @staticmethod
    def resolve_coverage(obj: Loan) -> dict[str, Any]:
        return {"collateral_value_fen": obj.collateral_value_fen, "collateral_valued_on": obj.collateral_valued_on,
                "loan_to_value": obj.loan_to_value, "max_loan_to_value": obj.max_loan_to_value,
                "shortfall_fen": obj.coverage_shortfall_fen,
                "breach": obj.loan_to_value is not None and obj.loan_to_value > obj.max_loan_to_value}


class PayoffQuoteOut(Schema):
    on: date
    penalty_fen: int
    overdue_interest_fen: int
    overdue_principal_fen: int
    current_interest_fen: int
    current_principal_fen: int
    accrued_interest_fen: int
    remaining_principal_fen: int
    total_fen: int


class NplRowOut(Schema):
    bank_id: int
    bank_name: str
    loans_count: int
    outstanding_fen: int
    npl_outstanding_fen: int
    ip_npl_ratio: Decimal | None
    overall_npl_ratio: Decimal | None
    overall_quarter_end: date | None
    spread_pp: Decimal | None
    xt10_limit: Decimal | None
    xt10_clause: str
    xt10_breach: bool | None
    pza_limit: Decimal | None
    pza_clause: str
    pza_breach: bool | None

    @staticmethod
    def resolve_bank_id(obj: Any) -> int:
        return int(obj.bank.pk)

    @staticmethod
    def resolve_bank_name(obj: Any) -> str:
        return str(obj.bank.name)


class NplReportOut(Schema):
    id: int
    bank_id: int
    quarter_end: date
    overall_npl_ratio: Decimal


class RepaymentIn(Schema):
    amount_fen: int
    received_on: date
    kind: str = "regular"
    prepayment_option: str = ""


class ReasonIn(Schema):
    reason: str


class CloseIn(Schema):
    reason: str
    closed_on: date | None = None


class DowngradeIn(Schema):
    risk_class: str
    reason: str
    business_date: date | None = None


class NplReportIn(Schema):
    quarter_end: date
    overall_npl_ratio: Decimal


def _user(request: HttpRequest) -> Any:
    return request.user


@router.get("/loans", response={200: list[LoanOut], **ERROR_RESPONSES},
            summary="The loan book the user may read (filters: risk_class, dpd_bucket current|1-30|31-90|91-180|"
                    "181-360|360+, product_id, warning any|<kind>)")
@paginate(PageNumberPagination, page_size=50)
def loan_list(request: HttpRequest, risk_class: str | None = None, dpd_bucket: str | None = None,
              product_id: int | None = None, warning: str | None = None) -> Any:
    return selectors.loan_book(_user(request), risk_class=risk_class, dpd_bucket=dpd_bucket, product_id=product_id,
                               warning=warning)


@router.get("/loans/{loan_id}", response={200: LoanDetailOut, **ERROR_RESPONSES},
            summary="One loan with its schedule in force, repayments, class history, warnings and coverage")
def loan_detail(request: HttpRequest, loan_id: int) -> Any:
    return selectors.loan_detail(_user(request), loan_id)


@router.get("/loans/{loan_id}/payoff", response={200: PayoffQuoteOut, **ERROR_RESPONSES},
            summary="What paying the loan off on a date takes (kind=payoff must post exactly total_fen)")
def payoff(request: HttpRequest, loan_id: int, on: date | None = None) -> Any:
    quote = actions.payoff_quote(_user(request), loan_id, on=on or business_date())
    return {**quote.as_dict(), "on": quote.on}


@router.post("/loans/{loan_id}/repayments", response={201: RepaymentOut, **ERROR_RESPONSES},
             summary="Post a repayment: regular, prepayment (keep_term|keep_installment) or payoff (header "
                     "Idempotency-Key: one repayment on a double submit)")
def post_repayment(request: HttpRequest, loan_id: int, payload: RepaymentIn) -> Any:
    return Status(201, actions.post_repayment(_user(request), loan_id, **payload.dict(),
                                              idempotency_key=request.headers.get(IDEMPOTENCY_HEADER)))


@router.post("/repayments/{repayment_id}/reverse", response={200: RepaymentOut, **ERROR_RESPONSES},
             summary="Reverse the latest posted repayment of a loan with a reason")
def reverse_repayment(request: HttpRequest, repayment_id: int, payload: ReasonIn) -> Any:
    return actions.reverse_repayment(_user(request), repayment_id, reason=payload.reason)


@router.post("/loans/{loan_id}/downgrade", response={200: LoanOut, **ERROR_RESPONSES},
             summary="Manual class with a reason, never better than the overdue floor (approver or branch head)")
def downgrade(request: HttpRequest, loan_id: int, payload: DowngradeIn) -> Any:
    return actions.downgrade_loan(_user(request), loan_id, **payload.dict())


@router.get("/warnings", response={200: list[WarningOut], **ERROR_RESPONSES},
            summary="Risk warnings the user may read (filters: status, kind)")
@paginate(PageNumberPagination, page_size=50)
def warning_list(request: HttpRequest, status: str | None = None, kind: str | None = None) -> Any:
    rows = selectors.warnings_visible_to(_user(request)).order_by("-raised_on", "-id")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


@router.post("/warnings/{warning_id}/acknowledge", response={200: WarningOut, **ERROR_RESPONSES},
             summary="Acknowledge a warning (bank staff; fund officers for fund-covered loans)")
def acknowledge(request: HttpRequest, warning_id: int) -> Any:
    return actions.acknowledge_warning(_user(request), warning_id)


@router.post("/warnings/{warning_id}/close", response={200: WarningOut, **ERROR_RESPONSES},
             summary="Close a warning with a reason")
def close(request: HttpRequest, warning_id: int, payload: CloseIn) -> Any:
    return actions.close_warning(_user(request), warning_id, reason=payload.reason, closed_on=payload.closed_on)


@router.get("/npl", response={200: list[NplRowOut], **ERROR_RESPONSES},
            summary="IP pledge NPL per bank beside its overall NPL, with the XT-10 and PZA-3.乙2 monitors")
def npl(request: HttpRequest, on: date | None = None) -> Any:
    return selectors.npl_overview(_user(request), on or business_date())


@router.post("/npl-reports", response={201: NplReportOut, **ERROR_RESPONSES},
             summary="The bank (head office, branch head) enters its overall NPL ratio in percent for a quarter end")
def npl_report(request: HttpRequest, payload: NplReportIn) -> Any:
    return Status(201, actions.enter_bank_npl(_user(request), quarter_end=payload.quarter_end,
                                              overall_npl_ratio=payload.overall_npl_ratio))
