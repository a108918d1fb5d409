"""``GET /api/v1/policy/profiles`` and ``/profiles/{name}``."""

from __future__ import annotations

import pytest
from django.test import Client

from ipfin.accounts.models import User


@pytest.fixture
def client_logged_in(db: None) -> Client:
    user = User.objects.create_user(username="reader", password="not-used-here-9431")
    client = Client()
    client.force_login(user)
    return client


def test_profiles_need_authentication(db: None) -> None:
    response = Client().get("/api/v1/policy/profiles")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_list_profiles(client_logged_in: Client) -> None:
    response = client_logged_in.get("/api/v1/policy/profiles")
    assert response.status_code == 200
    rows = response.json()
    assert [row["name"] for row in rows] == ["baotou-2021", "panzhihua-agreement", "panzhihua-pilot-2016",
                                             "sichuan-2025", "xiangtan-2020"]
    assert rows[0]["jurisdiction"] == "150200" and rows[0]["effective_to"] == "2022-12-31"
    in_force = client_logged_in.get("/api/v1/policy/profiles", {"effective_on": "2025-06-01"}).json()
    assert [row["name"] for row in in_force] == ["panzhihua-agreement", "sichuan-2025", "xiangtan-2020"]


def test_get_profile(client_logged_in: Client) -> None:
    response = client_logged_in.get("/api/v1/policy/profiles/baotou-2021")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "包头市知识产权质押融资风险补偿资金管理办法（试行）"
    assert data["parameters"]["compensation_ratio"] == {"value": "0.30", "unit": "ratio", "clause": "BT-12a"}
    assert data["parameters"]["claim_cap_fen"] == {"value": 150000000, "unit": "fen", "clause": "BT-12b"}
    xiangtan = client_logged_in.get("/api/v1/policy/profiles/xiangtan-2020").json()
    assert xiangtan["parameters"]["premium_subsidy_ratio"]["value"] is None


def test_unknown_profile_is_404(client_logged_in: Client) -> None:
    response = client_logged_in.get("/api/v1/policy/profiles/ordos-2024")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_profile"
    assert response.json()["details"]["name"] == "ordos-2024"
