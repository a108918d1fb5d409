"""``/api/v1/calendar/…``: any authenticated user; typed errors for bad dates and missing data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ipfin.accounts.actions import create_organisation, create_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(calendar_2025_2026: None, lpr_fixings: None) -> Client:
    org = create_organisation(None, name="包头某企业", kind="enterprise", region_code="150203")
    user = create_user(None, organisation=org, username="ent", password="x", roles=["enterprise_staff"],
                       check_password_strength=False)
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, path: str, **params: Any) -> tuple[int, Any]:
    response = client.get(f"/api/v1/calendar/{path}", params)
    return response.status_code, response.json()


def test_working_day(client: Client) -> None:
    assert _get(client, "working-day", date="2025-10-06") == (
        200, {"date": "2025-10-06", "is_working_day": False, "name": "中秋节"})
    assert _get(client, "working-day", date="2025-09-28") == (
        200, {"date": "2025-09-28", "is_working_day": True, "name": "国庆节调休上班"})
    assert _get(client, "working-day", date="2026-03-02")[1]["is_working_day"] is True


def test_add_working_days(client: Client) -> None:
    assert _get(client, "add-working-days", date="2025-09-30", n=1) == (
        200, {"date": "2025-09-30", "n": 1, "result": "2025-10-09"})
    assert _get(client, "add-working-days", date="2026-02-13", n=2)[1]["result"] == "2026-02-24"


def test_lpr(client: Client) -> None:
    assert _get(client, "lpr", date="2025-05-19") == (
        200, {"date": "2025-05-19", "fixing_date": "2025-04-21", "lpr_1y_pct": "3.10", "lpr_5y_pct": "3.60",
              "tenor_months": None, "tenor": None, "applicable_pct": None})
    status, body = _get(client, "lpr", date="2025-05-20", tenor_months=120)
    assert status == 200 and (body["tenor"], body["applicable_pct"]) == ("5y", "3.50")


def test_errors_are_typed(client: Client) -> None:
    status, body = _get(client, "working-day", date="2027-01-04")
    assert status == 409 and body["code"] == "calendar_not_published" and body["details"] == {"year": 2027}
    status, body = _get(client, "working-day", date="2025-02-30")
    assert status == 400 and body["code"] == "invalid_date"
    status, body = _get(client, "add-working-days", date="2025-10-01", n=-1)
    assert status == 400 and body["code"] == "invalid_input"
    status, body = _get(client, "lpr", date="2019-01-01")
    assert status == 404 and body["code"] == "lpr_not_available"
    status, body = _get(client, "lpr", date="2025-01-01", tenor_months=0)
    assert status == 400 and body["code"] == "invalid_input"


def test_anonymous_is_refused(calendar_2025_2026: None) -> None:
    response = Client().get("/api/v1/calendar/working-day", {"date": "2025-10-01"})
    assert response.status_code == 401


def test_endpoints_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ["working-day", "add-working-days", "lpr"]:
        assert f"/api/v1/calendar/{path}" in paths
        assert "409" in paths[f"/api/v1/calendar/{path}"]["get"]["responses"]
