"""API of a fund's closing (清算, BT-21, BT-23), mounted at ``/api/v1/fund/`` next to the fund router.

- ``GET /funds/{id}/closing[?on=D]``: for an open fund the preview on ``on`` (default today) — blockers, cash per
  dedicated account, each contributor's pro rata return; for a closed fund the closing statement.
- ``POST /funds/{id}/close`` ``{decision, on?}``: the leadership group closes the fund (``on`` default today);
  answers the closing statement. Refusals are typed errors (``fund_closing_blocked`` lists the blockers in
  ``details.blockers``).

Readers are those of the fund's ledger (:func:`ipfin.fund.selectors.may_read_ledger`), else 403.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.dates import business_date
from ipfin.core.scoping import get_visible
from ipfin.domain.errors import PermissionDenied
from ipfin.fund import closing, selectors
from ipfin.fund.choices import FundStatus
from ipfin.fund.models import Fund

router = Router(tags=["fund closing"])


class BlockerOut(Schema):
    kind: str
    clause: str
    reference: str
    amount_fen: int | None
    message: str


class AccountCashOut(Schema):
    party: str  # the bank's organisation id, or "main" for the fund's own dedicated account
    label: str
    amount_fen: int


class ContributorReturnOut(Schema):
    contributor_id: int | None
    name: str
    contributed_fen: int
    return_fen: int


class ClosingPreviewOut(Schema):
    on: date
    kind: str  # expiry | termination
    closes_on: date | None
    can_close: bool
    rule_clause: str | None
    blockers: list[BlockerOut]
    accounts: list[AccountCashOut]
    contributors: list[ContributorReturnOut]
    total_cash_fen: int
    total_return_fen: int
    active_covered_loans: int


class ContributorLineOut(Schema):
    contributor_id: int | None
    name: str
    contributed_fen: int
    returned_fen: int


class ClosingStatementOut(Schema):
    closed_on: date
    kind: str
    decision: str
    closed_by: str
    entry_number: int | None
    entry_date: date | None
    contributors: list[ContributorLineOut]
    contributed_fen: int
    interest_income_fen: int
    compensation_paid_fen: int
    recovery_income_fen: int
    management_fees_fen: int
    returned_fen: int
    accounts_after: list[AccountCashOut]
    balanced_to_zero: bool


class ClosingOut(Schema):
    fund_id: int
    status: str
    preview: ClosingPreviewOut | None
    statement: ClosingStatementOut | None


class CloseIn(Schema):
    decision: str
    on: date | None = None


def _readable_fund(request: HttpRequest, fund_id: int) -> Fund:
    fund = get_visible(request.user, Fund, pk=fund_id)  # type: ignore[arg-type]
    if not selectors.may_read_ledger(request.user, fund):  # type: ignore[arg-type]
        raise PermissionDenied()
    return fund


def preview_payload(preview: closing.ClosingPreview) -> dict[str, Any]:
    return {
        "on": preview.on, "kind": preview.kind.value, "closes_on": preview.fund.closes_on,
        "can_close": preview.can_close, "rule_clause": preview.rule.clause if preview.rule else None,
        "blockers": [b.as_dict() for b in preview.blockers],
        "accounts": [{"party": a.party, "label": a.label, "amount_fen": a.amount_fen} for a in preview.accounts],
        "contributors": [{"contributor_id": c.contributor_id, "name": c.name, "contributed_fen": c.contributed_fen,
                          "return_fen": c.return_fen} for c in preview.contributors],
        "total_cash_fen": preview.total_cash_fen, "total_return_fen": preview.total_return_fen,
        "active_covered_loans": preview.active_covered_loans,
    }


def statement_payload(statement: closing.ClosingStatement) -> dict[str, Any]:
    s = statement
    return {
        "closed_on": s.closed_on, "kind": s.kind.value, "decision": s.decision, "closed_by": s.closed_by,
        "entry_number": s.entry_number, "entry_date": s.entry_date,
        "contributors": [{"contributor_id": c.contributor_id, "name": c.name, "contributed_fen": c.contributed_fen,
                          "returned_fen": c.returned_fen} for c in s.contributors],
        "contributed_fen": s.contributed_fen, "interest_income_fen": s.interest_income_fen,
        "compensation_paid_fen": s.compensation_paid_fen, "recovery_income_fen": s.recovery_income_fen,
        "management_fees_fen": s.management_fees_fen, "returned_fen": s.returned_fen,
        "accounts_after": [{"party": a.party, "label": a.label, "amount_fen": a.amount_fen}
                           for a in s.accounts_after],
        "balanced_to_zero": s.balanced_to_zero,
    }


@router.get("/funds/{fund_id}/closing", response={200: ClosingOut, **ERROR_RESPONSES},
            summary="Closing preview of an open fund, or the closing statement of a closed one (BT-21)")
def closing_of_fund(request: HttpRequest, fund_id: int, on: date | None = None) -> Any:
    fund = _readable_fund(request, fund_id)
    if fund.status == FundStatus.CLOSED:
        return {"fund_id": fund.pk, "status": fund.status, "preview": None,
                "statement": statement_payload(closing.closing_statement(fund))}
    preview = closing.closing_preview(fund, on or business_date())
    return {"fund_id": fund.pk, "status": fund.status, "preview": preview_payload(preview), "statement": None}


@router.post("/funds/{fund_id}/close", response={200: ClosingStatementOut, **ERROR_RESPONSES},
             summary="Close the fund: the remaining balance returned to the contributors pro rata "
                     "(leadership group; BT-21, BT-23)")
def close(request: HttpRequest, fund_id: int, payload: CloseIn) -> Any:
    get_visible(request.user, Fund, pk=fund_id)  # type: ignore[arg-type]
    fund = closing.close_fund(request.user, fund_id, on=payload.on or business_date(),  # type: ignore[arg-type]
                              decision=payload.decision)
    return statement_payload(closing.closing_statement(fund))
