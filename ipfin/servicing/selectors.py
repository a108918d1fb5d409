"""Who reads loans (贷款): the borrower; the lending bank (a head office also its branches'); the guarantor and
the insurer named on the application; the manager of the fund the loan is enrolled in (and the fund managers of
the fund's region); the IP office and the regulator of the borrower's region; the platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from ipfin.accounts.choices import OrganisationKind
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.core.scoping import get_visible, visibility
from ipfin.domain.classification import load_rules
from ipfin.domain.errors import InvalidInput, _
from ipfin.domain.regions import jurisdiction_prefix
from ipfin.origination.selectors import application_scope
from ipfin.policy.loader import profile_names
from ipfin.policy.policyset import PolicyValue, policy_set
from ipfin.servicing.choices import InstallmentStatus, LoanStatus, RiskClass, WarningKind, WarningStatus
from ipfin.servicing.models import (
    BankNplReport,
    Installment,
    Loan,
    Repayment,
    RiskClassChange,
    RiskWarning,
)

NOTHING = Q(pk__in=[])


def loan_scope(user: User, path: str = "") -> Q:
    """Who reads a loan: the same parties as its application (the fund is the one the loan is enrolled in)."""
    return application_scope(user, path, parties="contract__application__")


@visibility(Loan)
def loans_visible_to(user: User) -> QuerySet[Loan]:
    return Loan.objects.filter(loan_scope(user)).select_related("enterprise__organisation", "bank", "product", "fund")


# ---------------------------------------------------------------------------------------------------------
# Loan book, detail, schedule, repayments, warnings


class UnknownFilter(InvalidInput):
    code = "unknown_filter"
    message_template = _("Unknown {field} {value!r}; expected one of {choices}.")


# Days-past-due buckets of the loan book: (lowest, highest) inclusive, None = open-ended.
DPD_BUCKETS: dict[str, tuple[int, int | None]] = {
    "current": (0, 0), "1-30": (1, 30), "31-90": (31, 90), "91-180": (91, 180), "181-360": (181, 360),
    "360+": (361, None),
}
OPEN_WARNING_STATES = (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED)
WARNING_ANY = "any"


def dpd_bucket_of(days_past_due: int) -> str:
    for name, (low, high) in DPD_BUCKETS.items():
        if days_past_due >= low and (high is None or days_past_due <= high):
            return name
    return "current"


def loan_book(user: User, *, risk_class: str | None = None, dpd_bucket: str | None = None,
              product_id: int | None = None, warning: str | None = None) -> QuerySet[Loan]:
    """The loans ``user`` may read, filtered by class, days-past-due bucket, product and open warning
    (``"any"`` or a :class:`WarningKind`: loans with an open or acknowledged warning of that kind)."""
    rows = loans_visible_to(user)
    if risk_class:
        if risk_class not in RiskClass.values:
            raise UnknownFilter(field="risk class", value=risk_class, choices=", ".join(RiskClass.values))
        rows = rows.filter(risk_class=risk_class)
    if dpd_bucket:
        if dpd_bucket not in DPD_BUCKETS:
            raise UnknownFilter(field="days-past-due bucket", value=dpd_bucket, choices=", ".join(DPD_BUCKETS))
        low, high = DPD_BUCKETS[dpd_bucket]
        rows = rows.filter(days_past_due__gte=low)
        if high is not None:
            rows = rows.filter(days_past_due__lte=high)
    if product_id:
        rows = rows.filter(product_id=product_id)
    if warning:
        if warning != WARNING_ANY and warning not in WarningKind.values:
            raise UnknownFilter(field="warning", value=warning, choices=", ".join([WARNING_ANY, *WarningKind.values]))
        open_warnings = RiskWarning.objects.filter(loan=OuterRef("pk"), status__in=OPEN_WARNING_STATES)
        if warning != WARNING_ANY:
            open_warnings = open_warnings.filter(kind=warning)
        rows = rows.filter(Exists(open_warnings))
    return rows


def loan_detail(user: User, loan_id: int) -> Loan:
    """One loan ``user`` may read, or :class:`NotFound`."""
    return get_visible(user, Loan, pk=loan_id)


def current_schedule(loan: Loan) -> list[Installment]:
    """The schedule in force: every row not superseded (rows paid before a prepayment stay in their version,
    the re-amortised rows follow in the newer one), by due date."""
    return list(Installment.objects.filter(loan=loan).exclude(status=InstallmentStatus.SUPERSEDED)
                .order_by("due_on", "period", "schedule_version"))


def all_installments(loan: Loan) -> list[Installment]:
    """Every schedule row of every version, superseded ones included (for the record)."""
    return list(Installment.objects.filter(loan=loan).order_by("schedule_version", "period"))


def repayments_of(loan: Loan) -> QuerySet[Repayment]:
    return (Repayment.objects.filter(loan=loan).select_related("posted_by", "reversed_by")
            .prefetch_related("allocations").order_by("-received_on", "-id"))


def class_history(loan: Loan) -> QuerySet[RiskClassChange]:
    return RiskClassChange.objects.filter(loan=loan).select_related("actor").order_by("-business_date", "-id")


def warnings_of(loan: Loan) -> QuerySet[RiskWarning]:
    return RiskWarning.objects.filter(loan=loan).select_related("asset").order_by("-raised_on", "-id")


@visibility(RiskWarning)
def warnings_visible_to(user: User) -> QuerySet[RiskWarning]:
    """Risk warnings on the loans ``user`` may read (the bank, the fund manager, the borrower, the region)."""
    return RiskWarning.objects.filter(loan_scope(user, "loan")).select_related("loan", "loan__bank", "asset")


# ---------------------------------------------------------------------------------------------------------
# NPL of IP pledge loans per bank beside the bank's overall NPL (XT-10, PZA-3.乙2)

HUNDRED = Decimal(100)
RATIO_PLACES = Decimal("0.0001")
XT10_KEY = "npl_tolerance_spread_pp"  # percentage points above the bank's overall NPL (XT-10)
PZA_KEY = "npl_tolerance_ratio"  # a ratio (0.03 = 3 %) the IP NPL must stay within (PZA-3.乙2)


@dataclass(frozen=True)
class NplRow:
    """One bank (a head office with its branches). Ratios are Decimal **percent** (2.5 = 2.5 %), like
    ``BankNplReport.overall_npl_ratio``; ``spread_pp`` is IP NPL − overall NPL in percentage points. A breach
    flag is None when a figure it needs is missing (no IP loans outstanding, no overall NPL entered, no profile
    setting the tolerance)."""

    bank: Organisation
    loans_count: int
    outstanding_fen: int
    npl_outstanding_fen: int
    ip_npl_ratio: Decimal | None
    overall_npl_ratio: Decimal | None
    overall_quarter_end: date | None
    spread_pp: Decimal | None
    xt10_limit: Decimal | None  # allowed spread, percentage points
    xt10_clause: str
    xt10_breach: bool | None
    pza_limit: Decimal | None  # tolerance, percent
    pza_clause: str
    pza_breach: bool | None


def _npl_bank_scope(user: User) -> Q:
    """Which banks' rows ``user`` reads: the platform all; a bank itself and its branches; the IP office, the
    regulator and the fund manager the banks of their region; nobody else."""
    if is_platform_admin(user):
        return Q(pk__isnull=False)
    org = user.organisation
    if org is None:
        return NOTHING
    if org.kind == OrganisationKind.BANK:
        return org_scope(user, "bank")
    if org.kind in (OrganisationKind.IP_OFFICE, OrganisationKind.REGULATOR, OrganisationKind.FUND_MANAGER):
        return Q(bank__region_code__startswith=jurisdiction_prefix(org.region_code))
    return NOTHING


def tolerance_monitors(on: date) -> tuple[PolicyValue | None, PolicyValue | None]:
    """The XT-10 spread and the PZA-3.乙2 ratio from the policy profiles in force on ``on`` (each with its
    clause and profile); None where no in-force profile sets it."""
    pset = policy_set(profile_names(), on)
    return pset.find(XT10_KEY), pset.find(PZA_KEY)


def npl_overview(user: User, on: date) -> list[NplRow]:
    """Per bank: IP pledge loans outstanding and the non-performing part (classes of the rules in force, 次级/可疑/
    损失) — ONE aggregate query grouped by the bank's head office — beside the overall NPL ratio the bank entered
    for the latest quarter end on or before ``on``, with both tolerance monitors. Loans are taken in their
    current servicing state (the last close of business): active loans disbursed on or before ``on``."""
    rules = load_rules()
    bad = [c.value for c in rules.non_performing]
    head = Coalesce(F("bank__head_office_id"), F("bank_id"))
    rows = list(Loan.objects.filter(_npl_bank_scope(user), status=LoanStatus.ACTIVE, disbursed_on__lte=on)
                .annotate(head=head).values("head")
                .annotate(loans_count=Count("id"), outstanding=Sum("outstanding_principal_fen"),
                          npl=Sum("outstanding_principal_fen", filter=Q(risk_class__in=bad)))
                .order_by("head"))
    bank_ids = [r["head"] for r in rows]
    banks = Organisation.objects.in_bulk(bank_ids)
    latest = (BankNplReport.objects.filter(bank_id=OuterRef("bank_id"), quarter_end__lte=on)
              .order_by("-quarter_end").values("quarter_end")[:1])
    reports = {r.bank_id: r for r in BankNplReport.objects.filter(bank_id__in=bank_ids,
                                                                   quarter_end=Subquery(latest))}
    xt10, pza = tolerance_monitors(on)
    xt10_limit = xt10.decimal if xt10 is not None else None
    pza_limit = pza.decimal * HUNDRED if pza is not None else None
    out = []
    for row in rows:
        outstanding, npl_fen = int(row["outstanding"] or 0), int(row["npl"] or 0)
        ip = (Decimal(npl_fen) * HUNDRED / Decimal(outstanding)).quantize(RATIO_PLACES) if outstanding else None
        report = reports.get(row["head"])
        overall = report.overall_npl_ratio if report is not None else None
        spread = ip - overall if ip is not None and overall is not None else None
        out.append(NplRow(
            bank=banks[row["head"]], loans_count=row["loans_count"], outstanding_fen=outstanding,
            npl_outstanding_fen=npl_fen, ip_npl_ratio=ip, overall_npl_ratio=overall,
            overall_quarter_end=report.quarter_end if report is not None else None, spread_pp=spread,
            xt10_limit=xt10_limit, xt10_clause=xt10.clause if xt10 is not None else "",
            xt10_breach=(spread > xt10_limit) if spread is not None and xt10_limit is not None else None,
            pza_limit=pza_limit, pza_clause=pza.clause if pza is not None else "",
            pza_breach=(ip > pza_limit) if ip is not None and pza_limit is not None else None))
    return out
