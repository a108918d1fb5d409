"""Who reads which registry records: one visibility function per model (ipfin.core.scoping).

- an enterprise sees its own records;
- a bank sees the enterprises that are customers of it or, for a head office, of any of its branches
  (:class:`CustomerRelationship`), with their IP, events and statements; the whitelist of its city
  (SC-14: pushed to the cooperating banks);
- the IP office, the regulator and the fund manager see their region (GB/T 2260 prefix);
- guarantors, insurers and appraisers see nothing yet (later issues give them the assets they cover);
- the platform sees everything.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ipfin.accounts.choices import REGIONAL_KINDS, OrganisationKind
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.core.scoping import visibility
from ipfin.registry.models import (
    CreditEvent,
    CustomerRelationship,
    DishonestListEntry,
    Enterprise,
    FinancialStatement,
    IpAsset,
    IpAssetOwner,
    LegalStatusEvent,
    QualificationTag,
    WhitelistEntry,
)

NOTHING = Q(pk__in=[])


def enterprise_scope(user: User, path: str = "") -> Q:
    """A filter on the records whose enterprise (reached through ``path``) ``user`` may read."""
    prefix = f"{path}__" if path else ""
    if is_platform_admin(user):
        return Q()
    org = user.organisation
    if org is None:
        return NOTHING
    if org.kind == OrganisationKind.ENTERPRISE or org.kind in REGIONAL_KINDS:
        return org_scope(user, f"{prefix}organisation")
    if org.kind == OrganisationKind.BANK:
        customers = CustomerRelationship.objects.filter(org_scope(user, "bank")).values("enterprise_id")
        return Q(**{f"{prefix}pk__in": customers})
    return NOTHING


def _scoped_by_enterprise(model: type, user: User) -> QuerySet:
    return model._default_manager.filter(enterprise_scope(user, "enterprise"))  # type: ignore[attr-defined]


@visibility(Enterprise)
def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(enterprise_scope(user)).select_related("organisation")


@visibility(QualificationTag)
def qualifications_visible_to(user: User) -> QuerySet[QualificationTag]:
    return _scoped_by_enterprise(QualificationTag, user)


@visibility(CreditEvent)
def credit_events_visible_to(user: User) -> QuerySet[CreditEvent]:
    return _scoped_by_enterprise(CreditEvent, user)


@visibility(DishonestListEntry)
def dishonest_entries_visible_to(user: User) -> QuerySet[DishonestListEntry]:
    return _scoped_by_enterprise(DishonestListEntry, user)


@visibility(FinancialStatement)
def statements_visible_to(user: User) -> QuerySet[FinancialStatement]:
    return _scoped_by_enterprise(FinancialStatement, user)


@visibility(WhitelistEntry)
def whitelist_visible_to(user: User) -> QuerySet[WhitelistEntry]:
    """Besides the enterprise scope, banks see the whitelist of their city (SC-14 pushes it to them)."""
    scope = enterprise_scope(user, "enterprise")
    org = user.organisation
    if org is not None and org.kind == OrganisationKind.BANK and not is_platform_admin(user):
        scope |= Q(enterprise__organisation__region_code__startswith=org.region_code[:4])
    return WhitelistEntry.objects.filter(scope)


@visibility(CustomerRelationship)
def customer_relationships_visible_to(user: User) -> QuerySet[CustomerRelationship]:
    if is_platform_admin(user):
        return CustomerRelationship.objects.all()
    org = user.organisation
    if org is None:
        return CustomerRelationship.objects.none()
    if org.kind == OrganisationKind.BANK:
        return CustomerRelationship.objects.filter(org_scope(user, "bank"))
    if org.kind == OrganisationKind.ENTERPRISE or org.kind in REGIONAL_KINDS:
        return CustomerRelationship.objects.filter(org_scope(user, "enterprise__organisation"))
    return CustomerRelationship.objects.none()


def owned_asset_exists(user: User, asset_ref: str = "pk") -> Exists:
    """``EXISTS`` an owner of the asset (``OuterRef(asset_ref)``) that ``user`` may read."""
    return Exists(IpAssetOwner.objects.filter(enterprise_scope(user, "enterprise"), asset_id=OuterRef(asset_ref)))


@visibility(IpAsset)
def ip_assets_visible_to(user: User) -> QuerySet[IpAsset]:
    if is_platform_admin(user):
        return IpAsset.objects.all()
    return IpAsset.objects.filter(owned_asset_exists(user))


@visibility(LegalStatusEvent)
def legal_events_visible_to(user: User) -> QuerySet[LegalStatusEvent]:
    if is_platform_admin(user):
        return LegalStatusEvent.objects.all()
    return LegalStatusEvent.objects.filter(owned_asset_exists(user, "asset_id"))
