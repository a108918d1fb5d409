"""Valuation pages: an asset's valuation (radar of the three dimensions, contributions, range, history)
and the appraiser's work queue. Reads go through ``visible``/``get_visible``; changes through actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipfin.core.i18n import error_payload
from ipfin.core.scoping import get_visible, visible
from ipfin.domain.errors import InvalidInput, IpfinError
from ipfin.domain.money import format_amount_cn
from ipfin.registry.models import IpAsset
from ipfin.valuation import actions
from ipfin.valuation.choices import RequestStatus, ValuationSource
from ipfin.valuation.models import Valuation, ValuationRequest


def _chart_data(record: Valuation | None) -> dict[str, Any] | None:
    if record is None or record.source != ValuationSource.INTERNAL_MODEL:
        return None
    labels: dict[str, str] = record.result.get("dimension_labels", {})
    return {
        "dimensions": [{"key": k, "name": labels.get(k, k), "value": round(v, 1)}
                       for k, v in record.dimension_degrees.items()],
        "contributions": sorted(({"name": s["label"], "value": round(s["contribution"], 2)} for s in record.scores),
                                key=lambda item: -item["value"]),
        "range": {"p10": record.p10_fen, "p50": record.p50_fen, "p90": record.p90_fen, "value": record.value_fen},
    }


@login_required
@require_http_methods(["GET", "POST"])
def asset_valuation(request: HttpRequest, asset_id: int) -> HttpResponse:
    user = request.user
    try:
        asset = get_visible(user, IpAsset, pk=asset_id)  # type: ignore[arg-type]
        if request.method == "POST":
            actions.valuate_asset(user, asset.pk)  # type: ignore[arg-type]
            messages.success(request, _("The asset was valued with the internal model."))
            return HttpResponseRedirect(reverse("valuation:asset", args=[asset.pk]))
    except IpfinError as exc:
        messages.error(request, error_payload(exc)["message"])
        return render(request, "web/error.html", {"error": error_payload(exc)}, status=exc.http_status)
    history = list(visible(user, Valuation).filter(asset=asset).order_by("-as_of", "-id"))  # type: ignore[arg-type]
    latest = next((v for v in history if v.source == ValuationSource.INTERNAL_MODEL), None)
    return render(request, "valuation/asset.html", {
        "asset": asset, "latest": latest, "history": history, "chart": _chart_data(latest),
        "value_text": format_amount_cn(latest.value_fen) if latest else "",
        "range_text": (f"{format_amount_cn(latest.p10_fen or 0)} – {format_amount_cn(latest.p90_fen or 0)}"
                       if latest else ""),
    })


@login_required
@require_GET
def work_queue(request: HttpRequest) -> HttpResponse:
    rows = (visible(request.user, ValuationRequest)  # type: ignore[arg-type]
            .select_related("asset", "requested_by", "appraiser__organisation").order_by("due_date", "id"))
    return render(request, "valuation/queue.html", {"requests": rows, "today": date.today(),
                                                    "RequestStatus": RequestStatus})


@login_required
@require_POST
def request_action(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    user = request.user
    try:
        if action == "accept":
            actions.accept_request(user, request_id)  # type: ignore[arg-type]
        elif action == "decline":
            actions.decline_request(user, request_id)  # type: ignore[arg-type]
        elif action == "report":
            upload = request.FILES.get("report")
            try:
                value_fen = int(request.POST.get("appraised_value_fen", ""))
                as_of = date.fromisoformat(request.POST.get("as_of", ""))
            except ValueError:
                raise InvalidInput(reason=_("enter the value in fen and the valuation date")) from None
            if upload is None:
                raise InvalidInput(reason=_("attach the report (PDF)"))
            actions.submit_report(user, request_id, appraised_value_fen=value_fen, as_of=as_of,  # type: ignore[arg-type]
                                  report=upload)
        else:
            raise InvalidInput(reason=_("unknown action"))
    except IpfinError as exc:
        messages.error(request, error_payload(exc)["message"])
    return HttpResponseRedirect(reverse("valuation:queue"))
