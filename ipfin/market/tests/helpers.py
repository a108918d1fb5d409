"""Product fields that pass every check under the Panzhihua profiles on 2026 business dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

ON = date(2026, 3, 2)
PZH_PROFILES = ["panzhihua-agreement", "sichuan-2025"]


def product_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "code": "ip-loan", "name": "知识产权质押贷", "accepted_kinds": ["patent", "trademark"],
        "combined_pledge_allowed": True, "max_loan_to_value": Decimal("0.60"), "rate_min": Decimal("3.10"),
        "rate_max": Decimal("4.85"), "min_term_months": 6, "max_term_months": 120, "amount_min_fen": 10_000_000,
        "amount_max_fen": 1_000_000_000, "repayment_methods": ["equal-installment", "interest-only"],
        "regions": ["510400"], "industries": ["C32"], "risk_sharing_options": ["fund"],
        "policy_profiles": PZH_PROFILES,
    }
    fields.update(overrides)
    return fields
