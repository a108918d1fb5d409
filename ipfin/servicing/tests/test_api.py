"""The servicing API: loan book and detail, repayment with Idempotency-Key, reversal, downgrade, warnings, NPL
entry and overview; typed errors as {code, message, details}; errors declared in OpenAPI."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from ipfin.servicing.models import Repayment, RiskWarning
from ipfin.servicing.tests.factories import Disbursed, make_disbursed_loan

pytestmark = pytest.mark.django_db
BASE = "/api/v1/servicing"
FIRST_DUE = date(2025, 10, 30)


@pytest.fixture
def d() -> Disbursed:
    return make_disbursed_loan()


def client(d: Disbursed, key: str) -> Client:
    c = Client()
    c.force_login(d.users[key])
    return c


def post(c: Client, url: str, data: dict[str, Any] | None = None, **headers: Any) -> Any:
    return c.post(url, data or {}, content_type="application/json", headers=headers)


def test_loan_book_and_detail(d: Disbursed) -> None:
    officer = client(d, "officer")
    page = officer.get(f"{BASE}/loans", {"dpd_bucket": "current"}).json()
    assert page["count"] == 1 and page["items"][0]["number"] == d.loan.number
    assert page["items"][0]["dpd_bucket"] == "current"
    assert officer.get(f"{BASE}/loans", {"dpd_bucket": "1-30"}).json()["count"] == 0
    bad = officer.get(f"{BASE}/loans", {"dpd_bucket": "soon"})
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_filter"
    detail = officer.get(f"{BASE}/loans/{d.loan.pk}").json()
    assert len(detail["schedule"]) == 12 and detail["repayments"] == [] and detail["coverage"]["breach"] is False
    assert client(d, "officer2").get(f"{BASE}/loans/{d.loan.pk}").status_code == 404
    assert client(d, "officer2").get(f"{BASE}/loans").json()["count"] == 0


def test_repayment_idempotent_then_reversed(d: Disbursed) -> None:
    officer = client(d, "officer")
    first = d.schedule()[0]
    body = {"amount_fen": first.principal_fen + first.interest_fen, "received_on": FIRST_DUE.isoformat()}
    one = post(officer, f"{BASE}/loans/{d.loan.pk}/repayments", body, **{"Idempotency-Key": "r-1"})
    two = post(officer, f"{BASE}/loans/{d.loan.pk}/repayments", body, **{"Idempotency-Key": "r-1"})
    assert one.status_code == two.status_code == 201 and one.json()["id"] == two.json()["id"]
    assert Repayment.objects.count() == 1
    assert one.json()["current_principal_fen"] == first.principal_fen and len(one.json()["allocations"]) == 1
    too_much = post(officer, f"{BASE}/loans/{d.loan.pk}/repayments", {**body, "amount_fen": 1})
    assert too_much.status_code == 400 and too_much.json()["code"] == "payment_exceeds_due"
    rid = one.json()["id"]
    assert post(officer, f"{BASE}/repayments/{rid}/reverse", {"reason": ""}).status_code == 400
    reversed_ = post(officer, f"{BASE}/repayments/{rid}/reverse", {"reason": "录错"})
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    assert post(officer, f"{BASE}/repayments/{rid}/reverse", {"reason": "again"}).status_code == 409
    assert post(client(d, "ent"), f"{BASE}/loans/{d.loan.pk}/repayments", body).status_code == 403


def test_payoff_quote_and_payoff(d: Disbursed) -> None:
    officer = client(d, "officer")
    quote = officer.get(f"{BASE}/loans/{d.loan.pk}/payoff", {"on": "2025-10-20"}).json()
    assert quote["remaining_principal_fen"] == d.loan.principal_fen and quote["accrued_interest_fen"] > 0
    paid = post(officer, f"{BASE}/loans/{d.loan.pk}/repayments",
                {"amount_fen": quote["total_fen"], "received_on": "2025-10-20", "kind": "payoff"})
    assert paid.status_code == 201
    assert officer.get(f"{BASE}/loans/{d.loan.pk}").json()["status"] == "paid_off"


def test_downgrade_warnings_and_npl(d: Disbursed) -> None:
    approver, officer, head = client(d, "approver"), client(d, "officer"), client(d, "head")
    down = post(approver, f"{BASE}/loans/{d.loan.pk}/downgrade",
                {"risk_class": "doubtful", "reason": "涉诉", "business_date": "2025-10-10"})
    assert down.status_code == 200 and down.json()["risk_class"] == "doubtful"
    assert post(officer, f"{BASE}/loans/{d.loan.pk}/downgrade", {"risk_class": "loss", "reason": "x"}
                ).status_code == 403
    history = officer.get(f"{BASE}/loans/{d.loan.pk}").json()["class_history"]
    assert history[0]["to_class"] == "doubtful" and history[0]["source"] == "manual"
    warning = RiskWarning.objects.create(loan=d.loan, kind="frozen", severity="critical", raised_on=FIRST_DUE,
                                         clause="PZP-3.7.2")
    listed = officer.get(f"{BASE}/warnings", {"status": "open"}).json()
    assert listed["count"] == 1 and listed["items"][0]["loan_number"] == d.loan.number
    assert client(d, "officer2").get(f"{BASE}/warnings").json()["count"] == 0
    assert post(officer, f"{BASE}/warnings/{warning.pk}/acknowledge").json()["status"] == "acknowledged"
    closed = post(officer, f"{BASE}/warnings/{warning.pk}/close", {"reason": "已解冻"})
    assert closed.json()["status"] == "closed"
    assert post(client(d, "officer2"), f"{BASE}/warnings/{warning.pk}/close", {"reason": "x"}).status_code == 404
    entered = post(head, f"{BASE}/npl-reports", {"quarter_end": "2025-09-30", "overall_npl_ratio": "1.10"})
    assert entered.status_code == 201
    wrong = post(head, f"{BASE}/npl-reports", {"quarter_end": "2025-09-29", "overall_npl_ratio": "1.10"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "not_a_quarter_end"
    rows = officer.get(f"{BASE}/npl", {"on": "2025-10-31"}).json()
    assert rows[0]["bank_id"] == d.setup.bank.pk and rows[0]["ip_npl_ratio"] == "100.0000"
    assert rows[0]["overall_npl_ratio"] == "1.1000" and rows[0]["xt10_breach"] is True
    assert rows[0]["pza_clause"] == "PZA-3.乙2"


def test_errors_declared_in_openapi(d: Disbursed) -> None:
    schema = client(d, "officer").get("/api/v1/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith(BASE)}
    assert f"{BASE}/loans/{{loan_id}}/repayments" in paths
    for ops in paths.values():
        for op in ops.values():
            assert {"400", "403", "404", "409"} <= set(op["responses"])
