"""Servicing actions (贷后管理): the schedule of a new loan, repayments (还款) and their reversal, manual downgrade
(五级分类 人工下调), risk warnings (风险预警) and each bank's quarterly overall NPL ratio (不良贷款率).

Each action runs in one transaction, locks the row it changes, checks the role, the scope and the transition
table, writes an audit event with its clause and notifies after commit.

Repayment rules (issue 6; decisions written down in ``docs/help/bank-servicing.md``):

* The schedule in force is every row not ``superseded`` (rows paid before a prepayment stay in their version;
  the rows a prepayment re-amortises get the next version number).
* An installment is *due* on ``received_on`` when its due date is on or before it; ``due_on < received_on`` is
  overdue, ``due_on == received_on`` is current. Penalty interest (罚息) on overdue principal is accrued up to the
  value date first (``ipfin.domain.servicing_state.penalty_accrual``), then the payment is split penalty →
  overdue interest → overdue principal → current interest → current principal
  (``ipfin.domain.repayment.allocate_to_installments``).
* ``regular``: a payment larger than what is due is refused — the excess is a prepayment (``kind=prepayment``)
  or a pay-off (``kind=payoff``); paying an installment before its due date is a prepayment.
* ``prepayment``: everything due must be covered; then the interest of the running period to the day; the rest
  repays principal. The rows not yet due are superseded by a new schedule version from ``remaining_schedule``:
  ``keep_term`` (lower installment) or ``keep_installment`` (shorter term). Repaying all the remaining principal
  is a pay-off, refused here.
* ``payoff``: the amount must equal the pay-off quote to the fen (everything due + principal not yet due +
  running-period interest to the day); the loan becomes ``paid_off`` and its pledge registration is released
  (``ipfin.pledges.actions.release_pledge``, SC-1) in the same transaction. A regular payment that settles the
  last installment pays the loan off the same way.
* Reversal: only the latest posted repayment of a loan; it restores the loan's servicing fields and every
  installment it touched exactly (from ``Repayment.loan_state_before``); rows it created are kept, superseded.
  A repayment that paid the loan off **and released its pledge** cannot be reversed: the release is public
  (SC-13) and is not undone automatically — re-register the pledge first, outside this action.
* The five-category class is not changed by a posting; close of business reclassifies from the new days past
  due (a manual class stays).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from ipfin.accounts.audit import record_event
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import require_role
from ipfin.core.actions import lock, transition
from ipfin.core.dates import business_date
from ipfin.core.idempotency import run_idempotent
from ipfin.core.numbering import next_number
from ipfin.core.scoping import get_visible
from ipfin.domain import servicing_state as state
from ipfin.domain.classification import check_manual_class, classify, load_rules, parse_risk_class
from ipfin.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, _
from ipfin.domain.repayment import InstallmentDue, allocate_to_installments
from ipfin.domain.schedule import Keep, build_schedule, remaining_schedule
from ipfin.servicing.choices import (
    LOAN_ALLOWED,
    REPAYMENT_ALLOWED,
    WARNING_ALLOWED,
    ClassChangeSource,
    InstallmentStatus,
    LoanStatus,
    PrepaymentOption,
    RepaymentKind,
    RepaymentStatus,
    WarningStatus,
)
from ipfin.servicing.models import (
    BankNplReport,
    Installment,
    Loan,
    Repayment,
    RepaymentAllocation,
    RiskClassChange,
    RiskWarning,
)

OFFICER_ROLES = (Role.LOAN_OFFICER, Role.BRANCH_HEAD)  # post and reverse repayments
DECIDER_ROLES = (Role.APPROVER, Role.BRANCH_HEAD)  # manual downgrade
BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)  # handle warnings
NPL_ROLES = (Role.BRANCH_HEAD,)  # enter the bank's overall NPL ratio
WARNING_ROLES = (*BANK_ROLES, Role.FUND_OFFICER)

REPAYMENT_CLAUSE = "PZP-3.4.1"  # repayment feedback to the credit system
WARNING_CLAUSE = "PZP-3.7.2"  # post-loan monitoring of the pledged IP
NPL_CLAUSE = "XT-10"  # the bank's overall NPL beside its IP-pledge NPL (also PZA-3.乙2)
REPAYMENT_NUMBER_PREFIX = "HK"  # 还款 + year + 6 digits
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
RATIO_PLACES = 4  # BankNplReport.overall_npl_ratio decimal places
PERCENT_MAX = Decimal(100)

# Reversing the repayment that paid a loan off re-opens it: the one move back out of ``paid_off`` and only for
# this action (LOAN_ALLOWED holds the forward moves).
LOAN_REOPEN_ALLOWED: dict[str, frozenset[str]] = {LoanStatus.PAID_OFF: frozenset({LoanStatus.ACTIVE})}

LOAN_STATE_FIELDS = ("status", "outstanding_principal_fen", "schedule_version", "oldest_unpaid_due_on",
                     "days_past_due", "overdue_principal_fen", "overdue_interest_fen", "penalty_fen",
                     "penalty_accrued_through", "paid_off_on")
LOAN_DATE_FIELDS = frozenset({"oldest_unpaid_due_on", "penalty_accrued_through", "paid_off_on"})
INSTALLMENT_STATE_FIELDS = ("principal_paid_fen", "interest_paid_fen", "penalty_paid_fen", "status", "paid_on")


# ---------------------------------------------------------------------------------------------------------
# Errors users can cause


class LoanNotActive(Conflict):
    code = "loan_not_active"
    message_template = _("Loan {loan} is {status}; only an active loan can take this action.")


class PaymentExceedsDue(InvalidInput):
    code = "payment_exceeds_due"
    message_template = _("The payment of {amount_fen} fen is more than the {due_fen} fen due on {received_on}; post "
                         "the excess as a prepayment (kind=prepayment) or pay the loan off (kind=payoff).")


class NothingToPrepay(InvalidInput):
    code = "nothing_to_prepay"
    message_template = _("A prepayment must first cover the {due_fen} fen due and the {accrued_fen} fen of interest "
                         "accrued to {received_on}; {amount_fen} fen leaves no principal to prepay.")


class PrepaymentIsPayoff(InvalidInput):
    code = "prepayment_is_payoff"
    message_template = _("This prepayment would repay all {remaining_fen} fen of remaining principal; pay the loan "
                         "off instead (kind=payoff, {payoff_fen} fen on {received_on}).")


class PayoffAmountMismatch(InvalidInput):
    code = "payoff_amount_mismatch"
    message_template = _("Paying loan {loan} off on {received_on} takes exactly {payoff_fen} fen, not {amount_fen}.")


class ValueDateTooEarly(InvalidInput):
    code = "value_date_too_early"
    message_template = _("The value date {received_on} is before {earliest} ({why}); post repayments in value-date "
                         "order.")


class NotLatestRepayment(Conflict):
    code = "not_latest_repayment"
    message_template = _("Only the latest posted repayment of a loan can be reversed; reverse {latest} first.")


class PayoffPledgeReleased(Conflict):
    code = "payoff_pledge_released"
    message_template = _("Repayment {repayment} paid the loan off and released pledge registration {registration}; "
                         "a released pledge is not restored automatically, so this repayment cannot be reversed.")


class NotAQuarterEnd(InvalidInput):
    code = "not_a_quarter_end"
    message_template = _("{quarter_end} is not a quarter end (31 March, 30 June, 30 September or 31 December).")


class NoClassChange(InvalidInput):
    code = "no_class_change"
    message_template = _("Loan {loan} already has the manual class {risk_class}.")


def _today() -> date:
    return business_date()


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(reason="a reason is required")
    return text


# ---------------------------------------------------------------------------------------------------------
# Who may act


def _bank_side(user: User, bank: Organisation) -> bool:
    """The user works for ``bank`` or for its head office."""
    org_id = user.organisation_id
    return org_id is not None and org_id in (bank.pk, bank.head_office_id)


def _locked_loan(user: User, loan_id: int, roles: Sequence[str]) -> Loan:
    require_role(user, *roles)
    get_visible(user, Loan, pk=loan_id)  # NotFound for a loan the user may not read
    loan = lock(Loan, loan_id)
    if not _bank_side(user, loan.bank):
        raise PermissionDenied()
    return loan


def _require_active(loan: Loan) -> None:
    if loan.status != LoanStatus.ACTIVE:
        raise LoanNotActive(loan=loan.number, status=loan.status)


# ---------------------------------------------------------------------------------------------------------
# Schedule


def _schedule_start(loan: Loan) -> date:
    """Interest runs from the contract's start date when it is later than disbursement (as ``disburse`` sets
    the maturity), else from the disbursement date."""
    start_on = loan.contract.start_on
    return start_on if start_on is not None and start_on >= loan.disbursed_on else loan.disbursed_on


def open_loan_schedule(loan: Loan) -> list[Installment]:
    """Schedule version 1 of a newly disbursed loan (还款计划) from its principal, rate, term, method, frequency
    and day count. INTERNAL: called by ``ipfin.origination.actions.disburse`` inside its transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("open_loan_schedule() must run inside the disbursement's transaction")
    if loan.installments.exists():
        raise Conflict()
    schedule = build_schedule(principal_fen=loan.principal_fen, annual_rate=loan.annual_rate,
                              months=loan.term_months, method=loan.repayment_method, start=_schedule_start(loan),
                              frequency=loan.payment_frequency, day_count=loan.day_count)
    Installment.objects.bulk_create(
        Installment(loan=loan, schedule_version=1, period=r.period, accrual_start=r.accrual_start, due_on=r.due_date,
                    principal_fen=r.principal_fen, interest_fen=r.interest_fen, balance_after_fen=r.balance_fen)
        for r in schedule.rows)
    updates = {"schedule_version": 1}
    if loan.maturity_on != schedule.maturity:
        updates["maturity_on"] = schedule.maturity  # type: ignore[assignment]
    Loan.objects.filter(pk=loan.pk).update(**updates)
    for key, value in updates.items():
        setattr(loan, key, value)
    return list(loan.installments.order_by("period"))


