"""Role groups of the web UI: which workbench (工作台) and which help page a user gets.

A user's workbench follows the kind of their organisation (design §1): the three bank roles (loan
officer, approver, branch head) share the bank workbench; guarantors and insurers have their own
workbench titles but share one help page, because what they do on the platform is the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin


@dataclass(frozen=True)
class RoleGroup:
    key: str  # organisation kind, or "platform"
    title: Promise  # the workbench title, e.g. 银行工作台
    help_page: str  # the file stem in docs/help/ and web/help/<stem>.html


ROLE_GROUPS: dict[str, RoleGroup] = {
    group.key: group
    for group in (
        RoleGroup(OrganisationKind.ENTERPRISE, _("Enterprise workbench"), "enterprise"),
        RoleGroup(OrganisationKind.BANK, _("Bank workbench"), "bank"),
        RoleGroup(OrganisationKind.GUARANTOR, _("Guarantor workbench"), "guarantor-insurer"),
        RoleGroup(OrganisationKind.INSURER, _("Insurer workbench"), "guarantor-insurer"),
        RoleGroup(OrganisationKind.APPRAISER, _("Appraiser workbench"), "appraiser"),
        RoleGroup(OrganisationKind.FUND_MANAGER, _("Fund manager workbench"), "fund-manager"),
        RoleGroup(OrganisationKind.IP_OFFICE, _("IP office workbench"), "ip-office"),
        RoleGroup(OrganisationKind.REGULATOR, _("Financial regulator workbench"), "regulator"),
        RoleGroup(OrganisationKind.PLATFORM, _("Platform operations workbench"), "platform"),
    )
}
# Topic pages beside the role groups' pages (a bank's loan servicing; the NPL tolerance monitors).
TOPIC_HELP_PAGES: tuple[str, ...] = ("bank-servicing", "regulator-npl", "fund-institutions", "fund-filings",
                                     "fund-closing")
HELP_PAGES: frozenset[str] = frozenset(group.help_page for group in ROLE_GROUPS.values()) | frozenset(TOPIC_HELP_PAGES)
HELP_PAGE_TITLES: dict[str, Promise] = {
    "enterprise": _("Enterprises"),
    "bank": _("Banks"),
    "guarantor-insurer": _("Guarantors and insurers"),
    "appraiser": _("Appraisers"),
    "fund-manager": _("Fund managers"),
    "ip-office": _("IP offices"),
    "regulator": _("Financial regulators"),
    "platform": _("Platform operators"),
    "bank-servicing": _("Loan servicing (banks)"),
    "regulator-npl": _("NPL tolerance monitoring"),
    "fund-institutions": _("Compensation fund: institutions"),
    "fund-filings": _("Compensation fund: borrowers' statements"),
    "fund-closing": _("Compensation fund: closing"),
}

# Plural nouns for charts and headings ("how many banks"), distinct from the kind labels of forms.
KIND_PLURAL_LABELS: dict[str, Promise] = {
    OrganisationKind.ENTERPRISE: _("Enterprises"),
    OrganisationKind.BANK: _("Banks"),
    OrganisationKind.GUARANTOR: _("Guarantors"),
    OrganisationKind.INSURER: _("Insurers"),
    OrganisationKind.APPRAISER: _("Appraisers"),
    OrganisationKind.FUND_MANAGER: _("Fund managers"),
    OrganisationKind.IP_OFFICE: _("IP offices"),
    OrganisationKind.REGULATOR: _("Financial regulators"),
    OrganisationKind.PLATFORM: _("Platform operators"),
}


def role_group_for(user: User) -> RoleGroup | None:
    """The workbench of ``user``: by organisation kind; a superuser without one is the platform."""
    organisation = user.organisation if user.organisation_id else None
    if organisation is not None:
        return ROLE_GROUPS[organisation.kind]
    if is_platform_admin(user):
        return ROLE_GROUPS[OrganisationKind.PLATFORM]
    return None


def role_labels(user: User) -> list[str]:
    """The user's roles as display labels, in the order of :class:`Role`."""
    return [str(label) for value, label in Role.choices if value in user.roles]
