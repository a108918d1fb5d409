"""State changes of organisations, users and API tokens — each atomic, checked and audited."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ipfin.accounts.audit import record_event, snapshot
from ipfin.accounts.choices import ROLES_BY_KIND, OrganisationKind, Role
from ipfin.accounts.models import ApiToken, Organisation, RoleAssignment, User
from ipfin.accounts.permissions import is_platform_admin, require_role
from ipfin.core.actions import lock
from ipfin.domain.errors import Conflict, InvalidInput, PermissionDenied, _
from ipfin.domain.regions import validate_region_code

ORG_FIELDS = ["name", "kind", "region_code", "head_office_id", "uscc", "is_active"]
TOKEN_PREFIX = "ipf_"


class RoleNotAllowed(InvalidInput):
    code = "role_not_allowed"
    message_template = _("Role {role} does not exist in an organisation of kind {kind}.")


def create_organisation(
    actor: User | None,
    *,
    name: str,
    kind: str,
    region_code: str,
    head_office: Organisation | None = None,
    uscc: str | None = None,
) -> Organisation:
    """Create an organisation. Only the platform operator (or a system job, ``actor=None``) may."""
    if actor is not None:
        require_role(actor, Role.PLATFORM_ADMIN)
    if kind not in OrganisationKind.values:
        raise InvalidInput(reason=f"unknown organisation kind {kind!r}")
    region_code = validate_region_code(region_code)
    if head_office is not None and (kind != OrganisationKind.BANK or head_office.kind != OrganisationKind.BANK):
        raise InvalidInput(reason="only a bank branch has a head office, and it must be a bank")
    name = name.strip()
    if not name:
        raise InvalidInput(reason="an organisation needs a name")
    with transaction.atomic():
        if Organisation.objects.filter(name=name).exists():
            raise Conflict(_("An organisation named {name} already exists."), name=name)
        org = Organisation.objects.create(
            name=name, kind=kind, region_code=region_code, head_office=head_office, uscc=uscc or None
        )
        record_event(actor=actor, action="organisation.create", obj=org, after=snapshot(org, ORG_FIELDS),
                     organisation=org)
    return org


def create_user(
    actor: User | None,
    *,
    organisation: Organisation,
    username: str,
    password: str,
    roles: Iterable[str],
    display_name: str = "",
    phone: str = "",
    email: str = "",
    check_password_strength: bool = True,
) -> User:
    """Create a user of ``organisation`` holding ``roles`` (each must exist for the organisation's kind)."""
    if actor is not None and not is_platform_admin(actor):
        require_role(actor, Role.ENTERPRISE_ADMIN, Role.BRANCH_HEAD, Role.LEADER)
        if actor.organisation_id != organisation.pk:
            raise PermissionDenied()
    roles = sorted(set(roles))
    if not roles:
        raise InvalidInput(reason="a user needs at least one role")
    for role in roles:
        if role not in ROLES_BY_KIND[organisation.kind]:
            raise RoleNotAllowed(role=role, kind=organisation.kind)
    candidate = User(username=username, organisation=organisation, display_name=display_name, email=email)
    if check_password_strength:
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise InvalidInput(reason="; ".join(str(m) for m in exc.messages)) from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, password=password, organisation=organisation,
                display_name=display_name, phone=phone, email=email,
                is_staff=Role.PLATFORM_ADMIN in roles,
            )
            RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=r) for r in roles)
            record_event(actor=actor, action="user.create", obj=user, organisation=organisation,
                         after={"username": username, "organisation_id": organisation.pk, "roles": roles})
    except IntegrityError as exc:
        raise Conflict(_("User {username} already exists."), username=username) from exc
    return user


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def issue_api_token(actor: User, *, name: str) -> tuple[ApiToken, str]:
    """Issue a token for ``actor`` itself; the secret is returned once and never stored."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied()
    name = name.strip()
    if not name:
        raise InvalidInput(reason="a token needs a name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=actor, name=name, prefix=secret[:12], token_hash=_hash_token(secret))
        record_event(actor=actor, action="api_token.issue", obj=token, after={"name": name, "prefix": token.prefix})
    return token, secret


def revoke_api_token(actor: User, *, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = lock(ApiToken, token_id)
        if token.user_id != actor.pk and not is_platform_admin(actor):
            raise PermissionDenied()
        if token.revoked_at is not None:
            raise Conflict(_("This token is already revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(actor=actor, action="api_token.revoke", obj=token, before={"revoked": False},
                     after={"revoked": True})
    return token


def authenticate_api_token(secret: str) -> User | None:
    """The active user owning an active token with this secret, or ``None``."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=_hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def record_login(user: User, *, succeeded: bool = True) -> None:
    with transaction.atomic():
        record_event(actor=user, action="user.login" if succeeded else "user.login_failed", obj=user)


def record_logout(user: User) -> None:
    with transaction.atomic():
        record_event(actor=user, action="user.logout", obj=user)
