"""Valuation actions: each one transaction, row locks, transition checks, an audit event with the clause.

PZA-2.1.1, SC-3, SC-4 (internal model, negotiated value, calibration), PZP-3.4.2 (dynamic revaluation),
PZP-3.7.1 / XT-12 (appraiser register and appraisal requests).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.audit import record_event
from ipfin.accounts.choices import OrganisationKind, Role
from ipfin.accounts.models import Organisation, User
from ipfin.accounts.permissions import is_platform_admin, require_role
from ipfin.core.actions import lock, transition
from ipfin.core.dates import business_date
from ipfin.core.scoping import get_visible
from ipfin.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ipfin.domain.valuation.calibration import CalibrationObservation, CalibrationReport, calibrate
from ipfin.domain.valuation.definition import (
    ValuationModel,
    available_versions,
    load_model,
    model_from_dict,
)
from ipfin.domain.valuation.inputs import class_key_of, facts_from_dict
from ipfin.domain.valuation.model import ValuationResult, value_asset
from ipfin.domain.valuation.scoring import CohortTable
from ipfin.registry.models import IpAsset
from ipfin.valuation.choices import (
    ADMISSION_ALLOWED,
    REQUEST_ALLOWED,
    AdmissionStatus,
    AppraiserRating,
    RequestStatus,
    ValuationSource,
    ValuationTrigger,
)
from ipfin.valuation.facts import MODEL_FOR_KIND, VALUED_KINDS, cohorts_for, comparables_for, facts_for_assets
from ipfin.valuation.models import Appraiser, Valuation, ValuationModelVersion, ValuationRequest

BANK_ROLES = (Role.LOAN_OFFICER, Role.APPROVER, Role.BRANCH_HEAD)
VALUER_ROLES = (*BANK_ROLES, Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF, Role.PLATFORM_ADMIN)
REGISTER_ROLES = (Role.CLERK, Role.LEADER, Role.PLATFORM_ADMIN)
MAX_REPORT_BYTES = 20 * 1024 * 1024  # a PDF appraisal report; larger uploads are refused
PDF_MAGIC = b"%PDF-"


class AssetNotValuable(InvalidInput):
    code = "asset_not_valuable"
    message_template = _("The model does not value assets of kind {kind} yet.")


class NoActiveModel(NotFound):
    code = "no_active_valuation_model"
    message_template = _("No valuation model version is active for {kind} assets.")


class BadReport(InvalidInput):
    code = "bad_appraisal_report"
    message_template = _("The appraisal report is not acceptable: {reason}")


class AppraiserNotAdmitted(Conflict):
    code = "appraiser_not_admitted"
    message_template = _("The appraiser {name} is not admitted to the register.")


def _today() -> date:
    return business_date()


# ---------------------------------------------------------------------------------------------------------
# Model versions


def ensure_shipped_versions() -> None:
    """Store the model files shipped in ``model_data/`` as versions (idempotent); the first version of a kind
    becomes active when none is."""
    existing = set(ValuationModelVersion.objects.values_list("version", flat=True))
    with transaction.atomic():
        for version in available_versions():
            if version in existing:
                continue
            model = load_model(version)
            active = not ValuationModelVersion.objects.filter(asset_kind=model.asset_kind, is_active=True).exists()
            row = ValuationModelVersion.objects.create(
                version=version, asset_kind=model.asset_kind, data=dict(model.data), digest=model.digest,
                is_active=active, activated_at=timezone.now() if active else None)
            record_event(actor=None, action="valuation.model_version.load", obj=row,
                         after={"version": version, "active": active}, clause="PZA-2.1.1")


def model_for_version(version: str) -> ValuationModel:
    row = ValuationModelVersion.objects.filter(version=version).first()
    if row is None:
        ensure_shipped_versions()
        row = ValuationModelVersion.objects.filter(version=version).first()
    if row is None:
        raise NotFound()
    return model_from_dict(row.data, origin=f"database:{version}")


def active_model(asset_kind: str) -> ValuationModel:
    ensure_shipped_versions()
    row = ValuationModelVersion.objects.filter(asset_kind=asset_kind, is_active=True).first()
    if row is None:
        raise NoActiveModel(kind=asset_kind)
    return model_from_dict(row.data, origin=f"database:{row.version}")


def activate_model_version(actor: User, version: str) -> ValuationModelVersion:
    """Make ``version`` the active model of its asset kind (platform admin only, SC-3 / SC-4)."""
    require_role(actor, Role.PLATFORM_ADMIN)
    ensure_shipped_versions()
    with transaction.atomic():
        target = ValuationModelVersion.objects.select_for_update().filter(version=version).first()
        if target is None:
            raise NotFound()
        if target.is_active:
            return target
        previous = ValuationModelVersion.objects.select_for_update().filter(asset_kind=target.asset_kind,
                                                                            is_active=True).first()
        if previous is not None:
            previous.is_active = False
            previous.save(update_fields=["is_active"])
        target.is_active = True
        target.activated_at = timezone.now()
        target.activated_by = actor
        target.save(update_fields=["is_active", "activated_at", "activated_by"])
        record_event(actor=actor, action="valuation.model_version.activate", obj=target,
                     before={"active": previous.version if previous else None}, after={"active": version},
                     clause="SC-3")
    return target


def store_calibrated_version(actor: User | None, report: CalibrationReport) -> ValuationModelVersion:
    """Store a calibrated model as a new, inactive version."""
    if actor is not None:
        require_role(actor, Role.PLATFORM_ADMIN)
    model = model_from_dict(report.new_data, origin=report.new_version)
    with transaction.atomic():
        if ValuationModelVersion.objects.filter(version=report.new_version).exists():
            raise Conflict()
        row = ValuationModelVersion.objects.create(
            version=report.new_version, asset_kind=model.asset_kind, data=report.new_data, digest=model.digest,
            is_active=False, calibrated_from=str(report.new_data["model"].get("calibrated_from", "")),
            metrics=report.as_dict(), created_by=actor)
        record_event(actor=actor, action="valuation.model_version.calibrate", obj=row, after=report.as_dict(),
                     clause="SC-4")
    return row


# ---------------------------------------------------------------------------------------------------------
# Valuations


def _record_from_result(asset: IpAsset, result: ValuationResult, *, trigger: str, actor: User | None) -> Valuation:
    data = result.as_dict()
    return Valuation(
        asset=asset, source=ValuationSource.INTERNAL_MODEL, trigger=trigger, method=result.method,
        model_version=result.model_version, model_digest=result.model_digest, as_of=result.as_of,
        value_fen=result.value_fen, p10_fen=result.p10_fen, p50_fen=result.p50_fen, p90_fen=result.p90_fen,
        value_degree=Decimal(repr(result.value_degree)).quantize(Decimal("0.01")),
        dimension_degrees=data["dimension_degrees"], inputs=data["inputs"], scores=data["indicator_scores"],
        weights=data["weights"], approaches=data["approaches"], result=data,
        top_contributors=data["top_contributors"], explanation=result.explanation,
        organisation=actor.organisation if actor is not None else None, created_by=actor,
    )


def compute_valuation(asset: IpAsset, as_of: date, model: ValuationModel | None = None) -> ValuationResult:
    """The internal model's result for ``asset`` on ``as_of`` (nothing stored)."""
    if asset.kind not in VALUED_KINDS:
        raise AssetNotValuable(kind=asset.kind)
    model = model or active_model(MODEL_FOR_KIND[asset.kind])
    facts = facts_for_assets([asset])[asset.pk]
    cohorts = cohorts_for([facts])
    comparables = [c for c in comparables_for(asset.kind, as_of, model.market_max_age_years)
                   if c.class_key == class_key_of(facts)]
    return value_asset(facts, as_of, model, cohorts=cohorts, comparables=comparables)