def _live_rows(loan: Loan, *, lock_rows: bool = False) -> list[Installment]:
    rows = Installment.objects.filter(loan=loan).exclude(status=InstallmentStatus.SUPERSEDED)
    if lock_rows:
        rows = rows.select_for_update()
    return list(rows.order_by("due_on", "period", "id"))


def _as_row(inst: Installment) -> state.Row:
    return state.Row(period=inst.period, due_on=inst.due_on, accrual_start=inst.accrual_start,
                     principal_fen=inst.principal_fen, interest_fen=inst.interest_fen,
                     principal_paid_fen=inst.principal_paid_fen, interest_paid_fen=inst.interest_paid_fen)


def _anchor_day(loan: Loan) -> int:
    first = Installment.objects.filter(loan=loan, schedule_version=1, period=1).first()
    return (first.accrual_start if first is not None else _schedule_start(loan)).day


def _next_version(loan: Loan) -> int:
    return (Installment.objects.filter(loan=loan).aggregate(v=Max("schedule_version"))["v"] or 0) + 1


# ---------------------------------------------------------------------------------------------------------
# Snapshots (Repayment.loan_state_before)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _loan_snapshot(loan: Loan) -> dict[str, Any]:
    return {name: _jsonable(getattr(loan, name)) for name in LOAN_STATE_FIELDS}


