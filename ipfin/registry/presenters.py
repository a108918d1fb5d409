"""The one place where personal data is masked (design §5), used by the UI, the API and the export.

The legal representative's ID number, the contact phone and the contact person's name are shown in
full only to the enterprise itself, the IP office of its region and the platform; everyone else who
may read the enterprise sees them masked (``138****5678``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ipfin.accounts.choices import OrganisationKind
from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin
from ipfin.domain.regions import jurisdiction_prefix
from ipfin.domain.registry.assets import mask_id_number, mask_name, mask_phone
from ipfin.registry.models import Enterprise

PERSONAL_FIELDS = ("legal_rep_id_number", "contact_phone", "contact_name")


def personal_data_check(user: User) -> Callable[[Enterprise], bool]:
    """A predicate telling whether ``user`` sees an enterprise's personal data unmasked (no query per row)."""
    if is_platform_admin(user):
        return lambda enterprise: True
    org = user.organisation
    if org is None:
        return lambda enterprise: False
    if org.kind == OrganisationKind.ENTERPRISE:
        return lambda enterprise: enterprise.organisation_id == org.pk
    if org.kind == OrganisationKind.IP_OFFICE:
        prefix = jurisdiction_prefix(org.region_code)
        return lambda enterprise: enterprise.organisation.region_code.startswith(prefix)
    return lambda enterprise: False


def personal_fields(enterprise: Enterprise, *, unmasked: bool) -> dict[str, str]:
    if unmasked:
        return {name: getattr(enterprise, name) for name in PERSONAL_FIELDS}
    return {
        "legal_rep_id_number": mask_id_number(enterprise.legal_rep_id_number),
        "contact_phone": mask_phone(enterprise.contact_phone),
        "contact_name": mask_name(enterprise.contact_name),
    }


def present_enterprise(enterprise: Enterprise, check: Callable[[Enterprise], bool]) -> dict[str, Any]:
    """An enterprise as a plain dict with personal data masked according to ``check``."""
    org = enterprise.organisation
    unmasked = check(enterprise)
    return {
        "id": enterprise.pk,
        "organisation_id": org.pk,
        "name": org.name,
        "uscc": enterprise.uscc,
        "region_code": org.region_code,
        "region_name": org.region_name,
        "established_on": enterprise.established_on,
        "is_independent_legal_person": enterprise.is_independent_legal_person,
        "industry_code": enterprise.industry_code,
        "size_class": enterprise.size_class,
        "size_class_label": str(enterprise.get_size_class_display()) if enterprise.size_class else "",
        "registered_address": enterprise.registered_address,
        "legal_representative": enterprise.legal_representative,
        **personal_fields(enterprise, unmasked=unmasked),
        "personal_data_masked": not unmasked,
    }
