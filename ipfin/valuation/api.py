"""``/api/v1/valuation/``: internal valuations, negotiated values, the appraiser register, appraisal
requests and reports, the route rule, model versions (PZA-2.1.1, SC-3, SC-4, PZP-3.4.2, PZP-3.7.1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ipfin.accounts.models import Organisation
from ipfin.api.schemas import ERROR_RESPONSES
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import NotFound
from ipfin.domain.valuation.route import required_route
from ipfin.policy.loader import get_profile
from ipfin.registry.models import IpAsset
from ipfin.valuation import actions
from ipfin.valuation.models import Appraiser, Valuation, ValuationModelVersion, ValuationRequest

router = Router(tags=["valuation"])


class ValuationOut(Schema):
    id: int
    asset_id: int
    asset_number: str
    source: str
    trigger: str
    method: str
    model_version: str
    as_of: date
    value_fen: int
    p10_fen: int | None
    p50_fen: int | None
    p90_fen: int | None
    value_degree: float | None
    dimension_degrees: dict[str, float]
    scores: list[dict[str, Any]]
    weights: dict[str, Any]
    approaches: list[dict[str, Any]]
    top_contributors: list[str]
    explanation: str

    @staticmethod
    def resolve_asset_number(obj: Valuation) -> str:
        return obj.asset.number

    @staticmethod
    def resolve_value_degree(obj: Valuation) -> float | None:
        return float(obj.value_degree) if obj.value_degree is not None else None


class ValuateIn(Schema):
    as_of: date | None = None


class NegotiatedIn(Schema):
    value_fen: int
    as_of: date
    note: str = ""


class AppraiserOut(Schema):
    id: int
    organisation_id: int
    name: str
    qualifications: list[str]
    rating: str
    fee_schedule: dict[str, Any]
    admission_status: str
    admitted_on: date | None

    @staticmethod
    def resolve_name(obj: Appraiser) -> str:
        return obj.organisation.name


class AppraiserIn(Schema):
    organisation_id: int
    qualifications: list[str]
    rating: str = "unrated"
    fee_schedule: dict[str, Any] = {}


class AdmissionIn(Schema):
    status: str


class RequestIn(Schema):
    asset_id: int
    appraiser_id: int
    due_date: date
    loan_amount_fen: int | None = None
    note: str = ""


class RequestOut(Schema):
    id: int
    asset_id: int
    asset_number: str
    requested_by_id: int
    appraiser_id: int
    due_date: date
    status: str
    loan_amount_fen: int | None
    appraised_value_fen: int | None
    internal_value_fen: int | None
    deviation_share: float | None
    deviation_flag: bool
    has_report: bool

    @staticmethod
    def resolve_asset_number(obj: ValuationRequest) -> str:
        return obj.asset.number

    @staticmethod
    def resolve_deviation_share(obj: ValuationRequest) -> float | None:
        return float(obj.deviation_share) if obj.deviation_share is not None else None

    @staticmethod
    def resolve_has_report(obj: ValuationRequest) -> bool:
        return bool(obj.report)


class RouteOut(Schema):
    loan_amount_fen: int
    threshold_fen: int
    profile: str
    clause: str
    route: str


class ModelVersionOut(Schema):
    version: str
    asset_kind: str
    digest: str
    is_active: bool
    calibrated_from: str
    metrics: dict[str, Any]


@router.get("/assets/{asset_id}/valuations", response={200: list[ValuationOut], **ERROR_RESPONSES},
            summary="Value history of an asset (newest first)")
def asset_valuations(request: HttpRequest, asset_id: int) -> Any:
    asset = get_visible(request.user, IpAsset, pk=asset_id)  # type: ignore[arg-type]
    return visible(request.user, Valuation).filter(asset=asset).select_related("asset")  # type: ignore[arg-type]


@router.post("/assets/{asset_id}/valuations", response={201: ValuationOut, **ERROR_RESPONSES},
             summary="Value an asset with the active internal model (SC-3)")
def valuate(request: HttpRequest, asset_id: int, payload: ValuateIn) -> Any:
    return Status(201, actions.valuate_asset(request.user, asset_id, as_of=payload.as_of))  # type: ignore[arg-type]


@router.post("/assets/{asset_id}/negotiated", response={201: ValuationOut, **ERROR_RESPONSES},
             summary="Record a value negotiated between bank and enterprise (SC-3)")
def negotiated(request: HttpRequest, asset_id: int, payload: NegotiatedIn) -> Any:
    return Status(201, actions.record_negotiated_value(request.user, asset_id, value_fen=payload.value_fen,  # type: ignore[arg-type]
                                                as_of=payload.as_of, note=payload.note))


@router.get("/valuations/{valuation_id}", response={200: ValuationOut, **ERROR_RESPONSES}, summary="One valuation")
def valuation_detail(request: HttpRequest, valuation_id: int) -> Any:
    return get_visible(request.user, Valuation, pk=valuation_id)  # type: ignore[arg-type]


@router.get("/route", response={200: RouteOut, **ERROR_RESPONSES},
            summary="Which valuation a loan amount needs under a policy profile (SC-3)")
def route(request: HttpRequest, loan_amount_fen: int, profile: str = "sichuan-2025") -> Any:
    policy = get_profile(profile)
    threshold = policy.integer("internal_valuation_threshold_fen")
    inclusive = bool(policy.param("internal_valuation_threshold_inclusive")) if policy.has(
        "internal_valuation_threshold_inclusive") else False
    return {"loan_amount_fen": loan_amount_fen, "threshold_fen": threshold, "profile": profile,
            "clause": policy.clause_of("internal_valuation_threshold_fen"),
            "route": required_route(loan_amount_fen, threshold, inclusive=inclusive).value}


@router.get("/appraisers", response={200: list[AppraiserOut], **ERROR_RESPONSES}, summary="Appraiser register")
def appraisers(request: HttpRequest) -> Any:
    return visible(request.user, Appraiser).select_related("organisation")  # type: ignore[arg-type]


@router.post("/appraisers", response={201: AppraiserOut, **ERROR_RESPONSES}, summary="Register an appraiser")
def register_appraiser(request: HttpRequest, payload: AppraiserIn) -> Any:
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise NotFound()
    return Status(201, actions.register_appraiser(request.user, organisation, qualifications=payload.qualifications,  # type: ignore[arg-type]
                                           rating=payload.rating, fee_schedule=payload.fee_schedule))


@router.post("/appraisers/{appraiser_id}/admission", response={200: AppraiserOut, **ERROR_RESPONSES},
             summary="Admit, suspend or remove an appraiser (XT-12)")
def admission(request: HttpRequest, appraiser_id: int, payload: AdmissionIn) -> Any:
    return actions.set_admission_status(request.user, appraiser_id, payload.status)  # type: ignore[arg-type]


@router.get("/requests", response={200: list[RequestOut], **ERROR_RESPONSES},
            summary="Valuation requests visible to me (the appraiser's work queue)")
def requests(request: HttpRequest, status: str | None = None) -> Any:
    rows = visible(request.user, ValuationRequest).select_related("asset")  # type: ignore[arg-type]
    return rows.filter(status=status) if status else rows


@router.post("/requests", response={201: RequestOut, **ERROR_RESPONSES}, summary="Ask an appraiser to value an asset")
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    return Status(201, actions.request_appraisal(request.user, payload.asset_id, appraiser_id=payload.appraiser_id,  # type: ignore[arg-type]
                                          due_date=payload.due_date, loan_amount_fen=payload.loan_amount_fen,
                                          note=payload.note))


@router.post("/requests/{request_id}/accept", response={200: RequestOut, **ERROR_RESPONSES}, summary="Accept")
def accept(request: HttpRequest, request_id: int) -> Any:
    return actions.accept_request(request.user, request_id)  # type: ignore[arg-type]


@router.post("/requests/{request_id}/decline", response={200: RequestOut, **ERROR_RESPONSES}, summary="Decline")
def decline(request: HttpRequest, request_id: int) -> Any:
    return actions.decline_request(request.user, request_id)  # type: ignore[arg-type]


@router.post("/requests/{request_id}/cancel", response={200: RequestOut, **ERROR_RESPONSES}, summary="Cancel")
def cancel(request: HttpRequest, request_id: int) -> Any:
    return actions.cancel_request(request.user, request_id)  # type: ignore[arg-type]


@router.post("/requests/{request_id}/report", response={200: RequestOut, **ERROR_RESPONSES},
             summary="Deliver the appraisal report (PDF) and its value")
def report(request: HttpRequest, request_id: int, appraised_value_fen: Form[int], as_of: Form[date],
           file: File[UploadedFile]) -> Any:
    return actions.submit_report(request.user, request_id, appraised_value_fen=appraised_value_fen,  # type: ignore[arg-type]
                                 as_of=as_of, report=file)


@router.get("/models", response={200: list[ModelVersionOut], **ERROR_RESPONSES}, summary="Model versions")
def model_versions(request: HttpRequest) -> Any:
    actions.ensure_shipped_versions()
    return ValuationModelVersion.objects.all()


@router.post("/models/{version}/activate", response={200: ModelVersionOut, **ERROR_RESPONSES},
             summary="Activate a model version (platform admin)")
def activate(request: HttpRequest, version: str) -> Any:
    return actions.activate_model_version(request.user, version)  # type: ignore[arg-type]


class EnterpriseEvaluationOut(Schema):
    enterprise_id: int
    enterprise_name: str
    uscc: str
    as_of: date
    profile: str
    asset_count: int
    family_count: int
    score: float
    components: dict[str, float]
    portfolio_value_fen: int
    band_min_score: float | None
    credit_ratio: str
    credit_line_fen: int
    max_loan_to_value: str | None
    explanation: str


@router.get("/enterprises/{enterprise_id}/evaluation", response={200: EnterpriseEvaluationOut, **ERROR_RESPONSES},
            summary="Enterprise-level IP evaluation: portfolio score and suggested credit line (SC-4)")
def enterprise_evaluation(request: HttpRequest, enterprise_id: int, as_of: date | None = None,
                          profile: str = "sichuan-2025") -> Any:
    from ipfin.valuation.portfolio import evaluate_enterprise

    result = evaluate_enterprise(request.user, enterprise_id, as_of or actions._today(),  # type: ignore[arg-type]
                                 profile=profile)
    return result.as_dict()