def _installment_snapshot(inst: Installment) -> dict[str, Any]:
    return {name: _jsonable(getattr(inst, name)) for name in INSTALLMENT_STATE_FIELDS}


def _restore(obj: Any, values: dict[str, Any], date_fields: Iterable[str]) -> None:
    dates = set(date_fields)
    for name, value in values.items():
        setattr(obj, name, date.fromisoformat(value) if name in dates and value else value)


# ---------------------------------------------------------------------------------------------------------
# Repayments


def _accrue_penalty(loan: Loan, rows: Sequence[Installment], through: date) -> None:
    loan.penalty_fen += state.penalty_accrual(
        [_as_row(r) for r in rows], through=through, accrued_through=loan.penalty_accrued_through,
        annual_rate=loan.annual_rate, uplift=loan.penalty_rate_uplift, day_count=loan.day_count)
    if loan.penalty_accrued_through is None or through > loan.penalty_accrued_through:
        loan.penalty_accrued_through = through


def _check_value_date(loan: Loan, received_on: date) -> None:
    if received_on < loan.disbursed_on:
        raise ValueDateTooEarly(received_on=received_on.isoformat(), earliest=loan.disbursed_on.isoformat(),
                                why="disbursement")
    if loan.penalty_accrued_through is not None and received_on < loan.penalty_accrued_through:
        raise ValueDateTooEarly(received_on=received_on.isoformat(),
                                earliest=loan.penalty_accrued_through.isoformat(), why="penalty accrued through")
    latest = (Repayment.objects.filter(loan=loan, status=RepaymentStatus.POSTED)
              .aggregate(d=Max("received_on"))["d"])
    if latest is not None and received_on < latest:
        raise ValueDateTooEarly(received_on=received_on.isoformat(), earliest=latest.isoformat(),
                                why="latest posted repayment")


def _clean_amount(amount_fen: Any) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise InvalidInput(reason="amount_fen must be a whole number of fen > 0")
    return amount_fen


def _clean_kind(kind: str, option: str) -> tuple[str, str]:
    if kind not in RepaymentKind.values:
        raise InvalidInput(reason=f"kind must be one of {', '.join(RepaymentKind.values)}")
    option = option or ""
    if kind == RepaymentKind.PREPAYMENT:
        if option not in PrepaymentOption.values:
            raise InvalidInput(reason=f"a prepayment needs prepayment_option {' or '.join(PrepaymentOption.values)}")
    elif option:
        raise InvalidInput(reason="prepayment_option is only for kind=prepayment")
    return kind, option


def _dues(rows: Sequence[Installment], received_on: date, penalty_fen: int) -> list[InstallmentDue]:
    """What is due on ``received_on`` per row; the loan's penalty is attributed to its oldest due row."""
    due_rows = [r for r in rows if r.due_on <= received_on and r.status != InstallmentStatus.PAID]
    dues = [InstallmentDue(period=r.period, due_date=r.due_on, principal_fen=r.principal_fen - r.principal_paid_fen,
                           interest_fen=r.interest_fen - r.interest_paid_fen) for r in due_rows]
    if penalty_fen and dues:
        first = dues[0]
        dues[0] = InstallmentDue(first.period, first.due_date, first.principal_fen, first.interest_fen, penalty_fen)
    elif penalty_fen and rows:  # nothing due any more but penalty left: it still comes first
        dues.append(InstallmentDue(period=rows[0].period, due_date=rows[0].due_on, principal_fen=0, interest_fen=0,
                                   penalty_fen=penalty_fen))
    return dues


