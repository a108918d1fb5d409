"""``/api/v1/origination/``: loan applications (贷款申请), their checks, documents and decision clock, one POST
per move (PZA-2.2.1b), and contracts. Moves are dated by the server's business date (``business_date()``);
only the dates the business supplies — contract ``signed_on``/``start_on`` and ``disbursed_on`` — come in the
body, refused when in the future or before the previous step. Creates take the header ``Idempotency-Key``: a
repeated request returns the application the first one created."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.dates import business_date
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import InvalidInput
from ipfin.origination import actions, selectors
from ipfin.origination.models import Application, ApplicationDocument, Contract

router = Router(tags=["origination"])
IDEMPOTENCY_HEADER = "Idempotency-Key"


class CheckOut(Schema):
    code: str
    clause: str
    stage: str
    run: int
    outcome: str
    message: str
    blocking: bool

    @staticmethod
    def resolve_blocking(obj: Any) -> bool:
        return bool((obj.details or {}).get("blocking"))


class ClockOut(Schema):
    state: str
    due_on: date | None
    working_days_left: int | None


class DocumentOut(Schema):
    id: int
    kind: str
    original_name: str
    size_bytes: int
    sha256: str


class ApplicationOut(Schema):
    id: int
    number: str
    status: str
    status_since: date
    enterprise_id: int
    enterprise_name: str
    product_id: int
    bank_id: int
    amount_fen: int
    term_months: int
    purpose: str
    purpose_detail: str
    repayment_method: str
    proposed_rate: Decimal | None
    fund_id: int | None
    guarantor_id: int | None
    insurer_id: int | None
    co_owner_consent: bool
    asset_ids: list[int]
    submitted_on: date | None
    complete_on: date | None
    decision_due_on: date | None
    decided_on: date | None
    return_reason: str
    decision_note: str
    approved_amount_fen: int | None
    approved_rate: Decimal | None

    @staticmethod
    def resolve_enterprise_name(obj: Application) -> str:
        return obj.enterprise.organisation.name

    @staticmethod
    def resolve_asset_ids(obj: Application) -> list[int]:
        return list(obj.assets.order_by("id").values_list("asset_id", flat=True))


class ApplicationDetailOut(ApplicationOut):
    checks: list[CheckOut]
    clock: ClockOut | None
    documents: list[DocumentOut]

    @staticmethod
    def resolve_checks(obj: Application) -> list[Any]:
        return selectors.latest_checks(obj)

    @staticmethod
    def resolve_clock(obj: Application) -> Any:
        clock = selectors.decision_clock(obj, business_date())
        if clock is None:
            return None
        return {"state": str(clock.state), "due_on": clock.due_on, "working_days_left": clock.working_days_left}

    @staticmethod
    def resolve_documents(obj: Application) -> list[Any]:
        return list(obj.documents.all())


class ContractOut(Schema):
    id: int
    number: str
    application_id: int
    status: str
    principal_fen: int
    annual_rate: Decimal
    term_months: int
    repayment_method: str
    max_loan_to_value: Decimal
    collateral_value_fen: int
    lpr_fixing_date: date | None
    lpr_tenor: str
    lpr_rate: Decimal | None
    risk_shares: dict[str, str]
    ip_pledge_portion_fen: int | None
    signed_on: date | None
    start_on: date | None
    maturity_on: date | None


class LoanOut(Schema):
    id: int
    number: str
    principal_fen: int
    outstanding_principal_fen: int
    annual_rate: Decimal
    disbursed_on: date
    maturity_on: date
    fund_id: int | None


class ApplicationIn(Schema):
    product_id: int
    amount_fen: int
    term_months: int
    purpose: str
    repayment_method: str
    asset_ids: list[int]
    enterprise_id: int | None = None
    purpose_detail: str = ""
    fund_id: int | None = None
    guarantor_id: int | None = None
    insurer_id: int | None = None
    co_owner_consent: bool = False
    proposed_rate: Decimal | None = None


class ApplicationPatch(Schema):
    amount_fen: int | None = None
    term_months: int | None = None
    purpose: str | None = None
    purpose_detail: str | None = None
    repayment_method: str | None = None
    asset_ids: list[int] | None = None
    fund_id: int | None = None
    guarantor_id: int | None = None
    insurer_id: int | None = None
    co_owner_consent: bool | None = None
    proposed_rate: Decimal | None = None


class DateIn(Schema):
    """A move on the server's business date (``business_date()``): a client cannot date a decision."""


class ReasonIn(Schema):
    reason: str


class WithdrawIn(Schema):
    reason: str = ""


class ApproveIn(Schema):
    annual_rate: Decimal
    amount_fen: int | None = None
    note: str = ""
    drop_fund_coverage: bool = False
    guarantor_share: Decimal | None = None
    insurer_share: Decimal | None = None
    ip_pledge_portion_fen: int | None = None  # BT-12a: the IP-pledged part of a combined loan; empty = all


class SignIn(Schema):
    signed_on: date | None = None
    start_on: date | None = None


class DisburseIn(Schema):
    disbursed_on: date | None = None


def _user(request: HttpRequest) -> Any:
    return request.user


def _business_date(value: date | None, field: str) -> date | None:
    """A date the business supplies (signing, loan start, disbursement): never after the server's business date.
    Its order against the previous step (signing after approval, start and disbursement after signing) is the
    action's check. Decision dates are not taken from clients at all."""
    if value is not None and value > business_date():
        raise InvalidInput(reason=f"{field} cannot be in the future")
    return value


