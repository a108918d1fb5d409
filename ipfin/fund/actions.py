"""Fund actions of issue 5: open a fund, admit a cooperating institution, change its standing.

Standing (BT-9 admission of cooperating institutions with a dedicated account; BT-13 warning and suspension
notices; BT-22 removal for fraud) changes through :data:`COOPERATION_ALLOWED`, with an audit event carrying the
clause and a notification to the institution. Issue 7 adds the ledger, claims, payouts, the automatic notices
and recoveries (below).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import is_platform_admin, require_role
from ipfin.calendar.services import working_calendar
from ipfin.core.actions import lock, transition
from ipfin.core.dates import business_date
from ipfin.core.numbering import next_number
from ipfin.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.fund import claims as dc
from ipfin.domain.fund import ledger as dl
from ipfin.domain.fund import recoveries as dr
from ipfin.domain.fund.errors import ClaimNotAllowed
from ipfin.domain.regions import is_within, validate_region_code
from ipfin.fund import claims as claims_db
from ipfin.fund import ledger
from ipfin.fund.choices import (
    COOPERATION_ALLOWED,
    REVERSIBLE_KINDS,
    ClaimState,
    CooperationStatus,
    FundStatus,
    NoticeKind,
)
from ipfin.fund.models import BankNotice, Claim, Cooperation, Fund, JournalEntry, RecoveryShare
from ipfin.notifications.services import notify
from ipfin.policy.loader import load_profiles

COOPERATING_KINDS = (OrganisationKind.BANK, OrganisationKind.INSURER, OrganisationKind.GUARANTOR)
# The clause of each standing an institution can be moved to.
STATUS_CLAUSE = {
    CooperationStatus.ADMITTED: "BT-9",
    CooperationStatus.WARNED: "BT-13a",
    CooperationStatus.SUSPENDED: "BT-13b",
    CooperationStatus.REMOVED: "BT-22",
}


# The notice that records each change of standing made by decision (BT-13 crossings write their own notices).
STATUS_NOTICE = {
    CooperationStatus.ADMITTED: NoticeKind.REINSTATED,
    CooperationStatus.WARNED: NoticeKind.WARNING,
    CooperationStatus.SUSPENDED: NoticeKind.SUSPENSION,
    CooperationStatus.REMOVED: NoticeKind.REMOVAL,
}


class SuspensionLiftedByLeadership(Conflict):
    code = "fund_suspension_lifted_by_leadership"
    message_template = _("A suspension is lifted only by the leadership group's recorded decision (BT-13b).")


class FundCodeTaken(Conflict):
    code = "fund_code_taken"
    message_template = _("A fund with the code {code} already exists.")


class FundInvalid(InvalidInput):
    code = "fund_invalid"
    message_template = _("The fund is not valid: {field}: {reason}")


class NotCooperatingKind(InvalidInput):
    code = "not_cooperating_kind"
    message_template = _("Only banks, insurers and guarantors can cooperate with a fund.")


class AlreadyCooperating(Conflict):
    code = "already_cooperating"
    message_template = _("{institution} already cooperates with this fund.")


class FundClosed(Conflict):
    code = "fund_closed"
    message_template = _("The fund is closed.")


def _is_ip_office_of(user: User, region_code: str, *roles: str) -> bool:
    org = user.organisation
    return (org is not None and org.kind == OrganisationKind.IP_OFFICE and user.has_role(*roles)
            and is_within(region_code, org.region_code))


def _may_manage_cooperations(user: User | None, fund: Fund) -> bool:
    """An IP-office leader of the fund's region, or a fund officer of the fund's manager."""
    if user is None:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.FUND_OFFICER) and user.organisation_id == fund.manager_id:
        return True
    return _is_ip_office_of(user, fund.region_code, Role.LEADER)


def create_fund(user: User | None, *, code: str, name: str, profile_name: str, region_code: str,
                manager: Organisation, opened_on: date, closes_on: date | None = None) -> Fund:
    """Open a fund (platform, or an IP office of the fund's region) under a policy profile."""
    region = validate_region_code(region_code)
    if user is not None:
        require_role(user, Role.PLATFORM_ADMIN, Role.CLERK, Role.LEADER)
        if not is_platform_admin(user) and not _is_ip_office_of(user, region, Role.CLERK, Role.LEADER):
            raise PermissionDenied()
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 40:
        raise FundInvalid(field="code", reason="1–40 characters")
    if not name:
        raise FundInvalid(field="name", reason="required")
    if profile_name not in load_profiles():
        raise FundInvalid(field="profile_name", reason=f"unknown policy profile {profile_name}")
    if manager.kind not in (OrganisationKind.FUND_MANAGER, OrganisationKind.IP_OFFICE):
        raise FundInvalid(field="manager", reason="a fund manager or an IP office")
    if closes_on is not None and closes_on < opened_on:
        raise FundInvalid(field="closes_on", reason="before the opening date")
    with transaction.atomic():
        if Fund.objects.filter(code=code).exists():
            raise FundCodeTaken(code=code)
        fund = Fund.objects.create(code=code, name=name, profile_name=profile_name, region_code=region,
                                   manager=manager, opened_on=opened_on, closes_on=closes_on)
        record_event(actor=user, action="fund.create", obj=fund,
                     after={"code": code, "profile": profile_name, "region_code": region, "manager": manager.name},
                     clause="BT-3", organisation=manager)
    return fund


def admit_institution(user: User | None, fund_id: int, institution_id: int, *, admitted_on: date) -> Cooperation:
    """Admit a bank, insurer or guarantor as a cooperating institution of the fund (BT-9)."""
    with transaction.atomic():
        fund = lock(Fund, fund_id)
        if not _may_manage_cooperations(user, fund):
            raise PermissionDenied()
        if fund.status != FundStatus.OPEN:
            raise FundClosed()
        institution = Organisation.objects.filter(pk=institution_id).first()
        if institution is None:
            raise NotFound()
        if institution.kind not in COOPERATING_KINDS:
            raise NotCooperatingKind()
        if Cooperation.objects.filter(fund=fund, institution=institution).exists():
            raise AlreadyCooperating(institution=institution.name)
        cooperation = Cooperation.objects.create(fund=fund, institution=institution, admitted_on=admitted_on,
                                                 status_since=admitted_on, status=CooperationStatus.ADMITTED)
        record_event(actor=user, action="fund.cooperation.admit", obj=cooperation,
                     after={"fund": fund.code, "institution": institution.name, "on": admitted_on.isoformat()},
                     clause="BT-9", organisation=fund.manager)
        notify(organisations=[institution], verb="fund.cooperation.admitted",
               title=format_lazy(_("Admitted as a cooperating institution of {fund}"), fund=fund.name),
               body=format_lazy(_("Admitted on {on}."), on=admitted_on.isoformat()), url="/fund/")
    return cooperation


def change_cooperation_status(user: User | None, cooperation_id: int, *, status: str, on: date,
                              reason: str = "") -> Cooperation:
    """A dated notice (BankNotice) changing an institution's standing by decision: warning or suspension
    (BT-13), removal for fraud or collusion (BT-22) or reinstatement of a warned institution (BT-9). A reason is
    required. A suspension is lifted only by the leadership group's decision (:func:`lift_suspension`)."""
    if status not in CooperationStatus.values:
        raise InvalidInput(reason=f"unknown status {status!r}")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(reason="the reason for the notice must be recorded")
    with transaction.atomic():
        cooperation = lock(Cooperation, cooperation_id)
        fund = cooperation.fund
        if not _may_manage_cooperations(user, fund):
            raise PermissionDenied()
        if fund.status != FundStatus.OPEN:
            raise FundClosed()
        if on < cooperation.status_since:
            raise InvalidInput(reason="the notice date is before the current standing")
        if cooperation.status == CooperationStatus.SUSPENDED and status != CooperationStatus.REMOVED:
            raise SuspensionLiftedByLeadership()
        previous = transition(cooperation, "status", status, COOPERATION_ALLOWED)
        cooperation.status_since = on
        cooperation.save(update_fields=["status", "status_since"])
        clause = STATUS_CLAUSE[CooperationStatus(status)]
        notice = BankNotice.objects.create(fund=fund, cooperation=cooperation, bank_id=cooperation.institution_id,
                                           kind=STATUS_NOTICE[CooperationStatus(status)], issued_on=on,
                                           clause=clause, decided_by=user, decision=reason)
        record_event(actor=user, action="fund.cooperation.status", obj=cooperation,
                     before={"status": previous},
                     after={"status": status, "on": on.isoformat(), "reason": reason, "notice": notice.pk},
                     clause=clause, organisation=fund.manager)
        notify(organisations=[cooperation.institution_id, fund.manager_id], verb=f"fund.cooperation.{status}",
               title=format_lazy(_("{fund}: standing of {institution} is now {status}"),
                                 fund=fund.name, institution=cooperation.institution.name,
                                 status=CooperationStatus(status).label),
               body=reason, url="/fund/")
    return cooperation


# ---------------------------------------------------------------------------------------------------------
# Issue 7: the ledger, claims, payouts, notices and recoveries.
#
# Every posting locks the fund row first (``lock(Fund, pk)``) so that two postings of one fund — two payouts
# at the same moment — serialise and the second sees the first's balances (ipfin.fund.ledger.post). Claims
# move through :data:`ipfin.domain.fund.claims.ALLOWED`; amounts and dates come from the domain functions
# with the fund profile's numbers and their clauses.

BANK_STAFF_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)


