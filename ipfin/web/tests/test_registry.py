"""The dashboard-card and navigation registries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ipfin.accounts.choices import Role
from ipfin.domain.errors import Conflict
from ipfin.web.context import nav_items_for, register_nav_item
from ipfin.web.dashboard import CardRegistry, cards_for
from ipfin.web.errors import render_error
from ipfin.web.tests.people import People


@pytest.mark.django_db
def test_cards_respect_roles_order_and_missing_urls(people: People):
    registry = CardRegistry()
    registry.register("b", "Second", count=lambda user: 2, order=20, url_name="web:audit")
    registry.register("a", "First", count=lambda user: 1, order=10, url_name="nosuch:page")
    registry.register("bank_only", "Banks", roles={Role.LOAN_OFFICER}, count=lambda user: 3)
    officer = registry.cards_for(people.users[Role.LOAN_OFFICER])
    assert [card.key for card in officer] == ["a", "b", "bank_only"]
    assert officer[0].url is None and officer[1].url == reverse("web:audit")
    assert [card.key for card in registry.cards_for(people.users[Role.CLERK])] == ["a", "b"]
    with pytest.raises(RuntimeError):
        registry.register("a", "Again", count=lambda user: 0)


@pytest.mark.django_db
def test_anonymous_users_get_no_cards():
    from django.contrib.auth.models import AnonymousUser

    assert cards_for(AnonymousUser()) == []  # type: ignore[arg-type]


@pytest.mark.django_db
def test_foundation_cards_are_registered(people: People):
    keys = [card.key for card in cards_for(people.users[Role.ENTERPRISE_ADMIN])]
    foundation = [key for key in keys if key.startswith("accounts.")]
    assert foundation == ["accounts.organisations", "accounts.colleagues", "accounts.audit_events", "accounts.api_tokens"]


@pytest.mark.django_db
def test_nav_items_and_registration_rules(people: People):
    keys = [item["key"] for item in nav_items_for(people.users[Role.SUPERVISOR], "web:audit")]
    foundation = ["dashboard", "organisations", "audit", "api_docs", "help"]
    assert [key for key in keys if key in foundation] == foundation
    # Later apps slot their entries between the foundation's by order; a supervisor sees each area read-only.
    assert {"registry.enterprises", "registry.assets", "market.products", "pledges.list", "fund.funds"} <= set(keys)
    appraiser_keys = [item["key"] for item in nav_items_for(people.users[Role.APPRAISER])]
    assert "valuation.queue" in appraiser_keys and "registry.assets" not in appraiser_keys
    active = [item["key"] for item in nav_items_for(people.users[Role.SUPERVISOR], "web:audit") if item["active"]]
    assert active == ["audit"]
    assert "admin" in [item["key"] for item in nav_items_for(people.users[Role.PLATFORM_ADMIN])]
    with pytest.raises(RuntimeError):
        register_nav_item("dashboard", "Again", url_name="web:dashboard")
    with pytest.raises(ValueError):
        register_nav_item("neither", "Neither")


@pytest.mark.django_db
def test_typed_errors_render_as_a_translated_alert(rf, people: People):
    request = rf.get("/")
    request.user = people.users[Role.CLERK]
    response = render_error(request, Conflict())
    assert response.status_code == 409
    assert 'class="alert alert-danger"' in response.content.decode()
    assert 'data-error-code="conflict"' in response.content.decode()
