"""The funds page: each fund with its cooperating institutions and their standing (what the reader may see)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ipfin.core.scoping import visible
from ipfin.fund.models import Cooperation, Fund


@login_required
@require_GET
def fund_list(request: HttpRequest) -> HttpResponse:
    funds = list(visible(request.user, Fund).select_related("manager"))  # type: ignore[arg-type]
    by_fund: dict[int, list[Cooperation]] = {}
    for cooperation in (visible(request.user, Cooperation)  # type: ignore[arg-type]
                        .select_related("institution").order_by("institution__name")):
        by_fund.setdefault(cooperation.fund_id, []).append(cooperation)
    rows = [{"fund": fund, "cooperations": by_fund.get(fund.pk, [])} for fund in funds]
    return render(request, "fund/funds.html", {"rows": rows})
