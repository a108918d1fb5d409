"""The origination API: create with Idempotency-Key (one application on a double submit), scoped list and
detail with checks and clock, every move as a POST, typed errors as {code, message, details}."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ipfin.origination.models import Application

from .factories import AMOUNT_FEN, Setup, make_setup

pytestmark = pytest.mark.django_db
BASE = "/api/v1/origination"


@pytest.fixture
def s(db: Any, monkeypatch: pytest.MonkeyPatch) -> Setup:
    setup = make_setup()
    # The server's business date is the scenario's day (Django's clock, not our code, is what is set here).
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: setup.today)
    return setup


def client(s: Setup, key: str) -> Client:
    c = Client()
    c.force_login(s.users[key])
    return c


def body(s: Setup, **extra: Any) -> dict[str, Any]:
    data = {"product_id": s.product.pk, "amount_fen": AMOUNT_FEN, "term_months": 12, "purpose": "working_capital",
            "repayment_method": "bullet", "asset_ids": [a.pk for a in s.assets], "co_owner_consent": True}
    data.update(extra)
    return data


def post(c: Client, url: str, data: dict[str, Any] | None = None, **headers: Any) -> Any:
    return c.post(url, data or {}, content_type="application/json", headers=headers)


def test_double_create_with_the_same_key_makes_one_application(s: Setup) -> None:
    ent = client(s, "ent")
    first = post(ent, f"{BASE}/applications", body(s), **{"Idempotency-Key": "abc"})
    second = post(ent, f"{BASE}/applications", body(s), **{"Idempotency-Key": "abc"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and Application.objects.count() == 1
    reused = post(ent, f"{BASE}/applications", body(s, amount_fen=AMOUNT_FEN + 1), **{"Idempotency-Key": "abc"})
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"


def test_flow_through_the_api(s: Setup) -> None:
    ent, officer, approver = client(s, "ent"), client(s, "officer"), client(s, "approver")
    pk = post(ent, f"{BASE}/applications", body(s)).json()["id"]
    assert post(ent, f"{BASE}/applications/{pk}/submit").json()["status"] == "submitted"
    completed = post(officer, f"{BASE}/applications/{pk}/complete").json()
    assert completed["decision_due_on"] == "2025-10-14" and completed["checks"][0]["clause"]
    assert post(officer, f"{BASE}/applications/{pk}/review").status_code == 200
    approved = post(approver, f"{BASE}/applications/{pk}/approve", {"annual_rate": "3.5"})
    assert approved.status_code == 200 and Decimal(approved.json()["approved_rate"]) == Decimal("3.5")
    signed = post(officer, f"{BASE}/applications/{pk}/sign", {"signed_on": s.today.isoformat()})
    assert signed.status_code == 200 and signed.json()["maturity_on"] == "2026-09-30"
    from ipfin.origination import actions

    actions.on_pledge_registered(pk, registered_on=s.today, actor=None)
    loan = post(officer, f"{BASE}/applications/{pk}/disburse", {"disbursed_on": s.today.isoformat()})
    assert loan.status_code == 201 and loan.json()["number"].startswith("DK2025")
    detail = ent.get(f"{BASE}/applications/{pk}").json()
    assert detail["status"] == "disbursed" and {c["code"] for c in detail["checks"]} >= {"rate_cap"}


def test_errors_are_typed(s: Setup) -> None:
    ent, officer = client(s, "ent"), client(s, "officer")
    pk = post(ent, f"{BASE}/applications", body(s, amount_fen=600_000_001)).json()["id"]
    refused = post(ent, f"{BASE}/applications/{pk}/submit")
    assert refused.status_code == 422 and refused.json()["code"] == "checks_failed"
    assert refused.json()["details"]["failures"][0]["clause"] == "PZA-2.1.2"
    illegal = post(officer, f"{BASE}/applications/{pk}/complete", {})
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    assert client(s, "officer2").get(f"{BASE}/applications/{pk}").status_code == 404
    assert post(ent, f"{BASE}/applications/{pk}/approve", {"annual_rate": "3.5"}).status_code == 403


def test_list_is_scoped_and_filtered(s: Setup) -> None:
    ent = client(s, "ent")
    post(ent, f"{BASE}/applications", body(s))
    assert ent.get(f"{BASE}/applications").json()["count"] == 1
    assert ent.get(f"{BASE}/applications", {"status": "approved"}).json()["count"] == 0
    assert client(s, "officer2").get(f"{BASE}/applications").json()["count"] == 0
    assert ent.get(f"{BASE}/applications", {"sla": "on_time"}).json()["count"] == 0


def test_document_upload(s: Setup, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    ent = client(s, "ent")
    pk = post(ent, f"{BASE}/applications", body(s)).json()["id"]
    response = ent.post(f"{BASE}/applications/{pk}/documents",
                        {"kind": "business_licence", "file": SimpleUploadedFile("l.pdf", b"%PDF-1.4 x")})
    assert response.status_code == 201 and len(response.json()["sha256"]) == 64


def test_decision_dates_come_from_the_server(s: Setup) -> None:
    """A client cannot backdate a decision (and so make an SLA look met): a ``today`` in the body is ignored,
    every move is dated by the server's business date."""
    ent, officer, approver = client(s, "ent"), client(s, "officer"), client(s, "approver")
    pk = post(ent, f"{BASE}/applications", body(s)).json()["id"]
    backdated = {"today": (s.today - timedelta(days=60)).isoformat()}
    assert post(ent, f"{BASE}/applications/{pk}/submit", backdated).json()["submitted_on"] == s.today.isoformat()
    assert post(officer, f"{BASE}/applications/{pk}/complete", backdated).json()["complete_on"] == s.today.isoformat()
    post(officer, f"{BASE}/applications/{pk}/review", backdated)
    approved = post(approver, f"{BASE}/applications/{pk}/approve", {"annual_rate": "3.5", **backdated}).json()
    assert approved["decided_on"] == s.today.isoformat()