def valuate_asset(actor: User, asset_id: int, *, as_of: date | None = None) -> Valuation:
    """Value an asset with the active internal model and store the record (PZA-2.1.1, SC-3)."""
    require_role(actor, *VALUER_ROLES)
    asset = get_visible(actor, IpAsset, pk=asset_id)
    result = compute_valuation(asset, as_of or _today())
    with transaction.atomic():
        record = _record_from_result(asset, result, trigger=ValuationTrigger.MANUAL, actor=actor)
        record.save()
        record_event(actor=actor, action="valuation.internal", obj=record,
                     after={"asset": asset.number, "value_fen": record.value_fen, "model": record.model_version},
                     clause="SC-3")
    return record


def record_negotiated_value(actor: User, asset_id: int, *, value_fen: int, as_of: date, note: str = "") -> Valuation:
    """A value agreed between bank and enterprise (协商估值, SC-3 — enough below the threshold)."""
    require_role(actor, *BANK_ROLES)
    if isinstance(value_fen, bool) or not isinstance(value_fen, int) or value_fen < 0:
        raise InvalidInput(reason="the negotiated value must be a whole number of fen ≥ 0")
    asset = get_visible(actor, IpAsset, pk=asset_id)
    with transaction.atomic():
        record = Valuation(asset=asset, source=ValuationSource.NEGOTIATED, trigger=ValuationTrigger.NEGOTIATION,
                           method="negotiated", as_of=as_of, value_fen=value_fen, explanation=note,
                           inputs={"note": note}, organisation=actor.organisation, created_by=actor)
        record.save()
        record_event(actor=actor, action="valuation.negotiated", obj=record,
                     after={"asset": asset.number, "value_fen": value_fen}, clause="SC-3")
    return record


