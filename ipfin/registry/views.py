"""Registry pages: enterprise and IP-asset lists (search, filters, export), details with an event
timeline, the bulk import page (upload → dry-run report → confirm) and template downloads.

Reads go through ``visible()``; writes through the actions; personal data through the presenter."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ipfin.accounts.models import User
from ipfin.core.dates import business_date
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import IpfinError, NotFound, PermissionDenied
from ipfin.domain.registry.annual_fee import fee_position
from ipfin.registry import actions
from ipfin.registry.api import filter_assets, filter_enterprises
from ipfin.registry.choices import AssetKind, LegalEventKind, LegalStatus, QualificationKind
from ipfin.registry.exporting import (
    XLSX_CONTENT_TYPE,
    export_assets,
    export_enterprises,
    template_csv,
    template_xlsx,
)
from ipfin.registry.forms import EnterpriseFactsForm, FinancialStatementForm, QualificationForm
from ipfin.registry.importing import COLUMNS, TARGET_LABELS, import_scope, run_import
from ipfin.registry.models import (
    CreditEvent,
    DishonestListEntry,
    Enterprise,
    FinancialStatement,
    IpAsset,
    QualificationTag,
    WhitelistEntry,
)
from ipfin.registry.presenters import personal_data_check, present_enterprise
from ipfin.web.errors import render_error

PAGE_SIZE = 25
UPLOAD_DIR = Path(settings.MEDIA_ROOT) / "registry-imports"


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request: HttpRequest) -> str:
    """The current filters without the page number, for the pagination and export links."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    return params.urlencode()


def _not_found(exc: NotFound) -> Http404:
    return Http404(str(exc))


def _file(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k) or None for k in ("q", "region_code", "industry_code", "qualification",
                                                       "size_class")}
    queryset = filter_enterprises(visible(request.user, Enterprise), **filters)
    if request.GET.get("export") == "xlsx":
        return _file(export_enterprises(request.user, queryset), "enterprises.xlsx", XLSX_CONTENT_TYPE)
    page = _page(request, queryset)
    check = personal_data_check(request.user)
    rows = [present_enterprise(e, check) for e in page.object_list]
    return render(request, "registry/enterprise_list.html", {
        "page": page, "rows": rows, "filters": filters, "qualification_choices": QualificationKind.choices,
        "querystring": _querystring(request),
        "can_import": _can_import(request),
    })


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        enterprise = get_visible(request.user, Enterprise, pk=pk)
    except NotFound as exc:
        raise _not_found(exc) from None
    user = request.user
    today = business_date()
    assets = filter_assets(visible(user, IpAsset), enterprise_id=enterprise.pk)
    credit = visible(user, CreditEvent).filter(enterprise=enterprise)
    recent_bad = credit.filter(occurred_on__gte=today - timedelta(days=3 * 365)).exists()
    return render(request, "registry/enterprise_detail.html", {
        "enterprise": enterprise,
        "facts": present_enterprise(enterprise, personal_data_check(user)),
        "qualifications": visible(user, QualificationTag).filter(enterprise=enterprise),
        "statements": visible(user, FinancialStatement).filter(enterprise=enterprise).order_by("-period_end")[:12],
        "credit_events": credit,
        "recent_bad_credit": recent_bad,
        "dishonest": visible(user, DishonestListEntry).filter(enterprise=enterprise),
        "whitelist": visible(user, WhitelistEntry).filter(enterprise=enterprise),
        "assets": assets[:50],
        "asset_count": assets.count(),
        "can_edit": actions.can_edit_enterprise(user, enterprise),
    })


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    pledged = request.GET.get("pledged")
    filters: dict[str, Any] = {k: request.GET.get(k) or None for k in ("q", "kind", "status", "ipc")}
    filters["pledged"] = {"1": True, "0": False}.get(pledged or "")
    queryset = filter_assets(visible(request.user, IpAsset), **filters)
    if request.GET.get("export") == "xlsx":
        return _file(export_assets(queryset), "ip-assets.xlsx", XLSX_CONTENT_TYPE)
    page = _page(request, queryset.prefetch_related("owners"))
    return render(request, "registry/asset_list.html", {
        "page": page, "filters": filters, "pledged": pledged or "", "kind_choices": AssetKind.choices,
        "status_choices": LegalStatus.choices, "can_import": _can_import(request),
        "querystring": _querystring(request),
    })


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        asset = get_visible(request.user, IpAsset, pk=pk)
    except NotFound as exc:
        raise _not_found(exc) from None
    today = business_date()
    fee = None
    patent = getattr(asset, "patent", None) if asset.kind == AssetKind.PATENT else None
    if patent is not None and asset.filing_date and asset.registration_date and asset.status == LegalStatus.IN_FORCE:
        fee = fee_position(actions.fee_schedule(), patent.patent_type, asset.filing_date, asset.registration_date,
                           patent.fee_paid_through, today)
    timeline: list[dict[str, Any]] = []
    if asset.filing_date:
        timeline.append({"date": asset.filing_date, "label": _("Filed"), "kind": "filing"})
    events = list(asset.legal_events.order_by("effective_date", "id"))
    if asset.registration_date and not any(e.kind == LegalEventKind.GRANT for e in events):
        timeline.append({"date": asset.registration_date, "label": _("Granted / registered"), "kind": "grant"})
    for event in events:
        timeline.append({"date": event.effective_date, "label": event.get_kind_display(), "kind": event.kind,
                         "reference": event.reference, "details": event.details, "source": event.source})
    timeline.sort(key=lambda item: item["date"])
    return render(request, "registry/asset_detail.html", {
        "asset": asset, "patent": patent,
        "trademark": getattr(asset, "trademark", None) if asset.kind == AssetKind.TRADEMARK else None,
        "owners": asset.owners.select_related("enterprise").order_by("position"),
        "timeline": timeline, "fee": fee, "today": today,
        "can_record": actions.can_edit_asset(request.user, asset) or _can_import(request),
        "event_choices": LegalEventKind.choices,
    })


