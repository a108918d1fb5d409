"""The navigation bar: items per role, plus the user's organisation, roles and workbench title.

Later apps add their pages with :func:`register_nav_item` from their ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ipfin.accounts.models import User
from ipfin.accounts.permissions import is_platform_admin
from ipfin.web.roles import role_group_for, role_labels


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Promise | str
    url_name: str | None = None  # a URL name, reversed per request …
    path: str | None = None  # … or a fixed path (e.g. the API docs, served by django-ninja)
    roles: frozenset[str] | None = None  # None: every signed-in user
    platform_only: bool = False
    order: int = 100

    def url(self) -> str | None:
        if self.path is not None:
            return self.path
        try:
            return reverse(self.url_name or "")
        except NoReverseMatch:
            return None

    def shown_to(self, user: User) -> bool:
        if self.platform_only:
            return is_platform_admin(user)
        return self.roles is None or user.has_role(*self.roles)


_NAV: dict[str, NavItem] = {}


def register_nav_item(
    key: str,
    label: Promise | str,
    *,
    url_name: str | None = None,
    path: str | None = None,
    roles: Iterable[str] | None = None,
    platform_only: bool = False,
    order: int = 100,
) -> NavItem:
    if key in _NAV:
        raise RuntimeError(f"navigation item {key!r} is registered twice")
    if (url_name is None) == (path is None):
        raise ValueError("a navigation item needs exactly one of url_name and path")
    item = NavItem(key, label, url_name, path, frozenset(roles) if roles is not None else None, platform_only, order)
    _NAV[key] = item
    return item


register_nav_item("dashboard", _("Workbench"), url_name="web:dashboard", order=0)
register_nav_item("organisations", _("Organisations"), url_name="web:organisations", order=10)
register_nav_item("audit", _("Audit log"), url_name="web:audit", order=900)
register_nav_item("api_docs", _("API docs"), path="/api/v1/docs", order=910)
register_nav_item("help", _("Help"), url_name="web:help", order=920)
register_nav_item("admin", _("Admin"), url_name="admin:index", platform_only=True, order=990)


def nav_items_for(user: User, current_url_name: str | None = None) -> list[dict[str, Any]]:
    items = []
    for item in sorted(_NAV.values(), key=lambda i: (i.order, i.key)):
        if not item.shown_to(user):
            continue
        url = item.url()
        if url is None:
            continue
        items.append({
            "key": item.key,
            "label": str(item.label),
            "url": url,
            "active": current_url_name is not None and item.url_name == current_url_name,
        })
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"site_title": settings.IPFIN_SITE_TITLE}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else (
        match.url_name if match else None
    )
    group = role_group_for(user)
    context.update({
        "nav_items": nav_items_for(user, current),
        "role_group": group,
        "user_role_labels": role_labels(user),
        "user_organisation": user.organisation if user.organisation_id else None,
    })
    return context
