"""The user's notifications page; marking read by POST (htmx swaps the row / the list, plain POST redirects)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ipfin.notifications import actions
from ipfin.notifications.selectors import inbox, unread_count
from ipfin.web.errors import shows_ipfin_errors


def _list_context(request: HttpRequest) -> dict[str, object]:
    return {"notifications": inbox(request.user)[:200],  # type: ignore[arg-type]
            "notifications_unread": unread_count(request.user)}  # type: ignore[arg-type]


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/list.html", _list_context(request))


@login_required
@require_POST
@shows_ipfin_errors
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    actions.mark_read(request.user, notification_id)  # type: ignore[arg-type]
    if request.headers.get("HX-Request"):
        return render(request, "notifications/_list.html", _list_context(request))
    return HttpResponseRedirect(reverse("notifications:list"))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.mark_all_read(request.user)  # type: ignore[arg-type]
    if request.headers.get("HX-Request"):
        return render(request, "notifications/_list.html", _list_context(request))
    return HttpResponseRedirect(reverse("notifications:list"))