def _payoff_quote(loan: Loan, rows: Sequence[Installment], on: date) -> state.PayoffQuote:
    return state.payoff_quote([_as_row(r) for r in rows], on, penalty_fen=loan.penalty_fen,
                              annual_rate=loan.annual_rate, day_count=loan.day_count)


def payoff_quote(user: User, loan_id: int, *, on: date) -> state.PayoffQuote:
    """提前结清 quote: what ``post_repayment(kind="payoff", received_on=on)`` will take (nothing written)."""
    loan = get_visible(user, Loan, pk=loan_id)
    rows = _live_rows(loan)
    penalty = loan.penalty_fen + state.penalty_accrual(
        [_as_row(r) for r in rows], through=on, accrued_through=loan.penalty_accrued_through,
        annual_rate=loan.annual_rate, uplift=loan.penalty_rate_uplift, day_count=loan.day_count)
    return state.payoff_quote([_as_row(r) for r in rows], on, penalty_fen=penalty, annual_rate=loan.annual_rate,
                              day_count=loan.day_count)


def _apply(repayment_parts: dict[str, int], allocations: dict[int, dict[str, int]], inst: Installment,
           received_on: date, *, penalty: int = 0, interest: int = 0, principal: int = 0) -> None:
    if not (penalty or interest or principal):
        return
    inst.penalty_paid_fen += penalty
    inst.interest_paid_fen += interest
    inst.principal_paid_fen += principal
    entry = allocations.setdefault(inst.pk, {"penalty_fen": 0, "interest_fen": 0, "principal_fen": 0})
    entry["penalty_fen"] += penalty
    entry["interest_fen"] += interest
    entry["principal_fen"] += principal
    repayment_parts["penalty_fen"] += penalty
    bucket = "overdue" if inst.due_on < received_on else "current"
    repayment_parts[f"{bucket}_interest_fen"] += interest
    repayment_parts[f"{bucket}_principal_fen"] += principal


def _new_version(loan: Loan, superseded: Sequence[Installment], new_rows: Sequence[dict[str, Any]]) -> list[Installment]:
    """Supersede ``superseded`` and write ``new_rows`` as the loan's next schedule version."""
    version = _next_version(loan)
    for inst in superseded:
        inst.status = InstallmentStatus.SUPERSEDED
    Installment.objects.bulk_update(superseded, ["status"])
    created = [Installment.objects.create(loan=loan, schedule_version=version, **row) for row in new_rows]
    loan.schedule_version = version
    return created


def _release_pledge(user: User, loan: Loan, on: date, repayment_number: str) -> int | None:
    from ipfin.pledges.actions import release_pledge
    from ipfin.pledges.choices import RegistrationStatus
    from ipfin.pledges.models import PledgeRegistration

    registration = (PledgeRegistration.objects.filter(
        contract_id=loan.contract_id, status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.CHANGED])
        .order_by("-id").first())
    if registration is None:
        return None
    release_pledge(user, registration.pk, released_on=max(on, registration.registered_on or on),
                   reason=f"贷款 {loan.number} 已结清 (还款 {repayment_number})")
    return registration.pk


def _notify(loan: Loan, verb: str, title: Any, *, actor: User | None) -> None:
    from ipfin.notifications.services import notify

    organisations: list[Organisation | None] = [loan.enterprise.organisation, loan.bank]
    if loan.fund_id is not None and loan.fund is not None:
        organisations.append(loan.fund.manager)
    notify(organisations=organisations, verb=f"servicing.{verb}", title=title, url=f"/servicing/loans/{loan.pk}/",
           exclude=actor)


def post_repayment(user: User, loan_id: int, *, amount_fen: int, received_on: date, kind: str = "regular",
                   prepayment_option: str = "", idempotency_key: str | None = None) -> Repayment:
    """Post money received for a loan (bank: loan officer or branch head of the lending bank or its head office).

    See the module docstring for the kinds. Header ``Idempotency-Key`` (API) makes a repeated request return the
    repayment the first one posted."""
    amount = _clean_amount(amount_fen)
    if not isinstance(received_on, date):
        raise InvalidInput(reason="received_on must be a date")
    kind, option = _clean_kind(kind, prepayment_option)
    payload = {"loan_id": loan_id, "amount_fen": amount, "received_on": received_on.isoformat(), "kind": kind,
               "prepayment_option": option}
    repayment, _created = run_idempotent(user, "servicing.repayment", idempotency_key, payload, Repayment,
                                         lambda: _post(user, loan_id, amount, received_on, kind, option))
    return repayment


