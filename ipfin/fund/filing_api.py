"""``/api/v1/fund/filings``: BT-19 borrower filings (贷款企业财务资料报送) — the list the user may see, recording one
(JSON, without a document; header ``Idempotency-Key``: a repeated request returns the filing the first created),
and a fund's coverage for a period end (the fund's manager, the leadership group, the platform)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ipfin.accounts.models import User
from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.idempotency import run_idempotent
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import PermissionDenied
from ipfin.fund import filings
from ipfin.fund.choices import FilingKind
from ipfin.fund.models import BorrowerFiling, Fund

router = Router(tags=["fund"])
IDEMPOTENCY_HEADER = "Idempotency-Key"


class FilingOut(Schema):
    id: int
    fund_id: int
    loan_id: int
    loan_number: str
    kind: str
    period_end: date
    received_on: date
    original_name: str
    size_bytes: int
    sha256: str
    note: str
    recorded_by_id: int | None

    @staticmethod
    def resolve_loan_number(obj: BorrowerFiling) -> str:
        return obj.loan.number


class FilingIn(Schema):
    loan_id: int
    kind: str  # quarterly_statement | annual_audit | fund_use
    period_end: date
    received_on: date
    note: str = ""


class MissingOut(Schema):
    loan_id: int
    loan_number: str
    enterprise: str
    bank: str


class CoverageOut(Schema):
    fund_id: int
    kind: str
    period_end: date
    covered: int
    received: int
    missing_count: int
    missing: list[MissingOut]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/filings", response={200: list[FilingOut], **ERROR_RESPONSES},
            summary="Borrower filings I may see (BT-19)")
def list_filings(request: HttpRequest, fund_id: int | None = None, loan_id: int | None = None,
                 kind: str | None = None, period_end: date | None = None) -> Any:
    qs = visible(_user(request), BorrowerFiling).select_related("loan")
    if fund_id is not None:
        qs = qs.filter(fund_id=fund_id)
    if loan_id is not None:
        qs = qs.filter(loan_id=loan_id)
    if kind:
        qs = qs.filter(kind=kind)
    if period_end is not None:
        qs = qs.filter(period_end=period_end)
    return qs.order_by("-period_end", "-id")


@router.get("/filings/{filing_id}", response={200: FilingOut, **ERROR_RESPONSES}, summary="One borrower filing")
def filing_detail(request: HttpRequest, filing_id: int) -> Any:
    return get_visible(_user(request), BorrowerFiling, pk=filing_id)


@router.post("/filings", response={201: FilingOut, **ERROR_RESPONSES},
             summary="Record a borrower's quarterly statement, annual audit or fund-use report (BT-19; header "
                     "Idempotency-Key)")
def record_filing(request: HttpRequest, payload: FilingIn) -> Any:
    user = _user(request)
    data = payload.dict()
    filing, _created = run_idempotent(
        user, "fund.filing.record", request.headers.get(IDEMPOTENCY_HEADER), data, BorrowerFiling,
        lambda: filings.record_borrower_filing(user, payload.loan_id, kind=payload.kind,
                                               period_end=payload.period_end, received_on=payload.received_on,
                                               note=payload.note))
    return Status(201, filing)


@router.get("/funds/{fund_id}/filing-coverage", response={200: CoverageOut, **ERROR_RESPONSES},
            summary="Covered loans, filings received and the loans missing one for a period end (BT-19)")
def coverage(request: HttpRequest, fund_id: int, period_end: date,
             kind: str = FilingKind.QUARTERLY_STATEMENT.value) -> Any:
    user = _user(request)
    fund = get_visible(user, Fund, pk=fund_id)
    if not filings.may_oversee_filings(user, fund):
        raise PermissionDenied()
    result = filings.filing_coverage(fund, period_end, kind)
    return {"fund_id": fund.pk, "kind": result.kind, "period_end": result.period_end, "covered": result.covered,
            "received": result.received, "missing_count": result.missing_count,
            "missing": [vars(m) for m in result.missing]}
