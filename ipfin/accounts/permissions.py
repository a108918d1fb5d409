"""Who may act: role checks shared by every app's action functions."""

from __future__ import annotations

from django.db.models import Q

from ipfin.accounts.choices import REGIONAL_KINDS, OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.domain.errors import PermissionDenied
from ipfin.domain.regions import jurisdiction_prefix


def is_platform_admin(user: User) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_role(Role.PLATFORM_ADMIN)))


def require_role(user: User, *roles: str) -> None:
    """Raise :class:`PermissionDenied` unless ``user`` is active and holds one of ``roles``."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied()
    if is_platform_admin(user) and Role.PLATFORM_ADMIN in roles:
        return
    if not user.has_role(*roles):
        raise PermissionDenied()


def org_scope(user: User, path: str = "") -> Q:
    """A filter on the organisations whose records ``user`` may read, reached through ``path``.

    ``path`` is the lookup from the scoped model to its owning :class:`Organisation` (``""`` for the
    organisation itself, ``"organisation"`` for a model with an ``organisation`` foreign key).
    - platform operator: everything;
    - IP office, regulator, fund manager: every organisation in their region (GB/T 2260 prefix);
    - bank head office: itself and its branches; a branch: itself;
    - everyone else: their own organisation.
    """
    prefix = f"{path}__" if path else ""
    if is_platform_admin(user):
        # Always true, and unlike an empty Q() it survives being OR-ed with another condition.
        return Q(pk__isnull=False)
    org: Organisation | None = user.organisation
    if org is None:
        return Q(**{f"{prefix}pk__in": []})
    if org.kind in REGIONAL_KINDS:
        return Q(**{f"{prefix}region_code__startswith": jurisdiction_prefix(org.region_code)})
    own = Q(**{f"{prefix}pk": org.pk})
    if org.kind == OrganisationKind.BANK and org.head_office_id is None:
        return own | Q(**{f"{prefix}head_office": org.pk})
    return own


def can_read_organisation(user: User, organisation: Organisation) -> bool:
    return Organisation.objects.filter(org_scope(user), pk=organisation.pk).exists()