def latest_valuation(asset: IpAsset, on_date: date | None = None) -> Valuation | None:
    rows = Valuation.objects.filter(asset=asset)
    if on_date is not None:
        rows = rows.filter(as_of__lte=on_date)
    return rows.order_by("-as_of", "-id").first()


def revalue_assets(assets: Iterable[IpAsset], as_of: date, *, trigger: str = ValuationTrigger.PERIODIC) -> int:
    """Dynamic revaluation (PZP-3.4.2): recompute the internal value of ``assets`` (e.g. the pledged ones,
    or those with a new legal-status event) and store a record where the value changed. Set-based reads
    (facts, cohorts and latest values in a fixed number of queries); returns the number of new records."""
    assets = [a for a in assets if a.kind in VALUED_KINDS]
    facts = facts_for_assets(assets)
    models = {kind: active_model(MODEL_FOR_KIND[kind]) for kind in {a.kind for a in assets}}
    cohorts = cohorts_for(facts.values())
    latest: dict[int, int] = {}
    for row in (Valuation.objects.filter(asset_id__in=list(facts), source=ValuationSource.INTERNAL_MODEL,
                                         as_of__lte=as_of)
                .order_by("asset_id", "-as_of", "-id").values("asset_id", "value_fen")):
        latest.setdefault(row["asset_id"], row["value_fen"])
    new_rows = []
    by_id = {a.pk: a for a in assets}
    for asset_id, asset_facts in facts.items():
        result = value_asset(asset_facts, as_of, models[by_id[asset_id].kind], cohorts=cohorts)
        if latest.get(asset_id) != result.value_fen:
            new_rows.append(_record_from_result(by_id[asset_id], result, trigger=trigger, actor=None))
    with transaction.atomic():
        Valuation.objects.bulk_create(new_rows)
        record_event(actor=None, action="valuation.revalue", after={"as_of": as_of.isoformat(), "assets": len(facts),
                                                                    "changed": len(new_rows), "trigger": trigger},
                     clause="PZP-3.4.2")
    return len(new_rows)


def revalue_pledged_assets(as_of: date) -> int:
    """The periodic / close-of-business revaluation of every pledged asset (PZP-3.4.2)."""
    return revalue_assets(IpAsset.objects.filter(pledged=True, kind__in=list(VALUED_KINDS)), as_of)


