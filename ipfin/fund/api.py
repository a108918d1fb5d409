"""API of the fund app, mounted at `/api/v1/fund/`: funds and their cooperating institutions; the ledger,
contributions and fees; claims, payouts and recoveries; notices to banks; a fund's status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.dates import business_date
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import PermissionDenied
from ipfin.fund import actions, selectors
from ipfin.fund.models import BankNotice, Claim, Cooperation, Fund, JournalEntry, JournalLine, RecoveryShare

router = Router(tags=["fund"])


class CooperationOut(Schema):
    id: int
    fund_id: int
    institution_id: int
    institution_name: str
    institution_kind: str
    status: str
    admitted_on: date
    status_since: date

    @staticmethod
    def resolve_institution_name(obj: Cooperation) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_institution_kind(obj: Cooperation) -> str:
        return obj.institution.kind


class FundOut(Schema):
    id: int
    code: str
    name: str
    profile_name: str
    region_code: str
    manager_id: int
    manager_name: str
    opened_on: date
    closes_on: date | None
    status: str

    @staticmethod
    def resolve_manager_name(obj: Fund) -> str:
        return obj.manager.name


class FundDetailOut(FundOut):
    cooperations: list[CooperationOut]

    @staticmethod
    def resolve_cooperations(obj: Fund) -> list[Cooperation]:
        return obj.visible_cooperations  # type: ignore[attr-defined]  (set by fund_detail for the reader)


class StatusIn(Schema):
    status: str
    on: date
    reason: str = ""


class AdmitIn(Schema):
    institution_id: int
    admitted_on: date


@router.get("/funds", response={200: list[FundOut], **ERROR_RESPONSES}, summary="Compensation funds (public facts)")
def list_funds(request: HttpRequest) -> Any:
    return visible(request.user, Fund).select_related("manager")  # type: ignore[arg-type]


def _detail(request: HttpRequest, fund: Fund) -> Fund:
    fund.visible_cooperations = list(  # type: ignore[attr-defined]
        visible(request.user, Cooperation).filter(fund=fund)  # type: ignore[arg-type]
        .select_related("institution").order_by("institution__name"))
    return fund


@router.get("/funds/{fund_id}", response={200: FundDetailOut, **ERROR_RESPONSES},
            summary="A fund with the cooperating institutions I may see")
def fund_detail(request: HttpRequest, fund_id: int) -> Any:
    fund = get_visible(request.user, Fund, pk=fund_id)  # type: ignore[arg-type]
    return _detail(request, fund)


@router.post("/funds/{fund_id}/cooperations", response={201: CooperationOut, **ERROR_RESPONSES},
             summary="Admit a cooperating institution (BT-9)")
def admit(request: HttpRequest, fund_id: int, payload: AdmitIn) -> Any:
    get_visible(request.user, Fund, pk=fund_id)  # type: ignore[arg-type]
    return Status(201, actions.admit_institution(request.user, fund_id, payload.institution_id,  # type: ignore[arg-type]
                                                 admitted_on=payload.admitted_on))


@router.post("/cooperations/{cooperation_id}/status", response={200: CooperationOut, **ERROR_RESPONSES},
             summary="Warn, suspend, reinstate or remove a cooperating institution (BT-13, BT-22)")
def change_status(request: HttpRequest, cooperation_id: int, payload: StatusIn) -> Any:
    get_visible(request.user, Cooperation, pk=cooperation_id)  # type: ignore[arg-type]
    return actions.change_cooperation_status(request.user, cooperation_id, **payload.dict())  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------
# Issue 7: ledger, claims, notices, recoveries


class EntryOut(Schema):
    id: int
    fund_id: int
    number: int
    entry_date: date
    kind: str
    memo: str
    reference: str
    clause: str
    reverses_number: int | None

    @staticmethod
    def resolve_reverses_number(obj: JournalEntry) -> int | None:
        return obj.reverses.number if obj.reverses_id and obj.reverses else None


class LineOut(Schema):
    entry_number: int
    entry_date: date
    kind: str
    account: str
    counterparty_id: int | None
    debit_fen: int
    credit_fen: int

    @staticmethod
    def resolve_entry_number(obj: JournalLine) -> int:
        return obj.entry.number

    @staticmethod
    def resolve_entry_date(obj: JournalLine) -> date:
        return obj.entry.entry_date

    @staticmethod
    def resolve_kind(obj: JournalLine) -> str:
        return obj.entry.kind


class ContributionIn(Schema):
    fund_id: int
    contributor_id: int
    amount_fen: int
    on: date
    bank_id: int | None = None
    reference: str = ""


class FeeIn(Schema):
    fund_id: int
    amount_fen: int
    on: date
    bank_id: int | None = None
    reference: str = ""


class ReverseIn(Schema):
    reason: str
    on: date


class ClaimOut(Schema):
    id: int
    number: str
    fund_id: int
    loan_id: int
    bank_id: int
    state: str
    filed_on: date
    days_past_due: int
    basis: str
    principal_loss_fen: int
    ip_pledge_portion_fen: int
    ratio: Decimal
    cap_fen: int | None
    amount_fen: int
    clause: str
    evidence_note: str
    deterioration: bool
    verified_on: date | None
    verification_note: str
    dishonest_listed: bool
    approved_on: date | None
    paid_on: date | None
    withdrawn_reason: str
    checklist: list[str]
    front_loaded: bool
    advance_ratio: Decimal | None
    disposal_proceeds_fen: int | None
    final_amount_fen: int | None
    true_up_fen: int | None
    settled_on: date | None


class FileClaimIn(Schema):
    loan_id: int
    on: date
    deterioration_evidence: str = ""


class VerifyIn(Schema):
    approve: bool
    checklist: list[str] = []  # ChecklistItem values; verifying needs all of them
    able_but_unwilling: bool = False
    note: str = ""
    on: date | None = None


class OnIn(Schema):
    on: date


class WithdrawIn(Schema):
    reason: str
    on: date | None = None


class RecoveryIn(Schema):
    claim_id: int
    recovered_fen: int
    on: date


class RecoveryOut(Schema):
    id: int
    claim_id: int
    recovered_fen: int
    share_fen: int
    recorded_on: date
    due_on: date | None
    received_on: date | None


class NoticeOut(Schema):
    id: int
    fund_id: int
    cooperation_id: int
    bank_id: int
    kind: str
    issued_on: date
    ratio: Decimal | None
    paid_fen: int
    issued_fen: int
    clause: str
    decision: str


class LiftIn(Schema):
    on: date
    decision: str


class BankRatioOut(Schema):
    bank_id: int
    bank_name: str
    issued_fen: int
    paid_fen: int
    ratio: Decimal
    status: str


class FundStatusOut(Schema):
    fund_id: int
    on: date
    balance_fen: int
    exposure_fen: int
    covered_count: int
    covered_amount_fen: int
    claims_by_state: dict[str, int]
    banks: list[BankRatioOut]


def _readable_fund(request: HttpRequest, fund_id: int) -> Fund:
    fund = get_visible(request.user, Fund, pk=fund_id)  # type: ignore[arg-type]
    if not selectors.may_read_ledger(request.user, fund):  # type: ignore[arg-type]
        raise PermissionDenied()
    return fund


@router.post("/contributions", response={201: EntryOut, **ERROR_RESPONSES},
             summary="Record a contribution into the fund (BT-3, BT-9)")
def contribute(request: HttpRequest, payload: ContributionIn) -> Any:
    get_visible(request.user, Fund, pk=payload.fund_id)  # type: ignore[arg-type]
    data = payload.dict()
    return Status(201, actions.record_contribution(request.user, data.pop("fund_id"), **data))  # type: ignore[arg-type]


@router.post("/interest", response={201: EntryOut, **ERROR_RESPONSES},
             summary="Book interest a dedicated account earned; it flows back into the fund (BT-11)")
def interest(request: HttpRequest, payload: FeeIn) -> Any:
    get_visible(request.user, Fund, pk=payload.fund_id)  # type: ignore[arg-type]
    data = payload.dict()
    return Status(201, actions.record_interest(request.user, data.pop("fund_id"), **data))  # type: ignore[arg-type]


@router.post("/fees", response={201: EntryOut, **ERROR_RESPONSES},
             summary="Book the manager's fee, capped per fund year (BT-8.7)")
def fee(request: HttpRequest, payload: FeeIn) -> Any:
    get_visible(request.user, Fund, pk=payload.fund_id)  # type: ignore[arg-type]
    data = payload.dict()
    return Status(201, actions.post_management_fee(request.user, data.pop("fund_id"), **data))  # type: ignore[arg-type]


@router.post("/entries/{entry_id}/reverse", response={201: EntryOut, **ERROR_RESPONSES},
             summary="Reverse a journal entry (lines swapped, at most once)")
def reverse(request: HttpRequest, entry_id: int, payload: ReverseIn) -> Any:
    get_visible(request.user, JournalEntry, pk=entry_id)  # type: ignore[arg-type]
    return Status(201, actions.reverse_entry(request.user, entry_id, **payload.dict()))  # type: ignore[arg-type]


@router.get("/claims", response={200: list[ClaimOut], **ERROR_RESPONSES}, summary="Compensation claims I may see")
def list_claims(request: HttpRequest, state: str | None = None, fund_id: int | None = None) -> Any:
    qs = visible(request.user, Claim)  # type: ignore[arg-type]
    if state:
        qs = qs.filter(state=state)
    if fund_id is not None:
        qs = qs.filter(fund_id=fund_id)
    return qs


@router.get("/claims/{claim_id}", response={200: ClaimOut, **ERROR_RESPONSES}, summary="One compensation claim")
def claim_detail(request: HttpRequest, claim_id: int) -> Any:
    return get_visible(request.user, Claim, pk=claim_id)  # type: ignore[arg-type]


@router.post("/claims", response={201: ClaimOut, **ERROR_RESPONSES},
             summary="File a compensation claim on a covered loan (BT-14, BT-15)")
def file(request: HttpRequest, payload: FileClaimIn) -> Any:
    from ipfin.servicing.models import Loan

    get_visible(request.user, Loan, pk=payload.loan_id)  # type: ignore[arg-type]
    return Status(201, actions.file_claim(request.user, payload.loan_id, on=payload.on,  # type: ignore[arg-type]
                                          deterioration_evidence=payload.deterioration_evidence))


@router.post("/claims/{claim_id}/verify", response={200: ClaimOut, **ERROR_RESPONSES},
             summary="Verify or reject a claim (fund manager; BT-18 able but unwilling)")
def verify(request: HttpRequest, claim_id: int, payload: VerifyIn) -> Any:
    get_visible(request.user, Claim, pk=claim_id)  # type: ignore[arg-type]
    return actions.verify_claim(request.user, claim_id, **payload.dict())  # type: ignore[arg-type]


@router.post("/claims/{claim_id}/approve", response={200: ClaimOut, **ERROR_RESPONSES},
             summary="Approve a verified claim (leadership group)")
def approve(request: HttpRequest, claim_id: int, payload: OnIn) -> Any:
    get_visible(request.user, Claim, pk=claim_id)  # type: ignore[arg-type]
    return actions.approve_claim(request.user, claim_id, on=payload.on)  # type: ignore[arg-type]


@router.post("/claims/{claim_id}/pay", response={200: ClaimOut, **ERROR_RESPONSES},
             summary="Pay an approved claim; evaluates the bank's ratio (BT-13, BT-15)")
def pay(request: HttpRequest, claim_id: int, payload: OnIn) -> Any:
    get_visible(request.user, Claim, pk=claim_id)  # type: ignore[arg-type]
    return actions.pay_claim(request.user, claim_id, on=payload.on)  # type: ignore[arg-type]


@router.post("/claims/{claim_id}/withdraw", response={200: ClaimOut, **ERROR_RESPONSES},
             summary="Withdraw a claim before approval (bank)")
def withdraw(request: HttpRequest, claim_id: int, payload: WithdrawIn) -> Any:
    get_visible(request.user, Claim, pk=claim_id)  # type: ignore[arg-type]
    return actions.withdraw_claim(request.user, claim_id, **payload.dict())  # type: ignore[arg-type]


class DisposalIn(Schema):
    disposal_proceeds_fen: int
    on: date


class SettleIn(Schema):
    on: date
    note: str = ""


class TransferIn(Schema):
    fund_id: int
    from_bank_id: int | None = None  # None: the fund's own dedicated account
    to_bank_id: int | None = None
    amount_fen: int
    on: date
    reference: str = ""


@router.post("/claims/{claim_id}/disposal", response={200: ClaimOut, **ERROR_RESPONSES},
             summary="Report the disposal proceeds of a front-loaded claim (bank, SC-12)")
def disposal(request: HttpRequest, claim_id: int, payload: DisposalIn) -> Any:
    get_visible(request.user, Claim, pk=claim_id)  # type: ignore[arg-type]
    return actions.record_disposal(request.user, claim_id, **payload.dict())  # type: ignore[arg-type]


@router.post("/claims/{claim_id}/settle", response={200: ClaimOut, **ERROR_RESPONSES},
             summary="Settle a front-loaded claim after disposal: the rest paid or the excess refunded "
                     "(leadership group, SC-12)")
def settle(request: HttpRequest, claim_id: int, payload: SettleIn) -> Any:
    get_visible(request.user, Claim, pk=claim_id)  # type: ignore[arg-type]
    return actions.settle_claim(request.user, claim_id, **payload.dict())  # type: ignore[arg-type]


@router.post("/transfers", response={201: EntryOut, **ERROR_RESPONSES},
             summary="Move money between two dedicated accounts of the fund (BT-9)")
def transfer(request: HttpRequest, payload: TransferIn) -> Any:
    get_visible(request.user, Fund, pk=payload.fund_id)  # type: ignore[arg-type]
    data = payload.dict()
    return Status(201, actions.transfer_between_accounts(request.user, data.pop("fund_id"), **data))  # type: ignore[arg-type]


@router.post("/recoveries", response={201: RecoveryOut, **ERROR_RESPONSES},
             summary="Record a recovery after a payout; the fund's share is due in 15 working days (BT-16)")
def recover(request: HttpRequest, payload: RecoveryIn) -> Any:
    get_visible(request.user, Claim, pk=payload.claim_id)  # type: ignore[arg-type]
    return Status(201, actions.record_recovery(request.user, payload.claim_id,  # type: ignore[arg-type]
                                               recovered_fen=payload.recovered_fen, on=payload.on))


@router.post("/recoveries/{share_id}/receive", response={200: RecoveryOut, **ERROR_RESPONSES},
             summary="Record that the bank returned the fund's share (BT-16)")
def receive(request: HttpRequest, share_id: int, payload: OnIn) -> Any:
    get_visible(request.user, RecoveryShare, pk=share_id)  # type: ignore[arg-type]
    return actions.receive_recovery_share(request.user, share_id, on=payload.on)  # type: ignore[arg-type]


@router.get("/notices", response={200: list[NoticeOut], **ERROR_RESPONSES},
            summary="Warning, suspension and lifting notices to banks (BT-13)")
def list_notices(request: HttpRequest, fund_id: int | None = None) -> Any:
    qs = visible(request.user, BankNotice)  # type: ignore[arg-type]
    return qs.filter(fund_id=fund_id) if fund_id is not None else qs


@router.post("/cooperations/{cooperation_id}/lift", response={201: NoticeOut, **ERROR_RESPONSES},
             summary="Lift a bank's suspension (leadership group decision, BT-13b)")
def lift(request: HttpRequest, cooperation_id: int, payload: LiftIn) -> Any:
    get_visible(request.user, Cooperation, pk=cooperation_id)  # type: ignore[arg-type]
    return Status(201, actions.lift_suspension(request.user, cooperation_id, **payload.dict()))  # type: ignore[arg-type]


@router.get("/funds/{fund_id}/status", response={200: FundStatusOut, **ERROR_RESPONSES},
            summary="Balance, exposure, claims by state and each bank's ratio (BT-13)")
def status(request: HttpRequest, fund_id: int, on: date | None = None) -> Any:
    fund = _readable_fund(request, fund_id)
    day = on or business_date()
    s = selectors.fund_status(fund, day)
    return {"fund_id": fund.pk, "on": day, "balance_fen": s.balance_fen, "exposure_fen": s.exposure_fen,
            "covered_count": s.covered_count, "covered_amount_fen": s.covered_amount_fen,
            "claims_by_state": s.claims_by_state,
            "banks": [{"bank_id": b.bank.pk, "bank_name": b.bank.name, "issued_fen": b.issued_fen,
                       "paid_fen": b.paid_fen, "ratio": b.ratio, "status": b.status} for b in s.banks]}


@router.get("/funds/{fund_id}/ledger", response={200: list[LineOut], **ERROR_RESPONSES},
            summary="The fund's journal, line by line")
def ledger_view(request: HttpRequest, fund_id: int) -> Any:
    return selectors.ledger_lines(_readable_fund(request, fund_id))
