"""The foundation's dashboard cards (accounts). Every count reads through ``visible()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import ApiToken, AuditEvent, Organisation, User
from ipfin.core.scoping import visible
from ipfin.web.dashboard import register_card


def visible_organisations(user: User) -> int:
    return visible(user, Organisation).count()


def users_of_my_organisation(user: User) -> int:
    if user.organisation_id is None:
        return 0
    return visible(user, User).filter(organisation_id=user.organisation_id, is_active=True).count()


def visible_audit_events(user: User) -> int:
    return visible(user, AuditEvent).count()


def my_active_api_tokens(user: User) -> int:
    return visible(user, ApiToken).filter(user=user, revoked_at__isnull=True).count()


def register() -> None:
    register_card("accounts.organisations", _("Organisations visible to me"),
                  count=visible_organisations, url_name="web:organisations", order=10)
    register_card("accounts.colleagues", _("Users of my organisation"),
                  count=users_of_my_organisation, order=20)
    register_card("accounts.audit_events", _("Audit events visible to me"),
                  count=visible_audit_events, url_name="web:audit", order=30)
    register_card("accounts.api_tokens", _("My active API tokens"),
                  count=my_active_api_tokens, url_name="web:tokens", order=40)
