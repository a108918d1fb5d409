"""Who reads applications and contracts, and the queues and clocks built on them.

- :class:`Application` and :class:`Contract` (through its application): the enterprise applying; the
  application's bank (a head office also its branches'); the guarantor and the insurer named on it; the fund
  manager of the requested fund (and the fund managers of the fund's region); the IP office and the regulator of
  the enterprise's region; the platform. Appraisers see none.
- Checks and documents are read through a visible application (``application.checks``), not on their own.

``decision_clock`` (PZA-2.2.1b), ``queue_for`` (open work of a user, by deadline) and ``sla_compliance``
(per bank: decisions due in a period, met, missed, open and overdue).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.calendar.services import working_calendar
from ipfin.core.scoping import visibility, visible
from ipfin.domain.calendar import CalendarNotPublished
from ipfin.domain.regions import jurisdiction_prefix
from ipfin.domain.sla import SlaClock, SlaState, clock_state
from ipfin.origination.choices import OPEN_STATES, ApplicationStatus
from ipfin.origination.models import Application, ApplicationCheck, Contract

S = ApplicationStatus
NOTHING = Q(pk__in=[])
DECIDED_STATES = frozenset({S.APPROVED, S.REJECTED, S.CONTRACT_SIGNED, S.PLEDGE_REGISTERED, S.DISBURSED})


def application_scope(user: User, path: str = "", *, parties: str = "") -> Q:
    """A filter on applications (reached through ``path``) that ``user`` may read. Loans follow the same rule
    (``ipfin.servicing.selectors.loan_scope``); ``parties`` is where the guarantor and insurer are found
    relative to the record (a loan reaches them through ``contract__application__``)."""
    prefix = f"{path}__" if path else ""
    if is_platform_admin(user):
        return Q(pk__isnull=False)
    org = user.organisation
    if org is None:
        return NOTHING
    if org.kind == OrganisationKind.ENTERPRISE:
        return Q(**{f"{prefix}enterprise__organisation": org})
    if org.kind == OrganisationKind.BANK:
        return org_scope(user, f"{prefix}bank")
    if org.kind == OrganisationKind.GUARANTOR:
        return Q(**{f"{prefix}{parties}guarantor": org})
    if org.kind == OrganisationKind.INSURER:
        return Q(**{f"{prefix}{parties}insurer": org})
    region = jurisdiction_prefix(org.region_code)
    if org.kind == OrganisationKind.FUND_MANAGER:
        return Q(**{f"{prefix}fund__manager": org}) | Q(**{f"{prefix}fund__region_code__startswith": region})
    if org.kind in (OrganisationKind.IP_OFFICE, OrganisationKind.REGULATOR):
        return Q(**{f"{prefix}enterprise__organisation__region_code__startswith": region})
    return NOTHING


@visibility(Application)
def applications_visible_to(user: User) -> QuerySet[Application]:
    return Application.objects.filter(application_scope(user)).select_related(
        "enterprise__organisation", "product", "bank", "fund")


@visibility(Contract)
def contracts_visible_to(user: User) -> QuerySet[Contract]:
    return Contract.objects.filter(application_scope(user, "application")).select_related("application")


def latest_checks(application: Application) -> list[ApplicationCheck]:
    """The rows of the latest check run (submission or approval), in the order they ran."""
    last = application.checks.order_by("-run").values_list("run", flat=True).first()
    if last is None:
        return []
    return list(application.checks.filter(run=last).order_by("id"))


def decision_clock(application: Application, today: date) -> SlaClock | None:
    """The decision clock (PZA-2.2.1b) on ``today``; None when no clock applies (never started, no in-force
    profile sets ``approval_sla_working_days``, or the application was withdrawn or expired undecided)."""
    from ipfin.origination.actions import approval_sla, compute_decision_due

    if application.complete_on is None:
        return None
    if application.status in (S.WITHDRAWN, S.EXPIRED) and application.decided_on is None:
        return None
    if approval_sla(application.product, application.complete_on) is None:
        return None
    due = application.decision_due_on or compute_decision_due(application)
    try:
        return clock_state(working_calendar(), due_on=due, today=today, stopped_on=application.decided_on,
                           paused=application.status == S.RETURNED)
    except CalendarNotPublished:
        return SlaClock(SlaState.CALENDAR_NOT_PUBLISHED, due)


# Which open states wait on whom.
BANK_WAITING = frozenset({S.SUBMITTED, S.COMPLETE, S.UNDER_REVIEW, S.APPROVED, S.CONTRACT_SIGNED,
                          S.PLEDGE_REGISTERED})
ENTERPRISE_WAITING = frozenset({S.DRAFT, S.RETURNED})


def queue_for(user: User, today: date) -> list[Application]:
    """Open applications ``user`` acts on, the nearest decision deadline first (those without one last):
    for a bank its open files (approvers and branch heads: those under review first), for an enterprise its
    drafts and returned applications, for others the open applications they may read."""
    rows = visible(user, Application)
    org = user.organisation
    if org is not None and org.kind == OrganisationKind.BANK and not is_platform_admin(user):
        rows = rows.filter(status__in=BANK_WAITING)
    elif org is not None and org.kind == OrganisationKind.ENTERPRISE:
        rows = rows.filter(status__in=ENTERPRISE_WAITING)
    else:
        rows = rows.filter(status__in=OPEN_STATES)
    deciding = user.has_role(Role.APPROVER, Role.BRANCH_HEAD)
    return sorted(rows, key=lambda a: (not (deciding and a.status == S.UNDER_REVIEW), a.decision_due_on is None,
                                       a.decision_due_on or date.max, a.submitted_on or date.max, a.pk))


def _empty_entry(application: Application) -> dict[str, Any]:
    return {"bank_id": application.bank_id, "bank": application.bank.name, "due": 0, "met": 0, "missed": 0,
            "open_overdue": 0, "open": 0, "paused": 0, "no_calendar": 0}


def calendar_not_published(user: User, last: date) -> list[Application]:
    """Undecided applications whose decision clock (PZA-2.2.1b) started by ``last`` but has no due date because
    the working-day calendar of the year it falls in is not published yet (design §5: an explicit state)."""
    from ipfin.origination.actions import approval_sla

    rows = (visible(user, Application).filter(complete_on__isnull=False, complete_on__lte=last,
                                              decision_due_on__isnull=True, decided_on__isnull=True,
                                              status__in=[S.SUBMITTED, S.COMPLETE, S.UNDER_REVIEW, S.RETURNED])
            .select_related("bank", "product").order_by("bank__name", "complete_on", "pk"))
    return [a for a in rows if approval_sla(a.product, a.complete_on) is not None]  # type: ignore[arg-type]


def sla_compliance(user: User, first: date, last: date, today: date | None = None) -> list[dict[str, Any]]:
    """Per bank (of the applications ``user`` may read): decision clocks due between ``first`` and ``last``
    (inclusive) — met (decided on or before the due date), missed (decided later), open and overdue on
    ``today`` — plus the compliance share met ÷ (met + missed + open overdue), None while nothing settled.
    ``no_calendar`` counts the running clocks (started by ``last``) that have no due date because the calendar
    of their year is not published; they are in no other column."""
    today = today or date.today()
    rows = (visible(user, Application).filter(decision_due_on__gte=first, decision_due_on__lte=last)
            .exclude(status__in=[S.WITHDRAWN, S.EXPIRED], decided_on__isnull=True)
            .select_related("bank").order_by("bank__name", "decision_due_on"))
    out: dict[int, dict[str, Any]] = {}
    for application in rows:
        entry = out.setdefault(application.bank_id, _empty_entry(application))
        entry["due"] += 1
        due = application.decision_due_on
        assert due is not None
        if application.decided_on is not None:
            entry["met" if application.decided_on <= due else "missed"] += 1
        elif application.status == S.RETURNED:
            entry["paused"] += 1
        elif today > due:
            entry["open_overdue"] += 1
        else:
            entry["open"] += 1
    for application in calendar_not_published(user, last):
        entry = out.setdefault(application.bank_id, _empty_entry(application))
        entry["no_calendar"] += 1
    for entry in out.values():
        settled = entry["met"] + entry["missed"] + entry["open_overdue"]
        entry["compliance"] = round(100 * entry["met"] / settled) if settled else None
    return list(out.values())