class FundNotOpen(Conflict):
    code = "fund_not_open"
    message_template = _("The fund is not open on {date}.")


class EntryNotReversible(Conflict):
    code = "fund_entry_not_reversible"
    message_template = _("Journal entry {entry} belongs to a claim or a recovery; it changes with them, "
                         "not by a reversal.")


class RecoveryShareAlreadyReceived(Conflict):
    code = "fund_recovery_share_received"
    message_template = _("This recovery share was already received on {date}.")


def is_fund_officer(user: User, fund: Fund) -> bool:
    """A fund officer of the fund's manager: books the ledger, verifies and pays claims."""
    return user.is_authenticated and user.is_active and user.has_role(Role.FUND_OFFICER) \
        and user.organisation_id == fund.manager_id


def _require_fund_officer(user: User, fund: Fund) -> None:
    if not is_fund_officer(user, fund):
        raise PermissionDenied()


def _require_leader(user: User, fund: Fund) -> None:
    """The leadership group (领导小组): an IP-office leader of the fund's region."""
    if not (user.is_authenticated and user.is_active and _is_ip_office_of(user, fund.region_code, Role.LEADER)):
        raise PermissionDenied()


def _is_bank_staff(user: User, bank: Organisation) -> bool:
    return (user.is_authenticated and user.is_active and user.has_role(*BANK_STAFF_ROLES)
            and user.organisation_id is not None and user.organisation_id in (bank.pk, bank.head_office_id))


