"""``/api/v1/pledges/``: registrations (scoped), their moves and PDF form; the public announcement search
(``/public``, no authentication, SC-13). Reads go through ``visible()``, writes through the actions. Every
move (file, register, refuse, change, release) is dated by the server's business date (``business_date()``):
a client cannot backdate a filing or a decision to make the registration time limit look met."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.dates import business_date
from ipfin.core.idempotency import run_idempotent
from ipfin.core.scoping import get_visible, visible
from ipfin.pledges import actions
from ipfin.pledges.models import PledgeRegistration
from ipfin.pledges.selectors import public_search, registration_clock

router = Router(tags=["pledges"])
PUBLIC_MAX_PAGE_SIZE = 100
IDEMPOTENCY_HEADER = "Idempotency-Key"


class ClockOut(Schema):
    state: str
    due_on: date | None
    working_days_left: int | None


class AssetOut(Schema):
    id: int
    kind: str
    number: str
    title: str


class ChangeOut(Schema):
    kind: str
    changed_on: date
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str


class RegistrationOut(Schema):
    id: int
    filing_number: str
    contract_id: int
    contract_number: str
    pledgor_id: int
    pledgor_name: str
    pledgee_id: int
    pledgee_name: str
    registry_office_id: int
    registry_office_name: str
    secured_amount_fen: int
    term_start: date
    term_end: date
    status: str
    filed_on: date
    due_on: date | None
    sla_working_days: int | None
    sla_clause: str
    registration_number: str | None
    registered_on: date | None
    refusal_ground: str
    refusal_note: str
    decided_on: date | None
    released_on: date | None
    clock: ClockOut | None


class RegistrationDetailOut(RegistrationOut):
    assets: list[AssetOut]
    changes: list[ChangeOut]


class FileIn(Schema):
    contract_id: int


class RegisterIn(Schema):
    registration_number: str | None = None


class RejectIn(Schema):
    ground: str
    note: str = ""


class ChangeIn(Schema):
    kind: str
    after: dict[str, Any]
    reason: str


class ReleaseIn(Schema):
    reason: str = ""


class PublicAnnouncementOut(Schema):
    registration_number: str
    registered_on: date
    asset_kind: str
    asset_number: str
    asset_title: str
    pledgor_name: str
    pledgee_name: str
    term_start: date
    term_end: date
    status: str
    released_on: date | None


class PublicPageOut(Schema):
    items: list[PublicAnnouncementOut]
    page: int
    page_size: int
    has_next: bool


class PublicQuery(Schema):
    number: str = ""
    pledgor: str = ""
    pledgee: str = ""
    status: str = ""
    page: int = 1
    page_size: int = 20


def present(registration: PledgeRegistration, *, detail: bool = False) -> dict[str, Any]:
    clock = registration_clock(registration, business_date())
    data: dict[str, Any] = {
        **{f: getattr(registration, f) for f in (
            "id", "filing_number", "contract_id", "pledgor_id", "pledgee_id", "registry_office_id",
            "secured_amount_fen", "term_start", "term_end", "status", "filed_on", "due_on", "sla_working_days",
            "sla_clause", "registration_number", "registered_on", "refusal_ground", "refusal_note", "decided_on",
            "released_on")},
        "contract_number": registration.contract.number,
        "pledgor_name": registration.pledgor.organisation.name, "pledgee_name": registration.pledgee.name,
        "registry_office_name": registration.registry_office.name,
        "clock": None if clock is None else {"state": str(clock.state), "due_on": clock.due_on,
                                             "working_days_left": clock.working_days_left},
    }
    if detail:
        data["assets"] = [{"id": link.asset.pk, "kind": link.asset.kind, "number": link.asset.number,
                           "title": link.asset.title}
                          for link in registration.assets.select_related("asset").order_by("asset_id")]
        data["changes"] = list(registration.changes.order_by("changed_on", "id").values(
            "kind", "changed_on", "before", "after", "reason"))
    return data


def _detail(request: HttpRequest, registration_id: int) -> dict[str, Any]:
    return present(get_visible(request.user, PledgeRegistration, pk=registration_id), detail=True)  # type: ignore[arg-type]


@router.get("/public", response={200: PublicPageOut, **ERROR_RESPONSES}, auth=None,
            summary="Public pledge announcements (no authentication; public fields only, SC-13)")
def public_announcements(request: HttpRequest, filters: Query[PublicQuery]) -> Any:
    page_size = min(max(1, filters.page_size), PUBLIC_MAX_PAGE_SIZE)
    result = public_search(number=filters.number[:100], pledgor=filters.pledgor[:100], pledgee=filters.pledgee[:100],
                           status=filters.status, page=filters.page, page_size=page_size)
    return {"items": result.rows, "page": result.page, "page_size": result.page_size, "has_next": result.has_next}


@router.get("/registrations", response=list[RegistrationOut], summary="Pledge registrations visible to me")
@paginate(PageNumberPagination, page_size=50)
def list_registrations(request: HttpRequest, status: str | None = None, contract_id: int | None = None) -> Any:
    queryset = visible(request.user, PledgeRegistration)  # type: ignore[arg-type]
    if status:
        queryset = queryset.filter(status=status)
    if contract_id:
        queryset = queryset.filter(contract_id=contract_id)
    return _Presented(queryset.order_by("-filed_on", "-id"))


class _Presented:
    """Sliceable and countable, presenting only the page it shows."""

    def __init__(self, queryset: Any) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [present(r) for r in self.queryset[item]]


@router.get("/registrations/{registration_id}", response={200: RegistrationDetailOut, **ERROR_RESPONSES})
def get_registration(request: HttpRequest, registration_id: int) -> Any:
    return _detail(request, registration_id)


@router.get("/registrations/{registration_id}/pdf", response={200: None, **ERROR_RESPONSES},
            summary="The generated application form (PDF)")
def registration_pdf(request: HttpRequest, registration_id: int) -> HttpResponse:
    from ipfin.pledges.views import pdf_response

    return pdf_response(get_visible(request.user, PledgeRegistration, pk=registration_id))  # type: ignore[arg-type]


@router.post("/registrations", response={201: RegistrationDetailOut, **ERROR_RESPONSES},
             summary="File the pledge registration of a signed contract (pledgee bank; header Idempotency-Key)")
def file_registration(request: HttpRequest, payload: FileIn) -> Any:
    registration, _created = run_idempotent(
        request.user, "pledges.registration.file", request.headers.get(IDEMPOTENCY_HEADER),  # type: ignore[arg-type]
        payload.dict(), PledgeRegistration,
        lambda: actions.file_registration(request.user, payload.contract_id))  # type: ignore[arg-type]
    return Status(201, _detail(request, registration.pk))


@router.post("/registrations/{registration_id}/register", response={200: RegistrationDetailOut, **ERROR_RESPONSES},
             summary="Register the pledge (registry office)")
def register(request: HttpRequest, registration_id: int, payload: RegisterIn) -> Any:
    actions.register_pledge(request.user, registration_id, **payload.dict())  # type: ignore[arg-type]
    return _detail(request, registration_id)


@router.post("/registrations/{registration_id}/reject", response={200: RegistrationDetailOut, **ERROR_RESPONSES},
             summary="Refuse the registration on one of the registry's grounds (registry office)")
def reject(request: HttpRequest, registration_id: int, payload: RejectIn) -> Any:
    actions.reject_registration(request.user, registration_id, **payload.dict())  # type: ignore[arg-type]
    return _detail(request, registration_id)


@router.post("/registrations/{registration_id}/change", response={200: RegistrationDetailOut, **ERROR_RESPONSES},
             summary="Register a change: secured amount, term, party name, other (registry office)")
def change(request: HttpRequest, registration_id: int, payload: ChangeIn) -> Any:
    actions.change_registration(request.user, registration_id, **payload.dict())  # type: ignore[arg-type]
    return _detail(request, registration_id)


@router.post("/registrations/{registration_id}/release", response={200: RegistrationDetailOut, **ERROR_RESPONSES},
             summary="Release the pledge (pledgee bank or registry office)")
def release(request: HttpRequest, registration_id: int, payload: ReleaseIn) -> Any:
    actions.release_pledge(request.user, registration_id, **payload.dict())  # type: ignore[arg-type]
    return _detail(request, registration_id)