@login_required
@require_http_methods(["POST"])
def record_event(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        effective = date.fromisoformat(request.POST.get("effective_date", ""))
    except ValueError:
        messages.error(request, _("Enter the effective date as YYYY-MM-DD."))
        return redirect("registry:asset", pk=pk)
    try:
        actions.record_legal_event(request.user, pk, kind=request.POST.get("kind", ""), effective_date=effective,
                                   reference=request.POST.get("reference", ""), source=request.POST.get("source", ""))
    except NotFound as exc:
        raise _not_found(exc) from None
    except IpfinError as exc:
        messages.error(request, localized_message(exc))
    else:
        messages.success(request, _("The event was recorded and the legal status derived again."))
    return redirect("registry:asset", pk=pk)


def _can_import(request: HttpRequest) -> bool:
    try:
        import_scope(request.user)  # type: ignore[arg-type]
    except PermissionDenied:
        return False
    return True


def template_download(request: HttpRequest, target: str, fmt: str) -> HttpResponse:
    if target not in COLUMNS or fmt not in ("xlsx", "csv"):
        raise Http404
    if fmt == "xlsx":
        return _file(template_xlsx(target), f"{target}-template.xlsx", XLSX_CONTENT_TYPE)
    return _file(template_csv(target), f"{target}-template.csv", "text/csv; charset=utf-8")


def _store_upload(upload: UploadedFile) -> tuple[str, Path]:
    """Keep the uploaded file between the dry run and the confirmation (named by its SHA-256)."""
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    suffix = ".xlsx" if (upload.name or "").lower().endswith(".xlsx") else ".csv"
    path = UPLOAD_DIR / f"{digest.hexdigest()}{suffix}"
    if not path.exists():
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    return path.name, path


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise Http404
    context: dict[str, Any] = {"targets": TARGET_LABELS, "target": request.POST.get("target", "ip-assets"),
                               "max_bytes": settings.IPFIN_MAX_UPLOAD_BYTES}
    if request.method == "POST":
        target = request.POST.get("target", "")
        if target not in COLUMNS:
            raise Http404
        stored = request.POST.get("stored", "")
        upload = request.FILES.get("file")
        if upload is not None:
            if upload.size is not None and upload.size > settings.IPFIN_MAX_UPLOAD_BYTES:
                context["report"] = {"ok": False, "summary": _("The file was refused."),
                                     "errors": [{"text": f"文件：文件大小 {upload.size} 字节，超过上限 "
                                                         f"{settings.IPFIN_MAX_UPLOAD_BYTES} 字节"}]}
                return render(request, "registry/import.html", context)
            stored, path = _store_upload(upload)
            original_name = upload.name or stored
            dry_run = True
        else:
            path = UPLOAD_DIR / Path(stored).name
            original_name = request.POST.get("filename", stored)
            dry_run = False
            if not stored or not path.exists():
                messages.error(request, _("Upload the file again."))
                return redirect("registry:import")
        with path.open("rb") as stream:
            report = run_import(target, stream, original_name if original_name.lower().endswith(
                (".xlsx", ".csv")) else path.name, actor=request.user, dry_run=dry_run)
        if not report.ok or not dry_run:
            path.unlink(missing_ok=True)  # kept only between a clean dry run and its confirmation
        if not dry_run and report.ok:
            messages.success(request, report.summary())
            return redirect("registry:assets" if target != "enterprises" else "registry:enterprises")
        context.update({"report": report.as_dict(), "stored": stored if report.ok else "",
                        "filename": original_name, "target": target})
    return render(request, "registry/import.html", context)


# --- enterprise self-service (PZA-2.2.2: an enterprise keeps its own records) ---------------------------
# Each page is a plain server-rendered form; the action decides who may act (its PermissionDenied is the
# 403 page, its NotFound a 404) and every other typed error is shown above the form as an alert.


def _actor(request: HttpRequest) -> User:
    """The signed-in user (every self-service view is ``login_required``)."""
    return cast(User, request.user)


def _editable_enterprise(request: HttpRequest, pk: int) -> Enterprise:
    """The enterprise, if the user may read it (else 404) and edit it (else 403, as the action would)."""
    try:
        enterprise = get_visible(_actor(request), Enterprise, pk=pk)
    except NotFound as exc:
        raise _not_found(exc) from None
    if not actions.can_edit_enterprise(_actor(request), enterprise):
        raise PermissionDenied()
    return enterprise


def _self_service(request: HttpRequest, pk: int, *, form_class: type[Any], initial: Any, perform: Any,
                  title: str, submit: str, success: str) -> HttpResponse:
    """GET shows the form; POST validates it, calls ``perform(form)`` (one action) and redirects."""
    try:
        enterprise = _editable_enterprise(request, pk)
    except PermissionDenied as exc:
        return render_error(request, exc)
    context: dict[str, Any] = {"enterprise": enterprise, "title": title, "submit": submit}
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                perform(form)
            except NotFound as exc:
                raise _not_found(exc) from None
            except PermissionDenied as exc:
                return render_error(request, exc)
            except IpfinError as exc:
                context["error_message"] = localized_message(exc)
                context["error_code"] = exc.code
                status = exc.http_status
            else:
                messages.success(request, success)
                return redirect("registry:enterprise", pk=pk)
    else:
        form = form_class(initial=initial(enterprise) if callable(initial) else initial)
    context["form"] = form
    return render(request, "registry/enterprise_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the enterprise's own facts through ``update_enterprise``."""
    return _self_service(
        request, pk, form_class=EnterpriseFactsForm, initial=EnterpriseFactsForm.initial_for,
        perform=lambda form: actions.update_enterprise(_actor(request), pk, **form.cleaned_data),
        title=_("Edit registry facts"), submit=_("Save"), success=_("The registry facts were saved."))


@login_required
@require_http_methods(["GET", "POST"])
def statement_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add (or correct) one period's financial statement through ``record_financial_statement``."""
    return _self_service(
        request, pk, form_class=FinancialStatementForm, initial={"year": business_date().year - 1},
        perform=lambda form: actions.record_financial_statement(_actor(request), pk, **form.action_arguments()),
        title=_("Add a financial statement"), submit=_("Save"), success=_("The financial statement was saved."))


@login_required
@require_http_methods(["GET", "POST"])
def qualification_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a qualification tag with its validity through ``add_qualification``."""
    return _self_service(
        request, pk, form_class=QualificationForm, initial={},
        perform=lambda form: actions.add_qualification(_actor(request), pk, **form.cleaned_data),
        title=_("Add a qualification"), submit=_("Add"), success=_("The qualification was added."))
