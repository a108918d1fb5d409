"""Visibility of the accounts models: one function per model (see :mod:`ipfin.core.scoping`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ipfin.accounts.choices import OrganisationKind
from ipfin.accounts.models import ApiToken, AuditEvent, Organisation, User
from ipfin.accounts.permissions import is_platform_admin, org_scope
from ipfin.core.scoping import visibility

# Institutions are a public directory (an enterprise chooses its bank, a bank its appraiser);
# enterprises are private: only they, their region's authorities and the platform see them.
PUBLIC_DIRECTORY_KINDS = [kind for kind in OrganisationKind.values if kind != OrganisationKind.ENTERPRISE]


@visibility(Organisation)
def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(org_scope(user) | Q(kind__in=PUBLIC_DIRECTORY_KINDS)).distinct()


@visibility(User)
def users_visible_to(user: User) -> QuerySet[User]:
    return User.objects.filter(org_scope(user, "organisation") | Q(pk=user.pk)).distinct()


@visibility(AuditEvent)
def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(org_scope(user, "organisation"))


@visibility(ApiToken)
def api_tokens_visible_to(user: User) -> QuerySet[ApiToken]:
    if is_platform_admin(user):
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user=user)
