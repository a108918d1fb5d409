"""Who reads loans (贷款): the borrower; the lending bank (a head office also its branches'); the guarantor and
the insurer named on the application; the manager of the fund the loan is enrolled in (and the fund managers of
the fund's region); the IP office and the regulator of the borrower's region; the platform."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ipfin.accounts.choices import OrganisationKind
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.core.scoping import visibility
from ipfin.domain.regions import jurisdiction_prefix
from ipfin.servicing.models import Loan

NOTHING = Q(pk__in=[])


def loan_scope(user: User, path: str = "") -> Q:
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
        return Q(**{f"{prefix}contract__application__guarantor": org})
    if org.kind == OrganisationKind.INSURER:
        return Q(**{f"{prefix}contract__application__insurer": org})
    region = jurisdiction_prefix(org.region_code)
    if org.kind == OrganisationKind.FUND_MANAGER:
        return Q(**{f"{prefix}fund__manager": org}) | Q(**{f"{prefix}fund__region_code__startswith": region})
    if org.kind in (OrganisationKind.IP_OFFICE, OrganisationKind.REGULATOR):
        return Q(**{f"{prefix}enterprise__organisation__region_code__startswith": region})
    return NOTHING


@visibility(Loan)
def loans_visible_to(user: User) -> QuerySet[Loan]:
    return Loan.objects.filter(loan_scope(user)).select_related("enterprise__organisation", "bank", "product", "fund")
