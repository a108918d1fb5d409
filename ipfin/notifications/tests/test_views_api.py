"""The notifications page (unread first, mark read with htmx), the bell's count and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from ipfin.accounts.actions import issue_api_token
from ipfin.core.testing.world import World
from ipfin.notifications.context import unread_notifications
from ipfin.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _notes(world: World) -> list[Notification]:
    user = world.users["ent_bt.admin"]
    old = Notification.objects.create(recipient=user, verb="a", title="旧通知", read_at=timezone.now())
    new = Notification.objects.create(recipient=user, verb="b", title="新通知")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() + timedelta(minutes=5))
    other = Notification.objects.create(recipient=world.users["ent_pzh.admin"], verb="c", title="别人的通知")
    return [old, new, other]


def _client(world: World, key: str) -> Client:
    client = Client()
    client.force_login(world.users[key])
    return client


def test_page_lists_own_unread_first(world: World) -> None:
    old, new, _other = _notes(world)
    page = _client(world, "ent_bt.admin").get("/notifications/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("新通知") < text.index("旧通知") and "别人的通知" not in text
    assert "1 条未读" in text


def test_mark_read_with_htmx_returns_the_list(world: World) -> None:
    _old, new, other = _notes(world)
    client = _client(world, "ent_bt.admin")
    response = client.post(f"/notifications/{new.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-unread="1"' not in response.content.decode()
    new.refresh_from_db()
    assert new.read_at is not None
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_redirects_without_htmx(world: World) -> None:
    _notes(world)
    response = _client(world, "ent_bt.admin").post("/notifications/read-all/")
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=world.users["ent_bt.admin"], read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=world.users["ent_pzh.admin"], read_at__isnull=True).count() == 1


def test_bell_context_counts_unread(world: World) -> None:
    _notes(world)
    request = RequestFactory().get("/")
    request.user = world.users["ent_bt.admin"]
    assert unread_notifications(request) == {"notifications_unread": 1}
    request.user = world.users["platform.admin"]
    assert unread_notifications(request) == {"notifications_unread": 0}


def test_api_lists_and_marks_own_only(world: World) -> None:
    _old, new, other = _notes(world)
    _token, secret = issue_api_token(world.users["ent_bt.admin"], name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listing = client.get("/api/v1/notifications/").json()
    assert [i["title"] for i in listing["items"]] == ["新通知", "旧通知"]
    assert client.get("/api/v1/notifications/", {"unread": True}).json()["count"] == 1
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    response = client.post(f"/api/v1/notifications/{other.pk}/read")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.post(f"/api/v1/notifications/{new.pk}/read").json()["read_at"] is not None
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 0}