def _require_bank_staff(user: User, bank: Organisation) -> None:
    if not _is_bank_staff(user, bank):
        raise PermissionDenied()


def _require_not_closed(fund: Fund, on: date) -> None:
    """For what still happens between expiry (``closes_on``) and the closing (BT-21): interest earned, money
    moved, claims settled, recoveries — the fund must not be closed, and the date not before its opening."""
    if fund.status != FundStatus.OPEN:
        raise FundClosed()
    if on < fund.opened_on:
        raise FundNotOpen(date=on.isoformat())


def _require_open(fund: Fund, on: date) -> None:
    """New business (contributions, fees, claims): the fund is not closed and ``on`` lies within its term."""
    _require_not_closed(fund, on)
    if fund.closes_on is not None and on > fund.closes_on:
        raise FundNotOpen(date=on.isoformat())


def _amount(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput(reason=f"{field} must be a positive whole number of fen")
    return value


def record_contribution(user: User, fund_id: int, *, contributor_id: int, amount_fen: int, on: date,
                        bank_id: int | None = None, reference: str = "") -> JournalEntry:
    """BT-3, BT-9: a contributor's (出资人) money paid into the fund's dedicated account (at ``bank_id`` where
    given, else the fund's main account). Fund officer of the manager."""
    amount = _amount(amount_fen, "amount_fen")
    with transaction.atomic():
        fund = lock(Fund, fund_id)
        _require_fund_officer(user, fund)
        _require_open(fund, on)
        if not Organisation.objects.filter(pk=contributor_id).exists():
            raise NotFound()
        if bank_id is not None and not Cooperation.objects.filter(fund=fund, institution_id=bank_id).exists():
            raise InvalidInput(reason="the dedicated account must be at a cooperating bank (BT-9)")
        entry = ledger.post(fund, dl.contribution(ledger.party(contributor_id), ledger.party(bank_id), amount, on,
                                                  reference=reference), user=user)
        record_event(actor=user, action="fund.contribution", obj=entry,
                     after={"fund": fund.code, "entry": entry.number, "contributor": contributor_id,
                            "amount_fen": amount, "on": on.isoformat()}, clause="BT-3", organisation=fund.manager)
    return entry


def record_interest(user: User, fund_id: int, *, amount_fen: int, on: date, bank_id: int | None = None,
                    reference: str = "") -> JournalEntry:
    """BT-11: interest a dedicated account earned (at ``bank_id``, else the fund's main account) flows back into
    the fund. Fund officer of the manager."""
    amount = _amount(amount_fen, "amount_fen")
    with transaction.atomic():
        fund = lock(Fund, fund_id)
        _require_fund_officer(user, fund)
        _require_not_closed(fund, on)
        if bank_id is not None and not Cooperation.objects.filter(fund=fund, institution_id=bank_id).exists():
            raise InvalidInput(reason="the dedicated account must be at a cooperating bank (BT-9)")
        entry = ledger.post(fund, dl.interest(ledger.party(bank_id), amount, on, reference=(reference or "").strip()),
                            user=user)
        record_event(actor=user, action="fund.interest", obj=entry,
                     after={"fund": fund.code, "entry": entry.number, "account": ledger.party(bank_id),
                            "amount_fen": amount, "on": on.isoformat()}, clause="BT-11", organisation=fund.manager)
    return entry


def post_management_fee(user: User, fund_id: int, *, amount_fen: int, on: date, bank_id: int | None = None,
                        reference: str = "") -> JournalEntry:
    """BT-8.7: the manager's fee paid out of the fund; refused above the fund year's cap
    (``fund_management_fee_cap_exceeded``) or when the account does not hold it."""
    amount = _amount(amount_fen, "amount_fen")
    with transaction.atomic():
        fund = lock(Fund, fund_id)
        _require_fund_officer(user, fund)
        _require_open(fund, on)
        entry = ledger.post(fund, dl.management_fee(amount, on, ledger.party(bank_id), reference=reference),
                            user=user)
        record_event(actor=user, action="fund.management_fee", obj=entry,
                     after={"fund": fund.code, "entry": entry.number, "amount_fen": amount, "on": on.isoformat()},
                     clause="BT-8.7", organisation=fund.manager)
    return entry


def reverse_entry(user: User, entry_id: int, *, reason: str, on: date) -> JournalEntry:
    """Correct a contribution, interest, fee or transfer entry by its reversal (红字冲销): lines swapped, at most
    once; refused when it would overdraw an account. Claim and recovery entries change with their claim."""
    if not (reason or "").strip():
        raise InvalidInput(reason="a reversal needs a reason")
    fund_id = JournalEntry.objects.filter(pk=entry_id).values_list("fund_id", flat=True).first()
    if fund_id is None:
        raise NotFound()
    with transaction.atomic():
        fund = lock(Fund, fund_id)
        _require_fund_officer(user, fund)
        _require_not_closed(fund, on)
        original = JournalEntry.objects.prefetch_related("lines").select_related("reverses").get(pk=entry_id)
        if original.kind not in REVERSIBLE_KINDS:
            raise EntryNotReversible(entry=original.number)
        if on < original.entry_date:
            raise InvalidInput(reason="a reversal cannot be dated before the entry it corrects")
        posting = dl.reversal_of(dl.Entry(original.number, ledger.posting_of(original)), on, memo=reason.strip())
        entry = ledger.post(fund, posting, user=user)
        record_event(actor=user, action="fund.entry.reverse", obj=entry,
                     before={"entry": original.number}, after={"reversal": entry.number, "reason": reason.strip(),
                                                               "on": on.isoformat()},
                     clause=original.clause or "BT-8.2", organisation=fund.manager)
    return entry


def _claim_figures(loan: Any, fund: Fund, on: date) -> tuple[Decimal, str, dc.Compensation, int]:
    """The ratio (the fund's risk share recorded at enrolment, PZP-3.4.2, else the profile's BT-12a ratio), its
    clause, the compensation (BT-12, BT-12a, BT-15) and the IP-pledge portion (the loan's recorded portion of a
    combined loan; the whole principal where it records none, BT-12a)."""
    share = (loan.contract.risk_shares or {}).get("fund")
    ratio_param = claims_db.fund_param(fund, "compensation_ratio", on, required=share is None)
    ratio = Decimal(str(share)) if share is not None else ratio_param.decimal  # type: ignore[union-attr]
    clause = ratio_param.clause if ratio_param is not None else "PZP-3.4.2"
    cap = claims_db.fund_param(fund, "claim_cap_fen", on, required=False)
    portion = loan.principal_fen if loan.ip_pledge_portion_fen is None else loan.ip_pledge_portion_fen
    comp = dc.claim_compensation(outstanding_principal_fen=loan.outstanding_principal_fen,
                                 loan_principal_fen=loan.principal_fen, ip_pledge_portion_fen=portion,
                                 compensation_ratio=ratio, per_claim_cap_fen=int(cap.value) if cap else None)
    return ratio, clause, comp, portion


def file_claim(user: User, loan_id: int, *, on: date, deterioration_evidence: str = "") -> Claim:
    """BT-14, BT-15: the lending bank files a compensation claim on a covered loan ≥ ``claim_min_days_past_due``
    days past due (60: day 59 refused, day 60 allowed), or earlier with evidence of serious deterioration. One
    standing claim per loan (a withdrawn one may be followed by another). Amount = min(ratio × principal loss of
    the IP-pledge portion, per-claim cap) (BT-12)."""
    from ipfin.servicing.models import Loan

    evidence = (deterioration_evidence or "").strip()
    loan_row = Loan.objects.filter(pk=loan_id).select_related("bank").first()
    if loan_row is None:
        raise NotFound()
    _require_bank_staff(user, loan_row.bank)
    if loan_row.fund_id is None:
        raise ClaimNotAllowed(reason="the loan is not covered by the fund", clause="BT-13b")
    with transaction.atomic():
        fund = lock(Fund, loan_row.fund_id)
        loan = Loan.objects.select_for_update().select_related("contract").get(pk=loan_id)
        _require_open(fund, on)
        if on < loan.disbursed_on:
            raise InvalidInput(reason="the filing date is before the disbursement")
        threshold = claims_db.fund_param(fund, "claim_min_days_past_due", on)
        assert threshold is not None
        existing = list(Claim.objects.filter(loan=loan).values_list("state", flat=True))
        basis = dc.require_claim_allowed(covered=True, days_past_due=loan.days_past_due,
                                         claim_min_days_past_due=int(threshold.value),
                                         deterioration_evidence=bool(evidence), existing_claim_states=existing)
        ratio, ratio_clause, comp, portion = _claim_figures(loan, fund, on)
        clause = threshold.clause if basis is dc.ClaimBasis.OVERDUE else "BT-14"
        # SC-12: where the fund's rules front-load compensation, the claim pays the first share now and is
        # settled after disposal (settle_claim); ``amount_fen`` is then that first share.
        advance = claims_db.fund_param(fund, "front_loaded_advance_ratio", on, required=False)
        amount = comp.amount_fen
        if advance is not None:
            amount = dc.front_loaded_advance(comp.loss_fen, ratio, comp.cap_fen, advance.decimal)
        claim = Claim.objects.create(
            fund=fund, loan=loan, bank_id=loan.bank_id, number=next_number(Claim, f"BC{on:%Y%m%d}"),
            filed_on=on, filed_by=user, days_past_due=loan.days_past_due, basis=basis.value,
            principal_loss_fen=comp.loss_fen, ip_pledge_portion_fen=portion, ratio=ratio, cap_fen=comp.cap_fen,
            amount_fen=amount, clause=clause, evidence_note=evidence,
            deterioration=basis is dc.ClaimBasis.DETERIORATION, front_loaded=advance is not None,
            advance_ratio=advance.decimal if advance is not None else None)
        record_event(actor=user, action="fund.claim.file", obj=claim,
                     after={"loan": loan.number, "days_past_due": loan.days_past_due, "basis": basis.value,
                            "loss_fen": comp.loss_fen, "ratio": str(ratio), "ratio_clause": ratio_clause,
                            "cap_fen": comp.cap_fen, "compensation_fen": comp.amount_fen, "amount_fen": amount,
                            "capped": comp.capped,
                            "advance_ratio": str(advance.value) if advance is not None else None},
                     clause=clause, organisation=loan.bank)
        notify(organisations=[fund.manager_id], verb="fund.claim.filed",
               title=format_lazy(_("Compensation claim {number} filed on loan {loan}"), number=claim.number,
                                 loan=loan.number), url="/fund/")
    return claim


def _lock_claim(claim_id: int) -> tuple[Fund, Claim]:
    fund_id = Claim.objects.filter(pk=claim_id).values_list("fund_id", flat=True).first()
    if fund_id is None:
        raise NotFound()
    fund = lock(Fund, fund_id)
    return fund, Claim.objects.select_for_update().select_related("bank", "loan").get(pk=claim_id)


def _move(claim: Claim, target: str) -> str:
    previous = claim.state
    dc.transition(previous, target, front_loaded=claim.front_loaded)
    claim.state = target
    return previous


class ChecklistIncomplete(InvalidInput):
    code = "fund_checklist_incomplete"
    message_template = _("Tick every item of the verification checklist to verify the claim; missing: {missing}.")


def _checklist(items: Iterable[str]) -> dc.Verification:
    try:
        checked = frozenset(dc.ChecklistItem(i) for i in items)
    except ValueError as exc:
        raise InvalidInput(reason=f"unknown checklist item: {exc}") from None
    return dc.Verification(checked)


def verify_claim(user: User, claim_id: int, *, approve: bool, checklist: Iterable[str] = (),
                 able_but_unwilling: bool = False, note: str = "", on: date | None = None) -> Claim:
    """The fund manager's verification (核实): filed → verified, which needs every item of the checklist
    (:class:`ipfin.domain.fund.claims.ChecklistItem`), or → rejected, which needs a reason. The items ticked are
    kept with the claim. ``able_but_unwilling`` records that the borrower could repay and did not: it goes on
    the dishonest list (BT-18)."""
    from ipfin.registry.actions import add_dishonest_entry

    on = on or business_date()
    verification = _checklist(checklist)
    if approve and not verification.complete:
        raise ChecklistIncomplete(missing=", ".join(i.value for i in verification.missing))
    if not approve and not (note or "").strip():
        raise InvalidInput(reason="a rejection needs a reason")
    with transaction.atomic():
        fund, claim = _lock_claim(claim_id)
        _require_fund_officer(user, fund)
        target = ClaimState.VERIFIED if approve else ClaimState.REJECTED
        previous = _move(claim, target)
        claim.verified_by, claim.verified_on, claim.verification_note = user, on, (note or "").strip()
        claim.dishonest_listed = bool(able_but_unwilling)
        claim.checklist = [i.value for i in dc.ChecklistItem if i in verification.checked]
        claim.save(update_fields=["state", "verified_by", "verified_on", "verification_note", "dishonest_listed",
                                  "checklist"])
        if able_but_unwilling:
            add_dishonest_entry(None, claim.loan.enterprise_id, listed_on=on, source=claim.number,
                                reason=gettext("Able but unwilling to repay (compensation claim {number})")
                                .format(number=claim.number))
        record_event(actor=user, action="fund.claim.verify", obj=claim, before={"state": previous},
                     after={"state": target, "able_but_unwilling": bool(able_but_unwilling), "note": note,
                            "checklist": claim.checklist, "on": on.isoformat()},
                     clause="BT-18" if able_but_unwilling else "BT-15", organisation=fund.manager)
        notify(organisations=[claim.bank_id], verb=f"fund.claim.{target}",
               title=format_lazy(_("Compensation claim {number}: {state}"), number=claim.number,
                                 state=ClaimState(target).label), body=note, url="/fund/")
    return claim


def approve_claim(user: User, claim_id: int, *, on: date) -> Claim:
    """The leadership group approves (审批) a verified claim: verified → approved; the compensation becomes
    payable in the ledger (compensation expense / payable of the bank, BT-12, BT-15)."""
    with transaction.atomic():
        fund, claim = _lock_claim(claim_id)
        _require_leader(user, fund)
        previous = _move(claim, ClaimState.APPROVED)
        if claim.amount_fen > 0:
            ledger.post(fund, dl.claim_approved(ledger.party(claim.bank_id), claim.amount_fen, on,
                                                reference=claim.number,
                                                clause="SC-12" if claim.front_loaded else "BT-12"), user=user)
        claim.approved_by, claim.approved_on = user, on
        claim.save(update_fields=["state", "approved_by", "approved_on"])
        record_event(actor=user, action="fund.claim.approve", obj=claim, before={"state": previous},
                     after={"state": claim.state, "amount_fen": claim.amount_fen, "on": on.isoformat()},
                     clause="BT-15", organisation=fund.manager)
        notify(organisations=[claim.bank_id, fund.manager_id], verb="fund.claim.approved",
               title=format_lazy(_("Compensation claim {number} approved"), number=claim.number), url="/fund/")
    return claim


def _pay_out(user: User, fund: Fund, claim: Claim, amount_fen: int, on: date, clause: str = "BT-15") -> None:
    """Pay ``amount_fen`` of payable compensation to the claim's bank: from the bank's own dedicated account
    when it holds the amount, else from the fund's main account (the ledger refuses an overdraft)."""
    bank = ledger.party(claim.bank_id)
    own = ledger.balances(fund, [dl.cash(bank)]).get(dl.cash(bank), 0)
    source = bank if own >= amount_fen else ledger.MAIN_ACCOUNT
    ledger.post(fund, dl.payout(bank, amount_fen, on, reference=claim.number, from_account=source, clause=clause),
                user=user)


def pay_claim(user: User, claim_id: int, *, on: date) -> Claim:
    """The fund pays an approved claim (拨付, BT-15): from the bank's own dedicated account when it holds the
    amount, else from the fund's main account; refused (``fund_insufficient_balance``) when that would take the
    fund's cash below zero. Then the bank's BT-13 ratio is evaluated and notices issued once per crossing."""
    with transaction.atomic():
        fund, claim = _lock_claim(claim_id)
        _require_fund_officer(user, fund)
        if claim.approved_on is not None and on < claim.approved_on:
            raise InvalidInput(reason="the payment date is before the approval")
        previous = _move(claim, ClaimState.PAID)
        if claim.amount_fen > 0:
            _pay_out(user, fund, claim, claim.amount_fen, on, clause="SC-12" if claim.front_loaded else "BT-15")
        claim.paid_on = on
        claim.save(update_fields=["state", "paid_on"])
        record_event(actor=user, action="fund.claim.pay", obj=claim, before={"state": previous},
                     after={"state": claim.state, "amount_fen": claim.amount_fen, "on": on.isoformat()},
                     clause="BT-15", organisation=fund.manager)
        notify(organisations=[claim.bank_id], verb="fund.claim.paid",
               title=format_lazy(_("Compensation claim {number} paid: {amount} fen"), number=claim.number,
                                 amount=claim.amount_fen), url="/fund/")
        claims_db.evaluate_banks(fund, on, user=user, bank_ids={claim.bank_id})
    return claim


def withdraw_claim(user: User, claim_id: int, *, reason: str, on: date | None = None) -> Claim:
    """The bank withdraws its claim before approval (a new claim on the loan is then allowed, BT-15)."""
    if not (reason or "").strip():
        raise InvalidInput(reason="a withdrawal needs a reason")
    with transaction.atomic():
        fund, claim = _lock_claim(claim_id)
        _require_bank_staff(user, claim.bank)
        previous = _move(claim, ClaimState.WITHDRAWN)
        claim.withdrawn_reason = reason.strip()
        claim.save(update_fields=["state", "withdrawn_reason"])
        record_event(actor=user, action="fund.claim.withdraw", obj=claim, before={"state": previous},
                     after={"state": claim.state, "reason": claim.withdrawn_reason,
                            "on": (on or business_date()).isoformat()},
                     clause="BT-15", organisation=claim.bank)
        notify(organisations=[fund.manager_id], verb="fund.claim.withdrawn",
               title=format_lazy(_("Compensation claim {number} withdrawn"), number=claim.number),
               body=claim.withdrawn_reason, url="/fund/")
    return claim


def lift_suspension(user: User, cooperation_id: int, *, on: date, decision: str) -> BankNotice:
    """The leadership group's recorded decision lifting a bank's suspension (BT-13b): suspended → warned while
    its ratio is still at or above the warning band, else admitted. The band is kept, so the suspension is not
    re-issued until the ratio falls below 5 % and reaches it again."""
    if not (decision or "").strip():
        raise InvalidInput(reason="the leadership decision must be recorded")
    with transaction.atomic():
        cooperation = lock(Cooperation, cooperation_id)
        fund = cooperation.fund
        _require_leader(user, fund)
        if fund.status != FundStatus.OPEN:
            raise FundClosed()
        if cooperation.status != CooperationStatus.SUSPENDED:
            raise Conflict()
        if on < cooperation.status_since:
            raise InvalidInput(reason="the decision date is before the suspension")
        target = CooperationStatus.WARNED if cooperation.ratio_band >= 1 else CooperationStatus.ADMITTED
        previous = transition(cooperation, "status", target, COOPERATION_ALLOWED)
        cooperation.status_since = on
        cooperation.save(update_fields=["status", "status_since"])
        notice = BankNotice.objects.create(fund=fund, cooperation=cooperation, bank_id=cooperation.institution_id,
                                           kind=NoticeKind.LIFT, issued_on=on, clause="BT-13b", decided_by=user,
                                           decision=decision.strip())
        record_event(actor=user, action="fund.notice.lift", obj=notice, before={"status": previous},
                     after={"status": target, "decision": notice.decision, "on": on.isoformat()},
                     clause="BT-13b", organisation=fund.manager)
        notify(organisations=[cooperation.institution_id, fund.manager_id], verb="fund.notice.lift",
               title=format_lazy(_("{fund}: suspension of {institution} lifted"), fund=fund.name,
                                 institution=cooperation.institution.name), body=notice.decision, url="/fund/")
    return notice


def record_recovery(user: User, claim_id: int, *, recovered_fen: int, on: date) -> RecoveryShare:
    """BT-16: after a payout the bank records what it recovered; the fund's share (``recovery_share_ratio`` ×
    recovered, HALF_UP; the shares of a claim stop at the compensation paid) becomes receivable, due on the
    ``recovery_share_due_working_days``-th working day after ``on`` (empty while the calendar is not published)."""
    recovered = _amount(recovered_fen, "recovered_fen")
    with transaction.atomic():
        fund, claim = _lock_claim(claim_id)
        _require_bank_staff(user, claim.bank)
        _require_not_closed(fund, on)
        if claim.state not in (ClaimState.PAID, ClaimState.SETTLED):
            raise Conflict()
        if claim.front_loaded and claim.state == ClaimState.PAID:
            raise DisposalSettlesFirst(number=claim.number)
        if claim.paid_on is not None and on < claim.paid_on:
            raise InvalidInput(reason="the recovery date is before the payout")
        ratio = claims_db.fund_param(fund, "recovery_share_ratio", on)
        days = claims_db.fund_param(fund, "recovery_share_due_working_days", on)
        assert ratio is not None and days is not None
        before = RecoveryShare.objects.filter(claim=claim).aggregate(s=Sum("share_fen"))["s"] or 0
        share = dr.recovery_share_fen(recovered, ratio.decimal, compensation_paid_fen=claim.amount_fen,
                                      already_returned_fen=before)
        due_on = dr.recovery_share_due_or_none(working_calendar(), on, int(days.value))
        row = RecoveryShare.objects.create(claim=claim, recovered_fen=recovered, share_fen=share, recorded_on=on,
                                           due_on=due_on, recorded_by=user)
        if share > 0:
            ledger.post(fund, dl.recovery_share_due(ledger.party(claim.bank_id), share, on, reference=claim.number),
                        user=user)
        record_event(actor=user, action="fund.recovery.record", obj=row,
                     after={"claim": claim.number, "recovered_fen": recovered, "share_fen": share,
                            "ratio": str(ratio.value), "due_on": due_on.isoformat() if due_on else None},
                     clause=ratio.clause, organisation=claim.bank)
        notify(organisations=[fund.manager_id, claim.bank_id], verb="fund.recovery.recorded",
               title=format_lazy(_("Recovery on claim {number}: {share} fen due to the fund"), number=claim.number,
                                 share=share), url="/fund/")
    return row


def receive_recovery_share(user: User, share_id: int, *, on: date) -> RecoveryShare:
    """BT-16: the fund officer records that the bank returned the share into its dedicated account."""
    claim_id = RecoveryShare.objects.filter(pk=share_id).values_list("claim_id", flat=True).first()
    if claim_id is None:
        raise NotFound()
    with transaction.atomic():
        fund, claim = _lock_claim(claim_id)
        _require_fund_officer(user, fund)
        row = RecoveryShare.objects.select_for_update().get(pk=share_id)
        if row.received_on is not None:
            raise RecoveryShareAlreadyReceived(date=row.received_on.isoformat())
        if on < row.recorded_on:
            raise InvalidInput(reason="the receipt date is before the recovery")
        if row.share_fen > 0:
            bank = ledger.party(claim.bank_id)
            ledger.post(fund, dl.recovery_share_received(bank, row.share_fen, on, reference=claim.number),
                        user=user)
        row.received_on = on
        row.save(update_fields=["received_on"])
        record_event(actor=user, action="fund.recovery.receive", obj=row,
                     after={"claim": claim.number, "share_fen": row.share_fen, "on": on.isoformat(),
                            "late": bool(row.due_on and on > row.due_on)},
                     clause="BT-16", organisation=fund.manager)
    return row


# ---------------------------------------------------------------------------------------------------------
# SC-12 风险补偿前置: a front-loaded claim paid its first share on default; after the pledged IP is disposed of
# the bank reports the proceeds and the leadership group settles the compensation on the loss that remains.


class NotFrontLoaded(Conflict):
    code = "fund_claim_not_front_loaded"
    message_template = _("Claim {number} is not a front-loaded claim (SC-12).")


class DisposalSettlesFirst(Conflict):
    code = "fund_claim_disposal_settles_first"
    message_template = _("Claim {number} was front-loaded (SC-12): report the disposal proceeds for its settlement; "
                         "recoveries are shared only after it is settled.")


class DisposalNotRecorded(Conflict):
    code = "fund_claim_disposal_not_recorded"
    message_template = _("The bank has not reported the disposal proceeds of claim {number} yet.")


def _require_front_loaded_paid(claim: Claim) -> None:
    if not claim.front_loaded:
        raise NotFrontLoaded(number=claim.number)
    dc.transition(claim.state, ClaimState.SETTLED, front_loaded=True)  # only a paid first share is settled


def record_disposal(user: User, claim_id: int, *, disposal_proceeds_fen: int, on: date) -> Claim:
    """SC-12: the lending bank reports what the disposal of the pledged IP brought in (0 when nothing), after the
    first share was paid. It may correct the figure until the claim is settled (audited before/after)."""
    if isinstance(disposal_proceeds_fen, bool) or not isinstance(disposal_proceeds_fen, int) \
            or disposal_proceeds_fen < 0:
        raise InvalidInput(reason="disposal_proceeds_fen must be a whole number of fen, 0 or more")
    with transaction.atomic():
        fund, claim = _lock_claim(claim_id)
        _require_bank_staff(user, claim.bank)
        _require_front_loaded_paid(claim)
        if claim.paid_on is not None and on < claim.paid_on:
            raise InvalidInput(reason="the disposal date is before the payment of the first share")
        before = claim.disposal_proceeds_fen
        claim.disposal_proceeds_fen = disposal_proceeds_fen
        claim.save(update_fields=["disposal_proceeds_fen"])
        record_event(actor=user, action="fund.claim.disposal", obj=claim,
                     before={"disposal_proceeds_fen": before},
                     after={"disposal_proceeds_fen": disposal_proceeds_fen, "on": on.isoformat()},
                     clause="SC-12", organisation=claim.bank)
        notify(organisations=[fund.manager_id], verb="fund.claim.disposal",
               title=format_lazy(_("Claim {number}: disposal proceeds reported, ready for settlement"),
                                 number=claim.number), url=f"/fund/claims/{claim.pk}/")
    return claim


def settle_claim(user: User, claim_id: int, *, on: date, note: str = "") -> Claim:
    """SC-12 "待处置后再行清算": the leadership group settles a front-loaded claim — the compensation is computed
    again on the loss that remains after the disposal proceeds (same ratio and cap as at filing) and trued up
    against the first share: the fund pays the rest (approved and paid in this action; refused when the fund
    cannot pay it) or the bank refunds the excess into its dedicated account. paid → settled."""
    with transaction.atomic():
        fund, claim = _lock_claim(claim_id)
        _require_leader(user, fund)
        _require_front_loaded_paid(claim)
        _require_not_closed(fund, on)
        if claim.disposal_proceeds_fen is None:
            raise DisposalNotRecorded(number=claim.number)
        if claim.paid_on is not None and on < claim.paid_on:
            raise InvalidInput(reason="the settlement date is before the payment of the first share")
        settlement = dc.front_loaded_settlement(claim.principal_loss_fen, claim.disposal_proceeds_fen,
                                                claim.ratio, claim.cap_fen, claim.amount_fen)
        true_up = settlement.true_up_fen
        bank = ledger.party(claim.bank_id)
        if true_up > 0:
            ledger.post(fund, dl.claim_approved(bank, true_up, on, reference=claim.number, clause="SC-12"),
                        user=user)
            _pay_out(user, fund, claim, true_up, on, clause="SC-12")
        elif true_up < 0:
            ledger.post(fund, dl.compensation_refund(bank, -true_up, on, reference=claim.number), user=user)
        previous = _move(claim, ClaimState.SETTLED)
        claim.final_amount_fen, claim.true_up_fen = settlement.final.amount_fen, true_up
        claim.settled_on, claim.settled_by = on, user
        claim.save(update_fields=["state", "final_amount_fen", "true_up_fen", "settled_on", "settled_by"])
        record_event(actor=user, action="fund.claim.settle", obj=claim, before={"state": previous},
                     after={"state": claim.state, "loss_fen": claim.principal_loss_fen,
                            "disposal_proceeds_fen": claim.disposal_proceeds_fen,
                            "final_amount_fen": claim.final_amount_fen, "first_share_fen": claim.amount_fen,
                            "true_up_fen": true_up, "note": (note or "").strip(), "on": on.isoformat()},
                     clause="SC-12", organisation=fund.manager)
        notify(organisations=[claim.bank_id, fund.manager_id], verb="fund.claim.settled",
               title=format_lazy(_("Claim {number} settled after disposal: true-up {amount} fen"),
                                 number=claim.number, amount=true_up), url=f"/fund/claims/{claim.pk}/")
        claims_db.evaluate_banks(fund, on, user=user, bank_ids={claim.bank_id})
    return claim


# ---------------------------------------------------------------------------------------------------------
# Transfers between the fund's dedicated accounts (BT-9)


def transfer_between_accounts(user: User, fund_id: int, *, from_bank_id: int | None, to_bank_id: int | None,
                              amount_fen: int, on: date, reference: str = "") -> JournalEntry:
    """BT-9: move money between two dedicated accounts of the fund (a cooperating bank's, or the fund's main
    account when the bank is None) — e.g. to fund a bank's account before a payout. Fund officer; refused when
    the source does not hold the amount."""
    amount = _amount(amount_fen, "amount_fen")
    if from_bank_id == to_bank_id:
        raise InvalidInput(reason="a transfer needs two different accounts")
    with transaction.atomic():
        fund = lock(Fund, fund_id)
        _require_fund_officer(user, fund)
        _require_not_closed(fund, on)
        named = {b for b in (from_bank_id, to_bank_id) if b is not None}
        cooperating = set(Cooperation.objects.filter(fund=fund, institution_id__in=named,
                                                     institution__kind=OrganisationKind.BANK)
                          .values_list("institution_id", flat=True))
        if named - cooperating:
            raise InvalidInput(reason="a dedicated account must be at a cooperating bank (BT-9)")
        entry = ledger.post(fund, dl.transfer(ledger.party(from_bank_id), ledger.party(to_bank_id), amount, on,
                                              reference=(reference or "").strip()), user=user)
        record_event(actor=user, action="fund.transfer", obj=entry,
                     after={"fund": fund.code, "entry": entry.number, "from": ledger.party(from_bank_id),
                            "to": ledger.party(to_bank_id), "amount_fen": amount, "on": on.isoformat()},
                     clause="BT-9", organisation=fund.manager)
    return entry