@router.get("/applications", response={200: list[ApplicationOut], **ERROR_RESPONSES},
            summary="Applications the user may read (filters: status, bank, sla state)")
@paginate(PageNumberPagination, page_size=50)
def application_list(request: HttpRequest, status: str | None = None, bank_id: int | None = None,
                     sla: str | None = None) -> Any:
    rows = visible(_user(request), Application).order_by("-created_at")
    if status:
        rows = rows.filter(status=status)
    if bank_id:
        rows = rows.filter(bank_id=bank_id)
    if sla:
        today = business_date()
        return [a for a in rows.exclude(complete_on=None)
                if (clock := selectors.decision_clock(a, today)) is not None and clock.state == sla]
    return rows


@router.get("/applications/{application_id}", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
            summary="One application with its latest checks, decision clock and documents")
def application_detail(request: HttpRequest, application_id: int) -> Any:
    return get_visible(_user(request), Application, pk=application_id)


@router.post("/applications", response={201: ApplicationOut, **ERROR_RESPONSES},
             summary="Create a draft application (header Idempotency-Key: one application on a double submit)")
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    return Status(201, actions.create_application(_user(request), **payload.dict(),
                                                  idempotency_key=request.headers.get(IDEMPOTENCY_HEADER)))


@router.patch("/applications/{application_id}", response={200: ApplicationOut, **ERROR_RESPONSES},
              summary="Change a draft or returned application")
def update_application(request: HttpRequest, application_id: int, payload: ApplicationPatch) -> Any:
    return actions.update_application(_user(request), application_id, **payload.dict(exclude_unset=True))


@router.post("/applications/{application_id}/documents", response={201: DocumentOut, **ERROR_RESPONSES},
             summary="Upload a document")
def upload_document(request: HttpRequest, application_id: int, kind: Form[str],
                    file: File[UploadedFile]) -> Any:
    return Status(201, actions.add_document(_user(request), application_id, kind=kind, uploaded_file=file))


@router.post("/applications/{application_id}/submit", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
             summary="Submit (runs the submission checks; 422 checks_failed lists the failures)")
def submit(request: HttpRequest, application_id: int, payload: DateIn) -> Any:
    return actions.submit_application(_user(request), application_id)


@router.post("/applications/{application_id}/complete", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
             summary="Mark complete (bank): the decision clock starts (PZA-2.2.1b)")
def complete(request: HttpRequest, application_id: int, payload: DateIn) -> Any:
    return actions.mark_complete(_user(request), application_id)


@router.post("/applications/{application_id}/return", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
             summary="Return for more documents (bank): the clock pauses")
def return_(request: HttpRequest, application_id: int, payload: ReasonIn) -> Any:
    return actions.return_application(_user(request), application_id, reason=payload.reason)


@router.post("/applications/{application_id}/review", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
             summary="Start the review (bank)")
def review(request: HttpRequest, application_id: int, payload: DateIn) -> Any:
    return actions.start_review(_user(request), application_id)


@router.post("/applications/{application_id}/approve", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
             summary="Approve (approver or branch head, not the creator): re-runs every check with the rate")
def approve(request: HttpRequest, application_id: int, payload: ApproveIn) -> Any:
    return actions.approve_application(_user(request), application_id, **payload.dict())


@router.post("/applications/{application_id}/reject", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
             summary="Reject (approver or branch head, not the creator)")
def reject(request: HttpRequest, application_id: int, payload: ReasonIn) -> Any:
    return actions.reject_application(_user(request), application_id, reason=payload.reason)


@router.post("/applications/{application_id}/withdraw", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
             summary="Withdraw (enterprise or bank officer)")
def withdraw(request: HttpRequest, application_id: int, payload: WithdrawIn) -> Any:
    return actions.withdraw_application(_user(request), application_id, reason=payload.reason)


@router.post("/applications/{application_id}/expire", response={200: ApplicationDetailOut, **ERROR_RESPONSES},
             summary="Expire a returned or approved application (bank)")
def expire(request: HttpRequest, application_id: int, payload: DateIn) -> Any:
    return actions.expire_application(_user(request), application_id)


@router.post("/applications/{application_id}/sign", response={200: ContractOut, **ERROR_RESPONSES},
             summary="Sign the contract (bank): re-checks the fund rate cap with the LPR of the signing date")
def sign(request: HttpRequest, application_id: int, payload: SignIn) -> Any:
    signed_on = _business_date(payload.signed_on, "signed_on")
    start_on = _business_date(payload.start_on, "start_on")
    return actions.sign_contract(_user(request), application_id, signed_on=signed_on, start_on=start_on)


@router.post("/applications/{application_id}/disburse", response={201: LoanOut, **ERROR_RESPONSES},
             summary="Disburse after the pledge is registered (bank): creates the loan")
def disburse(request: HttpRequest, application_id: int, payload: DisburseIn) -> Any:
    disbursed_on = _business_date(payload.disbursed_on, "disbursed_on")
    return Status(201, actions.disburse(_user(request), application_id, disbursed_on=disbursed_on))


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERROR_RESPONSES}, summary="One contract")
def contract_detail(request: HttpRequest, contract_id: int) -> Any:
    return get_visible(_user(request), Contract, pk=contract_id)


@router.get("/applications/{application_id}/documents", response={200: list[DocumentOut], **ERROR_RESPONSES},
            summary="Documents of an application")
def documents(request: HttpRequest, application_id: int) -> Any:
    application = get_visible(_user(request), Application, pk=application_id)
    return ApplicationDocument.objects.filter(application=application)
