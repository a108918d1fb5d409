"""The origination app's dashboard cards (registered from OriginationConfig.ready). Every count reads
through ``visible()``, so a card never counts applications its reader may not see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ipfin.accounts.choices import Role
from ipfin.accounts.models import User
from ipfin.core.dates import business_date
from ipfin.core.scoping import visible
from ipfin.origination.choices import DECISION_CLOCK_STATES, OPEN_STATES, ApplicationStatus
from ipfin.origination.models import Application

ENTERPRISE_ROLES = [Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF]
BANK_ROLES = [Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD]
AUTHORITY_ROLES = [Role.CLERK, Role.LEADER, Role.SUPERVISOR, Role.PLATFORM_ADMIN]
# Who reads 时限监测 (the page and its menu entry): authorities, the fund manager and the banks (their own).
SLA_READER_ROLES = [*AUTHORITY_ROLES, Role.FUND_OFFICER, *BANK_ROLES]
# Parties named on applications who read them but neither apply nor work a queue: the fund manager of the
# requested fund, the named guarantor and insurer.
PARTY_READER_ROLES = [Role.FUND_OFFICER, Role.GUARANTOR_OFFICER, Role.INSURER_OFFICER]


def count_open(user: User) -> int:
    """Applications in progress: drafts and everything open up to disbursement."""
    return visible(user, Application).filter(status__in=[*OPEN_STATES, ApplicationStatus.DRAFT]).count()


def count_overdue_decisions(user: User) -> int:
    """Applications whose decision clock (PZA-2.2.1b) runs past its due date today."""
    return visible(user, Application).filter(status__in=DECISION_CLOCK_STATES,
                                             decision_due_on__lt=business_date()).count()


def register_cards() -> None:
    from ipfin.web.dashboard import register_card

    register_card("origination.open_applications", _("Open loan applications"),
                  roles=[*ENTERPRISE_ROLES, *BANK_ROLES, *AUTHORITY_ROLES], count=count_open,
                  url_name="origination:applications", order=300)
    register_card("origination.overdue_decisions", _("Overdue credit decisions"), roles=BANK_ROLES,
                  count=count_overdue_decisions, url_name="origination:queue", order=310)
    register_card("origination.overdue_decisions_region", _("Overdue credit decisions"), roles=AUTHORITY_ROLES,
                  count=count_overdue_decisions, url_name="origination:sla", order=310)


def register_nav_items() -> None:
    from ipfin.web.context import register_nav_item

    register_nav_item("origination.applications", _("My loan applications"), url_name="origination:applications",
                      roles=ENTERPRISE_ROLES, order=60)
    register_nav_item("origination.queue", _("Approval queue"), url_name="origination:queue", roles=BANK_ROLES,
                      order=60)
    register_nav_item("origination.applications_read", _("Loan applications"), url_name="origination:applications",
                      roles=PARTY_READER_ROLES, order=61)
    register_nav_item("origination.sla", _("SLA monitoring"), url_name="origination:sla",
                      roles=SLA_READER_ROLES, order=65)
