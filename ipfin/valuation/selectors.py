"""Who reads which valuation records: one visibility function per model (ipfin.core.scoping).

- :class:`Valuation`: whoever may read the asset in the registry (its owners, their banks through the
  customer link, the region's IP office, regulator and fund manager, the platform) — and the appraiser
  organisation asked to value it;
- :class:`ValuationRequest`: the requesting bank (head office sees its branches'), the appraiser asked,
  the asset's owners and the regional authorities of the owners' region, the platform — not another bank;
- :class:`Appraiser` (the register, PZP-3.7.1): every signed-in user sees the admitted agencies; an agency
  sees itself; IP offices, regulators and the platform see every entry.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ipfin.accounts.choices import OrganisationKind
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.core.scoping import visibility
from ipfin.registry.selectors import owned_asset_exists
from ipfin.valuation.choices import AdmissionStatus
from ipfin.valuation.models import Appraiser, Valuation, ValuationRequest


def _appraiser_org_requests(user: User) -> Q:
    org = user.organisation
    if org is None or org.kind != OrganisationKind.APPRAISER:
        return Q(pk__in=[])
    return Q(appraiser__organisation=org)


@visibility(Valuation)
def valuations_visible_to(user: User) -> QuerySet[Valuation]:
    if is_platform_admin(user):
        return Valuation.objects.all()
    scope = Q(owned_asset_exists(user, "asset_id"))
    org = user.organisation
    if org is not None and org.kind == OrganisationKind.APPRAISER:
        asked = ValuationRequest.objects.filter(appraiser__organisation=org, asset_id=OuterRef("asset_id"))
        scope |= Q(Exists(asked))
    return Valuation.objects.filter(scope)


@visibility(ValuationRequest)
def valuation_requests_visible_to(user: User) -> QuerySet[ValuationRequest]:
    if is_platform_admin(user):
        return ValuationRequest.objects.all()
    org = user.organisation
    if org is None:
        return ValuationRequest.objects.none()
    if org.kind == OrganisationKind.BANK:
        return ValuationRequest.objects.filter(org_scope(user, "requested_by"))
    if org.kind == OrganisationKind.APPRAISER:
        return ValuationRequest.objects.filter(_appraiser_org_requests(user))
    return ValuationRequest.objects.filter(owned_asset_exists(user, "asset_id"))


@visibility(Appraiser)
def appraisers_visible_to(user: User) -> QuerySet[Appraiser]:
    org = user.organisation
    if is_platform_admin(user) or (org is not None and org.kind in (OrganisationKind.IP_OFFICE,
                                                                    OrganisationKind.REGULATOR)):
        return Appraiser.objects.all()
    scope = Q(admission_status=AdmissionStatus.ADMITTED)
    if org is not None:
        scope |= Q(organisation=org)
    return Appraiser.objects.filter(scope)