def _post(user: User, loan_id: int, amount: int, received_on: date, kind: str, option: str) -> Repayment:
    with transaction.atomic():
        loan = _locked_loan(user, loan_id, OFFICER_ROLES)
        _require_active(loan)
        _check_value_date(loan, received_on)
        rows = _live_rows(loan, lock_rows=True)
        unpaid = [r for r in rows if r.status != InstallmentStatus.PAID]
        snapshot: dict[str, Any] = {"loan": _loan_snapshot(loan),
                                    "installments": {str(r.pk): _installment_snapshot(r) for r in unpaid}}
        _accrue_penalty(loan, rows, received_on)
        by_period = {r.period: r for r in unpaid}
        parts = {k: 0 for k in ("penalty_fen", "overdue_interest_fen", "overdue_principal_fen",
                                "current_interest_fen", "current_principal_fen", "prepaid_principal_fen")}
        allocations: dict[int, dict[str, int]] = {}
        dues = _dues(unpaid, received_on, loan.penalty_fen)
        due_total = sum(d.penalty_fen + d.interest_fen + d.principal_fen for d in dues)
        created: list[Installment] = []
        if kind == RepaymentKind.PAYOFF:
            quote = _payoff_quote(loan, unpaid, received_on)
            if amount != quote.total_fen:
                raise PayoffAmountMismatch(loan=loan.number, received_on=received_on.isoformat(),
                                           payoff_fen=quote.total_fen, amount_fen=amount)
            to_dues = due_total
        else:
            to_dues = min(amount, due_total)
        split, _left = allocate_to_installments(to_dues, dues, received_on)
        for part in split:
            inst = by_period[part.period]
            _apply(parts, allocations, inst, received_on, penalty=part.penalty_fen, interest=part.interest_fen,
                   principal=part.principal_fen)
        loan.penalty_fen -= parts["penalty_fen"]
        extra = amount - to_dues
        future = [r for r in unpaid if r.due_on > received_on]
        if kind == RepaymentKind.REGULAR and extra > 0:
            raise PaymentExceedsDue(amount_fen=amount, due_fen=due_total, received_on=received_on.isoformat())
        if kind == RepaymentKind.PREPAYMENT:
            created = _prepay(loan, future, received_on, amount, extra, due_total, option, parts, allocations)
        elif kind == RepaymentKind.PAYOFF and future:
            created = _settle_future(loan, future, received_on, parts, allocations)
        snapshot["created_installments"] = [c.pk for c in created]
        live = [*rows, *created]
        _refresh(loan, live, received_on, touched=[by_period[p] for p in {s.period for s in split}])
        repayment = Repayment.objects.create(
            loan=loan, number=next_number(Repayment, f"{REPAYMENT_NUMBER_PREFIX}{received_on.year}"), kind=kind,
            prepayment_option=option, received_on=received_on, amount_fen=amount, posted_by=user,
            loan_state_before=snapshot, **parts)
        RepaymentAllocation.objects.bulk_create(
            RepaymentAllocation(repayment=repayment, installment_id=inst_id, **values)
            for inst_id, values in allocations.items())
        released = None
        if loan.outstanding_principal_fen == 0 and all(
                r.status in (InstallmentStatus.PAID, InstallmentStatus.SUPERSEDED) for r in live):
            transition(loan, "status", LoanStatus.PAID_OFF, LOAN_ALLOWED)
            loan.paid_off_on = received_on
            loan.save(update_fields=[*LOAN_STATE_FIELDS])
            released = _release_pledge(user, loan, received_on, repayment.number)
            snapshot["released_registration_id"] = released
            repayment.loan_state_before = snapshot
            repayment.save(update_fields=["loan_state_before"])
        record_event(actor=user, action="servicing.repayment.post", obj=repayment,
                     before=snapshot["loan"],
                     after={**_loan_snapshot(loan), "repayment": repayment.number, "kind": kind,
                            "prepayment_option": option, "amount_fen": amount,
                            "allocation": {k: v for k, v in parts.items() if v},
                            "released_registration_id": released}, clause=REPAYMENT_CLAUSE)
        title = format_lazy(gettext_lazy("Repayment {repayment} of {amount} fen posted on loan {loan}"),
                            repayment=repayment.number, amount=amount, loan=loan.number)
        _notify(loan, "repayment_posted", title, actor=user)
        if loan.status == LoanStatus.PAID_OFF:
            _notify(loan, "paid_off", format_lazy(gettext_lazy("Loan {loan} is paid off"), loan=loan.number),
                    actor=user)
    return repayment


