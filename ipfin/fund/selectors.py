"""Who reads funds and cooperations.

- :class:`Fund`: public facts (name, region, profile, manager) — every signed-in user;
- :class:`Cooperation`: the institution itself (a bank head office also sees its branches'), the fund's
  manager, the regional authorities of the fund's or the institution's region, the platform.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ipfin.accounts.choices import REGIONAL_KINDS
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.core.scoping import visibility
from ipfin.domain.regions import jurisdiction_prefix
from ipfin.fund.models import Cooperation, Fund


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
