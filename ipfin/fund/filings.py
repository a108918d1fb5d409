"""BT-19 borrower filings (贷款企业财务资料报送): the fund manager collects each covered borrower's quarterly financial
statement (季度财务报表), its annual audit report (年度审计报告) and reports on the use of the loan (项目资金使用状况)
and reports them to the leadership group's office (领导小组办公室).

- :func:`record_borrower_filing` — the one action: the fund manager's officers, the lending bank's staff (its head
  office too) or the borrower's own users record that a document for a period was received.
- :func:`filings_visible_to` — who reads them: the fund's manager, the lending bank (a head office also its
  branches'), the borrower, the IP-office leaders of the fund's region (the leadership group), the platform.
- :func:`filing_coverage` — for a period end, how many of the fund's covered loans have the document and which
  do not (two aggregate queries, never one per loan).

Platform readings (BT-19 names the documents, not the dates):
- a quarterly statement is for a calendar quarter (period end 31 Mar, 30 Jun, 30 Sep or 31 Dec), an annual audit
  for a calendar year (31 Dec), a fund-use report for any month (its last day);
- the loans expected to file for a period end are the fund's loans *outstanding on that day*: disbursed on or
  before it and not paid off by then (``paid_off_on`` empty or later). A written-off loan has no date of its own
  on the loan row and stays expected: the borrower still owes the debt.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.core.actions import lock
from ipfin.core.dates import business_date
from ipfin.core.scoping import visibility
from ipfin.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.regions import jurisdiction_prefix
from ipfin.fund.actions import BANK_STAFF_ROLES, _is_bank_staff, _is_ip_office_of, is_fund_officer
from ipfin.fund.choices import FilingKind
from ipfin.fund.models import BorrowerFiling, Fund
from ipfin.notifications.services import notify

if TYPE_CHECKING:
    from ipfin.servicing.models import Loan

CLAUSE = "BT-19"
ENTERPRISE_ROLES = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)
NOTE_MAX_LENGTH = 300  # BorrowerFiling.note
# Scans and spreadsheets: what borrowers send for statements, audits and fund-use reports (checked by name only;
# the file is stored and served as an attachment, never rendered).
DOCUMENT_EXTENSIONS = frozenset({"pdf", "png", "jpg", "jpeg", "xlsx"})
QUARTER_END_MONTHS = (3, 6, 9, 12)

PERIOD_RULES: dict[str, Any] = {
    FilingKind.QUARTERLY_STATEMENT: _("a calendar quarter end (31 March, 30 June, 30 September or 31 December)"),
    FilingKind.ANNUAL_AUDIT: _("31 December"),
    FilingKind.FUND_USE: _("the last day of a month"),
}


class FilingKindInvalid(InvalidInput):
    code = "fund_filing_kind_invalid"
    message_template = _("Unknown kind of borrower filing {kind!r}.")


class FilingPeriodInvalid(InvalidInput):
    code = "fund_filing_period_invalid"
    message_template = _("The period end {period_end} does not fit a {kind}: it must be {rule} (BT-19).")


class FilingReceivedOnInvalid(InvalidInput):
    code = "fund_filing_received_on_invalid"
    message_template = _("The receipt date {received_on} must lie between the period end {period_end} and today "
                         "({today}).")


class FilingLoanNotCovered(InvalidInput):
    code = "fund_filing_loan_not_covered"
    message_template = _("Loan {loan} is not enrolled in a compensation fund; borrower filings (BT-19) are kept "
                         "for covered loans only.")


class FilingAlreadyRecorded(Conflict):
    code = "fund_filing_duplicate"
    message_template = _("The {kind} of loan {loan} for the period ending {period_end} is already recorded.")


class FilingDocumentInvalid(InvalidInput):
    code = "fund_filing_document_invalid"
    message_template = _("The document is not acceptable: {reason}")


# ---------------------------------------------------------------------------------------------------------
# Periods (pure date arithmetic)


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def is_quarter_end(day: date) -> bool:
    return day.month in QUARTER_END_MONTHS and is_month_end(day)


def period_end_fits(kind: str, period_end: date) -> bool:
    """BT-19 (platform reading): quarter end, 31 December, or a month end for the kind."""
    if kind == FilingKind.QUARTERLY_STATEMENT:
        return is_quarter_end(period_end)
    if kind == FilingKind.ANNUAL_AUDIT:
        return (period_end.month, period_end.day) == (12, 31)
    return is_month_end(period_end)


def quarter_end_on_or_before(day: date) -> date:
    """The latest calendar quarter end on or before ``day``."""
    month = (day.month - 1) // 3 * 3 + 3
    end = _month_end(day.year, month)
    if end <= day:
        return end
    return _month_end(day.year, month - 3) if month > 3 else date(day.year - 1, 12, 31)


def latest_period_end(kind: str, on: date) -> date:
    """The latest period end of ``kind`` on or before ``on`` (quarter end, 31 December, month end)."""
    if kind == FilingKind.ANNUAL_AUDIT:
        return date(on.year if (on.month, on.day) == (12, 31) else on.year - 1, 12, 31)
    if kind == FilingKind.FUND_USE:
        return on if is_month_end(on) else on.replace(day=1) - timedelta(days=1)
    return quarter_end_on_or_before(on)


def quarter_ends_between(start: date, end: date) -> list[date]:
    """Calendar quarter ends in ``start`` … ``end`` (inclusive), in order."""
    return [d for year in range(start.year, end.year + 1) for month in QUARTER_END_MONTHS
            if start <= (d := _month_end(year, month)) <= end]


def _month_end(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


# ---------------------------------------------------------------------------------------------------------
# Who may record, who may read


def _is_borrower_user(user: User, loan: Loan) -> bool:
    """The borrower enterprise's own users (as origination's ``_enterprise_side``)."""
    return (user.is_authenticated and user.is_active and user.has_role(*ENTERPRISE_ROLES)
            and user.organisation_id is not None and user.organisation_id == loan.enterprise.organisation_id)


def _may_record(user: User, loan: Loan) -> bool:
    fund = loan.fund
    return ((fund is not None and is_fund_officer(user, fund)) or _is_bank_staff(user, loan.bank)
            or _is_borrower_user(user, loan))


def may_record_filing(user: User, loan: Loan) -> bool:
    """BT-19: the fund manager's officers of the loan's fund, the lending bank's staff (or its head office's), the
    borrower's own users; for a loan enrolled in a fund only."""
    return loan.fund_id is not None and _may_record(user, loan)


