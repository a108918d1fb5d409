"""Fund actions of issue 5: open a fund, admit a cooperating institution, change its standing.

Standing (BT-9 admission of cooperating institutions with a dedicated account; BT-13 warning and suspension
notices; BT-22 removal for fraud) changes through :data:`COOPERATION_ALLOWED`, with an audit event carrying the
clause and a notification to the institution. Issue 7 adds the ledger, claims and the automatic notices.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import is_platform_admin, require_role
from ipfin.core.actions import lock, transition
from ipfin.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.regions import is_within, validate_region_code
from ipfin.fund.choices import COOPERATION_ALLOWED, CooperationStatus, FundStatus
from ipfin.fund.models import Cooperation, Fund
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
            raise Conflict()
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
    """A dated notice: warning or suspension (BT-13), removal (BT-22) or reinstatement (BT-9)."""
    if status not in CooperationStatus.values:
        raise InvalidInput(reason=f"unknown status {status!r}")
    with transaction.atomic():
        cooperation = lock(Cooperation, cooperation_id)
        fund = cooperation.fund
        if not _may_manage_cooperations(user, fund):
            raise PermissionDenied()
        if on < cooperation.status_since:
            raise InvalidInput(reason="the notice date is before the current standing")
        previous = transition(cooperation, "status", status, COOPERATION_ALLOWED)
        cooperation.status_since = on
        cooperation.save(update_fields=["status", "status_since"])
        record_event(actor=user, action="fund.cooperation.status", obj=cooperation,
                     before={"status": previous},
                     after={"status": status, "on": on.isoformat(), "reason": reason},
                     clause=STATUS_CLAUSE[CooperationStatus(status)], organisation=fund.manager)
        notify(organisations=[cooperation.institution_id, fund.manager_id], verb=f"fund.cooperation.{status}",
               title=format_lazy(_("{fund}: standing of {institution} is now {status}"),
                                 fund=fund.name, institution=cooperation.institution.name,
                                 status=CooperationStatus(status).label),
               body=reason, url="/fund/")
    return cooperation
