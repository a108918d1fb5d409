from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    BANK = "bank", _("Bank")
    GUARANTOR = "guarantor", _("Guarantor")
    INSURER = "insurer", _("Insurer")
    APPRAISER = "appraiser", _("Appraiser")
    FUND_MANAGER = "fund_manager", _("Fund manager")
    IP_OFFICE = "ip_office", _("IP office")
    REGULATOR = "regulator", _("Financial regulator")
    PLATFORM = "platform", _("Platform operator")


class Role(models.TextChoices):
    ENTERPRISE_ADMIN = "enterprise_admin", _("Enterprise administrator")
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise staff")
    LOAN_OFFICER = "loan_officer", _("Loan officer")
    APPROVER = "approver", _("Credit approver")
    BRANCH_HEAD = "branch_head", _("Branch head")
    GUARANTOR_OFFICER = "guarantor_officer", _("Guarantee officer")
    INSURER_OFFICER = "insurer_officer", _("Insurance officer")
    APPRAISER = "appraiser", _("Appraiser")
    EXPERT = "expert", _("Expert")
    FUND_OFFICER = "fund_officer", _("Fund officer")
    CLERK = "clerk", _("IP office clerk")
    LEADER = "leader", _("Leadership group member")
    SUPERVISOR = "supervisor", _("Supervisor")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# Which roles an organisation of each kind may give its users.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.ENTERPRISE: frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF}),
    OrganisationKind.BANK: frozenset({Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD}),
    OrganisationKind.GUARANTOR: frozenset({Role.GUARANTOR_OFFICER}),
    OrganisationKind.INSURER: frozenset({Role.INSURER_OFFICER}),
    OrganisationKind.APPRAISER: frozenset({Role.APPRAISER, Role.EXPERT}),
    OrganisationKind.FUND_MANAGER: frozenset({Role.FUND_OFFICER}),
    OrganisationKind.IP_OFFICE: frozenset({Role.CLERK, Role.LEADER}),
    OrganisationKind.REGULATOR: frozenset({Role.SUPERVISOR}),
    OrganisationKind.PLATFORM: frozenset({Role.PLATFORM_ADMIN}),
}

# Organisation kinds whose users read everything in their region (design §1: IP office, regulator,
# and the fund manager, who sees every covered loan of its fund's region).
REGIONAL_KINDS: frozenset[str] = frozenset(
    {OrganisationKind.IP_OFFICE, OrganisationKind.REGULATOR, OrganisationKind.FUND_MANAGER}
)