def _prepay(loan: Loan, future: list[Installment], received_on: date, amount: int, extra: int, due_total: int,
            option: str, parts: dict[str, int], allocations: dict[int, dict[str, int]]) -> list[Installment]:
    rows = [_as_row(r) for r in future]
    accrued = state.accrued_interest(rows, received_on, loan.annual_rate, loan.day_count)
    remaining = sum(r.principal_unpaid_fen for r in rows)
    if amount <= due_total or extra <= accrued or not future:
        raise NothingToPrepay(due_fen=due_total, accrued_fen=accrued, received_on=received_on.isoformat(),
                              amount_fen=amount)
    prepaid = extra - accrued
    if prepaid >= remaining:
        raise PrepaymentIsPayoff(remaining_fen=remaining, received_on=received_on.isoformat(),
                                 payoff_fen=due_total + accrued + remaining)
    first = future[0]
    keep = Keep.TERM if option == PrepaymentOption.KEEP_TERM else Keep.INSTALLMENT
    installment = None
    if keep is Keep.INSTALLMENT:  # the installment (principal part for equal principal) still to pay on the next row
        installment = (first.principal_fen if loan.repayment_method == "equal-principal"
                       else first.principal_fen + first.interest_fen - first.interest_paid_fen)
    schedule = remaining_schedule(
        balance_fen=remaining - prepaid, annual_rate=loan.annual_rate, method=loan.repayment_method,
        from_date=received_on, next_due=first.due_on, periods=len(future), frequency=loan.payment_frequency,
        day_count=loan.day_count, keep=keep, installment_fen=installment, anchor_day=_anchor_day(loan),
        first_period=first.period)
    new_rows: list[dict[str, Any]] = [dict(period=r.period, accrual_start=r.accrual_start, due_on=r.due_date, principal_fen=r.principal_fen,
                                           interest_fen=r.interest_fen, balance_after_fen=r.balance_fen)
                                      for r in schedule.rows]
    # The running period's interest to the day is paid now: the first new row keeps the period's start and
    # carries that interest as paid, so the period's interest stays in one row.
    new_rows[0].update(accrual_start=first.accrual_start, interest_fen=new_rows[0]["interest_fen"] + accrued,
                       interest_paid_fen=accrued)
    created = _new_version(loan, future, new_rows)
    if accrued:
        entry = allocations.setdefault(created[0].pk, {"penalty_fen": 0, "interest_fen": 0, "principal_fen": 0})
        entry["interest_fen"] += accrued
        parts["current_interest_fen"] += accrued
    # The prepaid principal lowers the new version's balance; it is on the repayment, not on an installment.
    parts["prepaid_principal_fen"] += prepaid
    return created


def _settle_future(loan: Loan, future: list[Installment], received_on: date, parts: dict[str, int],
                   allocations: dict[int, dict[str, int]]) -> list[Installment]:
    """Pay-off of the rows not yet due: one paid row due on ``received_on`` replaces them."""
    rows = [_as_row(r) for r in future]
    accrued = state.accrued_interest(rows, received_on, loan.annual_rate, loan.day_count)
    remaining = sum(r.principal_unpaid_fen for r in rows)
    first = future[0]
    created = _new_version(loan, future, [dict(
        period=first.period, accrual_start=min(first.accrual_start, received_on), due_on=received_on,
        principal_fen=remaining, interest_fen=accrued, principal_paid_fen=remaining, interest_paid_fen=accrued,
        balance_after_fen=0, status=InstallmentStatus.PAID, paid_on=received_on)])
    allocations[created[0].pk] = {"penalty_fen": 0, "interest_fen": accrued, "principal_fen": remaining}
    parts["current_interest_fen"] += accrued
    parts["prepaid_principal_fen"] += remaining
    return created


def _refresh(loan: Loan, live: Sequence[Installment], received_on: date, *, touched: Sequence[Installment]) -> None:
    """Recompute the loan's servicing fields and the status of the live rows as of the posting."""
    as_of = max(received_on, loan.last_cob_on) if loan.last_cob_on else received_on
    changed = []
    for inst in live:
        status = state.installment_status(_as_row(inst), as_of)
        if inst.status == InstallmentStatus.SUPERSEDED:
            continue
        if status == InstallmentStatus.PAID and inst.paid_on is None:
            inst.paid_on = received_on
        if status != inst.status or inst in touched:
            inst.status = status
            changed.append(inst)
    if changed:
        Installment.objects.bulk_update([i for i in changed if i.pk], list(INSTALLMENT_STATE_FIELDS))
    current = state.servicing_state([_as_row(i) for i in live if i.status != InstallmentStatus.SUPERSEDED], as_of)
    loan.outstanding_principal_fen = current.outstanding_principal_fen
    loan.oldest_unpaid_due_on = current.oldest_unpaid_due_on
    loan.days_past_due = current.days_past_due
    loan.overdue_principal_fen = current.overdue_principal_fen
    loan.overdue_interest_fen = current.overdue_interest_fen
    loan.save(update_fields=[*LOAN_STATE_FIELDS])