def may_oversee_filings(user: User, fund: Fund) -> bool:
    """The fund-wide view (coverage, missing list): the fund's manager, the leadership group (IP-office leaders of
    the fund's region), the platform."""
    if not (user.is_authenticated and user.is_active):
        return False
    return (is_platform_admin(user) or (user.organisation_id is not None and user.organisation_id == fund.manager_id)
            or _is_ip_office_of(user, fund.region_code, Role.LEADER))


def loans_open_to_filing(user: User) -> QuerySet[Loan]:
    """The covered loans ``user`` may record filings for (:func:`may_record_filing`, as one filter): the fund
    officers' funds' loans, the bank staff's bank's (a head office also its branches'), the borrower's own."""
    from ipfin.servicing.models import Loan

    org = user.organisation
    if org is None or not (user.is_authenticated and user.is_active):
        return Loan.objects.none()
    scope = Q(pk__in=[])
    if user.has_role(Role.FUND_OFFICER):
        scope |= Q(fund__manager=org)
    if user.has_role(*BANK_STAFF_ROLES):
        scope |= Q(bank=org) | Q(bank__head_office=org)
    if user.has_role(*ENTERPRISE_ROLES):
        scope |= Q(enterprise__organisation=org)
    return Loan.objects.filter(scope, fund__isnull=False)


