"""Demo products and credit plans: 2–3 products on offer per demo bank, each bank's 2026 credit plan.

Deterministic and idempotent (products found by (bank, code), plans by (bank, year, region)). Panzhihua
products operate under ``["panzhihua-agreement", "sichuan-2025"]`` (60 % loan-to-value, PZA-2.1.2; 120 months,
SC-6); Baotou products list ``["baotou-2021"]``, which is not in force on 2026 dates (an assumption until the
fund issue renews it), so their caps are the bank's own choice — kept at the same 60 % and 120 months.
Called from ``ipfin.demo.data.load_demo_data`` with the demo's organisations by key (``bank1``, ``bank2``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ipfin.accounts.models import Organisation
from ipfin.market import actions
from ipfin.market.choices import ProductStatus
from ipfin.market.models import CreditPlan, Product

PLAN_YEAR = 2026
WAN = 1_000_000  # fen in 1 万元

# bank key -> (plan region, plan amount in fen, policy profiles)
PLANS: dict[str, tuple[str, int, list[str]]] = {
    "bank1": ("150200", 8_000 * WAN, ["baotou-2021"]),  # 8000 万元; Baotou states no plan minimum
    "bank2": ("510400", 10_000 * WAN, ["panzhihua-agreement", "sichuan-2025"]),  # 1 亿元 ≥ 0.5 亿 (PZA-3.乙1)
}

PRODUCTS: dict[str, list[dict[str, Any]]] = {
    "bank1": [
        {"code": "lc-ip-pledge", "name": "鹿城知识产权质押贷", "accepted_kinds": ["patent", "trademark"],
         "description": "专利、商标单独或组合质押，最高授信为评估价值的60%。", "max_loan_to_value": Decimal("0.60"),
         "rate_min": Decimal("3.20"), "rate_max": Decimal("4.95"), "min_term_months": 6, "max_term_months": 36,
         "amount_min_fen": 50 * WAN, "amount_max_fen": 1_000 * WAN,
         "repayment_methods": ["equal-installment", "interest-only"], "risk_sharing_options": ["fund", "guarantor"]},
        {"code": "lc-trademark", "name": "鹿城商标贷", "accepted_kinds": ["trademark"],
         "description": "以注册商标专用权质押的流动资金贷款。", "combined_pledge_allowed": False,
         "max_loan_to_value": Decimal("0.50"), "rate_min": Decimal("3.45"), "rate_max": Decimal("5.20"),
         "min_term_months": 6, "max_term_months": 24, "amount_min_fen": 20 * WAN, "amount_max_fen": 300 * WAN,
         "repayment_methods": ["bullet", "interest-only"], "risk_sharing_options": ["insurer"]},
        {"code": "lc-rare-earth", "name": "鹿城稀土新材料专利贷", "accepted_kinds": ["patent"],
         "description": "面向稀土新材料企业的中长期专利质押贷款。", "max_loan_to_value": Decimal("0.55"),
         "rate_min": Decimal("3.10"), "rate_max": Decimal("4.60"), "min_term_months": 12, "max_term_months": 60,
         "amount_min_fen": 100 * WAN, "amount_max_fen": 2_000 * WAN, "repayment_methods": ["equal-principal"],
         "industries": ["C32", "C39"], "risk_sharing_options": ["fund"]},
    ],
    "bank2": [
        {"code": "px-ip-pledge", "name": "攀西知识产权质押贷", "accepted_kinds": ["patent", "trademark", "copyright"],
         "description": "知识产权单独或组合质押，审批时限5个工作日。", "max_loan_to_value": Decimal("0.60"),
         "rate_min": Decimal("3.05"), "rate_max": Decimal("4.45"), "min_term_months": 6, "max_term_months": 120,
         "amount_min_fen": 50 * WAN, "amount_max_fen": 1_000 * WAN,
         "repayment_methods": ["equal-installment", "equal-principal", "interest-only"],
         "risk_sharing_options": ["fund", "insurer"]},
        {"code": "px-vanadium", "name": "攀西钒钛专利贷", "accepted_kinds": ["patent"],
         "description": "面向钒钛产业链企业的专利质押贷款。", "max_loan_to_value": Decimal("0.60"),
         "rate_min": Decimal("3.00"), "rate_max": Decimal("4.20"), "min_term_months": 12, "max_term_months": 84,
         "amount_min_fen": 100 * WAN, "amount_max_fen": 3_000 * WAN, "repayment_methods": ["equal-principal", "bullet"],
         "industries": ["C31", "C32"], "risk_sharing_options": ["fund"]},
    ],
}


def seed_market(orgs: dict[str, Organisation], as_of: date | None = None) -> dict[str, int]:
    """Create the missing demo plans and products (on offer) for the banks present in ``orgs``."""
    today = as_of or date(PLAN_YEAR, 1, 2)
    created = {"credit_plans": 0, "products": 0}
    for bank_key, (region, amount_fen, profiles) in PLANS.items():
        bank = orgs.get(bank_key)
        if bank is None:
            continue
        plan = CreditPlan.objects.filter(bank=bank, year=PLAN_YEAR, region_code=region).first()
        if plan is None:
            plan = actions.create_credit_plan(None, bank=bank, year=PLAN_YEAR, amount_fen=amount_fen,
                                              region_code=region)
            created["credit_plans"] += 1
        for spec in PRODUCTS[bank_key]:
            if Product.objects.filter(bank=bank, code=spec["code"]).exists():
                continue
            product = actions.create_product(None, bank=bank, today=today, regions=[region],
                                             policy_profiles=profiles, credit_plan_id=plan.pk, **spec)
            if product.status != ProductStatus.ACTIVE:
                actions.activate_product(None, product.pk, today=today)
            created["products"] += 1
    return created