def reverse_repayment(user: User, repayment_id: int, *, reason: str) -> Repayment:
    """Reverse a mis-posted repayment (冲正): only the latest posted one of its loan; restores the loan's
    servicing fields and the installments exactly (loan officer or branch head of the lending bank)."""
    reason = _reason(reason)
    with transaction.atomic():
        loan_id = Repayment.objects.filter(pk=repayment_id).values_list("loan_id", flat=True).first()
        if loan_id is None:
            raise NotFound()
        loan = _locked_loan(user, loan_id, OFFICER_ROLES)
        repayment = lock(Repayment, repayment_id)
        latest = (Repayment.objects.filter(loan=loan, status=RepaymentStatus.POSTED).order_by("-id")
                  .values_list("number", flat=True).first())
        if repayment.status == RepaymentStatus.POSTED and latest != repayment.number:
            raise NotLatestRepayment(latest=latest)
        transition(repayment, "status", RepaymentStatus.REVERSED, REPAYMENT_ALLOWED)
        snapshot = repayment.loan_state_before or {}
        released = snapshot.get("released_registration_id")
        if released:
            from ipfin.pledges.models import PledgeRegistration

            number = PledgeRegistration.objects.filter(pk=released).values_list("registration_number", flat=True)
            raise PayoffPledgeReleased(repayment=repayment.number, registration=number.first() or released)
        before = _loan_snapshot(loan)
        target_status = snapshot["loan"]["status"]
        if loan.status != target_status:
            transition(loan, "status", target_status, LOAN_REOPEN_ALLOWED)
        _restore(loan, {k: v for k, v in snapshot["loan"].items() if k != "status"}, LOAN_DATE_FIELDS)
        loan.save(update_fields=[*LOAN_STATE_FIELDS])
        saved = snapshot.get("installments", {})
        rows = list(Installment.objects.select_for_update().filter(pk__in=[int(k) for k in saved]))
        for inst in rows:
            _restore(inst, saved[str(inst.pk)], ["paid_on"])
        Installment.objects.bulk_update(rows, list(INSTALLMENT_STATE_FIELDS))
        created = snapshot.get("created_installments", [])
        Installment.objects.filter(pk__in=created).update(status=InstallmentStatus.SUPERSEDED)
        repayment.reversal_reason = reason
        repayment.reversed_at = timezone.now()
        repayment.reversed_by = user
        repayment.save(update_fields=["status", "reversal_reason", "reversed_at", "reversed_by"])
        record_event(actor=user, action="servicing.repayment.reverse", obj=repayment,
                     before={**before, "repayment_status": RepaymentStatus.POSTED},
                     after={**_loan_snapshot(loan), "repayment_status": RepaymentStatus.REVERSED, "reason": reason,
                            "installments_restored": sorted(inst.pk for inst in rows),
                            "installments_superseded": created}, clause=REPAYMENT_CLAUSE)
        title = format_lazy(gettext_lazy("Repayment {repayment} on loan {loan} reversed: {reason}"),
                            repayment=repayment.number, loan=loan.number, reason=reason)
        _notify(loan, "repayment_reversed", title, actor=user)
    return repayment


# ---------------------------------------------------------------------------------------------------------
# Classification


def downgrade_loan(user: User, loan_id: int, *, risk_class: str, reason: str,
                   business_date: date | None = None) -> Loan:
    """Manual class (人工认定) with a reason, never better than the overdue floor of the loan's days past due
    (``ManualClassAboveFloor``); the loan's class becomes the worse of floor and manual class, with a
    ``RiskClassChange`` row (source manual) when it changes. Approver or branch head of the lending bank."""
    reason = _reason(reason)
    business_date = business_date or _today()
    rules = load_rules()
    manual = parse_risk_class(risk_class)
    with transaction.atomic():
        loan = _locked_loan(user, loan_id, DECIDER_ROLES)
        _require_active(loan)
        check_manual_class(loan.days_past_due, manual, rules)
        if loan.manual_risk_class == manual.value:
            raise NoClassChange(loan=loan.number, risk_class=manual.value)
        before = {"risk_class": loan.risk_class, "manual_risk_class": loan.manual_risk_class,
                  "manual_class_reason": loan.manual_class_reason}
        new_class = classify(loan.days_past_due, manual, rules).value
        previous = loan.risk_class
        loan.manual_risk_class = manual.value
        loan.manual_class_reason = reason
        fields = ["manual_risk_class", "manual_class_reason"]
        if new_class != previous:
            loan.risk_class = new_class
            loan.risk_class_since = business_date
            fields += ["risk_class", "risk_class_since"]
            RiskClassChange.objects.create(
                loan=loan, business_date=business_date, from_class=previous, to_class=new_class,
                source=ClassChangeSource.MANUAL, days_past_due=loan.days_past_due, rules_version=rules.version,
                reason=reason, actor=user)
        loan.save(update_fields=fields)
        record_event(actor=user, action="servicing.loan.downgrade", obj=loan, before=before,
                     after={"risk_class": loan.risk_class, "manual_risk_class": manual.value, "reason": reason,
                            "business_date": business_date, "rules_version": rules.version},
                     clause=rules.version)
        if new_class != previous:
            title = format_lazy(gettext_lazy("Loan {loan} classified {risk_class}"), loan=loan.number,
                                risk_class=new_class)
            _notify(loan, "class_changed", title, actor=user)
    return loan


