"""The registry's dashboard cards (registered from RegistryConfig.ready when ipfin.web.dashboard exists)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from ipfin.accounts.choices import Role
from ipfin.accounts.models import User
from ipfin.core.dates import business_date
from ipfin.core.scoping import visible
from ipfin.registry.choices import AssetKind, LegalStatus
from ipfin.registry.models import Enterprise, IpAsset

# Roles that can see registry records at all (guarantors, insurers and appraisers see none yet).
READER_ROLES = [Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD,
                Role.FUND_OFFICER, Role.CLERK, Role.LEADER, Role.SUPERVISOR, Role.PLATFORM_ADMIN]
FEE_DUE_HORIZON_DAYS = 90  # "fee due" = the next annual fee falls due within this many days (or is overdue)


def count_enterprises(user: User) -> int:
    return visible(user, Enterprise).count()


def count_assets(user: User) -> int:
    return visible(user, IpAsset).count()


def count_pledged(user: User) -> int:
    return visible(user, IpAsset).filter(pledged=True).count()


def count_fee_due(user: User) -> int:
    """Granted patents in force whose fees are paid up to a day within the horizon (or already past)."""
    horizon = business_date() + timedelta(days=FEE_DUE_HORIZON_DAYS)
    return visible(user, IpAsset).filter(kind=AssetKind.PATENT, status=LegalStatus.IN_FORCE,
                                         patent__fee_paid_through__lt=horizon).count()


def register_cards() -> None:
    from ipfin.web.dashboard import register_card

    register_card("registry.enterprises", _("Enterprises"), roles=READER_ROLES, count=count_enterprises,
                  url_name="registry:enterprises", order=200)
    register_card("registry.ip_assets", _("IP assets"), roles=READER_ROLES, count=count_assets,
                  url_name="registry:assets", order=210)
    register_card("registry.pledged_assets", _("Pledged IP assets"), roles=READER_ROLES, count=count_pledged,
                  url_name="registry:assets", order=220)
    register_card("registry.fee_due", _("Patents with annual fee due"), roles=READER_ROLES, count=count_fee_due,
                  url_name="registry:assets", order=230)