def test_business_dates_are_refused_in_the_future_or_before_the_previous_step(s: Setup) -> None:
    ent, officer, approver = client(s, "ent"), client(s, "officer"), client(s, "approver")
    pk = post(ent, f"{BASE}/applications", body(s)).json()["id"]
    for move in ("submit", "complete", "review"):
        post(officer if move != "submit" else ent, f"{BASE}/applications/{pk}/{move}")
    post(approver, f"{BASE}/applications/{pk}/approve", {"annual_rate": "3.5"})
    tomorrow, yesterday = (s.today + timedelta(days=1)).isoformat(), (s.today - timedelta(days=1)).isoformat()
    future = post(officer, f"{BASE}/applications/{pk}/sign", {"signed_on": tomorrow})
    assert future.status_code == 400 and "future" in future.json()["details"]["reason"]
    before_approval = post(officer, f"{BASE}/applications/{pk}/sign", {"signed_on": yesterday})
    assert before_approval.status_code == 400 and "approval" in before_approval.json()["details"]["reason"]
    assert post(officer, f"{BASE}/applications/{pk}/sign", {"signed_on": s.today.isoformat(),
                                                            "start_on": tomorrow}).status_code == 400
    assert post(officer, f"{BASE}/applications/{pk}/sign", {}).status_code == 200
    from ipfin.origination import actions

    actions.on_pledge_registered(pk, registered_on=s.today, actor=None)
    assert post(officer, f"{BASE}/applications/{pk}/disburse", {"disbursed_on": tomorrow}).status_code == 400
    assert post(officer, f"{BASE}/applications/{pk}/disburse", {"disbursed_on": yesterday}).status_code == 400
    assert post(officer, f"{BASE}/applications/{pk}/disburse", {}).status_code == 201