# ---------------------------------------------------------------------------------------------------------
# Risk warnings


def _locked_warning(user: User, warning_id: int) -> RiskWarning:
    from ipfin.servicing.selectors import warnings_visible_to

    require_role(user, *WARNING_ROLES)
    found = warnings_visible_to(user).filter(pk=warning_id).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound()
    warning = lock(RiskWarning, warning_id)
    loan = Loan.objects.select_related("bank", "fund").get(pk=warning.loan_id)
    bank_staff = user.has_role(*BANK_ROLES) and _bank_side(user, loan.bank)
    fund_officer = (user.has_role(Role.FUND_OFFICER) and loan.fund is not None
                    and user.organisation_id == loan.fund.manager_id)
    if not (bank_staff or fund_officer):
        raise PermissionDenied()
    return warning


def acknowledge_warning(user: User, warning_id: int) -> RiskWarning:
    """open → acknowledged (bank staff of the loan's bank; the fund's officers for a fund-covered loan)."""
    with transaction.atomic():
        warning = _locked_warning(user, warning_id)
        previous = transition(warning, "status", WarningStatus.ACKNOWLEDGED, WARNING_ALLOWED)
        warning.acknowledged_at = timezone.now()
        warning.acknowledged_by = user
        warning.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        record_event(actor=user, action="servicing.warning.acknowledge", obj=warning, before={"status": previous},
                     after={"status": warning.status, "kind": warning.kind}, clause=warning.clause or WARNING_CLAUSE)
    return warning


def close_warning(user: User, warning_id: int, *, reason: str, closed_on: date | None = None) -> RiskWarning:
    """open | acknowledged → closed with a reason (same people as :func:`acknowledge_warning`)."""
    reason = _reason(reason)
    with transaction.atomic():
        warning = _locked_warning(user, warning_id)
        previous = transition(warning, "status", WarningStatus.CLOSED, WARNING_ALLOWED)
        warning.closed_on = closed_on or _today()
        warning.closed_by = user
        warning.close_reason = reason
        warning.save(update_fields=["status", "closed_on", "closed_by", "close_reason"])
        record_event(actor=user, action="servicing.warning.close", obj=warning, before={"status": previous},
                     after={"status": warning.status, "kind": warning.kind, "reason": reason},
                     clause=warning.clause or WARNING_CLAUSE)
    return warning


# ---------------------------------------------------------------------------------------------------------
# Bank NPL ratio (XT-10, PZA-3.乙2)


def _clean_ratio(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidInput(reason="overall_npl_ratio must be a decimal percent such as 1.85")
    try:
        ratio = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(reason="overall_npl_ratio must be a decimal percent such as 1.85") from None
    if not ratio.is_finite() or not Decimal(0) <= ratio <= PERCENT_MAX \
            or ratio != ratio.quantize(Decimal(1).scaleb(-RATIO_PLACES)):
        raise InvalidInput(reason="overall_npl_ratio must be a percent from 0 to 100 with at most 4 decimal places")
    return ratio


def enter_bank_npl(user: User, *, quarter_end: date, overall_npl_ratio: Any) -> BankNplReport:
    """The bank (its head office; branch head) enters its overall NPL ratio, in percent, for a quarter end;
    entering the same quarter again replaces the figure (audited before/after)."""
    ratio = _clean_ratio(overall_npl_ratio)
    if not isinstance(quarter_end, date) or (quarter_end.month, quarter_end.day) not in QUARTER_ENDS:
        raise NotAQuarterEnd(quarter_end=str(quarter_end))
    require_role(user, *NPL_ROLES)
    org = user.organisation
    if org is None or org.kind != OrganisationKind.BANK or org.head_office_id is not None:
        raise PermissionDenied()
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=org.pk)
        report = BankNplReport.objects.select_for_update().filter(bank=org, quarter_end=quarter_end).first()
        before = None if report is None else {"overall_npl_ratio": report.overall_npl_ratio}
        if report is None:
            report = BankNplReport(bank=org, quarter_end=quarter_end)
        report.overall_npl_ratio = ratio
        report.entered_by = user
        report.save()
        record_event(actor=user, action="servicing.npl_report.enter", obj=report, before=before,
                     after={"quarter_end": quarter_end, "overall_npl_ratio": ratio}, clause=NPL_CLAUSE)
    return report