@visibility(BorrowerFiling)
def filings_visible_to(user: User) -> QuerySet[BorrowerFiling]:
    """The fund's manager, the lending bank (a head office also its branches'), the borrower, the IP-office leaders
    of the fund's region (BT-19: the filings are reported to the leadership group's office), the platform.
    Nobody else: not the regulator, the guarantor or insurer, nor IP-office clerks."""
    if is_platform_admin(user):
        return BorrowerFiling.objects.all()
    org = user.organisation
    if org is None:
        return BorrowerFiling.objects.none()
    scope = Q(fund__manager=org)
    if org.kind == OrganisationKind.BANK:
        scope |= org_scope(user, "loan__bank")
    elif org.kind == OrganisationKind.ENTERPRISE:
        scope |= Q(loan__enterprise__organisation=org)
    elif org.kind == OrganisationKind.IP_OFFICE and user.has_role(Role.LEADER):
        scope |= Q(fund__region_code__startswith=jurisdiction_prefix(org.region_code))
    return BorrowerFiling.objects.filter(scope)


# ---------------------------------------------------------------------------------------------------------
# The action


def _checked_document(document: UploadedFile) -> tuple[str, int, str]:
    """Name, size and SHA-256 of an acceptable upload (same limit as origination's documents)."""
    limit = int(getattr(settings, "IPFIN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
    name = (document.name or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DOCUMENT_EXTENSIONS:
        raise FilingDocumentInvalid(reason=format_lazy(_("only {extensions} files are accepted"),
                                                       extensions=", ".join(sorted(DOCUMENT_EXTENSIONS))))
    size = document.size or 0
    if size <= 0:
        raise FilingDocumentInvalid(reason=_("the file is empty"))
    if size > limit:
        raise FilingDocumentInvalid(reason=format_lazy(_("larger than {limit} bytes"), limit=limit))
    digest = hashlib.sha256()
    for chunk in document.chunks():
        digest.update(chunk)
    document.seek(0)
    return name, size, digest.hexdigest()


def record_borrower_filing(user: User, loan_id: int, *, kind: str, period_end: date, received_on: date,
                           document: UploadedFile | None = None, note: str = "",
                           today: date | None = None) -> BorrowerFiling:
    """BT-19: record that the borrower's ``kind`` document for the period ending ``period_end`` was received on
    ``received_on`` (not before the period end, not after today). One per loan, kind and period end
    (:class:`FilingAlreadyRecorded`). The document is optional; when given it is size-limited and its SHA-256
    kept. A filing recorded by the bank or the borrower is notified to the fund's manager."""
    from ipfin.servicing.models import Loan

    today = today or business_date()
    if kind not in FilingKind.values:
        raise FilingKindInvalid(kind=kind)
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(reason=f"the note is longer than {NOTE_MAX_LENGTH} characters")
    loan_row = (Loan.objects.filter(pk=loan_id).select_related("bank", "fund", "enterprise__organisation")
                .first())
    if loan_row is None:
        raise NotFound()
    # The role first, so that an outsider learns nothing about the loan.
    if not _may_record(user, loan_row):
        raise PermissionDenied()
    if loan_row.fund_id is None:
        raise FilingLoanNotCovered(loan=loan_row.number)
    if not period_end_fits(kind, period_end):
        raise FilingPeriodInvalid(period_end=period_end.isoformat(), kind=FilingKind(kind).label,
                                  rule=PERIOD_RULES[kind])
    if received_on < period_end or received_on > today:
        raise FilingReceivedOnInvalid(received_on=received_on.isoformat(), period_end=period_end.isoformat(),
                                      today=today.isoformat())
    checked = _checked_document(document) if document is not None else None
    duplicate = FilingAlreadyRecorded(kind=FilingKind(kind).label, loan=loan_row.number,
                                      period_end=period_end.isoformat())
    try:
        with transaction.atomic():
            # The loan row serialises two filings of one loan; the unique constraint is the backstop.
            loan = lock(Loan, loan_id)
            if loan.fund_id is None:
                raise FilingLoanNotCovered(loan=loan.number)
            fund = Fund.objects.get(pk=loan.fund_id)
            if BorrowerFiling.objects.filter(loan=loan, kind=kind, period_end=period_end).exists():
                raise duplicate
            filing = BorrowerFiling(fund=fund, loan=loan, kind=kind, period_end=period_end, received_on=received_on,
                                    note=note, recorded_by=user)
            if document is not None and checked is not None:
                filing.original_name, filing.size_bytes, filing.sha256 = checked
                filing.document.save(checked[0], document, save=False)
            filing.save()
            record_event(actor=user, action="fund.filing.record", obj=filing,
                         after={"fund": fund.code, "loan": loan.number, "kind": kind,
                                "period_end": period_end.isoformat(), "received_on": received_on.isoformat(),
                                "sha256": filing.sha256, "note": note},
                         clause=CLAUSE, organisation=fund.manager)
            if not is_fund_officer(user, fund):
                notify(organisations=[fund.manager_id], verb="fund.filing.recorded",
                       title=format_lazy(_("{kind} of {enterprise} for {period_end} received (loan {loan})"),
                                         kind=FilingKind(kind).label, enterprise=loan_row.enterprise.name,
                                         period_end=period_end.isoformat(), loan=loan.number),
                       url=f"/fund/{fund.code}/filings/", exclude=user)
    except IntegrityError:
        # Two recorders at the same moment: the loser meets the unique constraint (PostgreSQL).
        raise duplicate from None
    return filing


# ---------------------------------------------------------------------------------------------------------
# Coverage (set-based)


@dataclass(frozen=True)
class MissingFiling:
    loan_id: int
    loan_number: str
    enterprise: str
    bank: str


@dataclass(frozen=True)
class FilingCoverage:
    kind: str
    period_end: date
    covered: int  # loans of the fund outstanding on ``period_end``
    received: int  # of them, with the filing recorded
    missing: list[MissingFiling]

    @property
    def missing_count(self) -> int:
        return self.covered - self.received


def outstanding_loans(fund: Fund, on: date) -> QuerySet[Loan]:
    """The fund's loans outstanding on ``on``: disbursed on or before it and not paid off by then."""
    from ipfin.servicing.models import Loan

    return Loan.objects.filter(fund=fund, disbursed_on__lte=on).filter(
        Q(paid_off_on__isnull=True) | Q(paid_off_on__gt=on))


def filing_coverage(fund: Fund, period_end: date, kind: str = FilingKind.QUARTERLY_STATEMENT) -> FilingCoverage:
    """For ``period_end``: the fund's loans outstanding that day, how many have the ``kind`` filing for exactly that
    period end, and the list of those that do not (loan number, borrower, bank; ordered by bank and loan). One
    aggregate query and one query for the missing rows. The caller has checked that the user may see the fund's
    filings (:func:`may_oversee_filings`)."""
    if kind not in FilingKind.values:
        raise FilingKindInvalid(kind=kind)
    if not period_end_fits(kind, period_end):
        raise FilingPeriodInvalid(period_end=period_end.isoformat(), kind=FilingKind(kind).label,
                                  rule=PERIOD_RULES[kind])
    loans = outstanding_loans(fund, period_end).annotate(has_filing=Exists(BorrowerFiling.objects.filter(
        loan=OuterRef("pk"), kind=kind, period_end=period_end)))
    totals = loans.aggregate(covered=Count("pk"), received=Count("pk", filter=Q(has_filing=True)))
    missing = [MissingFiling(pk, number, enterprise, bank) for pk, number, enterprise, bank in
               loans.filter(has_filing=False).order_by("bank__name", "number")
               .values_list("pk", "number", "enterprise__organisation__name", "bank__name")]
    return FilingCoverage(kind=kind, period_end=period_end, covered=int(totals["covered"] or 0),
                          received=int(totals["received"] or 0), missing=missing)
