"""The UI shell: sign-in, workbench (dashboard) per role, scoped list pages, API tokens, help."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipfin.accounts.actions import issue_api_token, revoke_api_token
from ipfin.accounts.models import ApiToken, AuditEvent, Organisation, User
from ipfin.core.i18n import localized_message
from ipfin.core.scoping import visible
from ipfin.domain.errors import InvalidInput, IpfinError
from ipfin.web.dashboard import cards_for
from ipfin.web.help import render_help
from ipfin.web.roles import HELP_PAGE_TITLES, HELP_PAGES, KIND_PLURAL_LABELS, role_group_for

ORGANISATIONS_PER_PAGE = 20
AUDIT_EVENTS_PER_PAGE = 25
RECENT_EVENTS_ON_DASHBOARD = 5
MAX_QUERY_LENGTH = 100  # characters of a search box; longer input is cut, not an error


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot sign anyone out (CSRF)."""


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page(request: HttpRequest, paginator: Paginator) -> Page:
    return paginator.get_page(request.GET.get("page"))


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    by_kind = (
        Organisation.objects.filter(pk__in=visible(user, Organisation).values("pk"))
        .values("kind").annotate(n=Count("pk")).order_by("kind")
    )
    counts = {row["kind"]: row["n"] for row in by_kind}
    # Chart data in the order of the organisation kinds, kinds with no visible organisation left out.
    chart = {
        "title": _("Organisations by kind"),
        "labels": [str(label) for kind, label in KIND_PLURAL_LABELS.items() if counts.get(kind)],
        "values": [counts[kind] for kind in KIND_PLURAL_LABELS if counts.get(kind)],
        "series_name": _("Organisations"),
    }
    recent_events = (
        visible(user, AuditEvent).select_related("actor", "organisation").order_by("-id")[:RECENT_EVENTS_ON_DASHBOARD]
    )
    return render(request, "web/dashboard.html", {
        "cards": cards_for(user),
        "org_kind_chart": chart,
        "recent_events": recent_events,
        "role_group": role_group_for(user),
    })


@login_required
@require_GET
def organisations(request: HttpRequest) -> HttpResponse:
    """Organisations the user may read (the public directory of institutions plus their own scope)."""
    user = _user(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    rows = visible(user, Organisation).select_related("head_office")
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(uscc__icontains=query) | Q(region_code__startswith=query))
    page = _page(request, Paginator(rows.order_by("kind", "name"), ORGANISATIONS_PER_PAGE))
    context = {"page": page, "query": query}
    if request.headers.get("HX-Request") == "true":  # htmx search-as-you-type: the results only
        return render(request, "web/_organisation_results.html", context)
    return render(request, "web/organisations.html", context)


@login_required
@require_GET
def audit_events(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = visible(user, AuditEvent).select_related("actor", "organisation").order_by("-id")
    page = _page(request, Paginator(rows, AUDIT_EVENTS_PER_PAGE))
    return render(request, "web/audit.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; POST issues one and shows its secret once (the secret is never stored)."""
    user = _user(request)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            if len(name.strip()) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
                raise InvalidInput(reason=_("the name is too long"))
            token, secret = issue_api_token(user, name=name)
        except IpfinError as error:
            context["error_message"] = localized_message(error)
            context["token_name"] = name
            status = error.http_status
        else:
            context["new_token"] = token
            context["new_secret"] = secret
    context["tokens"] = visible(user, ApiToken).filter(user=user).order_by("-created_at")
    response = render(request, "web/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may carry a secret
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = revoke_api_token(_user(request), token_id=token_id)
    except IpfinError as error:
        messages.error(request, localized_message(error))
    else:
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("web:tokens")


@login_required
@require_GET
def help_page(request: HttpRequest, page: str | None = None) -> HttpResponse:
    """The help of my role group, or another group's page by name (help is not secret)."""
    if page is None:
        group = role_group_for(_user(request))
        page = group.help_page if group else "platform"
    if page not in HELP_PAGES:
        raise Http404()
    return render(request, "web/help.html", {
        "help_page": page,
        "help_html": render_help(
            page, get_language() or settings.LANGUAGE_CODE, _("Help: %(group)s") % {"group": HELP_PAGE_TITLES[page]}
        ),
        "help_pages": list(HELP_PAGE_TITLES.items()),
    })
