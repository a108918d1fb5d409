"""``/api/v1/registry/``: enterprises, IP assets, legal-status events, statements, credit events,
templates, import and export. Reads go through ``visible()``, writes through the actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from ipfin.accounts.models import Organisation
from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import InvalidInput, NotFound
from ipfin.registry import actions
from ipfin.registry.exporting import (
    XLSX_CONTENT_TYPE,
    export_assets,
    export_enterprises,
    template_csv,
    template_xlsx,
)
from ipfin.registry.importing import COLUMNS, ImportRejected, run_import
from ipfin.registry.models import (
    CreditEvent,
    Enterprise,
    FinancialStatement,
    IpAsset,
    LegalStatusEvent,
    QualificationTag,
)
from ipfin.registry.presenters import personal_data_check, present_enterprise
from ipfin.registry.validation import OwnerInput

router = Router(tags=["registry"])


# --- schemas --------------------------------------------------------------------------------------------


class EnterpriseOut(Schema):
    id: int
    organisation_id: int
    name: str
    uscc: str
    region_code: str
    region_name: str
    established_on: date
    is_independent_legal_person: bool
    industry_code: str
    size_class: str
    size_class_label: str
    registered_address: str
    legal_representative: str
    legal_rep_id_number: str
    contact_name: str
    contact_phone: str
    personal_data_masked: bool


class EnterpriseIn(Schema):
    organisation_id: int | None = None
    name: str = ""
    region_code: str = ""
    uscc: str
    established_on: date
    is_independent_legal_person: bool = True
    industry_code: str = ""
    size_class: str = ""
    registered_address: str = ""
    legal_representative: str = ""
    legal_rep_id_number: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class EnterprisePatch(Schema):
    name: str | None = None
    region_code: str | None = None
    uscc: str | None = None
    established_on: date | None = None
    is_independent_legal_person: bool | None = None
    industry_code: str | None = None
    size_class: str | None = None
    registered_address: str | None = None
    legal_representative: str | None = None
    legal_rep_id_number: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class StatementIn(Schema):
    period_kind: str
    period_end: date
    revenue_fen: int
    profit_fen: int
    rd_spend_fen: int
    tax_fen: int


class StatementOut(StatementIn):
    id: int
    enterprise_id: int


class CreditEventIn(Schema):
    kind: str
    occurred_on: date
    source: str
    description: str = ""
    resolved_on: date | None = None


class CreditEventOut(CreditEventIn):
    id: int
    enterprise_id: int


class QualificationIn(Schema):
    kind: str
    valid_from: date
    valid_to: date | None = None
    certificate_number: str = ""


class QualificationOut(QualificationIn):
    id: int
    enterprise_id: int


class OwnerSchema(Schema):
    enterprise_id: int | None = None
    owner_name: str = ""
    share: Decimal


class PatentSchema(Schema):
    patent_type: str = ""
    is_pct: bool = False
    ipc_main: str = ""
    ipc_codes: str = ""
    claims_count: int = 0
    independent_claims: int = 0
    forward_citations: int = 0
    backward_citations: int = 0
    family_size: int = 1
    family_countries: str = ""
    fee_paid_through: date | None = None
    open_licence: bool = False


class TrademarkSchema(Schema):
    mark_type: str = "ordinary"
    nice_classes: str = ""
    is_geographical_indication: bool = False


class AssetOut(Schema):
    id: int
    kind: str
    number: str
    title: str
    status: str
    status_since: date | None
    pledged: bool
    frozen: bool
    invalidation_pending: bool
    in_litigation: bool
    filing_date: date | None
    registration_date: date | None
    expiry_date: date | None


class LegalEventIn(Schema):
    kind: str
    effective_date: date
    reference: str = ""
    details: dict[str, Any] = {}
    source: str = ""


class LegalEventOut(LegalEventIn):
    id: int
    asset_id: int


class AssetDetailOut(AssetOut):
    details: dict[str, Any]
    owners: list[OwnerSchema]
    patent: PatentSchema | None = None
    trademark: TrademarkSchema | None = None
    events: list[LegalEventOut]


class AssetIn(Schema):
    kind: str
    number: str
    title: str
    owners: list[OwnerSchema]
    filing_date: date | None = None
    registration_date: date | None = None
    expiry_date: date | None = None
    patent: dict[str, Any] | None = None
    trademark: dict[str, Any] | None = None
    details: dict[str, Any] | None = None


class AssetPatch(Schema):
    title: str | None = None
    owners: list[OwnerSchema] | None = None
    filing_date: date | None = None
    registration_date: date | None = None
    expiry_date: date | None = None
    patent: dict[str, Any] | None = None
    trademark: dict[str, Any] | None = None
    details: dict[str, Any] | None = None


class ImportReportOut(Schema):
    target: str
    filename: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int
    ok: bool
    dry_run: bool
    committed: bool
    error_count: int
    errors: list[dict[str, Any]]
    summary: str


# --- helpers --------------------------------------------------------------------------------------------


def filter_enterprises(queryset: QuerySet[Enterprise], *, q: str | None = None, region_code: str | None = None,
                       industry_code: str | None = None, qualification: str | None = None,
                       size_class: str | None = None) -> QuerySet[Enterprise]:
    if q:
        queryset = queryset.filter(Q(organisation__name__icontains=q) | Q(uscc__icontains=q.upper()))
    if region_code:
        queryset = queryset.filter(organisation__region_code__startswith=region_code)
    if industry_code:
        queryset = queryset.filter(industry_code__startswith=industry_code.upper())
    if qualification:
        queryset = queryset.filter(qualifications__kind=qualification).distinct()
    if size_class:
        queryset = queryset.filter(size_class=size_class)
    return queryset.order_by("organisation__name")


def filter_assets(queryset: QuerySet[IpAsset], *, q: str | None = None, kind: str | None = None,
                  status: str | None = None, pledged: bool | None = None, enterprise_id: int | None = None,
                  ipc: str | None = None) -> QuerySet[IpAsset]:
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(number__icontains=q.replace(" ", "").upper()))
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if pledged is not None:
        queryset = queryset.filter(pledged=pledged)
    if enterprise_id:
        queryset = queryset.filter(owners__enterprise_id=enterprise_id).distinct()
    if ipc:
        queryset = queryset.filter(patent__ipc_main__startswith=ipc.upper())
    return queryset.order_by("kind", "number")


def _owners(owners: list[OwnerSchema]) -> list[OwnerInput]:
    return [OwnerInput(share=o.share, enterprise_id=o.enterprise_id, name=o.owner_name) for o in owners]


def asset_detail(asset: IpAsset) -> dict[str, Any]:
    data = AssetOut.from_orm(asset).dict()
    data["details"] = asset.details
    data["owners"] = [{"enterprise_id": o.enterprise_id, "owner_name": o.owner_name, "share": o.share}
                      for o in asset.owners.order_by("position")]
    data["patent"] = PatentSchema.from_orm(asset.patent).dict() if asset.kind == "patent" and hasattr(
        asset, "patent") else None
    data["trademark"] = TrademarkSchema.from_orm(asset.trademark).dict() if asset.kind == "trademark" and hasattr(
        asset, "trademark") else None
    data["events"] = list(asset.legal_events.order_by("effective_date", "id").values(
        "id", "asset_id", "kind", "effective_date", "reference", "details", "source"))
    return data


def _file_response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- enterprises ----------------------------------------------------------------------------------------


@router.get("/enterprises", response=list[EnterpriseOut], summary="Enterprises visible to me (search, filters)")
@paginate(PageNumberPagination, page_size=50)
def list_enterprises(request: HttpRequest, q: str | None = None, region_code: str | None = None,
                     industry_code: str | None = None, qualification: str | None = None,
                     size_class: str | None = None) -> Any:
    queryset = filter_enterprises(visible(request.user, Enterprise), q=q, region_code=region_code,
                                  industry_code=industry_code, qualification=qualification, size_class=size_class)
    check = personal_data_check(request.user)
    return _PresentedList(queryset, lambda e: present_enterprise(e, check))


class _PresentedList:
    """A sliceable, countable list that presents each item (so pagination masks only the page it shows)."""

    def __init__(self, queryset: QuerySet[Any], present: Any) -> None:
        self.queryset, self.present = queryset, present

    def __len__(self) -> int:
        return self.queryset.count()

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.present(obj) for obj in self.queryset[item]]


@router.get("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **ERROR_RESPONSES})
def get_enterprise(request: HttpRequest, enterprise_id: int) -> Any:
    enterprise = get_visible(request.user, Enterprise, pk=enterprise_id)
    return present_enterprise(enterprise, personal_data_check(request.user))


@router.post("/enterprises", response={201: EnterpriseOut, **ERROR_RESPONSES}, summary="Register an enterprise")
def create_enterprise(request: HttpRequest, payload: EnterpriseIn) -> Any:
    data = payload.dict()
    organisation_id = data.pop("organisation_id")
    organisation = None
    if organisation_id is not None:
        organisation = get_visible(request.user, Organisation, pk=organisation_id)
    enterprise = actions.create_enterprise(request.user, organisation=organisation, **data)
    return Status(201, present_enterprise(enterprise, personal_data_check(request.user)))


@router.patch("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **ERROR_RESPONSES})
def update_enterprise(request: HttpRequest, enterprise_id: int, payload: EnterprisePatch) -> Any:
    changes = payload.dict(exclude_unset=True)
    enterprise = actions.update_enterprise(request.user, enterprise_id, **changes)
    return present_enterprise(enterprise, personal_data_check(request.user))


@router.get("/enterprises/{enterprise_id}/statements", response={200: list[StatementOut], **ERROR_RESPONSES})
def list_statements(request: HttpRequest, enterprise_id: int) -> Any:
    get_visible(request.user, Enterprise, pk=enterprise_id)
    return visible(request.user, FinancialStatement).filter(enterprise_id=enterprise_id).order_by("-period_end")


@router.post("/enterprises/{enterprise_id}/statements", response={201: StatementOut, **ERROR_RESPONSES},
             summary="Record (or correct) a quarterly or annual statement (BT-19)")
def record_statement(request: HttpRequest, enterprise_id: int, payload: StatementIn) -> Any:
    return Status(201, actions.record_financial_statement(request.user, enterprise_id, **payload.dict()))


@router.get("/enterprises/{enterprise_id}/credit-events", response={200: list[CreditEventOut], **ERROR_RESPONSES})
def list_credit_events(request: HttpRequest, enterprise_id: int) -> Any:
    get_visible(request.user, Enterprise, pk=enterprise_id)
    return visible(request.user, CreditEvent).filter(enterprise_id=enterprise_id)


@router.post("/enterprises/{enterprise_id}/credit-events", response={201: CreditEventOut, **ERROR_RESPONSES},
             summary="Record a bad credit record (IP office of the region; BT-4)")
def add_credit_event(request: HttpRequest, enterprise_id: int, payload: CreditEventIn) -> Any:
    return Status(201, actions.add_credit_event(request.user, enterprise_id, **payload.dict()))


@router.get("/enterprises/{enterprise_id}/qualifications", response={200: list[QualificationOut], **ERROR_RESPONSES})
def list_qualifications(request: HttpRequest, enterprise_id: int) -> Any:
    get_visible(request.user, Enterprise, pk=enterprise_id)
    return visible(request.user, QualificationTag).filter(enterprise_id=enterprise_id)


@router.post("/enterprises/{enterprise_id}/qualifications", response={201: QualificationOut, **ERROR_RESPONSES})
def add_qualification(request: HttpRequest, enterprise_id: int, payload: QualificationIn) -> Any:
    return Status(201, actions.add_qualification(request.user, enterprise_id, **payload.dict()))


# --- IP assets ------------------------------------------------------------------------------------------


@router.get("/assets", response=list[AssetOut], summary="IP assets visible to me (search, filters)")
@paginate(PageNumberPagination, page_size=50)
def list_assets(request: HttpRequest, q: str | None = None, kind: str | None = None, status: str | None = None,
                pledged: bool | None = None, enterprise_id: int | None = None, ipc: str | None = None) -> Any:
    return filter_assets(visible(request.user, IpAsset), q=q, kind=kind, status=status, pledged=pledged,
                         enterprise_id=enterprise_id, ipc=ipc)


@router.get("/assets/{asset_id}", response={200: AssetDetailOut, **ERROR_RESPONSES})
def get_asset(request: HttpRequest, asset_id: int) -> Any:
    return asset_detail(get_visible(request.user, IpAsset, pk=asset_id))


@router.post("/assets", response={201: AssetDetailOut, **ERROR_RESPONSES}, summary="Register an IP asset")
def create_asset(request: HttpRequest, payload: AssetIn) -> Any:
    data = payload.dict()
    owners = _owners(payload.owners)
    data.pop("owners")
    asset = actions.add_ip_asset(request.user, owners=owners, **data)
    return Status(201, asset_detail(asset))


@router.patch("/assets/{asset_id}", response={200: AssetDetailOut, **ERROR_RESPONSES})
def update_asset(request: HttpRequest, asset_id: int, payload: AssetPatch) -> Any:
    data = payload.dict(exclude_unset=True)
    if "owners" in data:
        data["owners"] = _owners(payload.owners or [])
    asset = actions.update_ip_asset(request.user, asset_id, **data)
    return asset_detail(asset)


@router.get("/assets/{asset_id}/events", response={200: list[LegalEventOut], **ERROR_RESPONSES})
def list_legal_events(request: HttpRequest, asset_id: int) -> Any:
    get_visible(request.user, IpAsset, pk=asset_id)
    return visible(request.user, LegalStatusEvent).filter(asset_id=asset_id).order_by("effective_date", "id")


@router.post("/assets/{asset_id}/events", response={201: LegalEventOut, **ERROR_RESPONSES},
             summary="Record a legal-status event; the asset's status is derived again")
def record_legal_event(request: HttpRequest, asset_id: int, payload: LegalEventIn) -> Any:
    return Status(201, actions.record_legal_event(request.user, asset_id, **payload.dict()))


# --- bulk in and out ------------------------------------------------------------------------------------


def _target(target: str) -> str:
    if target not in COLUMNS:
        raise NotFound()
    return target


@router.get("/templates/{target}.{fmt}", response={200: None, **ERROR_RESPONSES}, auth=None,
            summary="Import template (.xlsx with a 说明 sheet, or .csv)")
def download_template(request: HttpRequest, target: str, fmt: str) -> HttpResponse:
    target = _target(target)
    if fmt == "xlsx":
        return _file_response(template_xlsx(target), f"{target}-template.xlsx", XLSX_CONTENT_TYPE)
    if fmt == "csv":
        return _file_response(template_csv(target), f"{target}-template.csv", "text/csv; charset=utf-8")
    raise NotFound()


@router.post("/import/{target}", response={200: ImportReportOut, **ERROR_RESPONSES},
             summary="Bulk import (.xlsx/.csv), all-or-nothing; 400 lists every bad row in Chinese")
def import_file(request: HttpRequest, target: str, file: UploadedFile = File(...),  # noqa: B008
                dry_run: bool = Form(False)) -> Any:  # noqa: B008
    target = _target(target)
    report = run_import(target, file.file, file.name or "upload", actor=request.user, dry_run=dry_run)
    if not report.ok:
        raise ImportRejected(report)
    return report.as_dict()


@router.get("/export/{target}.xlsx", response={200: None, **ERROR_RESPONSES},
            summary="Export the list I can see (same filters as the list endpoints) to .xlsx")
def export_list(request: HttpRequest, target: str, q: str | None = None, kind: str | None = None,
                status: str | None = None, region_code: str | None = None) -> HttpResponse:
    if target == "enterprises":
        queryset = filter_enterprises(visible(request.user, Enterprise), q=q, region_code=region_code)
        return _file_response(export_enterprises(request.user, queryset), "enterprises.xlsx", XLSX_CONTENT_TYPE)
    if target == "ip-assets":
        assets = filter_assets(visible(request.user, IpAsset), q=q, kind=kind, status=status)
        return _file_response(export_assets(assets), "ip-assets.xlsx", XLSX_CONTENT_TYPE)
    raise InvalidInput(reason=f"unknown export {target!r}")