# ---------------------------------------------------------------------------------------------------------
# Appraiser register (PZP-3.7.1, XT-12)


def _clean_appraiser_fields(qualifications: list[str], rating: str, fee_schedule: dict[str, Any]) -> None:
    if not isinstance(qualifications, list) or not all(isinstance(q, str) and q.strip() for q in qualifications):
        raise InvalidInput(reason="qualifications must be a list of names")
    if rating not in AppraiserRating.values:
        raise InvalidInput(reason=f"unknown rating {rating!r}")
    if not isinstance(fee_schedule, dict):
        raise InvalidInput(reason="the fee schedule must be an object")


def register_appraiser(actor: User, organisation: Organisation, *, qualifications: list[str], rating: str = "unrated",
                       fee_schedule: dict[str, Any] | None = None) -> Appraiser:
    """Add an appraisal agency to the register, status "applied" (IP office or platform)."""
    require_role(actor, *REGISTER_ROLES)
    if organisation.kind != OrganisationKind.APPRAISER:
        raise InvalidInput(reason="only an organisation of kind appraiser can be registered")
    fee_schedule = fee_schedule or {}
    _clean_appraiser_fields(qualifications, rating, fee_schedule)
    with transaction.atomic():
        if Appraiser.objects.filter(organisation=organisation).exists():
            raise Conflict()
        appraiser = Appraiser.objects.create(organisation=organisation, qualifications=qualifications, rating=rating,
                                             fee_schedule=fee_schedule)
        record_event(actor=actor, action="valuation.appraiser.register", obj=appraiser,
                     after={"organisation": organisation.name, "rating": rating}, clause="PZP-3.7.1")
    return appraiser


def update_appraiser(actor: User, appraiser_id: int, *, qualifications: list[str] | None = None,
                     rating: str | None = None, fee_schedule: dict[str, Any] | None = None) -> Appraiser:
    require_role(actor, *REGISTER_ROLES)
    with transaction.atomic():
        appraiser = lock(Appraiser, appraiser_id)
        before = {"qualifications": appraiser.qualifications, "rating": appraiser.rating,
                  "fee_schedule": appraiser.fee_schedule}
        appraiser.qualifications = qualifications if qualifications is not None else appraiser.qualifications
        appraiser.rating = rating if rating is not None else appraiser.rating
        appraiser.fee_schedule = fee_schedule if fee_schedule is not None else appraiser.fee_schedule
        _clean_appraiser_fields(appraiser.qualifications, appraiser.rating, appraiser.fee_schedule)
        appraiser.save()
        record_event(actor=actor, action="valuation.appraiser.update", obj=appraiser, before=before,
                     after={"qualifications": appraiser.qualifications, "rating": appraiser.rating,
                            "fee_schedule": appraiser.fee_schedule}, clause="PZP-3.7.1")
    return appraiser


def set_admission_status(actor: User, appraiser_id: int, status: str) -> Appraiser:
    """Admit, suspend or remove an agency (XT-12)."""
    require_role(actor, *REGISTER_ROLES)
    with transaction.atomic():
        appraiser = lock(Appraiser, appraiser_id)
        previous = transition(appraiser, "admission_status", status, ADMISSION_ALLOWED)
        if status == AdmissionStatus.ADMITTED and appraiser.admitted_on is None:
            appraiser.admitted_on = _today()
        appraiser.save(update_fields=["admission_status", "admitted_on", "updated_at"])
        record_event(actor=actor, action="valuation.appraiser.admission", obj=appraiser,
                     before={"status": previous}, after={"status": status}, clause="XT-12")
    return appraiser


# ---------------------------------------------------------------------------------------------------------
# Appraisal requests


