"""Who reads funds and cooperations.

- :class:`Fund`: public facts (name, region, profile, manager) — every signed-in user;
- :class:`Cooperation`: the institution itself (a bank head office also sees its branches'), the fund's
  manager, the regional authorities of the fund's or the institution's region, the platform;
- :class:`Claim`, :class:`BankNotice`, :class:`RecoveryShare`: the same, through the claim's or notice's bank;
- :class:`JournalEntry` (the ledger): the fund's manager, the authorities of the fund's region, the platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ipfin.accounts.choices import REGIONAL_KINDS
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.core.dates import business_date
from ipfin.core.scoping import visibility
from ipfin.domain.fund import ledger as dl
from ipfin.domain.fund.ledger import Reconciliation, reconcile
from ipfin.domain.money import apply_ratio, ratio_of
from ipfin.domain.regions import jurisdiction_prefix
from ipfin.fund import ledger
from ipfin.fund.models import BankNotice, Claim, Cooperation, Fund, JournalEntry, JournalLine, RecoveryShare


@visibility(Fund)
def funds_visible_to(user: User) -> QuerySet[Fund]:
    return Fund.objects.all()


@visibility(Cooperation)
def cooperations_visible_to(user: User) -> QuerySet[Cooperation]:
    if is_platform_admin(user):
        return Cooperation.objects.all()
    org = user.organisation
    if org is None:
        return Cooperation.objects.none()
    scope = org_scope(user, "institution") | Q(fund__manager=org)
    if org.kind in REGIONAL_KINDS:
        scope |= Q(fund__region_code__startswith=jurisdiction_prefix(org.region_code))
    return Cooperation.objects.filter(scope)


def _fund_scope(user: User, bank_path: str) -> Q | None:
    """Records of a fund about a bank: the bank (a head office also its branches'), the fund's manager, the
    authorities of the fund's or the bank's region; None for a user without an organisation."""
    org = user.organisation
    if org is None:
        return None
    scope = org_scope(user, bank_path) | Q(fund__manager=org)
    if org.kind in REGIONAL_KINDS:
        scope |= Q(fund__region_code__startswith=jurisdiction_prefix(org.region_code))
    return scope


@visibility(Claim)
def claims_visible_to(user: User) -> QuerySet[Claim]:
    if is_platform_admin(user):
        return Claim.objects.all()
    scope = _fund_scope(user, "bank")
    return Claim.objects.filter(scope) if scope is not None else Claim.objects.none()


@visibility(BankNotice)
def notices_visible_to(user: User) -> QuerySet[BankNotice]:
    if is_platform_admin(user):
        return BankNotice.objects.all()
    scope = _fund_scope(user, "bank")
    return BankNotice.objects.filter(scope) if scope is not None else BankNotice.objects.none()


@visibility(RecoveryShare)
def recovery_shares_visible_to(user: User) -> QuerySet[RecoveryShare]:
    return RecoveryShare.objects.filter(claim__in=claims_visible_to(user))


@visibility(JournalEntry)
def entries_visible_to(user: User) -> QuerySet[JournalEntry]:
    """The journal: the fund's manager, the authorities of the fund's region, the platform."""
    if is_platform_admin(user):
        return JournalEntry.objects.all()
    org = user.organisation
    if org is None:
        return JournalEntry.objects.none()
    scope = Q(fund__manager=org)
    if org.kind in REGIONAL_KINDS:
        scope |= Q(fund__region_code__startswith=jurisdiction_prefix(org.region_code))
    return JournalEntry.objects.filter(scope)


def may_read_ledger(user: User, fund: Fund) -> bool:
    return is_platform_admin(user) or (user.organisation_id is not None and (
        user.organisation_id == fund.manager_id or (
            user.organisation is not None and user.organisation.kind in REGIONAL_KINDS
            and fund.region_code.startswith(jurisdiction_prefix(user.organisation.region_code)))))


# ---------------------------------------------------------------------------------------------------------
# Figures of a fund (contract of the fund UI, CLI and reports). The caller has checked that the user may read
# the fund's figures (``may_read_ledger``); every aggregate is a few queries, never one per loan.


def fund_balance_fen(fund: Fund) -> int:
    """The money in the fund's dedicated accounts (cash), in fen."""
    return ledger.cash_fen(fund)


@dataclass(frozen=True)
class BankRatio:
    bank: Organisation
    issued_fen: int
    paid_fen: int
    ratio: Decimal
    status: str


@dataclass(frozen=True)
class FundStatus:
    fund: Fund
    balance_fen: int
    exposure_fen: int
    covered_count: int
    covered_amount_fen: int
    claims_by_state: dict[str, int]
    banks: list[BankRatio]


def _fund_share(risk_shares: Any) -> Decimal:
    try:
        return Decimal(str((risk_shares or {}).get("fund", "0")))
    except (InvalidOperation, AttributeError):
        return Decimal(0)


def _active_covered(fund: Fund) -> QuerySet[Any]:
    from ipfin.servicing.choices import LoanStatus
    from ipfin.servicing.models import Loan

    return Loan.objects.filter(fund=fund, status=LoanStatus.ACTIVE)


def covered_portfolio(fund: Fund) -> list[dict[str, Any]]:
    """Per active covered loan: loan_id, bank_id, outstanding_fen, fund_share (the fund's risk share,
    PZP-3.4.2), ratio (the compensation ratio: the same share, BT-12a), ip_share (the IP-pledge portion of a
    combined loan ÷ its principal, 1 for a pure IP loan, BT-12a) and cap_fen (the per-claim cap of the fund's
    profile today, None without one) — the input of :mod:`ipfin.domain.fund.simulation`."""
    from ipfin.fund.claims import fund_param

    cap = fund_param(fund, "claim_cap_fen", business_date(), required=False)
    cap_fen = int(cap.value) if cap is not None else None
    rows = _active_covered(fund).values_list("pk", "bank_id", "outstanding_principal_fen", "contract__risk_shares",
                                             "principal_fen", "ip_pledge_portion_fen")
    out = []
    for pk, bank_id, outstanding, shares, principal, portion in rows.order_by("pk"):
        share = _fund_share(shares)
        ip_share = Decimal(1) if portion is None or not principal else Decimal(int(portion)) / Decimal(int(principal))
        out.append({"loan_id": pk, "bank_id": bank_id, "outstanding_fen": int(outstanding), "fund_share": share,
                    "ratio": share, "ip_share": ip_share, "cap_fen": cap_fen})
    return out


def fund_status(fund: Fund, on: date) -> FundStatus:
    """Balance, exposure (outstanding of the active covered loans × the fund's share, HALF_UP per loan), covered
    count and amount, claims per state, and each cooperating bank's BT-13 ratio with its standing."""
    from ipfin.fund.claims import issued_by_bank, paid_by_bank

    covered = _active_covered(fund)
    agg = covered.aggregate(n=Count("pk"), total=Sum("principal_fen"))
    exposure = sum(apply_ratio(int(outstanding), _fund_share(shares)) for outstanding, shares
                   in covered.values_list("outstanding_principal_fen", "contract__risk_shares"))
    claims = {row["state"]: row["n"] for row in Claim.objects.filter(fund=fund).values("state").annotate(n=Count("pk"))}
    issued, paid = issued_by_bank(fund), paid_by_bank(fund)
    banks = []
    for cooperation in (Cooperation.objects.filter(fund=fund).select_related("institution")
                        .order_by("institution__name")):
        bank_id = cooperation.institution_id
        i, p = issued.get(bank_id, 0), paid.get(bank_id, 0)
        banks.append(BankRatio(cooperation.institution, i, p, ratio_of(p, i) if i else Decimal(0),
                               cooperation.status))
    return FundStatus(fund=fund, balance_fen=fund_balance_fen(fund), exposure_fen=exposure,
                      covered_count=agg["n"] or 0, covered_amount_fen=int(agg["total"] or 0),
                      claims_by_state=claims, banks=banks)


def ledger_lines(fund: Fund) -> QuerySet[JournalLine]:
    """Every line of the fund's journal in entry order, with its entry and counterparty."""
    return (JournalLine.objects.filter(entry__fund=fund).select_related("entry", "counterparty")
            .order_by("entry__number", "pk"))


def reconciliation(fund: Fund, as_of: date | None = None, statements: dict[str, int] | None = None
                   ) -> list[Reconciliation]:
    """Per dedicated account (BT-9): the ledger's balance on ``as_of`` against the bank statement's balance
    (``statements``: account party → fen; a missing statement reads as the ledger balance)."""
    journal = ledger.journal(fund)
    day = as_of or business_date()
    banks = {a.party for a in journal.balances_as_of(day) if a.kind is dl.AccountKind.CASH}
    given = statements or {}
    return [reconcile(journal, b, day, given.get(b, journal.balances_as_of(day).get(dl.cash(b), 0)))
            for b in sorted(banks | set(given))]


def overdue_recovery_shares(fund: Fund, on: date) -> QuerySet[RecoveryShare]:
    """BT-16: shares not received by their due date (``due_on`` before ``on``), longest overdue first. Shares whose
    due date is unknown (calendar not published) are not listed as overdue."""
    return (RecoveryShare.objects.filter(claim__fund=fund, received_on__isnull=True, share_fen__gt=0,
                                         due_on__lt=on).select_related("claim", "claim__bank").order_by("due_on", "pk"))
