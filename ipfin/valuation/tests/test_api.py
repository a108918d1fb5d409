"""API: value an asset, read its history, route rule, register, work queue, report upload, errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client

from ipfin.accounts.actions import issue_api_token
from ipfin.valuation import actions
from ipfin.valuation.tests.helpers import pdf
from ipfin.valuation.tests.test_actions import setup  # noqa: F401  (fixture)

BASE = "/api/v1/valuation"


def _client(user: Any) -> Client:
    _token, secret = issue_api_token(user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_value_an_asset_and_read_its_history(setup: dict[str, Any]) -> None:  # noqa: F811
    client = _client(setup["officer"])
    asset_id = setup["asset"].pk
    created = client.post(f"{BASE}/assets/{asset_id}/valuations", {"as_of": "2025-06-30"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["value_fen"] > 0 and body["model_version"] == "pledge_v1" and len(body["scores"]) == 15
    history = client.get(f"{BASE}/assets/{asset_id}/valuations")
    assert history.status_code == 200 and [v["id"] for v in history.json()] == [body["id"]]
    other = _client(setup["other_officer"])
    assert other.get(f"{BASE}/assets/{asset_id}/valuations").json()["code"] == "not_found"
    assert other.get(f"{BASE}/valuations/{body['id']}").status_code == 404
    bad = client.post(f"{BASE}/assets/{asset_id}/negotiated", {"value_fen": -5, "as_of": "2025-06-30"},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"


def test_route_rule_from_the_policy_profile(setup: dict[str, Any]) -> None:  # noqa: F811
    client = _client(setup["officer"])
    below = client.get(f"{BASE}/route", {"loan_amount_fen": 999_999_999, "profile": "sichuan-2025"}).json()
    at = client.get(f"{BASE}/route", {"loan_amount_fen": 1_000_000_000, "profile": "sichuan-2025"}).json()
    assert below["route"] == "internal_or_negotiated" and at["route"] == "third_party_appraisal"
    assert at["threshold_fen"] == 1_000_000_000 and at["clause"] == "SC-3"
    assert client.get(f"{BASE}/route", {"loan_amount_fen": 1, "profile": "nowhere"}).status_code == 404


def test_work_queue_and_report_upload(setup: dict[str, Any]) -> None:  # noqa: F811
    bank = _client(setup["officer"])
    due = (actions._today() + timedelta(days=5)).isoformat()
    created = bank.post(f"{BASE}/requests", {"asset_id": setup["asset"].pk, "appraiser_id": setup["appraiser"].pk,
                                             "due_date": due}, content_type="application/json")
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    appraiser = _client(setup["appraiser_user"])
    queue = appraiser.get(f"{BASE}/requests", {"status": "requested"}).json()
    assert [r["id"] for r in queue] == [request_id]
    assert appraiser.post(f"{BASE}/requests/{request_id}/accept").json()["status"] == "accepted"
    reported = appraiser.post(f"{BASE}/requests/{request_id}/report",
                              {"appraised_value_fen": "100", "as_of": "2025-06-30", "file": pdf()})
    assert reported.status_code == 200, reported.content
    assert reported.json()["status"] == "reported" and reported.json()["has_report"]
    assert reported.json()["deviation_flag"] is True
    again = appraiser.post(f"{BASE}/requests/{request_id}/accept")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert _client(setup["other_officer"]).get(f"{BASE}/requests").json() == []


def test_appraiser_register_and_models(setup: dict[str, Any]) -> None:  # noqa: F811
    officer = _client(setup["officer"])
    names = [a["name"] for a in officer.get(f"{BASE}/appraisers").json()]
    assert names == ["四川天健资产评估有限公司"]
    assert officer.post(f"{BASE}/appraisers/{setup['appraiser'].pk}/admission", {"status": "suspended"},
                        content_type="application/json").status_code == 403
    models = officer.get(f"{BASE}/models").json()
    assert {m["version"] for m in models} >= {"pledge_v1", "trademark_v1", "copyright_v1"}
    assert officer.post(f"{BASE}/models/pledge_v1/activate").status_code == 403
    assert Client().get(f"{BASE}/appraisers").status_code == 401


def test_pages_render_for_the_right_users(setup: dict[str, Any]) -> None:  # noqa: F811
    from django.test import Client as PageClient

    officer = PageClient()
    officer.force_login(setup["officer"])
    page = officer.get(f"/valuation/assets/{setup['asset'].pk}/")
    assert page.status_code == 200 and b"valuation-chart-data" not in page.content
    assert officer.post(f"/valuation/assets/{setup['asset'].pk}/").status_code == 302
    page = officer.get(f"/valuation/assets/{setup['asset'].pk}/")
    assert b"valuation-chart-data" in page.content and "贡献最大" in page.content.decode()
    assert b"<script>" not in page.content  # no inline scripts (CSP); data in json_script
    other = PageClient()
    other.force_login(setup["other_officer"])
    assert other.get(f"/valuation/assets/{setup['asset'].pk}/").status_code == 404
    actions.request_appraisal(setup["officer"], setup["asset"].pk, appraiser_id=setup["appraiser"].pk,
                              due_date=actions._today() + timedelta(days=3))
    appraiser = PageClient()
    appraiser.force_login(setup["appraiser_user"])
    queue = appraiser.get("/valuation/queue/")
    assert queue.status_code == 200 and setup["asset"].number in queue.content.decode()