def request_appraisal(actor: User, asset_id: int, *, appraiser_id: int, due_date: date,
                      loan_amount_fen: int | None = None, note: str = "") -> ValuationRequest:
    """A bank asks an admitted appraiser to value an asset by ``due_date`` (SC-3: required at or above the
    threshold)."""
    require_role(actor, *BANK_ROLES)
    asset = get_visible(actor, IpAsset, pk=asset_id)
    if due_date < _today():
        raise InvalidInput(reason="the due date is in the past")
    if loan_amount_fen is not None and (isinstance(loan_amount_fen, bool) or loan_amount_fen < 0):
        raise InvalidInput(reason="the loan amount must be a whole number of fen ≥ 0")
    with transaction.atomic():
        appraiser = Appraiser.objects.select_related("organisation").filter(pk=appraiser_id).first()
        if appraiser is None:
            raise NotFound()
        if appraiser.admission_status != AdmissionStatus.ADMITTED:
            raise AppraiserNotAdmitted(name=appraiser.organisation.name)
        request = ValuationRequest.objects.create(
            asset=asset, requested_by=actor.organisation, requested_by_user=actor, appraiser=appraiser,
            due_date=due_date, loan_amount_fen=loan_amount_fen, note=note)
        record_event(actor=actor, action="valuation.request.create", obj=request,
                     after={"asset": asset.number, "appraiser": appraiser.organisation.name,
                            "due_date": due_date.isoformat()}, clause="PZP-3.7.1")
    return request


def _request_for_appraiser(actor: User, request_id: int) -> ValuationRequest:
    require_role(actor, Role.APPRAISER)
    get_visible(actor, ValuationRequest, pk=request_id)  # NotFound for others
    request = lock(ValuationRequest, request_id)
    if actor.organisation_id != request.appraiser.organisation_id:
        raise PermissionDenied()
    return request


def _move(actor: User, request_id: int, target: str, *, appraiser_side: bool) -> ValuationRequest:
    with transaction.atomic():
        if appraiser_side:
            request = _request_for_appraiser(actor, request_id)
        else:
            require_role(actor, *BANK_ROLES)
            get_visible(actor, ValuationRequest, pk=request_id)
            request = lock(ValuationRequest, request_id)
        previous = transition(request, "status", target, REQUEST_ALLOWED)
        request.save(update_fields=["status", "updated_at"])
        record_event(actor=actor, action=f"valuation.request.{target}", obj=request,
                     before={"status": previous}, after={"status": target}, clause="PZP-3.7.1")
    return request


def accept_request(actor: User, request_id: int) -> ValuationRequest:
    return _move(actor, request_id, RequestStatus.ACCEPTED, appraiser_side=True)


def decline_request(actor: User, request_id: int) -> ValuationRequest:
    return _move(actor, request_id, RequestStatus.DECLINED, appraiser_side=True)


def cancel_request(actor: User, request_id: int) -> ValuationRequest:
    return _move(actor, request_id, RequestStatus.CANCELLED, appraiser_side=False)


def _check_pdf(report: UploadedFile) -> None:
    if report.size is None or report.size == 0:
        raise BadReport(reason="the file is empty")
    if report.size > MAX_REPORT_BYTES:
        raise BadReport(reason=f"larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB")
    head = report.read(len(PDF_MAGIC))
    report.seek(0)
    if head != PDF_MAGIC:
        raise BadReport(reason="not a PDF file")


def deviation(appraised_fen: int, internal_fen: int, flag_share: Decimal) -> tuple[Decimal | None, bool]:
    """|appraised − internal| ÷ internal, and whether it exceeds ``flag_share`` (the model file's
    ``appraisal.deviation_flag_share``, default 30 %). A zero internal value flags any positive appraisal."""
    if internal_fen == 0:
        return None, appraised_fen > 0
    share = (Decimal(abs(appraised_fen - internal_fen)) / Decimal(internal_fen)).quantize(Decimal("0.0001"))
    return share, share > flag_share


