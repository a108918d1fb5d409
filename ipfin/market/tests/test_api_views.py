"""The market API (scoped lists, creates with idempotency keys, typed errors) and pages; the demo seed."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ipfin.accounts.actions import issue_api_token
from ipfin.core.testing.world import World
from ipfin.market import actions
from ipfin.market.demo import seed_market
from ipfin.market.models import CreditPlan, Product
from ipfin.market.tests.helpers import ON, product_fields

pytestmark = pytest.mark.django_db
BASE = "/api/v1/market"


def _api(world: World, key: str) -> Client:
    _token, secret = issue_api_token(world.users[key], name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _login(world: World, key: str) -> Client:
    client = Client()
    client.force_login(world.users[key])
    return client


def _body(**overrides: Any) -> str:
    fields = product_fields(**overrides)
    return json.dumps({k: str(v) if not isinstance(v, (list, int, bool)) else v for k, v in fields.items()})


def test_create_with_idempotency_key_makes_one_product(world: World) -> None:
    client = _api(world, "bank_b.loan_officer")
    first = client.post(f"{BASE}/products", _body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(f"{BASE}/products", _body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Product.objects.count() == 1
    assert first.json()["status"] == "draft" and Decimal(first.json()["max_loan_to_value"]) == Decimal("0.6")


def test_typed_errors_and_scoped_lists(world: World) -> None:
    client = _api(world, "bank_b.loan_officer")
    response = client.post(f"{BASE}/products", _body(max_loan_to_value="0.70"), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "above_policy_cap"
    assert response.json()["details"]["clause"] == "PZA-2.1.2"
    product = client.post(f"{BASE}/products", _body(), content_type="application/json").json()
    enterprise = _api(world, "ent_pzh.admin")
    assert enterprise.get(f"{BASE}/products").json() == []
    assert enterprise.get(f"{BASE}/products/{product['id']}").status_code == 404
    assert client.post(f"{BASE}/products/{product['id']}/activate").json()["status"] == "active"
    assert [p["id"] for p in enterprise.get(f"{BASE}/products", {"kind": "patent", "region": "510402",
                                                                 "amount_fen": 10_000_000}).json()] == [product["id"]]
    assert enterprise.get(f"{BASE}/products", {"kind": "copyright"}).json() == []
    assert enterprise.get(f"{BASE}/products", {"region": "150200"}).json() == []
    assert enterprise.get(f"{BASE}/products", {"region": "51"}).status_code == 400
    assert enterprise.post(f"{BASE}/products/{product['id']}/withdraw").status_code == 403
    patched = client.patch(f"{BASE}/products/{product['id']}", {"name": "新产品名"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["name"] == "新产品名"


def test_credit_plan_api_with_utilisation(world: World) -> None:
    client = _api(world, "bank_b.loan_officer")
    response = client.post(f"{BASE}/credit-plans", {"year": 2026, "amount_fen": 100, "region_code": "510400"},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "credit_plan_below_minimum"
    response = client.post(f"{BASE}/credit-plans", {"year": 2026, "amount_fen": 6_000_000_000,
                                                    "region_code": "510400"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["utilised_fen"] == 0
    plan_id = response.json()["id"]
    assert _api(world, "ipo_pzh.clerk").get(f"{BASE}/credit-plans").json()[0]["remaining_fen"] == 6_000_000_000
    assert _api(world, "ent_pzh.admin").get(f"{BASE}/credit-plans/{plan_id}").status_code == 404
    patched = client.patch(f"{BASE}/credit-plans/{plan_id}", {"amount_fen": 7_000_000_000},
                           content_type="application/json")
    assert patched.json()["amount_fen"] == 7_000_000_000


def test_pages(world: World) -> None:
    product = actions.create_product(None, bank=world.orgs["bank_b"], today=ON, **product_fields())
    actions.activate_product(None, product.pk, today=ON)
    actions.create_credit_plan(None, bank=world.orgs["bank_b"], year=2026, amount_fen=6_000_000_000,
                               region_code="510400")
    enterprise = _login(world, "ent_pzh.admin")
    page = enterprise.get("/market/", {"kind": "patent", "amount_wan": "50"}).content.decode()
    assert "知识产权质押贷" in page and f"/origination/apply/{product.pk}/" in page
    assert "知识产权质押贷" not in enterprise.get("/market/", {"amount_wan": "20000"}).content.decode()
    bank = _login(world, "bank_b.loan_officer")
    assert "知识产权质押贷" in bank.get("/market/products/").content.decode()
    assert bank.get(f"/market/products/{product.pk}/").status_code == 200
    assert "<progress" in bank.get("/market/plans/").content.decode()
    form = {"code": "new-one", "name": "新贷款", "accepted_kinds": ["patent"], "combined_pledge_allowed": "on",
            "max_ltv_percent": "65", "rate_min": "3.1", "rate_max": "4.5", "min_term_months": "6",
            "max_term_months": "36", "amount_min_wan": "10", "amount_max_wan": "500",
            "repayment_methods": ["bullet"], "payment_frequency": "monthly", "day_count": "act360",
            "penalty_uplift_percent": "50", "regions": "510400", "industries": "",
            "policy_profiles": ["panzhihua-agreement"]}
    refused = bank.post("/market/products/new/", form)
    assert refused.status_code == 400 and "PZA-2.1.2" in refused.content.decode()
    saved = bank.post("/market/products/new/", form | {"max_ltv_percent": "60"})
    assert saved.status_code == 302
    new = Product.objects.get(code="new-one")
    assert new.amount_max_fen == 500_000_000 and str(new.max_loan_to_value) == "0.6000"
    assert bank.post(f"/market/products/{new.pk}/activate/").status_code == 302
    new.refresh_from_db()
    assert new.status == "active"
    assert bank.get(f"/market/products/{new.pk}/edit/").status_code == 200
    assert enterprise.get("/market/products/new/").status_code == 403
    assert bank.post("/market/plans/", {"year": "2027", "amount_wan": "6000", "region_code": "510400"}).status_code == 302


def test_seed_market_is_idempotent(world: World) -> None:
    orgs = {"bank1": world.orgs["bank_a"], "bank2": world.orgs["bank_b"]}
    assert seed_market(orgs, as_of=date(2026, 3, 2)) == {"credit_plans": 2, "products": 5}
    assert seed_market(orgs, as_of=date(2026, 3, 2)) == {"credit_plans": 0, "products": 0}
    assert set(Product.objects.values_list("status", flat=True)) == {"active"}
    assert CreditPlan.objects.get(bank=world.orgs["bank_b"]).amount_fen == 10_000_000_000


def test_product_page_shows_labels_and_region_names_not_codes(world: World) -> None:
    product = actions.create_product(None, bank=world.orgs["bank_b"], today=ON, **product_fields(
        risk_sharing_options=["fund", "guarantor"]))
    actions.activate_product(None, product.pk, today=ON)
    page = _login(world, "ent_pzh.admin").get(f"/market/products/{product.pk}/",
                                               HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    def shown(testid: str) -> str:
        found = re.search(rf'data-testid="{testid}">(.*?)</span>', page)
        assert found is not None, testid
        return found.group(1)

    assert shown("accepted-kinds") == "专利、商标"
    assert "patent" not in shown("accepted-kinds")
    assert "equal-installment" not in shown("repayment-methods") and "等额本息" in shown("repayment-methods")
    assert "fund" not in shown("risk-sharing") and "风险补偿" in shown("risk-sharing")
    assert shown("regions") == "攀枝花市"
    offers = _login(world, "ent_pzh.admin").get("/market/").content.decode()
    assert "攀枝花市" in offers
