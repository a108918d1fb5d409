from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ipfin.accounts.actions import issue_api_token, revoke_api_token
from ipfin.accounts.models import ApiToken, AuditEvent, Organisation
from ipfin.api.schemas import ERROR_RESPONSES, ErrorOut
from ipfin.core.scoping import get_visible, visible

router = Router(tags=["accounts"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    head_office_id: int | None

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    organisation: OrganisationOut | None
    roles: list[str]
    is_platform_admin: bool


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssuedOut(TokenOut):
    secret: str


class AuditEventOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    organisation_id: int | None
    action: str
    object_type: str
    object_id: str
    before: Any = None
    after: Any = None
    clause: str
    hash: str


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES}, summary="The acting user and their roles")
def me(request: HttpRequest) -> Any:
    from ipfin.accounts.permissions import is_platform_admin

    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "organisation": user.organisation,
        "roles": sorted(user.roles),
        "is_platform_admin": is_platform_admin(user),
    }


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: HttpRequest) -> Any:
    return visible(request.user, ApiToken).filter(user=request.user)


@router.post("/tokens", response={201: TokenIssuedOut, **ERROR_RESPONSES},
             summary="Issue an API token (the secret is shown once)")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    token, secret = issue_api_token(request.user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


@router.delete("/tokens/{token_id}", response={200: TokenOut, 404: ErrorOut, 403: ErrorOut, 409: ErrorOut},
               summary="Revoke an API token")
def delete_token(request: HttpRequest, token_id: int) -> Any:
    get_visible(request.user, ApiToken, pk=token_id)
    return revoke_api_token(request.user, token_id=token_id)


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations visible to me")
@paginate(PageNumberPagination, page_size=50)
def list_organisations(request: HttpRequest, kind: str | None = None, q: str | None = None) -> Any:
    qs = visible(request.user, Organisation)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("kind", "name")


@router.get("/organisations/{org_id}", response={200: OrganisationOut, 404: ErrorOut})
def get_organisation(request: HttpRequest, org_id: int) -> Any:
    return get_visible(request.user, Organisation, pk=org_id)


@router.get("/audit/events", response=list[AuditEventOut], summary="Audit events visible to me")
@paginate(PageNumberPagination, page_size=100)
def list_audit_events(request: HttpRequest, action: str | None = None) -> Any:
    qs = visible(request.user, AuditEvent)
    if action:
        qs = qs.filter(action=action)
    return qs.order_by("-id")