def submit_report(actor: User, request_id: int, *, appraised_value_fen: int, as_of: date,
                  report: UploadedFile, method: str = "appraisal") -> ValuationRequest:
    """The appraiser delivers the report (PDF) and its value; the internal model values the asset on the same
    date and a deviation above the configured share is flagged; the appraisal becomes a valuation record."""
    if isinstance(appraised_value_fen, bool) or not isinstance(appraised_value_fen, int) or appraised_value_fen < 0:
        raise InvalidInput(reason="the appraised value must be a whole number of fen ≥ 0")
    _check_pdf(report)
    with transaction.atomic():
        request = _request_for_appraiser(actor, request_id)
        internal = None
        if request.asset.kind in VALUED_KINDS:
            internal = compute_valuation(request.asset, as_of)
        previous = transition(request, "status", RequestStatus.REPORTED, REQUEST_ALLOWED)
        request.appraised_value_fen = appraised_value_fen
        if internal is not None:
            flag_share = active_model(MODEL_FOR_KIND[request.asset.kind]).deviation_flag_share
            request.internal_value_fen = internal.value_fen
            request.deviation_share, request.deviation_flag = deviation(appraised_value_fen, internal.value_fen,
                                                                        flag_share)
        request.reported_at = timezone.now()
        request.report.save("report.pdf", report, save=False)
        request.save()
        record = Valuation(
            asset=request.asset, source=ValuationSource.THIRD_PARTY_APPRAISAL, trigger=ValuationTrigger.APPRAISAL,
            method=method, as_of=as_of, value_fen=appraised_value_fen, request=request,
            inputs={"internal_value_fen": request.internal_value_fen,
                    "internal_value_degree": internal.value_degree if internal else None,
                    "internal_model_version": internal.model_version if internal else None,
                    "internal_inputs": dict(internal.inputs) if internal else None},
            result={"value_degree": internal.value_degree if internal else None},
            explanation="", organisation=actor.organisation, created_by=actor)
        record.save()
        record_event(actor=actor, action="valuation.request.reported", obj=request, before={"status": previous},
                     after={"status": RequestStatus.REPORTED, "appraised_value_fen": appraised_value_fen,
                            "internal_value_fen": request.internal_value_fen,
                            "deviation_flag": request.deviation_flag}, clause="PZP-3.7.1")
    return request


# ---------------------------------------------------------------------------------------------------------
# Calibration (SC-3, SC-4)


def collect_observations(asset_kind: str, model: ValuationModel) -> list[CalibrationObservation]:
    """Appraisals and negotiated values on record, each with the facts the internal model used (appraisals
    store them) or the asset's current facts; set-based reads."""
    rows = list(Valuation.objects.filter(asset__kind=asset_kind, value_fen__gt=0,
                                         source__in=[ValuationSource.THIRD_PARTY_APPRAISAL, ValuationSource.NEGOTIATED])
                .select_related("asset"))
    current = facts_for_assets([r.asset for r in rows if not (r.inputs or {}).get("internal_inputs")])
    cohorts = cohorts_for(current.values())
    out = []
    for row in rows:
        stored = (row.inputs or {}).get("internal_inputs")
        kind = "appraisal" if row.source == ValuationSource.THIRD_PARTY_APPRAISAL else "negotiated"
        if stored:
            out.append(CalibrationObservation(facts_from_dict(stored["facts"]), row.as_of, row.value_fen, kind,
                                              CohortTable.from_snippet(stored.get("cohorts", []))))
        elif row.asset_id in current:
            out.append(CalibrationObservation(current[row.asset_id], row.as_of, row.value_fen, kind, cohorts))
    return out


def run_calibration(actor: User | None, asset_kind: str = "patent", *, new_version: str | None = None,
                    store: bool = True) -> tuple[CalibrationReport, ValuationModelVersion | None]:
    """Compare the active model with recorded outcomes and fit a new, inactive version."""
    if actor is not None and not is_platform_admin(actor):
        raise PermissionDenied()
    model = active_model(asset_kind)
    observations = collect_observations(asset_kind, model)
    today = _today()
    name = new_version or f"{model.version.split('-cal')[0]}-cal{today:%Y%m%d}"
    report = calibrate(observations, model, new_version=name, calibrated_on=today)
    row = store_calibrated_version(actor, report) if store else None
    return report, row
